import Control
import Foundation
@testable import Daemon
#if canImport(Glibc)
import Glibc
#endif

/// A made-up Emulab node under a temporary folder: /proc, /sys and /etc as `masond prepare`
/// reads them, with a fake command runner and write hook that play the kernel's part (modprobe
/// makes vfio-pci appear, mount adds to /proc/mounts, unbind and drivers_probe move the driver
/// link). It records every command run and every write made.
final class FakeNode {
    static let bdf = "0000:03:00.0"
    static let controlBDF = "0000:01:00.0"
    static let nr0 = "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"
    static let nr1 = "/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages"

    let root: String
    private(set) var commands: [[String]] = []
    private(set) var writes: [(path: String, contents: String)] = []
    /// Hugepage files whose read-back the kernel caps at a value (fragmented memory).
    var hugepageLimit: [String: UInt64] = [:]
    /// False: drivers_probe binds nothing (vfio-pci refuses the device).
    var probeBinds = true
    /// The inventory's NICs; `nodeInfo()` drops those gone from /sys/class/net.
    var nics: [NodeInfo.NIC] = [
        .init(name: "eno1", mac: "14:18:77:00:00:01", mtu: 1500, operState: "up", pciAddress: controlBDF, numaNode: 0,
              driver: "tg3", ipv4Addresses: ["155.98.36.10"]),
        .init(name: "eth1", mac: "a0:36:9f:00:00:02", mtu: 1500, operState: "up", pciAddress: bdf, numaNode: 1,
              driver: "ixgbe", ipv4Addresses: ["10.10.1.2"]),
        .init(name: "lo", mac: "00:00:00:00:00:00", mtu: 65536, operState: "unknown", pciAddress: nil, numaNode: nil,
              driver: nil, ipv4Addresses: ["127.0.0.1"]),
    ]

    /// Two NUMA nodes without hugepages, no IOMMU, vfio not loaded, eth1 (10.10.1.2) on ixgbe,
    /// eno1 the default route, nothing mounted on hugetlbfs.
    init() throws {
        var template = Array("/tmp/masond-prepare-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        root = String(cString: made)
        try write("/proc/meminfo", "MemTotal:       65536000 kB\nHugepages_Total:       0\nHugepagesize:       2048 kB\n")
        try write("/proc/mounts", "sysfs /sys sysfs rw,nosuid 0 0\nproc /proc proc rw 0 0\n")
        try write("/proc/net/route", """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eno1\t00000000\t0124629B\t0003\t0\t0\t0\t00000000\t0\t0\t0
            eno1\t0024629B\t00000000\t0001\t0\t0\t0\t00FCFFFF\t0\t0\t0
            eth1\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0

            """)
        try write("/sys/devices/system/node/possible", "0-1\n")
        try write("/sys/devices/system/node/has_cpu", "0-1\n")
        try write(Self.nr0, "0\n")
        try write(Self.nr1, "0\n")
        try directory("/sys/kernel/iommu_groups")
        for (name, pci, driver) in [("eno1", Self.controlBDF, "tg3"), ("eth1", Self.bdf, "ixgbe")] {
            try write("/sys/class/net/\(name)/address", "\n")
            try write("/sys/bus/pci/devices/\(pci)/driver_override", "(null)\n")
            try write("/sys/bus/pci/drivers/\(driver)/unbind", "")
            try link("/sys/bus/pci/devices/\(pci)/driver", to: "../../drivers/\(driver)")
        }
        try write("/sys/bus/pci/drivers_probe", "")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    // MARK: The tree

    func write(_ path: String, _ contents: String) throws {
        try directory((path as NSString).deletingLastPathComponent)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: root + path))
    }

    func directory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: root + path, withIntermediateDirectories: true)
    }

    func link(_ path: String, to target: String) throws {
        try? FileManager.default.removeItem(atPath: root + path)
        try FileManager.default.createSymbolicLink(atPath: root + path, withDestinationPath: target)
    }

    func read(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: root + path))).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ path: String) -> Bool { access(root + path, F_OK) == 0 || isLink(path) }

    private func isLink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: root + path)) != nil
    }

    /// The driver the fake kernel has bound to a PCI function.
    func driver(of bdf: String) -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/sys/bus/pci/devices/\(bdf)/driver"))
            .map { ($0 as NSString).lastPathComponent }
    }

    /// Every file and link under the root with its contents or target: equal snapshots mean nothing changed.
    func snapshot() -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = "/" + relative
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: root + path) {
                result[path] = "-> " + target
            } else if let contents = read(path) {
                result[path] = contents
            } else {
                result[path] = "(folder)"
            }
        }
        return result
    }

    /// The inventory as `NodeInfo.gather` would report it now: NICs bound to vfio-pci are gone.
    func nodeInfo() -> NodeInfo {
        NodeInfo(hostname: "node-1.mason.emulab.net", kernelRelease: "6.1.0", masondVersion: "test", cpuCores: 2,
                 onlineCPUs: [0, 1], numaNodes: [.init(id: 0, cpus: [0]), .init(id: 1, cpus: [1])],
                 memoryTotalBytes: 65_536_000 * 1024, nics: nics.filter { $0.name == "lo" || exists("/sys/class/net/\($0.name)") },
                 hugepages: [], dpdk: nil)
    }

    // MARK: The kernel's part

    var system: PreparationSystem {
        PreparationSystem(root: root, runCommand: { [unowned self] in run($0) }, didWrite: { [unowned self] in kernel($0, $1) })
    }

    func prepare(_ options: NodePreparation.Options = .init(configPath: "/etc/masond/serve.json")) -> PrepareReport {
        NodePreparation(options: options, system: system).run(node: nodeInfo())
    }

    /// Forgets the commands and writes recorded so far.
    func clearRecords() {
        commands = []
        writes = []
    }

    private func run(_ arguments: [String]) -> (status: Int32, output: String) {
        commands.append(arguments)
        do {
            switch arguments {
            case ["modprobe", "vfio-pci"]:
                try directory("/sys/bus/pci/drivers/vfio-pci")
                try write("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "N\n")
            case ["mount", "-t", "hugetlbfs", "nodev", "/dev/hugepages"]:
                guard exists("/dev/hugepages") else { return (32, "mount point /dev/hugepages does not exist") }
                try write("/proc/mounts", (read("/proc/mounts") ?? "") + "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n")
            case let command where command.starts(with: ["ip", "link", "set", "dev"]) && command.last == "down":
                break
            default:
                return (127, "\(arguments[0]): unknown to the fake node")
            }
        } catch {
            return (1, "\(error)")
        }
        return (0, "")
    }

    private func kernel(_ path: String, _ contents: String) {
        writes.append((path, contents))
        if let limit = hugepageLimit[path], let asked = UInt64(contents), asked > limit {
            try? write(path, "\(limit)\n")
        }
        if path.hasPrefix("/sys/bus/pci/drivers/"), path.hasSuffix("/unbind") {
            try? FileManager.default.removeItem(atPath: root + "/sys/bus/pci/devices/\(contents)/driver")
            if let nic = nics.first(where: { $0.pciAddress == contents }) {
                try? FileManager.default.removeItem(atPath: root + "/sys/class/net/\(nic.name)")
            }
        }
        if path == "/sys/bus/pci/drivers_probe" {
            let override = read("/sys/bus/pci/devices/\(contents)/driver_override")?.trimmingCharacters(in: .whitespacesAndNewlines)
            let noIOMMU = read("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode")?.hasPrefix("Y") ?? false
            let groups = (try? FileManager.default.contentsOfDirectory(atPath: root + "/sys/kernel/iommu_groups"))?.count ?? 0
            if probeBinds, override == "vfio-pci", exists("/sys/bus/pci/drivers/vfio-pci"), noIOMMU || groups > 0 {
                try? link("/sys/bus/pci/devices/\(contents)/driver", to: "../../drivers/vfio-pci")
            }
        }
    }
}
