import CDPDK

/// One DPDK port (queue 0 for receive and transmit) speaking Mason datagrams as Ethernet/IPv4/UDP
/// frames it builds and parses itself (`EthernetFraming`), so it talks to kernel UDP sockets on the
/// same link. It has its own IPv4 address and UDP port; neighbours' MACs come from configuration
/// (there is no ARP): a datagram to an IPv4 address without one is a send failure.
///
/// Owned by one worker thread: not Sendable. `wait` returns at once (a DPDK worker busy-polls).
/// Neither `receive` nor `send` allocates: mbufs come from the port's mempool and the burst arrays
/// are allocated once.
public final class DPDKPort: PacketIO {
    public struct Configuration: Sendable {
        /// The DPDK port id (`DPDKEnvironment.probe(device:)` or `DPDKEnvironment.state.ports`).
        public var port: UInt16
        /// This port's IPv4 address and UDP port.
        public var address: NetAddress
        /// The MAC of each IPv4 address this port sends to (host-order IPv4 → MAC).
        public var neighbours: [UInt32: MACAddress]
        /// Packet buffers in the port's mempool.
        public var mbufs: Int
        public var receiveDescriptors: UInt16
        public var transmitDescriptors: UInt16
        /// Most frames per receive or transmit burst.
        public var burstSize: Int

        public init(port: UInt16, address: NetAddress, neighbours: [UInt32: MACAddress], mbufs: Int = 4095,
                    receiveDescriptors: UInt16 = 512, transmitDescriptors: UInt16 = 512, burstSize: Int = 32) {
            self.port = port
            self.address = address
            self.neighbours = neighbours
            self.mbufs = mbufs
            self.receiveDescriptors = receiveDescriptors
            self.transmitDescriptors = transmitDescriptors
            self.burstSize = burstSize
        }
    }

    /// Data bytes in one mbuf (DPDK's RTE_MBUF_DEFAULT_DATAROOM): a frame must fit one.
    static let mbufDataBytes = 2048

    public let portID: UInt16
    public let localAddress: NetAddress
    /// The port's own MAC, read from the port (with af_packet, the interface's MAC).
    public let mac: MACAddress
    /// The largest payload a datagram may have: the port's MTU less the IPv4 and UDP headers.
    public let maxPayloadSize: Int
    /// IPv4 address (host order) → MAC of every peer this port sends to.
    public var neighbours: [UInt32: MACAddress]
    public private(set) var stats = PacketIOStats()

    private let station: EthernetFraming.Station
    private let burstSize: Int
    private var pool: OpaquePointer?
    private let receiveMbufs: UnsafeMutablePointer<OpaquePointer?>
    private let transmitMbufs: UnsafeMutablePointer<OpaquePointer?>

    /// Configures and starts the port: one queue each way, its mempool, promiscuous mode. An
    /// af_packet port's control calls act on its interface by name in the calling thread's network
    /// namespace: set it up from the namespace it was probed in.
    public init(_ configuration: Configuration) throws(DPDKError) {
        precondition(configuration.burstSize > 0 && configuration.burstSize <= Int(UInt16.max), "a burst size in 1...65535")
        let id = configuration.port
        let started = try DPDKEnvironment.withControlPlane { () throws(DPDKError) -> (OpaquePointer, MACAddress, UInt16) in
            var mac = [UInt8](repeating: 0, count: 6)
            var mtu: UInt16 = 0
            guard cdpdk_port_mac(id, &mac) == 0, cdpdk_port_mtu(id, &mtu) == 0 else { throw .noSuchPort(String(id)) }
            var pool: OpaquePointer?
            var failedCall: UnsafePointer<CChar>?
            let result = cdpdk_port_setup(id, UInt32(configuration.mbufs), configuration.receiveDescriptors,
                                          configuration.transmitDescriptors, &pool, &failedCall)
            guard result == 0, let pool else {
                throw .portSetupFailed(port: id, call: failedCall.map { String(cString: $0) } ?? "cdpdk_port_setup",
                                       reason: DPDKEnvironment.errorText(result))
            }
            return (pool, MACAddress(mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]), mtu)
        }
        portID = id
        pool = started.0
        mac = started.1
        maxPayloadSize = min(EthernetFraming.maxPayloadSize(mtu: Int(started.2)),
                             Self.mbufDataBytes - EthernetFraming.headerSize)
        localAddress = configuration.address
        neighbours = configuration.neighbours
        station = EthernetFraming.Station(mac: started.1, address: configuration.address)
        burstSize = configuration.burstSize
        receiveMbufs = .allocate(capacity: configuration.burstSize)
        receiveMbufs.initialize(repeating: nil, count: configuration.burstSize)
        transmitMbufs = .allocate(capacity: configuration.burstSize)
        transmitMbufs.initialize(repeating: nil, count: configuration.burstSize)
    }

    deinit {
        close()
        receiveMbufs.deallocate()
        transmitMbufs.deallocate()
    }

    /// Whether the port is started (until `close`).
    public var isOpen: Bool { pool != nil }

    /// Stops and closes the port and frees its mempool. The port id is gone afterwards (an
    /// af_packet port's socket is closed). Idempotent.
    public func close() {
        guard let pool else { return }
        self.pool = nil
        _ = try? DPDKEnvironment.withControlPlane { () throws(DPDKError) in
            _ = cdpdk_port_stop(portID)
            _ = cdpdk_port_close(portID)
            cdpdk_pool_free(pool)
        }
    }

    /// One receive burst: frames for this station land in slots 0..<n; the rest are counted in
    /// `stats` and dropped. May return 0 while frames wait (a burst of foreign frames).
    public func receive(into batch: PacketBatch) -> Int {
        precondition(isOpen, "receive on a closed DPDK port")
        let received = Int(cdpdk_rx_burst(portID, receiveMbufs, UInt16(min(burstSize, batch.capacity))))
        var delivered = 0
        for i in 0 ..< received {
            let mbuf = receiveMbufs[i]
            let length = Int(cdpdk_mbuf_data_length(mbuf))
            if Int(cdpdk_mbuf_frame_length(mbuf)) != length {
                stats.oversized += 1    // chained: larger than one mbuf, so larger than any datagram we take
                continue
            }
            let frame = UnsafeRawBufferPointer(start: cdpdk_mbuf_data(mbuf), count: length)
            if EthernetFraming.deliver(frame, for: station, into: batch, slot: delivered, stats: &stats) {
                delivered += 1
            }
        }
        if received > 0 { cdpdk_mbuf_free_bulk(receiveMbufs, UInt32(received)) }
        batch.count = delivered
        return delivered
    }

    /// Frames and transmits slots 0..<batch.count; returns how many the port took. Datagrams to an
    /// IPv4 address without a neighbour MAC, larger than `maxPayloadSize`, or refused by the port
    /// are counted in `stats.sendFailures`.
    @discardableResult
    public func send(_ batch: PacketBatch) -> Int {
        precondition(isOpen, "send on a closed DPDK port")
        var sent = 0
        var first = 0
        while first < batch.count {
            let chunk = min(burstSize, batch.count - first)
            defer { first += chunk }
            guard cdpdk_mbuf_alloc_bulk(pool, transmitMbufs, UInt32(chunk)) == 0 else {
                stats.sendFailures += UInt64(chunk)
                continue
            }
            var built = 0
            for slot in first ..< first + chunk {
                let payloadLength = batch.lengths[slot]
                let peer = batch.peers[slot]
                guard payloadLength <= maxPayloadSize, let peerMAC = neighbours[peer.ip],
                      let data = cdpdk_mbuf_append(transmitMbufs[built], UInt16(EthernetFraming.headerSize + payloadLength))
                else {
                    stats.sendFailures += 1
                    continue
                }
                EthernetFraming.write(payload: batch.payload(slot), from: station,
                                      to: EthernetFraming.Station(mac: peerMAC, address: peer),
                                      into: UnsafeMutableRawBufferPointer(start: data, count: EthernetFraming.headerSize + payloadLength))
                built += 1
            }
            if built < chunk { cdpdk_mbuf_free_bulk(transmitMbufs + built, UInt32(chunk - built)) }
            var taken = 0
            while taken < built {
                let n = Int(cdpdk_tx_burst(portID, transmitMbufs + taken, UInt16(built - taken)))
                if n == 0 { break }
                taken += n
            }
            if taken < built {
                cdpdk_mbuf_free_bulk(transmitMbufs + taken, UInt32(built - taken))
                stats.sendFailures += UInt64(built - taken)
            }
            sent += taken
        }
        return sent
    }

    /// Returns at once: a DPDK worker busy-polls `receive`.
    public func wait(timeoutNanoseconds: UInt64?) {}
}
