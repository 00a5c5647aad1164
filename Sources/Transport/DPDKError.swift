/// Why a DPDK environment or port operation failed. Each case carries the values involved and
/// reads as a sentence (`description`), since masond reports it to the operator as is.
public enum DPDKError: Error, Equatable, Sendable, CustomStringConvertible {
    /// EAL runs once per process; it already runs with other arguments.
    case alreadyInitialised(existing: [String], requested: [String])
    /// `rte_eal_init` refused these arguments.
    case initialisationFailed(arguments: [String], reason: String)
    /// An earlier `rte_eal_init` failed; EAL cannot be initialised again in this process.
    case earlierInitialisationFailed(reason: String)
    /// A DPDK call before `DPDKEnvironment.initialise`.
    case notInitialised
    /// `rte_dev_probe` refused a device.
    case probeFailed(devargs: String, reason: String)
    /// No DPDK port has this id or name.
    case noSuchPort(String)
    /// A port could not be configured or started: `call` is the DPDK function that failed.
    case portSetupFailed(port: UInt16, call: String, reason: String)

    public var description: String {
        switch self {
        case let .alreadyInitialised(existing, requested):
            "DPDK's EAL is already initialised in this process with \(existing.joined(separator: " ")); "
                + "it cannot be initialised again with \(requested.joined(separator: " "))"
        case let .initialisationFailed(arguments, reason):
            "DPDK's EAL failed to initialise with \(arguments.joined(separator: " ")): \(reason)"
        case let .earlierInitialisationFailed(reason):
            "DPDK's EAL failed to initialise earlier in this process (\(reason)) and cannot be retried"
        case .notInitialised: "DPDK's EAL is not initialised in this process"
        case let .probeFailed(devargs, reason): "DPDK could not probe device \(devargs): \(reason)"
        case let .noSuchPort(port): "there is no DPDK port \(port)"
        case let .portSetupFailed(port, call, reason): "DPDK port \(port) could not be started: \(call) failed: \(reason)"
        }
    }
}
