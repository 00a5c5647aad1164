/// The logical address of one hosted role. Hosts map it to a real address (a simulated node, a
/// UDP socket, a DPDK queue); roles only ever name peers by endpoint.
public struct Endpoint: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var id: UInt32

    public init(_ id: UInt32) { self.id = id }

    public static func < (a: Endpoint, b: Endpoint) -> Bool { a.id < b.id }
    public var description: String { "e\(id)" }
}
