import ArgumentParser
import Control
import Foundation
import Lab
import Protocols
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
            try printSummary(run: runID, system: spec.system, last, json: json)
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

    @Argument(help: "The figure (see --list); without one, every figure that measures the mode given.")
    var figure: String?

    @Flag(help: "List the figures and their points.")
    var list = false

    @Flag var modes: [FigureMode] = []

    @Option(help: "local (shrunk to one machine; the default on the local testbed) or paper (the default on emulab).")
    var scale: Figure.Scale?

    @Option(help: "Only this system's figures (default: every built system's).")
    var system: System?

    @Option(help: "Trials per point.")
    var trials: Int = 1

    @OptionGroup var database: ResultsDatabaseOption
    @OptionGroup var ssh: SSHOptions

    @Flag(help: "The final percentile table as JSON.")
    var json = false

    func validate() throws {
        guard (1 ... 100).contains(trials) else { throw ValidationError("--trials must be 1...100 (got \(trials)).") }
    }

    func run() throws {
        let scale = scale ?? Figure.Scale(defaultFor: database.testbed)
        let catalog = try system.map { system in try usage { try SystemDefinition.for(system).figures } } ?? FigureCatalog.all
        if list {
            for f in catalog {
                let points = f.points(scale)
                print("\(f.name): \(f.summary); \(points.count) points at \(scale.rawValue) scale")
                for p in points { print("  \(p.key)") }
            }
            return
        }
        let figures: [Figure]
        do {
            figures = try FigureSelection.select(name: figure, modes: modes, from: catalog)
        } catch {
            throw CommandFailure(error.description, status: ExitStatus.usage)
        }
        let store = try openStore(database.path)
        let sweeps = try withRunner(makeTestbed(database.testbed, ssh: ssh)) { runner in
            for point in figures.flatMap({ $0.points(scale) }) { _ = try usage { try runner.placement(point.spec) } }
            return try figures.map { figure in
                try usage { try runner.sweep(figure, scale: scale, mode: modes.first, trials: trials, ledger: store) }
            }
        }
        for (sweep, _) in sweeps { try printPercentiles(store, filter: .sweep(sweep), json: json) }
        let failures = sweeps.filter { !$0.failed.isEmpty }.map { sweep, failed in
            "sweep \(sweep): \(failed.count) points failed after every retry: \(failed.joined(separator: ", "))"
        }
        if !failures.isEmpty { throw CommandFailure(failures.joined(separator: "; ") + "; re-run to retry them.") }
    }
}

/// `--appends`, `--reads`, `--setDatas`, `--getDatas`: the artifact's spellings.
extension FigureMode: EnumerableFlag {
    public static func name(for value: FigureMode) -> NameSpecification { .customLong(value.rawValue) }

    public static func help(for value: FigureMode) -> ArgumentHelp? {
        let systems = value.systems.map(\.rawValue).joined(separator: " and ")
        let built = value.systems.contains(where: \.isBuilt) ? "" : ", not built yet"
        return "Run every figure that measures \(value.rawValue) (\(systems)\(built)); one mode per run."
    }
}

/// `--scale local` or `--scale paper`.
extension Figure.Scale: ExpressibleByArgument {}

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
    } catch let error as SystemNotBuilt {
        throw CommandFailure(error.description, status: ExitStatus.usage)
    } catch let error as TestbedBusy {
        // Not bad input: the same command works once the other masonlab is done.
        throw CommandFailure(error.description, status: ExitStatus.failed)
    }
}

/// The summary row of an attempt that is not in the database (kept pending): throughput and
/// latency percentiles computed from its own results.
func printSummary(run: RunID, system: System, _ attempt: AttemptRecord, json: Bool) throws {
    let s = LatencySummary(nodes: attempt.nodes, measuredSeconds: attempt.measuredSeconds)
    if json {
        print(try JSONOutput.string(PendingRunDocument(run: run, system: system.rawValue, s)))
    } else {
        print("run  system  throughput_ops  p50_us  p99_us  p999_us  p9999_us  (pending: not in the database yet)")
        print("\(run)  \(system.rawValue)  \(Int(s.throughputOps.rounded()))  \(s.p50Micros)  \(s.p99Micros)  \(s.p999Micros)  \(s.p9999Micros)")
    }
}
