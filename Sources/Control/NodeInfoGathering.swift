import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension NodeInfo {
    /// Describes this machine from /sys, /proc, uname and getifaddrs. Missing files (a container
    /// without NUMA directories, no hugepages) give empty or single-node answers, never a failure.
    public static func gather(dpdk: DPDKStateSummary?, version: String) -> NodeInfo {
        gather(dpdk: dpdk, version: version, root: "")
    }

    /// `root` is prefixed to every /sys and /proc path, so tests can describe a made-up machine;
    /// hostname, kernel release and IPv4 addresses always come from the live system.
    static func gather(dpdk: DPDKStateSummary?, version: String, root: String) -> NodeInfo {
        let onlineCPUs = SystemFiles.value(root + "/sys/devices/system/cpu/online").flatMap(parseCPUList)
            ?? Array(0..<max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        return NodeInfo(
            hostname: hostname(), kernelRelease: kernelRelease(), masondVersion: version,
            cpuCores: onlineCPUs.count, onlineCPUs: onlineCPUs,
            numaNodes: numaNodes(root: root, onlineCPUs: onlineCPUs),
            memoryTotalBytes: memoryTotalBytes(root: root),
            nics: nics(root: root), hugepages: hugepages(root: root), dpdk: dpdk)
    }

    // MARK: CPUs and memory

    /// Parses the kernel's CPU list format, `0-3,8,10-11`; nil if it is not one.
    static func parseCPUList(_ text: String) -> [Int]? {
        if text.isEmpty { return [] }
        var cpus: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard let low = bounds.first.flatMap({ Int($0) }), bounds.count <= 2 else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low else { return nil }
            cpus.append(contentsOf: low...high)
        }
        return cpus
    }

    private static func numaNodes(root: String, onlineCPUs: [Int]) -> [NUMANode] {
        let directory = root + "/sys/devices/system/node"
        let nodes = SystemFiles.list(directory).compactMap { name -> NUMANode? in
            guard name.hasPrefix("node"), let id = Int(name.dropFirst(4)) else { return nil }
            let cpus = SystemFiles.value("\(directory)/\(name)/cpulist").flatMap(parseCPUList) ?? []
            return NUMANode(id: id, cpus: cpus)
        }
        if nodes.isEmpty { return [NUMANode(id: 0, cpus: onlineCPUs)] }
        return nodes.sorted { $0.id < $1.id }
    }

    private static func memoryTotalBytes(root: String) -> UInt64 {
        guard let meminfo = SystemFiles.value(root + "/proc/meminfo") else { return 0 }
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = UInt64(fields[1]) { return kib * 1024 }
        }
        return 0
    }

    private static func hugepages(root: String) -> [HugepagePool] {
        let directory = root + "/sys/kernel/mm/hugepages"
        return SystemFiles.list(directory).compactMap { name -> HugepagePool? in
            guard name.hasPrefix("hugepages-"), name.hasSuffix("kB"),
                  let sizeKiB = UInt64(name.dropFirst("hugepages-".count).dropLast(2)) else { return nil }
            let total = SystemFiles.value("\(directory)/\(name)/nr_hugepages").flatMap { UInt64($0) } ?? 0
            let free = SystemFiles.value("\(directory)/\(name)/free_hugepages").flatMap { UInt64($0) } ?? 0
            return HugepagePool(sizeKiB: sizeKiB, total: total, free: free)
        }.sorted { $0.sizeKiB < $1.sizeKiB }
    }

    // MARK: NICs

    private static func nics(root: String) -> [NIC] {
        let directory = root + "/sys/class/net"
        let addresses = ipv4Addresses()
        return SystemFiles.list(directory).sorted().map { name in
            let path = "\(directory)/\(name)"
            let pciDevice = pciFunction(ofDevice: path + "/device")
            return NIC(
                name: name,
                mac: SystemFiles.value(path + "/address") ?? "",
                mtu: SystemFiles.value(path + "/mtu").flatMap { Int($0) } ?? 0,
                operState: SystemFiles.value(path + "/operstate") ?? "unknown",
                pciAddress: pciDevice.map { ($0 as NSString).lastPathComponent },
                numaNode: pciDevice.flatMap { SystemFiles.value($0 + "/numa_node") }.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil },
                driver: SystemFiles.linkTarget(path + "/device/driver").map { ($0 as NSString).lastPathComponent },
                ipv4Addresses: addresses[name] ?? [])
        }
    }

    /// The resolved sysfs folder of the device itself when it is a PCI function, else of its parent
    /// when that is (a virtio device hangs off one); nil for virtual interfaces, which have no device.
    /// Its last component is the PCI address; its `numa_node` the NUMA node (-1 when unknown).
    private static func pciFunction(ofDevice path: String) -> String? {
        guard let resolved = realPath(path) else { return nil }
        if isPCIAddress((resolved as NSString).lastPathComponent) { return resolved }
        let parent = (resolved as NSString).deletingLastPathComponent
        return isPCIAddress((parent as NSString).lastPathComponent) ? parent : nil
    }

    /// `domain:bus:device.function`, hex: `0000:03:00.0`.
    static func isPCIAddress(_ name: String) -> Bool {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count >= 4, parts[1].count == 2 else { return false }
        let slot = parts[2].split(separator: ".", omittingEmptySubsequences: false)
        guard slot.count == 2, slot[0].count == 2, slot[1].count == 1 else { return false }
        return [parts[0], parts[1], slot[0], slot[1]].allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// Interface name to its IPv4 addresses, in the order getifaddrs lists them.
    private static func ipv4Addresses() -> [String: [String]] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [:] }
        defer { freeifaddrs(list) }
        var result: [String: [String]] = [:]
        var entry = list
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let converted = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                withUnsafePointer(to: inet.pointee.sin_addr) { inet_ntop(AF_INET, $0, &text, socklen_t(text.count)) }
            }
            guard converted != nil else { continue }
            result[String(cString: current.pointee.ifa_name), default: []].append(String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self))
        }
        return result
    }

    // MARK: System calls and files

    private static func hostname() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "" }
        return String(decoding: name.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    private static func kernelRelease() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "" }
        return withUnsafeBytes(of: &names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
