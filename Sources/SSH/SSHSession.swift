import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One authenticated SSH connection to a host, over libssh2.
///
/// libssh2 sessions are not thread-safe, so every libssh2 call runs under `lock`; the session is
/// non-blocking after connecting, and waits for the socket happen outside the lock. Several threads
/// may therefore use one session at once (an `exec` while an `SSHStream` bridges another channel).
public final class SSHSession: @unchecked Sendable {
    /// The host name as given (known_hosts and messages use it).
    public let host: String
    /// The port connected to.
    public let port: Int
    /// The numeric address connected to.
    public let address: String
    /// The authenticated user.
    public let user: String
    /// The host key the server presented and whether it was already known.
    public let hostKey: HostKeyInfo

    private let lock = NSLock()
    /// The libssh2 session; nil once closed. Guarded by `lock`.
    private var raw: OpaquePointer?
    private let socket: Int32

    /// Connects to `host:port`, checks the host key against `configuration.knownHostsPath`
    /// (recording a new one and calling `onNewHostKey`), and authenticates.
    public init(host: String, port: Int = 22, configuration: SSHConfiguration) throws(SSHError) {
        try LibSSH2Runtime.ensureInitialized(host: host, port: port)
        let (fd, address) = try TCPConnector.connect(host: host, port: port, timeout: configuration.connectTimeout)
        guard let session = cssh_session_init() else {
            Glibc.close(fd)
            throw .handshakeFailed(host: host, port: port, reason: "cannot allocate a libssh2 session")
        }
        func fail(_ error: SSHError) -> SSHError {
            _ = cssh_session_disconnect(session, "bye")
            libssh2_session_free(session)
            Glibc.close(fd)
            return error
        }
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, configuration.connectTimeout.milliseconds)
        if libssh2_session_handshake(session, fd) != 0 {
            throw fail(.handshakeFailed(host: host, port: port, reason: lastError(session)))
        }
        let key: HostKeyInfo
        do {
            key = try KnownHostsCheck(host: host, address: address, port: port, path: configuration.knownHostsPath).verify(session)
            try Authenticator(host: host, port: port, configuration: configuration).authenticate(session)
        } catch {
            throw fail(error)
        }
        libssh2_session_set_timeout(session, 0)
        libssh2_session_set_blocking(session, 0)
        // Sent from streams' bridge loops (`SSHStream`), which call libssh2_keepalive_send.
        libssh2_keepalive_config(session, 1, UInt32(clamping: max(1, configuration.keepaliveInterval.components.seconds)))
        TCPConnector.detectDeadPeer(fd, timeout: configuration.deadPeerTimeout)
        self.host = host
        self.port = port
        self.address = address
        self.user = configuration.user
        self.hostKey = key
        self.raw = session
        self.socket = fd
        if key.status == .recorded { configuration.onNewHostKey?(key) }
    }

    deinit { close() }


    /// Says goodbye to the server and frees the session; later calls fail with `sessionClosed`.
    /// Channels still open (streams) end with it.
    public func close() {
        lock.withLock {
            guard let session = raw else { return }
            raw = nil
            libssh2_session_set_blocking(session, 1)
            libssh2_session_set_timeout(session, 2000)
            _ = cssh_session_disconnect(session, "bye")
            libssh2_session_free(session)
            Glibc.close(socket)
        }
    }

    // MARK: - Non-blocking plumbing for the channel operations

    /// Runs `body` with the libssh2 session under the lock.
    func locked<T>(_ body: (OpaquePointer) throws(SSHError) -> T) throws(SSHError) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let session = raw else { throw .sessionClosed(host: host) }
        return try body(session)
    }

    /// Repeats `step` (under the lock) until it returns non-nil, which it does unless libssh2
    /// answered EAGAIN; in between waits for the socket. Throws `timeout()` past `deadline`.
    func nonblocking<T>(until deadline: ContinuousClock.Instant, timeout: () -> SSHError,
                        _ step: (OpaquePointer) throws(SSHError) -> T?) throws(SSHError) -> T {
        while true {
            if let result = try locked(step) { return result }
            if ContinuousClock.now >= deadline { throw timeout() }
            try waitForSocket(until: deadline)
        }
    }

    /// Waits (at most 50 ms, so that threads sharing the session notice each other's progress)
    /// until the socket is ready in the direction libssh2 is blocked on.
    func waitForSocket(until deadline: ContinuousClock.Instant) throws(SSHError) {
        _ = try pollSocket(with: [], milliseconds: deadline.remainingMilliseconds(cap: 50))
    }

    /// Polls the session socket together with `others`, for at most `milliseconds`; returns the
    /// others' `revents`.
    func pollSocket(with others: [pollfd], milliseconds: Int32) throws(SSHError) -> [Int16] {
        let directions = try locked { libssh2_session_block_directions($0) }
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var fds = [pollfd(fd: socket, events: events, revents: 0)] + others
        _ = poll(&fds, nfds_t(fds.count), milliseconds)
        return fds.dropFirst().map(\.revents)
    }

    /// Opens a "session" channel.
    func openChannel(until deadline: ContinuousClock.Instant, timeout: () -> SSHError) throws(SSHError) -> OpaquePointer {
        try nonblocking(until: deadline, timeout: timeout) { (session) throws(SSHError) -> OpaquePointer?? in
            if let channel = cssh_channel_open_session(session) { return .some(channel) }
            if libssh2_session_last_errno(session) == LIBSSH2_ERROR_EAGAIN { return nil }
            throw .channelFailed(host: host, operation: "opening a channel", reason: lastError(session))
        }!
    }

    /// Starts `command` on `channel`.
    func startCommand(_ command: String, on channel: OpaquePointer, until deadline: ContinuousClock.Instant,
                      timeout: () -> SSHError) throws(SSHError) {
        let rc = try nonblocking(until: deadline, timeout: timeout) { _ in again(cssh_channel_exec(channel, command)) }
        if rc != 0 {
            let reason = (try? locked { lastError($0) }) ?? "error \(rc)"
            throw .channelFailed(host: host, operation: "starting `\(command)`", reason: reason)
        }
    }

    /// Frees `channel`, closing it first if needed; gives up (leaving it to the session) after 2 s.
    func release(_ channel: OpaquePointer) {
        let deadline = ContinuousClock.now + .seconds(2)
        _ = try? nonblocking(until: deadline, timeout: { .sessionClosed(host: host) }) { _ in
            again(libssh2_channel_free(channel))
        }
    }
}

/// nil for libssh2's EAGAIN, the return code otherwise (the shape `nonblocking` wants).
func again(_ rc: Int32) -> Int32? { rc == LIBSSH2_ERROR_EAGAIN ? nil : rc }
