/// Counters a role keeps about input it refused (all of it survived, none of it trapped).
public struct DropCounters: Sendable, Equatable {
    /// Messages that do not belong to this role, or name a group, space count or id it does not have.
    public var rejected: UInt64 = 0
    /// Late or duplicate replies for work already finished.
    public var stale: UInt64 = 0
    /// Values no correct peer produces: a term, id or mark more than `ProtocolBounds.maxLead` ahead
    /// of this role's own, numbers that overflow, counts beyond `maxNumbersPerOperation`. Counted
    /// here, not reported as `.anomaly`: hostile input is the network's fault, not the protocol's.
    public var implausible: UInt64 = 0

    public init() {}
}
