/// A fault the simulator schedules, by what it does: the name its report, its trace and the
/// `--json` output give it (`kill-leader`, `kill-sequencer`, `partition`, `crash ROLE`).
public enum ScheduledFault: Sendable, Hashable, CustomStringConvertible {
    /// Crash whichever replica leads proxy group 0 when the fault fires (waiting for one).
    case killLeader
    /// Crash the primary sequencer: the backup takes over.
    case killSequencer
    /// Cut some servers off from the rest for a while.
    case partition
    /// Crash one named role (`sequencer`, `backup`, `proxy-G-R`, `client-K`).
    case crash(role: String)

    public var description: String {
        switch self {
        case .killLeader: "kill-leader"
        case .killSequencer: "kill-sequencer"
        case .partition: "partition"
        case let .crash(role): "crash \(role)"
        }
    }

    /// The flag that schedules this fault at `seconds`, as `simulate` takes it (a partition's
    /// without its duration, which is not part of the fault's name).
    public func flag(atSeconds seconds: Double) -> String {
        switch self {
        case .killLeader: "--kill-leader \(seconds)"
        case .killSequencer: "--kill-sequencer \(seconds)"
        case .partition: "--partition \(seconds)"
        case let .crash(role): "--crash \(role):\(seconds)"
        }
    }
}
