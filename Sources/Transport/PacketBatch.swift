/// A fixed set of datagram buffers, allocated once and reused for every receive and send: the
/// transports fill or drain slots in place, so nothing is allocated per packet.
public final class PacketBatch {
    public let capacity: Int
    /// Bytes per slot: the largest datagram payload this batch carries.
    public let slotSize: Int
    /// Slots in use, from index 0.
    public var count = 0
    private let storage: UnsafeMutableRawPointer
    /// Payload length of each slot.
    public let lengths: UnsafeMutablePointer<Int>
    /// The peer of each slot: the source after a receive, the destination before a send.
    public let peers: UnsafeMutablePointer<NetAddress>

    public init(capacity: Int, slotSize: Int) {
        precondition(capacity > 0 && slotSize > 0, "a packet batch needs slots")
        self.capacity = capacity
        self.slotSize = slotSize
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity * slotSize, alignment: 64)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
        peers = .allocate(capacity: capacity)
        peers.initialize(repeating: NetAddress(ip: 0, port: 0), count: capacity)
    }

    deinit {
        storage.deallocate()
        lengths.deallocate()
        peers.deallocate()
    }

    /// The whole buffer of slot `i` (write into it, then set `lengths[i]`).
    @inline(__always)
    public func buffer(_ i: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + i * slotSize, count: slotSize)
    }

    /// The payload of slot `i`: its first `lengths[i]` bytes.
    @inline(__always)
    public func payload(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + i * slotSize, count: lengths[i])
    }

    public var isFull: Bool { count == capacity }
}

/// Moves datagrams between a worker and the network. Non-blocking: `receive` returns what is
/// there, `send` what it could send; `wait` is where an idle worker sleeps (UDP: epoll) or
/// returns at once (DPDK: busy-polling).
public protocol PacketIO: AnyObject {
    /// The address peers send to.
    var localAddress: NetAddress { get }
    /// Fills slots 0..<n of `batch` (payloads, lengths, source peers), sets `batch.count = n`, returns n.
    func receive(into batch: PacketBatch) -> Int
    /// Sends slots 0..<batch.count to their peers; returns how many left (the rest were dropped
    /// and counted).
    @discardableResult func send(_ batch: PacketBatch) -> Int
    /// Blocks until a datagram may be readable or `timeoutNanoseconds` pass (nil: no limit).
    func wait(timeoutNanoseconds: UInt64?)
    /// Ends a `wait` early; callable from any thread. Busy-polling transports need do nothing.
    func wake()
    /// Releases the endpoint (socket, port queue) at once, so its address can be bound again;
    /// idempotent. Called when the worker using it has stopped.
    func close()
    /// Counters of what this endpoint dropped.
    var stats: PacketIOStats { get }
}

extension PacketIO {
    public func wake() {}
}

/// What a transport endpoint saw beyond the happy path.
public struct PacketIOStats: Sendable, Equatable {
    /// Datagrams the kernel or the NIC refused to take.
    public var sendFailures: UInt64 = 0
    /// Frames received that were not for us (DPDK: wrong EtherType, IP protocol, address or port, bad lengths).
    public var foreignFrames: UInt64 = 0
    /// Received datagrams longer than a slot (truncated, dropped).
    public var oversized: UInt64 = 0

    public init() {}
}
