/// What `masond prepare --json` prints: one node's preparation for DPDK (hugepages, vfio-pci, the
/// experiment NIC's binding) and the serve config it wrote. `masonlab setup` decodes it and fails
/// loudly unless `ok`.
public struct PrepareReport: Codable, Equatable, Sendable {
    /// The `--hugepages` values `masond prepare` (and `masonlab setup`, which passes it on) accept per NUMA node.
    public static let hugepagesPerNode = 0 ... 1_000_000

    /// What a step did.
    public enum Action: String, Codable, Equatable, Sendable {
        /// The step found the node different from what it should be and changed it (verified).
        case changed
        /// The node already was as it should be; nothing was written or run.
        case unchanged
        /// The step does not apply (`--hugepages 0`, `--no-bind`, a NIC without a PCI device).
        case skipped
        /// The step could not bring the node into shape; `detail` says why and what to do.
        case failed
        /// `--dry-run`: `detail` says what would be written or run; nothing was.
        case planned
    }

    /// One step of the preparation, in the order it ran.
    public struct Step: Codable, Equatable, Sendable {
        /// `experiment interface`, `hugepages node0`, `dpdk binding`, `serve config`, ...
        public var name: String
        public var action: Action
        /// One or more sentences for a person.
        public var detail: String

        public init(name: String, action: Action, detail: String) {
            self.name = name
            self.action = action
            self.detail = detail
        }
    }

    /// The hugepages of the default size on one NUMA node.
    public struct HugepageReservation: Codable, Equatable, Sendable {
        public var numaNode: Int
        public var sizeKiB: UInt64
        /// The pages asked for (`--hugepages`).
        public var requested: UInt64
        /// The pages the kernel reports reserved, read back after writing (before, in a dry run).
        public var actual: UInt64

        public init(numaNode: Int, sizeKiB: UInt64, requested: UInt64, actual: UInt64) {
            self.numaNode = numaNode
            self.sizeKiB = sizeKiB
            self.requested = requested
            self.actual = actual
        }
    }

    public var hostname: String
    /// Every step, in order (the human-readable output prints one line per step).
    public var steps: [Step]
    /// The NIC on the experiment network; nil when none was found (a failed step says why).
    public var experimentInterface: ExperimentInterface?
    /// Per NUMA node; empty when hugepages were skipped (`--hugepages 0`) or not supported.
    public var hugepages: [HugepageReservation]
    /// Whether the experiment NIC's PCI device is bound to vfio-pci, so DPDK can drive it.
    public var dpdkBound: Bool
    /// Why it is not (or, in a dry run, what would happen); nil when `dpdkBound`.
    public var dpdkReason: String?
    /// The serve config file `masond serve --config` reads.
    public var configPath: String
    /// True when no step failed.
    public var ok: Bool

    public init(hostname: String, steps: [Step], experimentInterface: ExperimentInterface?, hugepages: [HugepageReservation],
                dpdkBound: Bool, dpdkReason: String?, configPath: String) {
        self.hostname = hostname
        self.steps = steps
        self.experimentInterface = experimentInterface
        self.hugepages = hugepages
        self.dpdkBound = dpdkBound
        self.dpdkReason = dpdkReason
        self.configPath = configPath
        self.ok = !steps.contains { $0.action == .failed }
    }
}

/// The NIC a node's roles use on the experiment network (Emulab's 10.x LANs, not its 155.98.x
/// control network), as `masond prepare` chose it and the serve config records it.
public struct ExperimentInterface: Codable, Equatable, Sendable {
    /// The kernel's name for it (gone from /sys/class/net once bound to vfio-pci).
    public var name: String
    /// `aa:bb:cc:dd:ee:ff`.
    public var mac: String
    /// Its IPv4 address on the experiment network, without a prefix length.
    public var ipv4: String
    /// The PCI function DPDK binds (`0000:03:00.0`); nil for virtual interfaces.
    public var pciAddress: String?
    /// The NUMA node the device is attached to, when the kernel knows it.
    public var numaNode: Int?
    /// Whether its PCI device is bound to vfio-pci.
    public var boundToDPDK: Bool

    public init(name: String, mac: String, ipv4: String, pciAddress: String?, numaNode: Int?, boundToDPDK: Bool) {
        self.name = name
        self.mac = mac
        self.ipv4 = ipv4
        self.pciAddress = pciAddress
        self.numaNode = numaNode
        self.boundToDPDK = boundToDPDK
    }
}
