import Control
import Foundation
import Testing
@testable import Daemon

/// `masond prepare` on a fake node: what it changes, that a rerun changes nothing, and its failures.
@Suite struct NodePreparationTests {
    static let config = "/etc/masond/serve.json"

    @Test func preparesANodeAndASecondRunChangesNothing() throws {
        let node = try FakeNode()
        let first = node.prepare()
        #expect(first.ok, "\(first.text)")
        #expect(first.steps.map(\.name) == ["experiment interface", "hugepages node0", "hugepages node1", "hugepages sysctl",
                                            "hugetlbfs mount", "vfio-pci driver", "vfio no-IOMMU mode", "dpdk binding", "serve config"])
        #expect(first.steps.allSatisfy { $0.action == .changed }, "\(first.text)")
        #expect(node.commands == [["mount", "-t", "hugetlbfs", "nodev", "/dev/hugepages"], ["modprobe", "vfio-pci"],
                                  ["ip", "link", "set", "dev", "eth1", "down"]])
        #expect(node.read(FakeNode.nr0) == "2048" && node.read(FakeNode.nr1) == "2048")
        #expect(first.hugepages == [.init(numaNode: 0, sizeKiB: 2048, requested: 2048, actual: 2048),
                                    .init(numaNode: 1, sizeKiB: 2048, requested: 2048, actual: 2048)])
        #expect(node.driver(of: FakeNode.bdf) == "vfio-pci")
        #expect(node.driver(of: FakeNode.controlBDF) == "tg3")
        #expect(node.read("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode") == "Y")
        #expect(node.read("/etc/modprobe.d/masond-vfio.conf") == "options vfio enable_unsafe_noiommu_mode=1\n")
        let expected = ExperimentInterface(name: "eth1", mac: "a0:36:9f:00:00:02", ipv4: "10.10.1.2", pciAddress: FakeNode.bdf,
                                           numaNode: 1, boundToDPDK: true)
        #expect(first.experimentInterface == expected)
        #expect(first.dpdkBound && first.dpdkReason == nil)
        #expect(first.hostname == "node-1.mason.emulab.net" && first.configPath == Self.config)
        let written = try ServeConfig.decode(Data(try #require(node.read(Self.config)).utf8), path: Self.config)
        #expect(written == ServeConfig(address: "10.10.1.2", dpdkArguments: "-a 0000:03:00.0 --file-prefix masond",
                                       experimentInterface: expected))

        // eth1 has left /sys/class/net; the serve config's record of it is reused.
        node.clearRecords()
        let second = node.prepare()
        #expect(second.ok)
        #expect(second.steps.map(\.name) == first.steps.map(\.name))
        for step in second.steps { #expect(step.action == .unchanged, "\(step.name): \(step.detail)") }
        #expect(node.commands.isEmpty)
        #expect(node.writes.isEmpty)
        #expect(second.experimentInterface == expected && second.dpdkBound)
        #expect(second.hugepages == first.hugepages)
    }

    @Test func bindingWritesOverrideUnbindAndProbeInOrder() throws {
        let node = try FakeNode()
        let report = node.prepare()
        let pciWrites = node.writes.filter { $0.path.hasPrefix("/sys/bus/pci") }
        #expect(pciWrites.map(\.path) == ["/sys/bus/pci/devices/0000:03:00.0/driver_override", "/sys/bus/pci/drivers/ixgbe/unbind",
                                          "/sys/bus/pci/drivers_probe"])
        #expect(pciWrites.map(\.contents) == ["vfio-pci", FakeNode.bdf, FakeNode.bdf])
        // no-IOMMU mode is on before the probe that needs it.
        let order = node.writes.map(\.path)
        let noIOMMU = try #require(order.firstIndex(of: "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"))
        #expect(noIOMMU < (order.firstIndex(of: "/sys/bus/pci/drivers_probe") ?? -1))
        let binding = try #require(report.steps.first { $0.name == "dpdk binding" })
        #expect(binding.detail == "0000:03:00.0 (eth1) moved from ixgbe to vfio-pci")
    }

    @Test func aProbeThatDoesNotBindFails() throws {
        let node = try FakeNode()
        node.probeBinds = false
        let report = node.prepare(.init(hugepagesPerNode: 0, configPath: Self.config))
        let binding = try #require(report.steps.first { $0.name == "dpdk binding" })
        #expect(binding.action == .failed)
        #expect(binding.detail == "after drivers_probe 0000:03:00.0 is bound to no driver, not vfio-pci; see dmesg (IOMMU group, vfio-pci)")
        #expect(!report.ok && !report.dpdkBound && report.experimentInterface?.boundToDPDK == false)
    }

    @Test func aNoIOMMUModeThatWillNotTurnOnFailsBeforeBinding() throws {
        let stuck = try FakeNode()
        try stuck.directory("/sys/bus/pci/drivers/vfio-pci")
        try stuck.write("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "N\n")
        // vfio's parameter cannot be changed on this kernel: the write is ignored on read-back.
        let refused = try #require(stuck.prepareWithFrozenNoIOMMU())
        let noIOMMU = try #require(refused.steps.first { $0.name == "vfio no-IOMMU mode" })
        #expect(noIOMMU.action == .failed)
        #expect(refused.steps.first { $0.name == "dpdk binding" }?.action == .skipped)
        #expect(!refused.ok && !refused.dpdkBound)
        #expect(refused.dpdkReason?.contains("vfio no-IOMMU mode") == true)
        #expect(stuck.driver(of: FakeNode.bdf) == "ixgbe")
        // The serve config still records the interface, without DPDK.
        let config = try ServeConfig.decode(Data(try #require(stuck.read(Self.config)).utf8), path: Self.config)
        #expect(config.dpdkArguments == nil && !config.experimentInterface.boundToDPDK)
    }

    @Test func anAlreadyBoundDeviceOnAMachineWithAnIOMMUIsLeftAlone() throws {
        let node = try FakeNode()
        try node.directory("/sys/kernel/iommu_groups/12")
        try node.directory("/sys/bus/pci/drivers/vfio-pci")
        try node.link("/sys/bus/pci/devices/\(FakeNode.bdf)/driver", to: "../../drivers/vfio-pci")
        let interface = ExperimentInterface(name: "eth1", mac: "a0:36:9f:00:00:02", ipv4: "10.10.1.2", pciAddress: FakeNode.bdf,
                                            numaNode: 1, boundToDPDK: true)
        try node.write(Self.config, try ServeConfig(interface: interface).fileText())
        try FileManager.default.removeItem(atPath: node.root + "/sys/class/net/eth1")
        let report = node.prepare(.init(hugepagesPerNode: 0, configPath: Self.config))
        #expect(report.ok)
        #expect(report.steps.map(\.action) == [.unchanged, .skipped, .unchanged, .unchanged, .unchanged, .unchanged])
        #expect(report.steps.first { $0.name == "vfio no-IOMMU mode" }?.detail == "not needed: the IOMMU is on (1 groups)")
        #expect(node.commands.isEmpty && node.writes.isEmpty)
        #expect(!node.exists("/etc/modprobe.d/masond-vfio.conf"))
        #expect(report.experimentInterface == interface)
    }

    @Test func afterARebootTheRecordedNICIsBoundAgain() throws {
        let node = try FakeNode()
        _ = node.prepare()
        // A reboot: eth1 is back on ixgbe, pages and mounts are gone, module parameters reset.
        try node.link("/sys/bus/pci/devices/\(FakeNode.bdf)/driver", to: "../../drivers/ixgbe")
        try node.write("/sys/class/net/eth1/address", "\n")
        try node.write("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "N\n")
        node.clearRecords()
        let report = node.prepare(.init(hugepagesPerNode: 0, configPath: Self.config))
        #expect(report.ok, "\(report.text)")
        #expect(report.steps.first?.action == .unchanged)  // the same NIC as recorded
        #expect(report.steps.first { $0.name == "dpdk binding" }?.action == .changed)
        #expect(report.steps.last?.action == .unchanged)  // the config already says the same
        #expect(node.driver(of: FakeNode.bdf) == "vfio-pci")
    }

    @Test func noBindAndVirtualNICsSkipBinding() throws {
        let node = try FakeNode()
        let report = node.prepare(.init(hugepagesPerNode: 0, bind: false, configPath: Self.config))
        #expect(report.ok)
        let binding = try #require(report.steps.first { $0.name == "dpdk binding" })
        #expect(binding.action == .skipped)
        #expect(binding.detail == "--no-bind given: eth1 stays with its kernel driver; roles on this node use kernel UDP")
        #expect(!report.dpdkBound && report.dpdkReason == binding.detail)
        #expect(node.driver(of: FakeNode.bdf) == "ixgbe" && node.commands.isEmpty)
        #expect(!node.writes.contains { $0.path.hasPrefix("/sys") })

        let veth = try FakeNode()
        veth.nics[1] = .init(name: "veth1", mac: "aa:bb:cc:00:00:01", mtu: 1500, operState: "up", pciAddress: nil, numaNode: nil,
                             driver: nil, ipv4Addresses: ["10.0.0.5"])
        try veth.write("/sys/class/net/veth1/address", "\n")
        let virtual = veth.prepare(.init(hugepagesPerNode: 0, configPath: Self.config))
        #expect(virtual.ok)
        #expect(virtual.steps.first { $0.name == "dpdk binding" }?.detail
            == "veth1 has no PCI device (a virtual interface): roles on this node use kernel UDP")
        let config = try ServeConfig.load(path: veth.root + Self.config)
        #expect(config.address == "10.0.0.5" && config.dpdkArguments == nil)
        #expect(veth.commands.isEmpty)
    }

    @Test func afPacketLeavesTheNICWithTheKernelAndDrivesItThroughDPDK() throws {
        let veth = try FakeNode()
        veth.nics[1] = .init(name: "veth1", mac: "aa:bb:cc:00:00:01", mtu: 1500, operState: "up", pciAddress: nil, numaNode: nil,
                             driver: nil, ipv4Addresses: ["10.0.0.5"])
        try veth.write("/sys/class/net/veth1/address", "\n")
        let report = veth.prepare(.init(hugepagesPerNode: 0, afPacket: true, configPath: Self.config))
        #expect(report.ok && report.dpdkBound && report.dpdkReason == nil, "\(report.text)")
        #expect(report.steps.first { $0.name == "dpdk binding" }?.detail
            == "--af-packet: veth1 stays with the kernel; DPDK drives it through af_packet")
        #expect(report.experimentInterface?.boundToDPDK == true)
        let config = try ServeConfig.load(path: veth.root + Self.config)
        #expect(config.dpdkArguments == "--no-pci --no-huge -m 256 --vdev=net_af_packet0,iface=veth1 --file-prefix masond")
        #expect(veth.commands.isEmpty)
        #expect(!veth.writes.contains { $0.path.hasPrefix("/sys") })

        // Again: nothing changes; without --af-packet the node goes back to kernel UDP.
        veth.clearRecords()
        let again = veth.prepare(.init(hugepagesPerNode: 0, afPacket: true, configPath: Self.config))
        #expect(again.steps.first { $0.name == "serve config" }?.action == .unchanged)
        #expect(veth.writes.isEmpty)
        _ = veth.prepare(.init(hugepagesPerNode: 0, configPath: Self.config))
        #expect(try ServeConfig.load(path: veth.root + Self.config).dpdkArguments == nil)
    }

    @Test func dryRunPlansEverythingAndChangesNothing() throws {
        let node = try FakeNode()
        let before = node.snapshot()
        let report = node.prepare(.init(configPath: Self.config, dryRun: true))
        #expect(node.snapshot() == before)
        #expect(node.commands.isEmpty && node.writes.isEmpty)
        #expect(report.steps.allSatisfy { $0.action == .planned }, "\(report.text)")
        let details = Dictionary(uniqueKeysWithValues: report.steps.map { ($0.name, $0.detail) })
        #expect(details["hugepages node0"] == "write 2048 to \(FakeNode.nr0) (now 0)")
        #expect(details["hugepages sysctl"] == "write 'vm.nr_hugepages = 4096' to /etc/sysctl.d/60-masond-hugepages.conf (now absent)")
        #expect(details["hugetlbfs mount"] == "create /dev/hugepages and run mount -t hugetlbfs nodev /dev/hugepages (no hugetlbfs in /proc/mounts)")
        #expect(details["vfio-pci driver"] == "run modprobe vfio-pci (/sys/bus/pci/drivers/vfio-pci is missing)")
        #expect(details["dpdk binding"] == "run ip link set dev eth1 down; write vfio-pci to /sys/bus/pci/devices/0000:03:00.0/driver_override; "
            + "write 0000:03:00.0 to /sys/bus/pci/drivers/ixgbe/unbind; write 0000:03:00.0 to /sys/bus/pci/drivers_probe")
        #expect(details["serve config"]?.contains(#""dpdkArguments" : "-a 0000:03:00.0 --file-prefix masond""#) == true)
        #expect(!report.dpdkBound && report.dpdkReason == "dry run: 0000:03:00.0 would be bound to vfio-pci")
        #expect(report.hugepages.map(\.actual) == [0, 0])
    }

    @Test func noExperimentInterfaceFailsAndSkipsWhatNeedsIt() throws {
        let node = try FakeNode()
        node.nics.remove(at: 1)
        let report = node.prepare(.init(hugepagesPerNode: 0, configPath: Self.config))
        #expect(!report.ok && report.experimentInterface == nil)
        let step = try #require(report.steps.first)
        #expect(step.action == .failed)
        #expect(step.detail.contains("10.0.0.0/8") && step.detail.contains("eno1 (default route) 155.98.36.10")
            && step.detail.contains("--experiment-net"))
        #expect(report.steps.last?.action == .skipped)
        #expect(!node.exists(Self.config))
        #expect(report.text.hasSuffix("FAILED: node-1.mason.emulab.net: 1 step failed"))
    }
}

extension FakeNode {
    /// Prepares with vfio's no-IOMMU parameter stuck at N whatever is written to it.
    func prepareWithFrozenNoIOMMU() -> PrepareReport? {
        var frozen = system
        let original = frozen.didWrite
        frozen.didWrite = { [unowned self] path, contents in
            original(path, contents)
            if path == "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode" { try? write(path, "N\n") }
        }
        return NodePreparation(options: .init(hugepagesPerNode: 0, configPath: NodePreparationTests.config), system: frozen)
            .run(node: nodeInfo())
    }
}
