/// The five systems of the Mason paper's artifact: the name every layer uses for them (the
/// `--system` flag, `roles.start`, placement, runs, figures, the results ledger and the simulator).
public enum System: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// Clients get multi-sequence numbers through replicated proxy groups (the paper's Figure 3).
    case mason
    /// The Corfu shared log: one sequencer hands out positions, clients write chains of storage units.
    case corfu
    /// Corfu whose appends go through Mason's proxies, so the log stays contiguous through failures.
    case corfumason
    /// ZooKeeper as one Raft-replicated state machine.
    case rsmkeeper
    /// ZooKeeper sharded across groups and ordered by Mason's multi-sequence numbers.
    case zkmason

    /// The systems this build runs, simulates and measures.
    public static let built: [System] = [.mason]

    public var isBuilt: Bool { Self.built.contains(self) }

    public var description: String { rawValue }

    /// The one sentence that refuses a system not built yet; nil for a built one.
    public var notBuiltError: String? {
        isBuilt ? nil
            : "the \(rawValue) system is not built yet; the systems built are: \(Self.built.map(\.rawValue).joined(separator: ", "))."
    }
}
