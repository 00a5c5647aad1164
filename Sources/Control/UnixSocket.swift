#if canImport(Glibc)
import Glibc
#endif

/// Unix-domain stream sockets at a filesystem path: the daemon's listening socket and clients'
/// connections to it. Descriptors are close-on-exec, so processes the daemon starts inherit none.
enum UnixSocket {
    /// `sun_path` holds 108 bytes including the terminating NUL.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Which file a bound socket is, so the daemon removes its own socket and nobody else's.
    struct FileIdentity: Equatable, Sendable {
        let device: UInt64
        let inode: UInt64
    }

    /// Connects to the socket at `path`. A missing file or a socket nobody listens on is `noDaemon`.
    static func connect(path: String) throws(ControlError) -> Int32 {
        let fd = try newSocket(path: path)
        let result = try withAddress(path) { Glibc.connect(fd, $0, $1) }
        if result == 0 { return fd }
        let code = errno
        close(fd)
        if code == ENOENT || code == ECONNREFUSED { throw .noDaemon(path: path) }
        throw .system(operation: "connect to", path: path, errno: code)
    }

    /// Binds and listens at `path` with mode 0600 from the start (the mode is set on the socket
    /// before bind creates the file, so it is never group- or world-accessible).
    ///
    /// A socket file nobody listens on (left by a daemon that died) is replaced; one somebody
    /// answers on is `alreadyServing`; a path holding anything else is `notASocket` and untouched.
    /// Two daemons starting in the same instant can still race between the probe and the unlink.
    static func listen(path: String) throws(ControlError) -> (fd: Int32, identity: FileIdentity) {
        let fd = try newSocket(path: path)
        do throws(ControlError) {
            guard fchmod(fd, 0o600) == 0 else { throw .system(operation: "set the mode of the socket for", path: path, errno: errno) }
            if try bind(fd, path) == EADDRINUSE {
                try removeIfStale(path: path)
                let code = try bind(fd, path)
                if code == EADDRINUSE { throw .alreadyServing(path: path) }
            }
            guard Glibc.listen(fd, SOMAXCONN) == 0 else { throw .system(operation: "listen on", path: path, errno: errno) }
            guard let identity = identity(of: path) else { throw .system(operation: "stat", path: path, errno: errno) }
            return (fd, identity)
        } catch {
            close(fd)
            throw error
        }
    }

    /// The device and inode of the socket file at `path`, or nil if there is none.
    static func identity(of path: String) -> FileIdentity? {
        var status = stat()
        guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    /// Binds, returning 0 or EADDRINUSE; any other failure throws.
    private static func bind(_ fd: Int32, _ path: String) throws(ControlError) -> Int32 {
        if try withAddress(path, { Glibc.bind(fd, $0, $1) }) == 0 { return 0 }
        let code = errno
        if code == EADDRINUSE { return code }
        throw .system(operation: "bind", path: path, errno: code)
    }

    /// For a path that is in use: refuses a non-socket or a live daemon, removes a stale socket.
    private static func removeIfStale(path: String) throws(ControlError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }  // gone meanwhile: bind again
        guard (status.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(path: path) }
        let probe: Int32
        do {
            probe = try connect(path: path)
        } catch .noDaemon {
            guard unlink(path) == 0 || errno == ENOENT else { throw .system(operation: "remove the stale socket", path: path, errno: errno) }
            return
        }
        close(probe)
        throw .alreadyServing(path: path)
    }

    private static func newSocket(path: String) throws(ControlError) -> Int32 {
        guard path.utf8.count <= maxPathBytes else { throw .socketPathTooLong(path: path, maxBytes: maxPathBytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(operation: "create a socket for", path: path, errno: errno) }
        return fd
    }

    private static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) throws(ControlError) -> Int32 {
        let bytes = Array(path.utf8)
        guard bytes.count <= maxPathBytes else { throw .socketPathTooLong(path: path, maxBytes: maxPathBytes) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)  // the rest stays zero, terminating the path
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
