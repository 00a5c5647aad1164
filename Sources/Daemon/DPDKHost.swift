import Control
import Transport

/// DPDK as masond uses it: EAL initialised once, when the daemon starts (it cannot be again in
/// one process), and one port queue handed to the one DPDK worker of a run.
public final class DPDKHost: Sendable {
    public let arguments: [String]

    /// Initialises EAL with `arguments` (split on whitespace, as a shell would without quotes).
    public init(arguments text: String) throws(DPDKError) {
        arguments = text.split(whereSeparator: \.isWhitespace).map(String.init)
        try DPDKEnvironment.initialise(arguments: arguments)
    }

    /// What node.info reports.
    public var summary: DPDKStateSummary {
        let state = DPDKEnvironment.state
        return DPDKStateSummary(initialised: state.isInitialised, ealArguments: state.arguments,
                                ports: state.ports.map { .init(id: $0.id, mac: $0.mac.description) }, error: state.failure)
    }

    /// Opens port 0's queue for a worker at `address`, with the run's neighbour MACs; returns it
    /// and the largest datagram payload it carries (the MTU's, not 64 KiB).
    func openPort(address: NetAddress, neighbours: [UInt32: MACAddress]) throws(DPDKError) -> (any PacketIO, Int) {
        let port = try DPDKPort(DPDKPort.Configuration(port: 0, address: address, neighbours: neighbours))
        return (port, port.maxPayloadSize)
    }
}
