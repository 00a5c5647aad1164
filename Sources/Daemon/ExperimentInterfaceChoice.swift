import Control

/// Which NIC carries a node's experiment traffic: the one holding an IPv4 address inside the
/// experiment network that is not the default route's (the control network). Pure: the caller
/// reads /proc/net/route and the serve config.
public enum ExperimentInterfaceChoice: Equatable, Sendable {
    /// A NIC recorded by an earlier run whose PCI device is still bound to vfio-pci (so it is no
    /// longer in /sys/class/net); the record stands.
    case reused(ExperimentInterface, detail: String)
    /// A NIC found in the node's inventory.
    case chosen(ExperimentInterface, detail: String)
    /// No NIC qualifies; `detail` names the network, lists the interfaces and what to do.
    case none(detail: String)

    /// - Parameters:
    ///   - nics: the node's interfaces (`NodeInfo.nics`).
    ///   - defaultRoute: interfaces holding a default route; never chosen.
    ///   - network: the experiment network (`--experiment-net`).
    ///   - boundRecord: the serve config's interface when its device is still bound to vfio-pci.
    public static func choose(nics: [NodeInfo.NIC], defaultRoute: Set<String>, network: IPv4Network,
                              boundRecord: ExperimentInterface?) -> ExperimentInterfaceChoice {
        if let record = boundRecord, record.boundToDPDK, record.pciAddress != nil, network.contains(record.ipv4) {
            return .reused(record, detail: "\(describe(record)) is still bound to vfio-pci, as the serve config records")
        }
        let candidates = nics.filter { !defaultRoute.contains($0.name) }.compactMap { nic -> (NodeInfo.NIC, String, UInt32)? in
            let inside = nic.ipv4Addresses.compactMap { address in IPv4Network.parse(address).map { (address, $0) } }
                .filter { network.contains($0.0) }.min { $0.1 < $1.1 }
            return inside.map { (nic, $0.0, $0.1) }
        }.sorted { $0.2 < $1.2 }
        guard let (nic, address, _) = candidates.first else {
            let seen = nics.map { nic in
                (defaultRoute.contains(nic.name) ? "\(nic.name) (default route)" : nic.name) + " "
                    + (nic.ipv4Addresses.isEmpty ? "no IPv4" : nic.ipv4Addresses.joined(separator: ","))
            }
            return .none(detail: "no interface other than the default route's holds an IPv4 address in \(network); "
                         + "interfaces seen: \(seen.isEmpty ? "none" : seen.joined(separator: "; ")). "
                         + "Pass --experiment-net CIDR to name the experiment network.")
        }
        let interface = ExperimentInterface(name: nic.name, mac: nic.mac, ipv4: address, pciAddress: nic.pciAddress,
                                            numaNode: nic.numaNode, boundToDPDK: false)
        var detail = "\(describe(interface)) holds an address in \(network)"
        if candidates.count > 1 {
            let others = candidates.dropFirst().map { "\($0.0.name) \($0.1)" }.joined(separator: ", ")
            detail += "; the lowest address wins over \(others)"
        }
        if !defaultRoute.isEmpty { detail += " (default route via \(defaultRoute.sorted().joined(separator: ", ")) excluded)" }
        return .chosen(interface, detail: detail)
    }

    /// The interfaces holding a default route (destination 00000000) in /proc/net/route.
    public static func defaultRouteInterfaces(procNetRoute: String) -> Set<String> {
        var names: Set<String> = []
        for line in procNetRoute.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count >= 2, fields[1] == "00000000" { names.insert(String(fields[0])) }
        }
        return names
    }

    /// `eth1 10.1.1.2 (pci 0000:03:00.0, NUMA node 0)`.
    static func describe(_ interface: ExperimentInterface) -> String {
        var facts: [String] = []
        if let pci = interface.pciAddress { facts.append("pci \(pci)") }
        if let node = interface.numaNode { facts.append("NUMA node \(node)") }
        return "\(interface.name) \(interface.ipv4)" + (facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))")
    }

    /// The interface, whichever way it was found.
    public var interface: ExperimentInterface? {
        switch self {
        case let .reused(interface, _), let .chosen(interface, _): interface
        case .none: nil
        }
    }

    public var detail: String {
        switch self {
        case let .reused(_, detail), let .chosen(_, detail), let .none(detail): detail
        }
    }
}
