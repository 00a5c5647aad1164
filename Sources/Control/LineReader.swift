#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream (socket, pipe, stdin) into newline-terminated lines, never holding more
/// than `maxLineBytes` plus one read's worth of bytes: a longer line is discarded as it arrives
/// and reported once, after its newline, so the stream stays usable.
///
/// Used by one thread at a time. The descriptor is not closed by the reader.
public final class LineReader {
    /// What `next()` found.
    public enum Event: Equatable, Sendable {
        /// A whole line, without its newline.
        case line([UInt8])
        /// A line of `byteCount` bytes (without its newline) exceeded the limit and was discarded.
        case tooLong(byteCount: Int)
        /// End of input; `partialBytes` were left without a newline (a peer gone mid-line) and dropped.
        case end(partialBytes: Int)
        /// A read failed with this errno (ECONNRESET, or EINVAL after a shutdown on some systems).
        case failed(errno: Int32)
        /// No whole line arrived before the deadline passed to `next(before:)`. Not sticky: what
        /// arrived so far is kept, and a later call continues the line.
        case timedOut
    }

    public let fd: Int32
    public let maxLineBytes: Int
    private static let readBytes = 64 * 1024

    /// Unconsumed input is `storage[head...]`; its first `scanned` bytes hold no newline.
    private var storage: [UInt8] = []
    private var head = 0
    private var scanned = 0
    /// Bytes dropped so far of a line that exceeded the limit; nil when not in such a line.
    private var discardedBytes: Int?
    /// Sticky once the stream has ended or failed.
    private var finished: Event?
    private var chunk = [UInt8](repeating: 0, count: LineReader.readBytes)

    public init(fd: Int32, maxLineBytes: Int = 1 << 20) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.fd = fd
        self.maxLineBytes = maxLineBytes
    }

    /// Blocks until a line is complete, the input ends or a read fails.
    public func next() -> Event { next(before: nil) }

    /// Like `next()`, but gives up with `.timedOut` once `deadline` passes without a whole line
    /// (nil: wait for ever). The descriptor is polled, so it may be blocking.
    public func next(before deadline: ContinuousClock.Instant?) -> Event {
        if let finished { return finished }
        while true {
            if let newline = findNewline() {
                let length = newline - head
                let line = storage[head..<newline]
                head = newline + 1
                scanned = 0
                if let dropped = discardedBytes {
                    discardedBytes = nil
                    return .tooLong(byteCount: dropped + length)
                }
                return length > maxLineBytes ? .tooLong(byteCount: length) : .line(Array(line))
            }
            scanned = storage.count - head
            if discardedBytes != nil || scanned > maxLineBytes {
                discardedBytes = (discardedBytes ?? 0) + scanned
                storage.removeAll(keepingCapacity: true)
                head = 0
                scanned = 0
            } else if head > 0 {
                storage.removeSubrange(0..<head)
                head = 0
            }
            if let deadline, !Self.waitReadable(fd, before: deadline) { return .timedOut }
            let n = chunk.withUnsafeMutableBytes { Descriptor.read(fd, into: $0) }
            if n > 0 {
                storage.append(contentsOf: chunk[0..<n])
            } else {
                let event: Event = n == 0
                    ? .end(partialBytes: (discardedBytes ?? 0) + storage.count - head)
                    : .failed(errno: Int32(-n))
                finished = event
                return event
            }
        }
    }

    /// Whether `fd` has input (or an end or error to report) before `deadline`.
    private static func waitReadable(_ fd: Int32, before deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            let millis = Int32(clamping: seconds * 1_000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, millis)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return true }  // let read(2) report the error
        }
    }

    private func findNewline() -> Int? {
        let from = head + scanned
        guard from < storage.count else { return nil }
        return storage.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress, let found = memchr(base + from, 0x0A, raw.count - from) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }
}
