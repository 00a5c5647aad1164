import Control

/// The hugepage part of `masond prepare`: N pages of the default size on every NUMA node, read
/// back; `vm.nr_hugepages` persisted in a sysctl.d file (rewritten, never appended to); a
/// hugetlbfs mount. Each step reads first and changes only what differs.
struct HugepagePlan {
    /// Rewritten whole when its content differs.
    static let sysctlPath = "/etc/sysctl.d/60-masond-hugepages.conf"
    static let mountPoint = "/dev/hugepages"

    /// One NUMA node's `nr_hugepages` for the default size.
    struct Node {
        var id: Int
        var path: String
    }

    let system: PreparationSystem
    let pagesPerNode: UInt64
    let dryRun: Bool

    /// The `Hugepagesize` line of /proc/meminfo, in KiB.
    static func defaultSizeKiB(meminfo: String) -> UInt64? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("Hugepagesize:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let size = UInt64(fields[1]), size > 0 { return size }
        }
        return nil
    }

    /// Every /sys/devices/system/node/node<digits>, by id; a machine without them is one node
    /// whose pages /proc/sys/vm/nr_hugepages holds.
    func nodes(sizeKiB: UInt64) -> [Node] {
        let folder = "/sys/devices/system/node"
        let nodes = system.list(folder).compactMap { name -> Node? in
            let digits = name.dropFirst(4)
            guard name.hasPrefix("node"), !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let id = Int(digits) else { return nil }
            return Node(id: id, path: "\(folder)/\(name)/hugepages/hugepages-\(sizeKiB)kB/nr_hugepages")
        }.sorted { $0.id < $1.id }
        return nodes.isEmpty ? [Node(id: 0, path: "/proc/sys/vm/nr_hugepages")] : nodes
    }

    func apply() -> (steps: [PrepareReport.Step], reservations: [PrepareReport.HugepageReservation]) {
        guard pagesPerNode > 0 else {
            return ([.init(name: "hugepages", action: .skipped,
                           detail: "--hugepages 0: reservations, the sysctl file and the hugetlbfs mount are left as they are")], [])
        }
        guard let size = system.contents("/proc/meminfo").flatMap(Self.defaultSizeKiB) else {
            return ([.init(name: "hugepages", action: .failed,
                           detail: "/proc/meminfo has no Hugepagesize line: this kernel has no hugepage support")], [])
        }
        let nodes = nodes(sizeKiB: size)
        var steps: [PrepareReport.Step] = []
        var reservations: [PrepareReport.HugepageReservation] = []
        for node in nodes {
            let (step, actual) = reserve(on: node, sizeKiB: size)
            steps.append(step)
            if let actual {
                reservations.append(.init(numaNode: node.id, sizeKiB: size, requested: pagesPerNode, actual: actual))
            }
        }
        steps.append(persist(total: pagesPerNode * UInt64(nodes.count), nodes: nodes.count, sizeKiB: size))
        steps.append(mount())
        return (steps, reservations)
    }

    /// Writes N when the node holds a different number, then reads back what the kernel reserved.
    private func reserve(on node: Node, sizeKiB: UInt64) -> (PrepareReport.Step, UInt64?) {
        let name = "hugepages node\(node.id)"
        let wanted = pagesPerNode
        guard let current = system.value(node.path).flatMap({ UInt64($0) }) else {
            return (.init(name: name, action: .failed,
                          detail: "cannot read \(node.path): no \(sizeKiB) kB pages on NUMA node \(node.id)"), nil)
        }
        if current == wanted {
            return (.init(name: name, action: .unchanged, detail: "\(wanted) pages of \(sizeKiB) kB already reserved"), current)
        }
        if dryRun {
            return (.init(name: name, action: .planned, detail: "write \(wanted) to \(node.path) (now \(current))"), current)
        }
        do {
            try system.writeAttribute(node.path, String(wanted))
        } catch {
            return (.init(name: name, action: .failed, detail: "\(error)"), current)
        }
        let actual = system.value(node.path).flatMap { UInt64($0) } ?? 0
        if actual < wanted {
            return (.init(name: name, action: .failed,
                          detail: "only \(actual) of \(wanted) \(sizeKiB) kB pages could be reserved on NUMA node \(node.id); "
                              + "memory may be fragmented, reboot or ask for fewer"), actual)
        }
        let extra = actual > wanted ? " (asked for \(wanted); the kernel kept \(actual), some are in use)" : ""
        return (.init(name: name, action: .changed, detail: "\(current) → \(actual) pages of \(sizeKiB) kB\(extra)"), actual)
    }

    /// `vm.nr_hugepages` for the next boot, in a file of masond's own.
    private func persist(total: UInt64, nodes: Int, sizeKiB: UInt64) -> PrepareReport.Step {
        let name = "hugepages sysctl"
        let setting = "vm.nr_hugepages = \(total)"
        let text = "# Written by masond prepare: \(pagesPerNode) pages of \(sizeKiB) kB on each of \(nodes) NUMA node(s).\n\(setting)\n"
        let path = Self.sysctlPath
        let existing = system.contents(path)
        if existing == text { return .init(name: name, action: .unchanged, detail: "\(path) already sets \(setting)") }
        if dryRun {
            let line = existing?.split(separator: "\n").first { $0.hasPrefix("vm.nr_hugepages") }
            let now = existing == nil ? "now absent" : line.map { "now '\($0)'" } ?? "now without vm.nr_hugepages"
            return .init(name: name, action: .planned, detail: "write '\(setting)' to \(path) (\(now))")
        }
        do {
            try system.writeFile(path, text)
        } catch {
            return .init(name: name, action: .failed, detail: "\(error)")
        }
        guard system.contents(path) == text else {
            return .init(name: name, action: .failed, detail: "\(path) does not read back as written")
        }
        return .init(name: name, action: .changed, detail: "wrote '\(setting)' to \(path) (applies from the next boot)")
    }

    /// A hugetlbfs mount anywhere will do; else one on /dev/hugepages.
    private func mount() -> PrepareReport.Step {
        let name = "hugetlbfs mount"
        if let existing = mountedHugetlbfs() {
            return .init(name: name, action: .unchanged, detail: "hugetlbfs is mounted on \(existing)")
        }
        let command = ["mount", "-t", "hugetlbfs", "nodev", Self.mountPoint]
        if dryRun {
            return .init(name: name, action: .planned,
                         detail: "create \(Self.mountPoint) and run \(command.joined(separator: " ")) (no hugetlbfs in /proc/mounts)")
        }
        do {
            try system.makeDirectory(Self.mountPoint)
            try system.run(command)
        } catch {
            return .init(name: name, action: .failed, detail: "\(error)")
        }
        guard let mounted = mountedHugetlbfs() else {
            return .init(name: name, action: .failed, detail: "mount exited 0 but /proc/mounts lists no hugetlbfs")
        }
        return .init(name: name, action: .changed, detail: "mounted hugetlbfs on \(mounted)")
    }

    private func mountedHugetlbfs() -> String? {
        for line in (system.contents("/proc/mounts") ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count >= 3, fields[2] == "hugetlbfs" { return String(fields[1]) }
        }
        return nil
    }
}
