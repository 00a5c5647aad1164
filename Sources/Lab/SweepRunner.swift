import Control
import Foundation
import Results

/// Runs points on a testbed with bounded retry: an attempt that fails to start (or whose results
/// are incomplete) is recorded with its reason and tried again, up to `spec.retries` more times.
public final class Runner: @unchecked Sendable {
    // @unchecked Sendable: `interrupted` is behind a lock, so an interrupt handler may call
    // `interrupt()` from another thread; everything else is used from one thread.
    public let testbed: Testbed
    public let progress: (String) -> Void
    private let lock = NSLock()
    /// Set by `interrupt()`: the attempt under way is not recorded (it did not fail on its own).
    private var interrupted = false
    /// Files holding attempts the database was too busy to take, in the order they were written.
    private var pending: [String] = []

    /// Attempts this runner kept in files because the database stayed locked.
    public var pendingFiles: [String] { lock.withLock { pending } }

    public init(testbed: Testbed, progress: @escaping (String) -> Void = { _ in }) {
        self.testbed = testbed
        self.progress = progress
    }

    deinit { stop() }

    /// Ctrl-C: the attempt under way is abandoned, not recorded, and the testbed stops.
    public func interrupt() {
        lock.withLock { interrupted = true }
        stop()
    }

    /// Stops the testbed's daemons or roles (from any thread).
    public func stop() { testbed.stop() }

    /// Where a run's roles go on this testbed, by its system's definition. Throws `SystemNotBuilt`
    /// for a system not built yet and `PlacementError` for options the nodes cannot hold.
    public func placement(_ spec: RunSpec) throws -> MasonPlacement {
        try SystemDefinition.for(spec.system).place(spec, testbed.slots(for: spec.options))
    }

    /// One run: attempts until one succeeds or the retries are spent. Returns the last attempt.
    /// Throws `UnmeasurableRun` (before anything starts) for a window shorter than
    /// `MeasurementRule.minimumSeconds`, and `RunRefused` (without retrying) when a daemon refuses
    /// the parameters as invalid.
    @discardableResult
    public func run(_ spec: RunSpec, ledger: RunLedger, sweep: SweepID? = nil, pointKey: String? = nil, trial: Int = 1,
                    label: String = "") throws -> (run: RunID, last: AttemptRecord) {
        if let refusal = MeasurementRule.refusal(durationSeconds: spec.duration) { throw UnmeasurableRun(description: refusal) }
        let definition = try SystemDefinition.for(spec.system)
        let placement = try definition.place(spec, testbed.slots(for: spec.options))
        // A busy testbed is said before a run is recorded: no run row without attempts is left behind.
        try testbed.claim()
        let configuration = try JSONOutput.string(spec)
        let runID = try ledger.run(sweep: sweep, pointKey: pointKey, trial: trial, system: spec.system, parameters: spec.parameters,
                                   configuration: configuration, testbed: testbed.name, masonlabVersion: masonVersion)
        var last: AttemptRecord?
        // A resumed run keeps its earlier attempts; this invocation gets its own retry budget.
        let earlier = try ledger.attempts(run: runID).count
        for number in earlier + 1 ... earlier + spec.retries + 1 {
            progress("\(label)attempt \(number - earlier) of at most \(spec.retries + 1)")
            let attempt: AttemptRecord
            let started = Date()
            do {
                let controls = try testbed.controls(for: placement.nodes.map(\.slot))
                var runner = MasonRunner(definition: definition, controls: controls, placement: placement, spec: spec)
                runner.nemesis = testbed.nemesis
                attempt = try runner.attempt(number)
            } catch let busy as TestbedBusy {
                // Not an attempt: nothing ran, and retrying at once would find it just as busy.
                throw busy
            } catch let refused as RunRefused {
                guard !lock.withLock({ interrupted }) else { throw Interrupted() }
                try keep(refused.attempt, run: runID, ledger: ledger, label: label)
                throw refused
            } catch {
                // A node that cannot be reached fails this attempt like a role that cannot start.
                attempt = AttemptRecord(number: number, startedAt: started, endedAt: Date(), outcome: .failed(reason: "\(error)"),
                                        measuredSeconds: spec.duration, intervalMillis: 10, nodes: [], recovery: nil, faults: [])
            }
            guard !lock.withLock({ interrupted }) else { throw Interrupted() }
            try keep(attempt, run: runID, ledger: ledger, label: label)
            last = attempt
            if case .succeeded = attempt.outcome { break }
            progress("\(label)attempt \(number) failed: \(attempt.outcome.reason ?? "")")
            // The next attempt starts from fresh connections (and, locally, fresh daemons).
            testbed.stop()
        }
        return (runID, last!)
    }

    /// Records the attempt; one the database is too busy to take is kept in a file and said so.
    private func keep(_ attempt: AttemptRecord, run: RunID, ledger: RunLedger, label: String) throws {
        if case let .pending(file) = try ledger.recordOrKeep(attempt, run: run) {
            lock.withLock { pending.append(file) }
            progress("\(label)the results database stayed locked by another process; attempt \(attempt.number) of run \(run) "
                + "is kept in \(file) and imported by the next masonlab run")
        }
    }

    /// A whole figure: points × trials, skipping what already succeeded (so an interrupted sweep
    /// resumes). Returns the sweep id and the point keys that failed after every retry.
    public func sweep(_ figure: Figure, scale: Figure.Scale, mode: FigureMode?, trials: Int,
                      ledger: RunLedger) throws -> (sweep: SweepID, failed: [String]) {
        let points = figure.points(scale)
        precondition(points.allSatisfy { $0.spec.system == figure.system }, "a figure's points run its own system")
        precondition(mode.map(figure.modes.contains) ?? true, "a sweep measures a mode its figure has")
        let sweep = try ledger.beginSweep(figure: figure.name, mode: mode, scale: scale, trials: trials)
        let done = try ledger.succeededRuns(sweep: sweep)
        let todo = points.flatMap { p in (1 ... trials).map { (p, $0) } }.filter { !done.contains(PointTrial(pointKey: $0.0.key, trial: $0.1)) }
        let total = points.count * trials
        var failed: [String] = []
        let started = Date()
        for (k, (point, trial)) in todo.enumerated() {
            let finished = total - todo.count + k
            let eta = k == 0 ? "?" : Self.clock(Date().timeIntervalSince(started) / Double(k) * Double(todo.count - k))
            let label = "[\(finished + 1)/\(total)] \(point.key) trial \(trial), ETA \(eta): "
            let (_, last) = try run(point.spec, ledger: ledger, sweep: sweep, pointKey: point.key, trial: trial, label: label)
            if case .failed = last.outcome { failed.append("\(point.key)#\(trial)") }
        }
        if failed.isEmpty { try ledger.finishSweep(sweep) }
        return (sweep, failed)
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// A measurement window too short to measure; refused before anything starts.
public struct UnmeasurableRun: Error, CustomStringConvertible {
    public let description: String
}

/// The run was interrupted (Ctrl-C); what was under way is not recorded.
public struct Interrupted: Error {
    public init() {}
}
