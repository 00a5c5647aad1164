import Control
import Foundation
import Testing
@testable import Daemon

/// The hugepage steps of `masond prepare` on a fake node.
@Suite struct HugepagePlanTests {
    static let sysctl = "/etc/sysctl.d/60-masond-hugepages.conf"

    private func hugepages(_ node: FakeNode, pages: UInt64 = 2048, dryRun: Bool = false) -> (steps: [PrepareReport.Step], reservations: [PrepareReport.HugepageReservation]) {
        HugepagePlan(system: node.system, pagesPerNode: pages, dryRun: dryRun).apply()
    }

    @Test func aShortfallOnReadBackFails() throws {
        let node = try FakeNode()
        node.hugepageLimit[FakeNode.nr1] = 1000
        let (steps, reservations) = hugepages(node)
        #expect(steps[0] == .init(name: "hugepages node0", action: .changed, detail: "0 → 2048 pages of 2048 kB"))
        #expect(steps[1] == .init(name: "hugepages node1", action: .failed,
                                  detail: "only 1000 of 2048 2048 kB pages could be reserved on NUMA node 1; memory may be fragmented, reboot or ask for fewer"))
        #expect(reservations.map(\.actual) == [2048, 1000])
        #expect(reservations.allSatisfy { $0.requested == 2048 && $0.sizeKiB == 2048 })

        // The whole run reports it and is not ok.
        let report = node.prepare()
        #expect(!report.ok)
        #expect(report.text.contains("failed     hugepages node1: only 1000 of 2048"))
    }

    @Test func theSysctlFileIsWrittenOnceWithTheTotal() throws {
        let node = try FakeNode()
        try node.write("/etc/sysctl.conf", "kernel.shmmax = 1\n")
        _ = hugepages(node)
        let text = try #require(node.read(Self.sysctl))
        #expect(text.split(separator: "\n").filter { !$0.hasPrefix("#") } == ["vm.nr_hugepages = 4096"])
        #expect(node.read("/etc/sysctl.conf") == "kernel.shmmax = 1\n")

        node.clearRecords()
        let (steps, _) = hugepages(node)
        #expect(steps.first { $0.name == "hugepages sysctl" }?.action == .unchanged)
        #expect(node.writes.isEmpty)
        #expect(node.read(Self.sysctl) == text)

        // Stale content (another page count) is replaced, not appended to.
        try node.write(Self.sysctl, "vm.nr_hugepages = 10\n")
        let (again, _) = hugepages(node, pages: 512)
        #expect(again.first { $0.name == "hugepages sysctl" }?.action == .changed)
        #expect(node.read(Self.sysctl)?.split(separator: "\n").filter { !$0.hasPrefix("#") } == ["vm.nr_hugepages = 1024"])
    }

    @Test func everyNUMANodeCountsNotOnlySingleDigitOnes() throws {
        let node = try FakeNode()
        for id in 2...10 {
            try node.write("/sys/devices/system/node/node\(id)/hugepages/hugepages-2048kB/nr_hugepages", "0\n")
        }
        let (steps, reservations) = hugepages(node, pages: 16)
        #expect(reservations.map(\.numaNode) == Array(0...10))
        #expect(node.read("/sys/devices/system/node/node10/hugepages/hugepages-2048kB/nr_hugepages") == "16")
        #expect(steps.filter { $0.name.hasPrefix("hugepages node") }.count == 11)
        #expect(node.read(Self.sysctl)?.contains("vm.nr_hugepages = 176\n") == true)
    }

    @Test func aMachineWithoutNUMAFoldersUsesTheGlobalCount() throws {
        let node = try FakeNode()
        try FileManager.default.removeItem(atPath: node.root + "/sys/devices/system/node")
        try node.write("/proc/sys/vm/nr_hugepages", "0\n")
        try node.write("/proc/meminfo", "MemTotal: 1024 kB\nHugepagesize:    1048576 kB\n")
        let (steps, reservations) = hugepages(node, pages: 4)
        #expect(steps[0] == .init(name: "hugepages node0", action: .changed, detail: "0 → 4 pages of 1048576 kB"))
        #expect(reservations == [.init(numaNode: 0, sizeKiB: 1_048_576, requested: 4, actual: 4)])
        #expect(node.read("/proc/sys/vm/nr_hugepages") == "4")
    }

    @Test func zeroPagesTouchesNothing() throws {
        let node = try FakeNode()
        let before = node.snapshot()
        let (steps, reservations) = hugepages(node, pages: 0)
        #expect(steps == [.init(name: "hugepages", action: .skipped,
                                detail: "--hugepages 0: reservations, the sysctl file and the hugetlbfs mount are left as they are")])
        #expect(reservations.isEmpty && node.commands.isEmpty && node.snapshot() == before)
    }

    @Test func anExistingHugetlbfsMountIsKept() throws {
        let node = try FakeNode()
        try node.write("/proc/mounts", "hugetlbfs /mnt/huge hugetlbfs rw,relatime,pagesize=2M 0 0\n")
        let (steps, _) = hugepages(node)
        #expect(steps.last == .init(name: "hugetlbfs mount", action: .unchanged, detail: "hugetlbfs is mounted on /mnt/huge"))
        #expect(node.commands.isEmpty)
    }

    @Test func aKernelWithoutHugepagesFails() throws {
        let node = try FakeNode()
        try node.write("/proc/meminfo", "MemTotal: 1024 kB\n")
        let (steps, _) = hugepages(node)
        #expect(steps.map(\.action) == [.failed])
        #expect(HugepagePlan.defaultSizeKiB(meminfo: "Hugepagesize:       2048 kB\n") == 2048)
    }
}
