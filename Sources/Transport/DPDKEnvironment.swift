import CDPDK
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What this process's DPDK environment is: reported by masond's `node.info`.
public struct DPDKState: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case notInitialised
        case running
        /// `rte_eal_init` failed; `failure` says why. EAL cannot be retried in this process.
        case failed
    }

    public var phase: Phase
    /// The EAL arguments given to `initialise` (without a program name); empty before it.
    public var arguments: [String]
    /// Devices hot-plugged with `DPDKEnvironment.probe(device:)`, as their devargs.
    public var probedDevices: [String]
    /// The ports DPDK has now (while running).
    public var ports: [DPDKPortInfo]
    /// Why initialisation failed, when `phase == .failed`.
    public var failure: String?

    public var isInitialised: Bool { phase == .running }
}

/// One DPDK port as DPDK names it.
public struct DPDKPortInfo: Sendable, Equatable {
    public var id: UInt16
    /// The device name: a vdev's (`net_af_packet0`) or a PCI address.
    public var name: String
    public var mac: MACAddress

    public init(id: UInt16, name: String, mac: MACAddress) {
        self.id = id
        self.name = name
        self.mac = mac
    }
}

/// This process's DPDK EAL. `rte_eal_init` may run once per process, so EAL is a process-wide
/// singleton: the first `initialise` starts it and records its arguments; a later one with the same
/// arguments returns the same state, one with other arguments throws `.alreadyInitialised`.
/// Every control-plane call (init, probe, port setup and close) is serialised by one lock; the data
/// plane (bursts on a started port) does not take it.
public enum DPDKEnvironment {
    struct Registry {
        var phase = DPDKState.Phase.notInitialised
        var arguments: [String] = []
        var probedDevices: [String] = []
        var failure: String?
    }

    static let registry = Mutex(Registry())

    /// The current state, with the ports DPDK has now.
    public static var state: DPDKState {
        registry.withLock { snapshot($0) }
    }

    /// Initialises EAL with `arguments` (e.g. `--no-huge -m 128 --no-pci -l 0 --file-prefix masond`),
    /// once per process. EAL pins the calling thread to its main lcore; the thread's CPU affinity is
    /// restored afterwards (threads started later should not all inherit one CPU).
    @discardableResult
    public static func initialise(arguments: [String]) throws(DPDKError) -> DPDKState {
        try registry.withLock { (registry: inout Registry) throws(DPDKError) -> DPDKState in
            switch registry.phase {
            case .running:
                guard registry.arguments == arguments else {
                    throw .alreadyInitialised(existing: registry.arguments, requested: arguments)
                }
                return snapshot(registry)
            case .failed: throw .earlierInitialisationFailed(reason: registry.failure ?? "unknown")
            case .notInitialised: break
            }
            // EAL keeps pointers into argv for the life of the process: these strings are never freed.
            var argv: [UnsafeMutablePointer<CChar>?] = (["masond"] + arguments).map { strdup($0) }
            let result = cdpdk_eal_init(Int32(argv.count), &argv)
            guard result >= 0 else {
                let reason = "rte_eal_init: " + errorText(result)
                registry.phase = .failed
                registry.arguments = arguments
                registry.failure = reason
                throw .initialisationFailed(arguments: arguments, reason: reason)
            }
            registry.phase = .running
            registry.arguments = arguments
            return snapshot(registry)
        }
    }

    /// Hot-plugs a device from its devargs (`net_af_packet0,iface=veth0`, as `--vdev` would take it)
    /// and returns its port. The driver probes on the calling thread: an af_packet port binds to the
    /// interface of that name in the calling thread's network namespace.
    public static func probe(device devargs: String) throws(DPDKError) -> DPDKPortInfo {
        try registry.withLock { (registry: inout Registry) throws(DPDKError) -> DPDKPortInfo in
            try requireRunning(registry)
            let result = cdpdk_dev_probe(devargs)
            guard result >= 0 else { throw .probeFailed(devargs: devargs, reason: errorText(result)) }
            registry.probedDevices.append(devargs)
            let name = String(devargs.prefix { $0 != "," })
            var id: UInt16 = 0
            guard cdpdk_port_by_name(name, &id) == 0, let info = portInfo(id) else { throw .noSuchPort(name) }
            return info
        }
    }

    /// Runs a control-plane step (port setup, close) under the environment's lock, while EAL runs.
    static func withControlPlane<T>(_ body: () throws(DPDKError) -> T) throws(DPDKError) -> T {
        try registry.withLock { (registry: inout Registry) throws(DPDKError) -> T in
            try requireRunning(registry)
            return try body()
        }
    }

    /// DPDK's sentence for a negative errno result.
    static func errorText(_ result: Int32) -> String {
        String(cString: cdpdk_strerror(-result)) + " (\(-result))"
    }

    private static func requireRunning(_ registry: Registry) throws(DPDKError) {
        switch registry.phase {
        case .running: return
        case .notInitialised: throw .notInitialised
        case .failed: throw .earlierInitialisationFailed(reason: registry.failure ?? "unknown")
        }
    }

    private static func snapshot(_ registry: Registry) -> DPDKState {
        var ports: [DPDKPortInfo] = []
        if registry.phase == .running {
            var next = cdpdk_port_next(0)
            while next >= 0 {
                if let info = portInfo(UInt16(next)) { ports.append(info) }
                next = cdpdk_port_next(UInt16(next) + 1)   // ids stay below RTE_MAX_ETHPORTS (32)
            }
        }
        return DPDKState(phase: registry.phase, arguments: registry.arguments, probedDevices: registry.probedDevices,
                         ports: ports, failure: registry.failure)
    }

    private static func portInfo(_ id: UInt16) -> DPDKPortInfo? {
        var name = [CChar](repeating: 0, count: Int(CDPDK_NAME_SIZE))
        var mac = [UInt8](repeating: 0, count: 6)
        guard cdpdk_port_name(id, &name) == 0, cdpdk_port_mac(id, &mac) == 0 else { return nil }
        return DPDKPortInfo(id: id, name: String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                            mac: MACAddress(mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]))
    }
}
