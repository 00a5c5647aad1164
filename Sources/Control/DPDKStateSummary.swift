/// What the daemon's DPDK environment is, as `node.info` reports it. The daemon fills it in: EAL
/// is initialised once per process, so this is fixed from start-up on.
public struct DPDKStateSummary: Codable, Equatable, Sendable {
    /// One Ethernet port DPDK drives.
    public struct Port: Codable, Equatable, Sendable {
        /// DPDK's port id.
        public var id: UInt16
        /// Its MAC address, `aa:bb:cc:dd:ee:ff`.
        public var mac: String

        public init(id: UInt16, mac: String) {
            self.id = id
            self.mac = mac
        }
    }

    /// Whether EAL initialised successfully.
    public var initialised: Bool
    /// The EAL arguments the daemon was started with (`--dpdk`).
    public var ealArguments: [String]
    public var ports: [Port]
    /// Why initialisation failed, when it did.
    public var error: String?

    public init(initialised: Bool, ealArguments: [String], ports: [Port], error: String? = nil) {
        self.initialised = initialised
        self.ealArguments = ealArguments
        self.ports = ports
        self.error = error
    }
}
