/// How a worker sends and receives: kernel UDP sockets, or a DPDK queue of the experiment NIC
/// (needs masond started with --dpdk).
public enum WorkerTransport: String, Codable, Sendable, CaseIterable {
    case udp, dpdk
}
