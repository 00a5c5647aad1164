/// Where a role is in its life, as `roles.status` reports it: `running` from roles.start,
/// `crashed` by roles.crash (it keeps its counters, handles nothing), `stopped` by roles.stop
/// (drained first) or node.reset.
public enum RoleState: String, Codable, Sendable, CaseIterable {
    case running, crashed, stopped
}
