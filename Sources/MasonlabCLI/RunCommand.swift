import ArgumentParser
import Foundation
import Lab
import Results

/// `masonlab run`: one experiment on the testbed, every attempt recorded.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one experiment on the testbed and store it; prints the run id and its summary row.",
        discussion: "Faults (--kill-leader, --kill-sequencer, --pause, --partition) are seconds from the start of measurement and hit the current leader."
    )

    @OptionGroup var arguments: RunArguments
    @OptionGroup var database: ResultsDatabaseOption
    @OptionGroup var ssh: SSHOptions

    @Flag(help: "One JSON document on stdout.")
    var json = false

    func run() throws {
        let spec = arguments.spec
        if let refusal = MeasurementRule.refusal(durationSeconds: spec.duration) { throw CommandFailure(refusal, status: ExitStatus.usage) }
        let (store, runID, last, kept) = try withRunner(makeTestbed(database.testbed, ssh: ssh)) { runner in
            _ = try usage { try runner.placement(spec) }
            try usage { try runner.checkFaults(spec) }
            let store = try openStore(database.path)
            let (runID, last) = try usage { try runner.run(spec, ledger: store) }
            return (store, runID, last, !runner.pendingFiles.isEmpty)
        }
        if kept, case .succeeded = last.outcome {
            // Not in the database yet: the summary comes from the attempt itself.
            printSummary(run: runID, last, json: json)
        } else {
            try printPercentiles(store, filter: .run(runID), json: json)
        }
        if case let .failed(reason) = last.outcome {
            throw CommandFailure("run \(runID) failed after \(last.number) attempts: \(reason)")
        }
    }
}

/// `masonlab run-figure`: a whole declared sweep, resumable.
struct RunFigure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-figure",
        abstract: "Run a declared figure's sweep; completed points are skipped, so re-running resumes.",
        discussion: "Figures: " + FigureCatalog.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ") + "."
    )

    @Argument(help: "The figure (see --list).")
    var figure: String?

    @Flag(help: "List the figures and their points.")
    var list = false

    @Flag(name: .customLong("appends")) var appends = false
    @Flag(name: .customLong("reads")) var reads = false
    @Flag(name: .customLong("setDatas")) var setDatas = false
    @Flag(name: .customLong("getDatas")) var getDatas = false

    @Option(help: "local (shrunk to one machine; the default on the local testbed) or paper (the default on emulab).")
    var scale: String?

    @Option(help: "Trials per point.")
    var trials: Int = 1

    @OptionGroup var database: ResultsDatabaseOption
    @OptionGroup var ssh: SSHOptions

    @Flag(help: "The final percentile table as JSON.")
    var json = false

    func validate() throws {
        if let scale, Figure.Scale(rawValue: scale) == nil { throw ValidationError("--scale: '\(scale)' is not a scale; use local or paper.") }
        guard (1 ... 100).contains(trials) else { throw ValidationError("--trials must be 1...100 (got \(trials)).") }
        if !list, figure == nil { throw ValidationError("name a figure (masonlab run-figure --list shows them).") }
    }

    func run() throws {
        let scale = Figure.Scale(rawValue: scale ?? (database.testbed == "local" ? "local" : "paper"))!
        if list {
            for f in FigureCatalog.all {
                let points = f.points(scale)
                print("\(f.name): \(f.summary); \(points.count) points at \(scale.rawValue) scale")
                for p in points { print("  \(p.key)") }
            }
            return
        }
        guard let declared = FigureCatalog.named(figure!) else {
            throw CommandFailure("'\(figure!)' is not a figure; the figures are: \(FigureCatalog.all.map(\.name).joined(separator: ", ")).",
                                 status: ExitStatus.usage)
        }
        let modes = [("appends", appends), ("reads", reads), ("setDatas", setDatas), ("getDatas", getDatas)].filter(\.1).map(\.0)
        guard modes.isEmpty else {
            throw CommandFailure("the \(declared.name) figure has no --\(modes[0]) mode (modes belong to the corfu and zookeeper figures, not built yet).",
                                 status: ExitStatus.usage)
        }
        let store = try openStore(database.path)
        let (sweep, failed) = try withRunner(makeTestbed(database.testbed, ssh: ssh)) { runner in
            for point in declared.points(scale) { _ = try usage { try runner.placement(point.spec) } }
            return try usage { try runner.sweep(declared, scale: scale, mode: nil, trials: trials, ledger: store) }
        }
        try printPercentiles(store, filter: .sweep(sweep), json: json)
        if !failed.isEmpty {
            throw CommandFailure("sweep \(sweep): \(failed.count) points failed after every retry: \(failed.joined(separator: ", ")); re-run to retry them.")
        }
    }
}

/// Runs `body` with a runner on `testbed` whose progress goes to stderr; Ctrl-C interrupts it,
/// and the testbed is stopped when `body` returns or throws.
func withRunner<T>(_ testbed: Testbed, _ body: (Runner) throws -> T) throws -> T {
    let runner = Runner(testbed: testbed) { FileHandle.standardError.write(Data("masonlab: \($0)\n".utf8)) }
    let stopper = InterruptStopper { runner.interrupt() }
    defer {
        runner.stop()
        withExtendedLifetime(stopper) {}
    }
    return try body(runner)
}

/// Stops the testbed's daemons on SIGINT/SIGTERM, then exits 130: nothing is left running and the
/// database holds only whole attempts (each is one transaction).
final class InterruptStopper {
    private let sources: [DispatchSourceSignal]

    /// `announce` goes to stderr (after "masonlab: ") before `stop` runs.
    init(announce: String? = "interrupted; stopping the testbed", _ stop: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if let announce { FileHandle.standardError.write(Data("masonlab: \(announce)\n".utf8)) }
                stop()
                exit(130)
            }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// An impossible placement, a window too short to measure, or parameters a daemon refuses are bad
/// input: exit 2 with its sentence.
func usage<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as PlacementError {
        throw CommandFailure(error.description, status: ExitStatus.usage)
    } catch let error as UnmeasurableRun {
        throw CommandFailure(error.description, status: ExitStatus.usage)
    } catch let error as RunRefused {
        throw CommandFailure(error.description, status: ExitStatus.usage)
    } catch let error as NemesisUnavailable {
        throw CommandFailure(error.description, status: ExitStatus.usage)
    } catch let error as TestbedBusy {
        // Not bad input: the same command works once the other masonlab is done.
        throw CommandFailure(error.description, status: ExitStatus.failed)
    }
}

/// The summary row of an attempt that is not in the database (kept pending): throughput and
/// latency percentiles computed from its own results.
func printSummary(run: RunID, _ attempt: AttemptRecord, json: Bool) {
    let s = LatencySummary(nodes: attempt.nodes, measuredSeconds: attempt.measuredSeconds)
    if json {
        print("{\"rows\":[{\"run\":\(run.rawValue),\"system\":\"mason\",\"pending\":true,\"throughput_ops\":\(s.throughputOps),"
            + "\"p50_us\":\(s.p50Micros),\"p99_us\":\(s.p99Micros),\"p999_us\":\(s.p999Micros),\"p9999_us\":\(s.p9999Micros)}]}")
    } else {
        print("run  system  throughput_ops  p50_us  p99_us  p999_us  p9999_us  (pending: not in the database yet)")
        print("\(run)  mason  \(Int(s.throughputOps.rounded()))  \(s.p50Micros)  \(s.p99Micros)  \(s.p999Micros)  \(s.p9999Micros)")
    }
}
