import Protocols

/// Where every endpoint of a run lives: the address of the worker that hosts it. Dense for the
/// small endpoint numbers placements use, so a send looks its peer up by index.
public struct AddressBook: Sendable {
    private var dense: [NetAddress?] = []
    private var sparse: [UInt32: NetAddress] = [:]
    /// The MAC of each IPv4 neighbour (DPDK framing; the kernel path ignores it).
    public var macs: [UInt32: MACAddress] = [:]

    public static let denseLimit: UInt32 = 1 << 16

    public init() {}

    public init(_ entries: [(Endpoint, NetAddress)]) {
        for (endpoint, address) in entries { self[endpoint] = address }
    }

    public subscript(endpoint: Endpoint) -> NetAddress? {
        get {
            if endpoint.id < Self.denseLimit { return Int(endpoint.id) < dense.count ? dense[Int(endpoint.id)] : nil }
            return sparse[endpoint.id]
        }
        set {
            if endpoint.id < Self.denseLimit {
                let i = Int(endpoint.id)
                if i >= dense.count { dense.append(contentsOf: repeatElement(nil, count: i + 1 - dense.count)) }
                dense[i] = newValue
            } else {
                sparse[endpoint.id] = newValue
            }
        }
    }
}
