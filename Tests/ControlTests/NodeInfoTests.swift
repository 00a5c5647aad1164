import Foundation
import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

@Suite struct NodeInfoTests {
    let dpdk = DPDKStateSummary(initialised: true, ealArguments: ["--no-huge", "--no-pci"],
                                ports: [.init(id: 0, mac: "02:00:00:00:00:01")], error: nil)

    @Test func describesThisMachine() throws {
        let info = NodeInfo.gather(dpdk: dpdk, version: "0.1.0-test")
        #expect(info.cpuCores == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect(info.onlineCPUs.count == info.cpuCores)
        #expect(info.hostname == SystemFiles.value("/proc/sys/kernel/hostname"))
        #expect(info.kernelRelease == SystemFiles.value("/proc/sys/kernel/osrelease"))
        #expect(info.memoryTotalBytes == UInt64(sysconf(Int32(_SC_PHYS_PAGES))) * UInt64(sysconf(Int32(_SC_PAGESIZE))))
        #expect(info.masondVersion == "0.1.0-test")
        #expect(info.dpdk == dpdk)

        // Every online CPU is on exactly one NUMA node.
        #expect(!info.numaNodes.isEmpty)
        #expect(info.numaNodes.flatMap(\.cpus).sorted() == info.onlineCPUs)

        let loopback = try #require(info.nics.first { $0.name == "lo" })
        #expect(loopback.ipv4Addresses.contains("127.0.0.1"))
        #expect(loopback.mac == "00:00:00:00:00:00")
        #expect(loopback.mtu > 0)
        #expect(loopback.pciAddress == nil && loopback.driver == nil)
        let interfaces = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net").sorted()
        #expect(info.nics.map(\.name) == interfaces)
        for nic in info.nics { #expect(nic.pciAddress.map(NodeInfo.isPCIAddress) ?? true) }

        let pools = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/kernel/mm/hugepages")) ?? []
        #expect(info.hugepages.map { "hugepages-\($0.sizeKiB)kB" } == pools.sorted { $0.count == $1.count ? $0 < $1 : $0.count < $1.count })
    }

    @Test func survivesTheControlAPIUnchanged() throws {
        let info = NodeInfo.gather(dpdk: dpdk, version: "0.1.0-test")
        #expect(try RPC.decode(NodeInfo.self, from: RPC.encode(info)) == info)
    }

    /// A made-up two-socket machine with a PCI NIC, a virtio NIC and two hugepage sizes.
    @Test func readsNUMANodesNICsAndHugepagesFromSysfs() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let files = FileManager.default
        func write(_ path: String, _ contents: String) throws {
            let full = root.path + path
            try files.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        }
        func link(_ path: String, to target: String) throws {
            try files.createDirectory(atPath: (root.path + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try files.createSymbolicLink(atPath: root.path + path, withDestinationPath: target)
        }
        try write("/sys/devices/system/cpu/online", "0-3,8\n")
        try write("/sys/devices/system/node/node1/cpulist", "2-3,8\n")
        try write("/sys/devices/system/node/node0/cpulist", "0-1\n")
        try write("/sys/devices/system/node/possible", "0-1\n")
        try write("/proc/meminfo", "MemTotal:       16384 kB\nMemFree:         1024 kB\n")
        try write("/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "2\n")
        try write("/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", "1\n")
        try write("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "512\n")
        try write("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "500\n")
        try write("/sys/bus/pci/drivers/ixgbe/.keep", "")
        try write("/sys/bus/virtio/drivers/virtio_net/.keep", "")
        try write("/sys/devices/pci0000:00/0000:03:00.0/vendor", "0x8086\n")
        try write("/sys/devices/pci0000:00/0000:03:00.0/numa_node", "1\n")
        try write("/sys/devices/pci0000:00/0000:00:04.0/numa_node", "0\n")
        try link("/sys/devices/pci0000:00/0000:03:00.0/driver", to: "../../../bus/pci/drivers/ixgbe")
        try write("/sys/devices/pci0000:00/0000:00:04.0/virtio3/features", "\n")
        try link("/sys/devices/pci0000:00/0000:00:04.0/virtio3/driver", to: "../../../../bus/virtio/drivers/virtio_net")
        // As in sysfs: /sys/class/net/<name> links to the interface under its device, and the
        // interface's `device` link points back up to that device.
        for (name, mac, mtu, state, home, device) in [
            ("enp3s0", "a0:36:9f:00:00:01", "9000", "up", "devices/pci0000:00/0000:03:00.0/net", "../../../0000:03:00.0"),
            ("eth1", "52:54:00:00:00:02", "1500", "down", "devices/pci0000:00/0000:00:04.0/virtio3/net", "../../../virtio3"),
            ("veth0", "aa:bb:cc:dd:ee:ff", "1500", "lowerlayerdown", "devices/virtual/net", nil),
        ] {
            try write("/sys/\(home)/\(name)/address", mac + "\n")
            try write("/sys/\(home)/\(name)/mtu", mtu + "\n")
            try write("/sys/\(home)/\(name)/operstate", state + "\n")
            if let device { try link("/sys/\(home)/\(name)/device", to: device) }
            try link("/sys/class/net/\(name)", to: "../../\(home)/\(name)")
        }

        let info = NodeInfo.gather(dpdk: nil, version: "v", root: root.path)
        #expect(info.onlineCPUs == [0, 1, 2, 3, 8])
        #expect(info.cpuCores == 5)
        #expect(info.numaNodes == [.init(id: 0, cpus: [0, 1]), .init(id: 1, cpus: [2, 3, 8])])
        #expect(info.memoryTotalBytes == 16384 * 1024)
        #expect(info.hugepages == [.init(sizeKiB: 2048, total: 512, free: 500), .init(sizeKiB: 1_048_576, total: 2, free: 1)])
        #expect(info.nics == [
            .init(name: "enp3s0", mac: "a0:36:9f:00:00:01", mtu: 9000, operState: "up", pciAddress: "0000:03:00.0", numaNode: 1, driver: "ixgbe", ipv4Addresses: []),
            .init(name: "eth1", mac: "52:54:00:00:00:02", mtu: 1500, operState: "down", pciAddress: "0000:00:04.0", numaNode: 0, driver: "virtio_net", ipv4Addresses: []),
            .init(name: "veth0", mac: "aa:bb:cc:dd:ee:ff", mtu: 1500, operState: "lowerlayerdown", pciAddress: nil, numaNode: nil, driver: nil, ipv4Addresses: []),
        ])
        #expect(info.dpdk == nil)
    }

    @Test func aMachineWithoutNUMADirectoriesIsOneNode() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.path + "/sys/devices/system/cpu", withIntermediateDirectories: true)
        try Data("0-1\n".utf8).write(to: URL(fileURLWithPath: root.path + "/sys/devices/system/cpu/online"))
        let info = NodeInfo.gather(dpdk: nil, version: "v", root: root.path)
        #expect(info.numaNodes == [.init(id: 0, cpus: [0, 1])])
        #expect(info.nics.isEmpty && info.hugepages.isEmpty && info.memoryTotalBytes == 0)
    }

    @Test func cpuListsParseAndMalformedOnesAreRejected() {
        #expect(NodeInfo.parseCPUList("0-1,4,6-7") == [0, 1, 4, 6, 7])
        #expect(NodeInfo.parseCPUList("5") == [5])
        #expect(NodeInfo.parseCPUList("") == [])
        #expect(NodeInfo.parseCPUList("3-1") == nil)
        #expect(NodeInfo.parseCPUList("a-b") == nil)
        #expect(NodeInfo.parseCPUList("1-2-3") == nil)
    }

    @Test func pciAddressesAreRecognised() {
        #expect(NodeInfo.isPCIAddress("0000:03:00.0"))
        #expect(NodeInfo.isPCIAddress("10000:e1:1f.7"))
        #expect(!NodeInfo.isPCIAddress("virtio2"))
        #expect(!NodeInfo.isPCIAddress("pci0000:00"))
        #expect(!NodeInfo.isPCIAddress("0000:03:00"))
    }
}
