/// The role a testbed node is named for (`<role>-<N>`, e.g. `proxy-12`): what the List View parser
/// accepts, the inventory keeps, and placement picks nodes by.
public enum NodeRole: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
    case sequencer, proxy, client, server

    /// The role a node name carries: the name up to its last `-N`; nil when that is not a role.
    public init?(nodeName name: String) {
        guard let dash = name.lastIndex(of: "-"), Int(name[name.index(after: dash)...]) != nil else { return nil }
        self.init(rawValue: String(name[..<dash]))
    }

    public var description: String { rawValue }
}
