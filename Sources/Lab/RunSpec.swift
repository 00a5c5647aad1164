import Foundation
import Protocols
import Results

/// A fault scheduled against the measurement origin (seconds after measurement starts). Kills
/// are instants; a pause or a partition lasts `duration` seconds and is healed at `at + duration`.
public enum ScheduledFault: Sendable, Equatable, Codable {
    /// The *current* leader of group 0 at that moment.
    case killLeader(at: Double)
    /// The primary sequencer.
    case killSequencer(at: Double)
    /// The daemon hosting `role` is stopped (SIGSTOP), as a hung machine, and continued after `duration`.
    case pause(role: PauseTarget, at: Double, duration: Double)
    /// A minority of the server nodes is cut off from every other node, both ways, for `duration`.
    case partition(at: Double, duration: Double)

    public var at: Double {
        switch self {
        case let .killLeader(t), let .killSequencer(t), let .pause(_, t, _), let .partition(t, _): t
        }
    }

    /// How long the fault lasts; nil for an instant (a kill).
    public var duration: Double? {
        switch self {
        case .killLeader, .killSequencer: nil
        case let .pause(_, _, d), let .partition(_, d): d
        }
    }

    /// When the fault is healed, in seconds from the start of measurement; nil for an instant.
    public var end: Double? { duration.map { at + $0 } }

    public var kind: String {
        switch self {
        case .killLeader: "kill-leader"
        case .killSequencer: "kill-sequencer"
        case .pause: "pause"
        case .partition: "partition"
        }
    }

    /// The fault as its flag's value is spelled: `leader:1:0.5` for a pause, `2.5:0.8` for a partition.
    public var argument: String {
        switch self {
        case let .killLeader(t), let .killSequencer(t): "\(t)"
        case let .pause(role, t, d): "\(role):\(t):\(d)"
        case let .partition(t, d): "\(t):\(d)"
        }
    }
}

/// What `--pause ROLE:T:DURATION` stops, in the words of the simulator's `--crash ROLE:T`: the
/// daemon (node) hosting that role, so every role on that node stops with it.
public enum PauseTarget: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The primary sequencer.
    case sequencer
    /// The backup sequencer.
    case backup
    /// Group 0's current leader, found when the pause fires.
    case leader
    /// Replica `replica` of proxy group `group`.
    case proxy(group: Int, replica: Int)
    /// Client `index` (0-based, over every client thread of every client node).
    case client(Int)

    /// `sequencer`, `backup`, `leader`, `proxy-G-R` or `client-K`; nil for anything else.
    public init?(_ text: String) {
        switch text {
        case "sequencer": self = .sequencer
        case "backup": self = .backup
        case "leader": self = .leader
        default:
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            // Digits only: `client-00` and `client-+0` are not spellings of client-0.
            func number(_ s: Substring) -> Int? {
                guard !s.isEmpty, s.count <= 6, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber), s == "0" || s.first != "0" else { return nil }
                return Int(s)
            }
            if parts.count == 3, parts[0] == "proxy", let g = number(parts[1]), let r = number(parts[2]), r < 3 {
                self = .proxy(group: g, replica: r)
            } else if parts.count == 2, parts[0] == "client", let k = number(parts[1]) {
                self = .client(k)
            } else {
                return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .sequencer: "sequencer"
        case .backup: "backup"
        case .leader: "leader"
        case let .proxy(g, r): "proxy-\(g)-\(r)"
        case let .client(k): "client-\(k)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let target = PauseTarget(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a pause target"))
        }
        self = target
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Everything one run needs besides the nodes.
public struct RunSpec: Sendable, Equatable, Codable {
    /// The system run (`--system`); its definition (`SystemDefinition.for`) places and checks it.
    public var system = System.mason
    public var options = MasonOptions()
    public var warmup = 0.25
    public var duration = 3.0
    public var cooldown = 0.1
    public var faults: [ScheduledFault] = []
    /// Startup failures retried after the first attempt [--retries].
    public var retries = 3
    /// Keep per-interval received ranges for an exact recovery curve (on by default with faults).
    public var recordRanges = false

    public init() {}

    /// The run's parameters as stored and printed (stable keys): a kill's time as `kill_leader_s`,
    /// pauses and partitions as their flags' values (`pause: "leader:1.0:0.5"`, several joined by `,`).
    public var parameters: RunParameters {
        let o = options
        var p: RunParameters = [
            "nproxies": .int(Int64(o.proxies)), "nproxy_threads": .int(Int64(o.proxyThreads)), "groups": .int(Int64(o.groups)),
            "nclients": .int(Int64(o.clients)), "nclient_threads": .int(Int64(o.clientThreads)),
            "nsequence_spaces": .int(Int64(o.spaces)), "concurrency": .int(Int64(o.concurrency)),
            "batch_timeout_us": .int(Int64(o.batchTimeoutMicros)), "duration_s": .double(duration),
        ]
        for fault in faults where fault.duration == nil { p[fault.kind.replacingOccurrences(of: "-", with: "_") + "_s"] = .double(fault.at) }
        for kind in ["pause", "partition"] {
            let lasting = faults.filter { $0.kind == kind }
            if !lasting.isEmpty { p[kind] = .string(lasting.map(\.argument).joined(separator: ",")) }
        }
        return p
    }
}
