/// Counters a role keeps about input it refused (all of it survived, none of it trapped).
public struct DropCounters: Sendable, Equatable {
    /// Messages that do not belong to this role, or name a group, space count or id it does not have.
    public var rejected: UInt64 = 0
    /// Late or duplicate replies for work already finished.
    public var stale: UInt64 = 0

    public init() {}
}
