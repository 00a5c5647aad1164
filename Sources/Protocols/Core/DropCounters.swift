/// Counters a role keeps about input it refused (all of it survived, none of it trapped).
/// `rejected`, `stale` and `implausible` are expected: a lossy, duplicating network and strangers
/// sending garbage produce them. `impossible` is not: the simulator checks it is zero on every seed.
public struct DropCounters: Sendable, Equatable {
    /// Messages that do not belong to this role, or name a group, space count or id it does not have.
    public var rejected: UInt64 = 0
    /// Late or duplicate replies for work already finished.
    public var stale: UInt64 = 0
    /// Values no correct peer produces: a term, id or mark more than `ProtocolBounds.maxLead` ahead
    /// of this role's own, numbers that overflow, counts beyond `maxNumbersPerOperation`. Counted
    /// here, not reported as `.anomaly`: hostile input is the network's fault, not the protocol's.
    public var implausible: UInt64 = 0
    /// Input from a sender verified as a peer that no correct peer sends (counted here instead of
    /// in `rejected`). A stranger cannot cause it; a bug or a forged member address can, so the
    /// simulator, where no frame carries a member's address falsely, checks it stays zero.
    public var impossible: UInt64 = 0

    public init() {}
}
