/// What a role is, as `roles.status` names it.
public enum RoleKind: String, Codable, Sendable, CaseIterable {
    case sequencer, backup, proxy, client
}
