import Control
import Foundation

/// What the runner hands the store after each attempt of a run: when it ran, how it ended, every
/// node's results and the faults injected. `ResultsStore.record(_:run:)` writes all of it, and the
/// run's new status, in one transaction.
public struct AttemptRecord: Sendable, Codable {
    /// 1, 2, ... within the run. A resumed run continues from `ResultsStore.attempts(run:).count + 1`.
    public var number: Int
    public var startedAt: Date
    public var endedAt: Date
    public var outcome: AttemptOutcome
    /// Length of the measurement window: throughput is operations completed in it divided by this.
    public var measuredSeconds: Double
    /// Width of the per-interval counters in `nodes` (and of the recovery curve's intervals).
    public var intervalMillis: UInt64
    /// Every node's `run.results`; empty when the attempt failed before results were collected.
    public var nodes: [RunResults]
    /// The highest contiguous number per space over time, computed by the runner; stored as is.
    public var recovery: RecoveryCurve?
    /// The faults injected during the attempt, in the order they fired.
    public var faults: [FaultEvent]

    public init(number: Int, startedAt: Date, endedAt: Date, outcome: AttemptOutcome, measuredSeconds: Double,
                intervalMillis: UInt64, nodes: [RunResults], recovery: RecoveryCurve? = nil, faults: [FaultEvent] = []) {
        self.number = number
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.measuredSeconds = measuredSeconds
        self.intervalMillis = intervalMillis
        self.nodes = nodes
        self.recovery = recovery
        self.faults = faults
    }
}

/// How an attempt ended. A failed attempt is kept (with its reason) and the run retried.
public enum AttemptOutcome: Sendable, Equatable, Codable {
    case succeeded
    case failed(reason: String)

    /// The word stored in the database: `succeeded` or `failed`.
    public var name: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed: "failed"
        }
    }

    public var reason: String? {
        if case let .failed(reason) = self { reason } else { nil }
    }
}

/// One fault injected during an attempt, with the times it actually started and ended (Jepsen's
/// nemesis records both, so a plot can shade the time it was active).
public struct FaultEvent: Sendable, Codable, Equatable {
    /// What was done: `kill-leader`, `kill-sequencer`, `pause`, `partition`, ...
    public var kind: String
    /// Whom it hit, in words: a node name, an endpoint, "group 0 leader (raft id 2)", the nodes cut off.
    public var target: String
    /// When it fired, in seconds from the start of measurement (after warmup).
    public var atSeconds: Double
    /// When a lasting fault (a pause, a partition) was healed, in seconds from the start of
    /// measurement; nil for an instant (a kill).
    public var endSeconds: Double?

    public init(kind: String, target: String, atSeconds: Double, endSeconds: Double? = nil) {
        self.kind = kind
        self.target = target
        self.atSeconds = atSeconds
        self.endSeconds = endSeconds
    }

    /// How long a lasting fault was active; nil for an instant.
    public var durationSeconds: Double? { endSeconds.map { $0 - atSeconds } }

    /// A short caption for figures: "leader killed", "sequencer killed", or the kind itself.
    public var caption: String {
        switch kind {
        case "kill-leader": "leader killed"
        case "kill-sequencer": "sequencer killed"
        case "kill-backup": "backup killed"
        case "pause": "paused"
        case "partition": "partition"
        default: kind
        }
    }
}
