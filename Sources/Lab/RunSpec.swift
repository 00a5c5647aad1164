import Foundation
import Results

/// A fault scheduled against the measurement origin (seconds after measurement starts).
public enum ScheduledFault: Sendable, Equatable, Codable {
    /// The *current* leader of group 0 at that moment.
    case killLeader(at: Double)
    /// The primary sequencer.
    case killSequencer(at: Double)

    public var at: Double {
        switch self {
        case let .killLeader(t), let .killSequencer(t): t
        }
    }

    public var kind: String {
        switch self {
        case .killLeader: "kill-leader"
        case .killSequencer: "kill-sequencer"
        }
    }
}

/// Everything one Mason run needs besides the nodes.
public struct RunSpec: Sendable, Equatable, Codable {
    public var options = MasonOptions()
    public var warmup = 0.25
    public var duration = 3.0
    public var cooldown = 0.1
    public var faults: [ScheduledFault] = []
    /// Startup failures retried after the first attempt [--retries].
    public var retries = 3
    /// Keep per-interval received ranges for an exact recovery curve (on by default with faults).
    public var recordRanges = false
    /// Fault injection for tests: the first N attempts find a client's port taken, so its start fails.
    public var injectClientStartFailures = 0

    public init() {}

    /// The run's parameters as stored and printed (stable keys).
    public var parameters: RunParameters {
        let o = options
        var p: RunParameters = [
            "nproxies": .int(Int64(o.proxies)), "nproxy_threads": .int(Int64(o.proxyThreads)), "groups": .int(Int64(o.groups)),
            "nclients": .int(Int64(o.clients)), "nclient_threads": .int(Int64(o.clientThreads)),
            "nsequence_spaces": .int(Int64(o.spaces)), "concurrency": .int(Int64(o.concurrency)),
            "batch_timeout_us": .int(Int64(o.batchTimeoutMicros)), "duration_s": .double(duration),
        ]
        for fault in faults { p[fault.kind.replacingOccurrences(of: "-", with: "_") + "_s"] = .double(fault.at) }
        return p
    }
}
