#if canImport(Glibc)
import Glibc
#endif

/// Writes newline-terminated lines to a socket or pipe, whole or not at all from the caller's
/// point of view (short writes are continued). A peer that has gone away yields EPIPE, never a
/// SIGPIPE that would kill the process.
///
/// Used by one thread at a time. The descriptor is not closed by the writer.
public final class LineWriter {
    public let fd: Int32
    /// Names the peer in errors: a socket path, or "ssh node masond dial-stdio".
    public let peer: String
    private let isSocket: Bool

    public init(fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
        self.isSocket = Descriptor.isSocket(fd)
    }

    /// Writes `line` and a newline. `line` must not itself contain a newline.
    public func write(line: [UInt8]) throws(ControlError) {
        assert(!line.contains(0x0A), "a protocol line cannot contain a newline")
        var framed = line
        framed.append(0x0A)
        let code = Descriptor.writeAll(fd, framed, isSocket: isSocket)
        if code == EPIPE || code == ECONNRESET { throw .connectionClosed(peer: peer) }
        if code != 0 { throw .system(operation: "write to", path: peer, errno: code) }
    }
}
