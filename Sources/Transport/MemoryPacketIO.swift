import Protocols

/// A packet I/O in memory, the worker's side of `EmbeddedWorker`: the test pushes datagrams in,
/// the worker receives them in its next loop turn, and what it sends is kept for the test to read.
/// As a kernel socket would, it hands over at most a batch per `receive`, drops (and counts) a
/// datagram longer than a receive slot, and refuses (and counts) one longer than `maxPayload`.
/// `wait` never sleeps: it records the timeout the worker asked for (and `wake` has nothing to
/// end). One thread only.
public final class MemoryPacketIO: PacketIO {
    /// One datagram the worker sent or is about to receive: its payload and its peer (the
    /// destination of a sent one, the source of a received one).
    public struct Packet: Equatable, Sendable {
        public var bytes: [UInt8]
        public var peer: NetAddress

        public init(bytes: [UInt8], peer: NetAddress) {
            self.bytes = bytes
            self.peer = peer
        }

        /// The datagram header (`Datagram`).
        public func header() throws(Datagram.Malformed) -> Datagram.Header {
            let result = bytes.withUnsafeBytes { buffer -> Result<Datagram.Header, Datagram.Malformed> in
                do throws(Datagram.Malformed) { return .success(try Datagram.header(buffer)) } catch { return .failure(error) }
            }
            return try result.get()
        }

        /// Every frame after the header, decoded. Precondition: the datagram has a header's bytes.
        public func messages() throws(WireError) -> [Message] {
            precondition(bytes.count >= Datagram.headerSize, "a datagram of \(bytes.count) bytes has no frames")
            let result = bytes.withUnsafeBytes { buffer -> Result<[Message], WireError> in
                var messages: [Message] = []
                do throws(WireError) {
                    try Message.decodePacket(UnsafeRawBufferPointer(rebasing: buffer[Datagram.headerSize...]), into: &messages)
                } catch {
                    return .failure(error)
                }
                return .success(messages)
            }
            return try result.get()
        }
    }

    public let localAddress: NetAddress
    /// The largest payload `send` takes (UDP: 65,507; an Ethernet MTU of 1,500: 1,472).
    public let maxPayload: Int
    public private(set) var stats = PacketIOStats()
    /// Everything the worker sent, in order, until `takeSent`.
    public private(set) var sent: [Packet] = []
    /// The timeout of each `wait` the worker made, in order (nil: no timer armed, no limit).
    public private(set) var waits: [UInt64?] = []
    public private(set) var isClosed = false
    private var inbound: [Packet] = []
    private var head = 0

    public init(localAddress: NetAddress = NetAddress(ip: 0x7F00_0001, port: 7000), maxPayload: Int = 65_507) {
        precondition(maxPayload > Datagram.headerSize, "a payload limit of \(maxPayload) bytes cannot carry a datagram header")
        self.localAddress = localAddress
        self.maxPayload = maxPayload
    }

    /// Datagrams pushed and not yet received.
    public var pendingCount: Int { inbound.count - head }

    /// Queues a datagram from `peer` for the worker's next receive.
    public func push(_ bytes: [UInt8], from peer: NetAddress) {
        inbound.append(Packet(bytes: bytes, peer: peer))
    }

    /// Queues one datagram carrying `messages` from `source` to `destination`, tagged `runTag`.
    public func push(_ messages: [Message], from source: Endpoint, to destination: Endpoint, runTag: UInt64 = RunTag.none,
                     peer: NetAddress = NetAddress(ip: 0x7F00_0001, port: 7999)) {
        push(Datagram.bytes(messages, runTag: runTag, source: source, destination: destination), from: peer)
    }

    /// What the worker sent since the last call, oldest first.
    public func takeSent() -> [Packet] {
        defer { sent.removeAll() }
        return sent
    }

    public func receive(into batch: PacketBatch) -> Int {
        precondition(!isClosed, "receive on a closed memory packet I/O")
        var kept = 0
        while kept < batch.capacity, head < inbound.count {
            let packet = inbound[head]
            head += 1
            guard packet.bytes.count <= batch.slotSize else {
                stats.oversized += 1    // the kernel would have truncated it; the socket drops it
                continue
            }
            packet.bytes.withUnsafeBytes { batch.buffer(kept).copyMemory(from: $0) }
            batch.lengths[kept] = packet.bytes.count
            batch.peers[kept] = packet.peer
            kept += 1
        }
        if head == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            head = 0
        }
        batch.count = kept
        return kept
    }

    @discardableResult
    public func send(_ batch: PacketBatch) -> Int {
        precondition(!isClosed, "send on a closed memory packet I/O")
        var taken = 0
        for slot in 0 ..< batch.count {
            guard batch.lengths[slot] <= maxPayload else {
                stats.sendFailures += 1
                continue
            }
            sent.append(Packet(bytes: Array(batch.payload(slot)), peer: batch.peers[slot]))
            taken += 1
        }
        return taken
    }

    public func wait(timeoutNanoseconds: UInt64?) {
        waits.append(timeoutNanoseconds)
    }

    public func close() {
        isClosed = true
    }
}
