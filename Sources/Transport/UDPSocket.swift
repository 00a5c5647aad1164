import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Why a socket or port could not be set up, as one sentence.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }

    static func errno(_ what: String, _ code: Int32 = Glibc.errno) -> TransportError {
        TransportError("\(what): \(String(cString: strerror(code)))")
    }
}

/// A kernel UDP socket bound to one address and port: batched `recvmmsg`/`sendmmsg`, non-blocking,
/// with an epoll set to sleep in when idle and an eventfd to be woken from. The address arrays
/// are allocated once, at init, so receiving and sending allocate nothing.
public final class UDPSocket: PacketIO {
    public let localAddress: NetAddress
    public private(set) var stats = PacketIOStats()
    private let fd: Int32
    private let epoll: Int32
    /// `wake()` writes it: it interrupts a sleeping worker (stop, crash, new roles).
    private let wakeFD: Int32
    private let capacity: Int
    private let names: UnsafeMutablePointer<sockaddr_in>
    private let truncated: UnsafeMutablePointer<UInt8>

    /// Binds `address` (port 0: the kernel picks one; `localAddress` tells which). `batch` is the
    /// most datagrams one call moves; `bufferBytes` sizes the kernel's socket buffers.
    public init(bind address: NetAddress, batch: Int = 64, bufferBytes: Int32 = 4 << 20) throws(TransportError) {
        precondition((1 ... Int(CLINUX_MAX_BATCH)).contains(batch), "batch must be 1...\(CLINUX_MAX_BATCH)")
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw .errno("cannot create a UDP socket") }
        var size = bufferBytes
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var sa = address.sockaddr
        let bound = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let error = TransportError.errno("cannot bind UDP \(address)")
            Glibc.close(fd)
            throw error
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        localAddress = NetAddress(actual)
        epoll = clinux_epoll_create()
        wakeFD = clinux_eventfd()
        var failure: Int32 = 0
        if epoll < 0 { failure = -epoll } else if wakeFD < 0 { failure = -wakeFD } else {
            let a = clinux_epoll_add(epoll, fd), b = clinux_epoll_add(epoll, wakeFD)
            failure = a < 0 ? -a : b < 0 ? -b : 0
        }
        guard failure == 0 else {
            Glibc.close(fd)
            if epoll >= 0 { Glibc.close(epoll) }
            if wakeFD >= 0 { Glibc.close(wakeFD) }
            throw .errno("cannot set up epoll for UDP \(address)", failure)
        }
        capacity = batch
        names = .allocate(capacity: batch)
        names.initialize(repeating: sockaddr_in(), count: batch)
        truncated = .allocate(capacity: batch)
        truncated.initialize(repeating: 0, count: batch)
    }

    private var closed = false

    deinit {
        close()
        names.deallocate()
        truncated.deallocate()
    }

    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
        Glibc.close(epoll)
        Glibc.close(wakeFD)
    }

    public func receive(into batch: PacketBatch) -> Int {
        let n = min(batch.capacity, capacity)
        let got = Int(clinux_recv_batch(fd, batch.buffer(0).baseAddress, batch.slotSize, batch.lengths, names, truncated, UInt32(n)))
        guard got > 0 else {
            batch.count = 0
            return 0
        }
        var kept = 0
        for i in 0 ..< got {
            if truncated[i] != 0 {
                stats.oversized += 1
                continue
            }
            if kept != i {
                // Close the gap a truncated datagram left (rare: only oversized input).
                batch.buffer(kept).copyMemory(from: UnsafeRawBufferPointer(batch.buffer(i)))
                batch.lengths[kept] = batch.lengths[i]
            }
            batch.peers[kept] = NetAddress(names[i])
            kept += 1
        }
        batch.count = kept
        return kept
    }

    @discardableResult
    public func send(_ batch: PacketBatch) -> Int {
        var next = 0, failed = 0
        while next < batch.count {
            let n = min(batch.count - next, capacity)
            for k in 0 ..< n { names[k] = batch.peers[next + k].sockaddr }
            let done = Int(clinux_send_batch(fd, batch.buffer(next).baseAddress, batch.slotSize, batch.lengths + next, names, UInt32(n)))
            if done <= 0 {
                // The datagram at the head failed (socket buffer full, no route): count it and go
                // on with the rest. UDP promises nothing more; the protocols retransmit.
                stats.sendFailures += 1
                failed += 1
                next += 1
            } else {
                next += done
            }
        }
        return batch.count - failed
    }

    /// Sleeps in epoll with nanosecond precision (`epoll_pwait2`): a proxy's 20 µs batch timer
    /// must not round up to a millisecond.
    public func wait(timeoutNanoseconds: UInt64?) {
        guard !closed else { return }
        _ = clinux_epoll_wait_ns(epoll, min(timeoutNanoseconds ?? 1_000_000_000, 1_000_000_000))
        var counter: UInt64 = 0
        _ = read(wakeFD, &counter, 8)
    }

    public func wake() {
        guard !closed else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }
}
