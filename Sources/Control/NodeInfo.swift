/// What a node is, as `node.info` reports it and `masonlab setup` stores in the inventory:
/// enough to place roles on cores and NUMA nodes and to address its NICs with or without DPDK.
public struct NodeInfo: Codable, Equatable, Sendable {
    /// One NUMA node and the online CPUs on it.
    public struct NUMANode: Codable, Equatable, Sendable {
        public var id: Int
        public var cpus: [Int]

        public init(id: Int, cpus: [Int]) {
            self.id = id
            self.cpus = cpus
        }
    }

    /// One network interface, from /sys/class/net.
    public struct NIC: Codable, Equatable, Sendable {
        public var name: String
        /// `aa:bb:cc:dd:ee:ff`.
        public var mac: String
        public var mtu: Int
        /// The kernel's operstate: `up`, `down`, `unknown`, ...
        public var operState: String
        /// The PCI address DPDK binds (`0000:03:00.0`): the interface's device, or the device's
        /// parent when the device sits on a PCI function (virtio). Nil for virtual interfaces.
        public var pciAddress: String?
        /// The NUMA node the device is attached to (`device/numa_node`); nil for virtual
        /// interfaces and on machines where the kernel reports -1 (one node, or unknown).
        public var numaNode: Int?
        /// The kernel driver bound to the interface's device (`ixgbe`, `virtio_net`, ...).
        public var driver: String?
        public var ipv4Addresses: [String]

        public init(name: String, mac: String, mtu: Int, operState: String, pciAddress: String?, numaNode: Int?,
                    driver: String?, ipv4Addresses: [String]) {
            self.name = name
            self.mac = mac
            self.mtu = mtu
            self.operState = operState
            self.pciAddress = pciAddress
            self.numaNode = numaNode
            self.driver = driver
            self.ipv4Addresses = ipv4Addresses
        }
    }

    /// The hugepages of one size.
    public struct HugepagePool: Codable, Equatable, Sendable {
        public var sizeKiB: UInt64
        public var total: UInt64
        public var free: UInt64

        public init(sizeKiB: UInt64, total: UInt64, free: UInt64) {
            self.sizeKiB = sizeKiB
            self.total = total
            self.free = free
        }
    }

    public var hostname: String
    /// `uname -r`.
    public var kernelRelease: String
    public var masondVersion: String
    /// The number of online CPUs, `onlineCPUs.count`.
    public var cpuCores: Int
    public var onlineCPUs: [Int]
    /// At least one: a machine without /sys/devices/system/node is one node holding every CPU.
    public var numaNodes: [NUMANode]
    public var memoryTotalBytes: UInt64
    /// Sorted by name.
    public var nics: [NIC]
    /// Sorted by size.
    public var hugepages: [HugepagePool]
    /// Nil when the daemon runs without DPDK.
    public var dpdk: DPDKStateSummary?

    public init(hostname: String, kernelRelease: String, masondVersion: String, cpuCores: Int, onlineCPUs: [Int],
                numaNodes: [NUMANode], memoryTotalBytes: UInt64, nics: [NIC], hugepages: [HugepagePool],
                dpdk: DPDKStateSummary?) {
        self.hostname = hostname
        self.kernelRelease = kernelRelease
        self.masondVersion = masondVersion
        self.cpuCores = cpuCores
        self.onlineCPUs = onlineCPUs
        self.numaNodes = numaNodes
        self.memoryTotalBytes = memoryTotalBytes
        self.nics = nics
        self.hugepages = hugepages
        self.dpdk = dpdk
    }
}
