import Control
import Foundation
import Results

/// Where runs and attempts are kept (the results database); a protocol so the runner's logic is
/// independent of the store.
public protocol RunLedger {
    func beginSweep(figure: String, mode: String?, scale: String, trials: Int) throws -> SweepID
    func run(sweep: SweepID?, pointKey: String?, trial: Int, system: String, parameters: RunParameters,
             configuration: String, testbed: String, masonlabVersion: String) throws -> RunID
    func succeededRuns(sweep: SweepID) throws -> Set<PointTrial>
    func record(_ attempt: AttemptRecord, run: RunID) throws
    func attempts(run: RunID) throws -> [AttemptListing]
    func finishSweep(_ sweep: SweepID) throws
}

extension ResultsStore: RunLedger {}


/// Runs points on the local testbed with bounded retry: an attempt that fails to start (or
/// whose results are incomplete) is recorded with its reason and tried again, up to
/// `spec.retries` more times.
public final class LocalRunner: @unchecked Sendable {
    // @unchecked Sendable: `daemons` is behind a lock, so an interrupt handler may call `stop()`
    // from another thread; everything else is used from one thread.
    public let masond: URL
    public let progress: (String) -> Void
    private let lock = NSLock()
    private var daemons: LocalDaemons?
    /// Set by `interrupt()`: the attempt under way is not recorded (it did not fail on its own).
    private var interrupted = false

    public init(masond: URL, progress: @escaping (String) -> Void = { _ in }) {
        self.masond = masond
        self.progress = progress
    }

    deinit { stop() }

    /// Ctrl-C: the attempt under way is abandoned, not recorded, and the daemons stop.
    public func interrupt() {
        lock.withLock { interrupted = true }
        stop()
    }

    /// Stops every daemon this runner started (from any thread).
    public func stop() {
        let running = lock.withLock { () -> LocalDaemons? in
            defer { daemons = nil }
            return daemons
        }
        running?.stop()
    }

    /// Daemons for `count` nodes, reused across points.
    private func nodes(_ count: Int) throws -> LocalDaemons {
        if let running = lock.withLock({ daemons }), running.nodes.count >= count { return running }
        stop()
        let started = try LocalDaemons(count: count, masond: masond)
        lock.withLock { daemons = started }
        return started
    }

    /// One run: attempts until one succeeds or the retries are spent. Returns the last attempt.
    @discardableResult
    public func run(_ spec: RunSpec, ledger: RunLedger, sweep: SweepID? = nil, pointKey: String? = nil, trial: Int = 1,
                    label: String = "") throws -> (run: RunID, last: AttemptRecord) {
        let slots = LocalTestbed.slots(for: spec.options)
        let placement = try MasonPlacement(spec.options, nodes: slots)
        let configuration = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        let runID = try ledger.run(sweep: sweep, pointKey: pointKey, trial: trial, system: "mason", parameters: spec.parameters,
                                   configuration: configuration, testbed: "local", masonlabVersion: masonVersion)
        var last: AttemptRecord?
        // A resumed run keeps its earlier attempts; this invocation gets its own retry budget.
        let earlier = try ledger.attempts(run: runID).count
        for number in earlier + 1 ... earlier + spec.retries + 1 {
            progress("\(label)attempt \(number - earlier) of at most \(spec.retries + 1)")
            let daemons = try nodes(slots.count)
            let attempt = MasonRunner(daemons: daemons, placement: placement, spec: spec).attempt(number)
            guard !lock.withLock({ interrupted }) else { throw Interrupted() }
            try ledger.record(attempt, run: runID)
            last = attempt
            if case .succeeded = attempt.outcome { break }
            progress("\(label)attempt \(number) failed: \(attempt.outcome.reason ?? "")")
        }
        return (runID, last!)
    }

    /// A whole figure: points × trials, skipping what already succeeded (so an interrupted sweep
    /// resumes). Returns the sweep id and the point keys that failed after every retry.
    public func sweep(_ figure: Figure, scale: Figure.Scale, mode: String?, trials: Int,
                      ledger: RunLedger) throws -> (sweep: SweepID, failed: [String]) {
        let points = figure.points(scale)
        let sweep = try ledger.beginSweep(figure: figure.name, mode: mode, scale: scale.rawValue, trials: trials)
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

/// The run was interrupted (Ctrl-C); what was under way is not recorded.
public struct Interrupted: Error {
    public init() {}
}
