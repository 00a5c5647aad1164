import Control
import Foundation

extension NodeInfo {
    /// The whole record as one JSON document (what node.info returns).
    public func jsonString() throws -> String { try JSONOutput.string(self, layout: .document) }

    /// `masond info`: the node at a glance.
    public var table: String {
        let numa: [String] = numaNodes.map { node in "node\(node.id): cpus " + node.cpus.map(String.init).joined(separator: ",") }
        let pages: [String] = hugepages.map { pool in "\(pool.sizeKiB) kB: \(pool.free) free of \(pool.total)" }
        var dpdkText = "not initialised (masond serve --dpdk)"
        if let dpdk {
            dpdkText = dpdk.initialised ? "initialised (\(dpdk.ealArguments.joined(separator: " "))), \(dpdk.ports.count) ports"
                : "not initialised" + (dpdk.error.map { ": " + $0 } ?? "")
        }
        var lines: [String] = [
            "host        \(hostname) (kernel \(kernelRelease))",
            "masond      \(masondVersion)",
            "cpu cores   \(cpuCores) online: \(onlineCPUs.map(String.init).joined(separator: ","))",
            "numa nodes  " + numa.joined(separator: "; "),
            "memory      \(memoryTotalBytes >> 20) MiB",
            "hugepages   " + (pages.isEmpty ? "none" : pages.joined(separator: "; ")),
            "dpdk        " + dpdkText,
            "nics",
        ]
        for nic in nics {
            let ips = nic.ipv4Addresses.isEmpty ? "-" : nic.ipv4Addresses.joined(separator: ",")
            lines.append("  \(nic.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(nic.mac)  mtu \(nic.mtu)  \(nic.operState)  pci \(nic.pciAddress ?? "-")  driver \(nic.driver ?? "-")  ipv4 \(ips)")
        }
        return lines.joined(separator: "\n")
    }
}
