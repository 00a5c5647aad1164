#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens TCP connections with a timeout: non-blocking connect, then poll for writability.
enum TCPConnector {
    /// Connects to the first address of `host` that answers within what is left of `timeout`.
    /// Returns the connected socket (non-blocking) and the numeric address it reached.
    static func connect(host: String, port: Int, timeout: Duration) throws(SSHError) -> (fd: Int32, address: String) {
        let deadline = ContinuousClock.now + timeout
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let gai = getaddrinfo(host, String(port), &hints, &list)
        guard gai == 0, let first = list else {
            throw .unreachable(host: host, port: port, reason: "cannot resolve the name (\(String(cString: gai_strerror(gai))))")
        }
        defer { freeaddrinfo(first) }

        var lastReason = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let address = numericAddress(info.pointee.ai_addr, info.pointee.ai_addrlen)
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd < 0 { lastReason = String(cString: strerror(errno)); continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return (fd, address) }
            guard errno == EINPROGRESS else {
                lastReason = reason(errno); close(fd); continue
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            var ready: Int32
            repeat {
                ready = poll(&pfd, 1, deadline.remainingMilliseconds(cap: Int(Int32.max)))
            } while ready < 0 && errno == EINTR
            if ready == 0 {
                close(fd)
                throw .unreachable(host: host, port: port, reason: "no answer within \(timeout.seconds) s")
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if ready > 0 && soError == 0 { return (fd, address) }
            lastReason = reason(soError != 0 ? soError : errno)
            close(fd)
        }
        throw .unreachable(host: host, port: port, reason: lastReason)
    }

    /// Makes a dead peer end the connection within about `timeout`: TCP keepalives when idle,
    /// and TCP_USER_TIMEOUT for data (SSH keepalives included) the peer never acknowledges.
    static func detectDeadPeer(_ fd: Int32, timeout: Duration) {
        let seconds = Int32(clamping: max(1, timeout.components.seconds))
        var on: Int32 = 1
        var idle = max(1, seconds / 3), interval = max(1, seconds / 6), count: Int32 = 3
        var userTimeout = UInt32(clamping: Int64(seconds) * 1_000)
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &interval, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &count, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, &userTimeout, socklen_t(MemoryLayout<UInt32>.size))
    }

    /// "connection refused" and friends, in lower case as the error sentence wants them.
    private static func reason(_ code: Int32) -> String {
        code == ECONNREFUSED ? "connection refused" : String(cString: strerror(code)).lowercased()
    }

    /// The address as digits ("10.0.0.2", "::1").
    private static func numericAddress(_ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t) -> String {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard let address, getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else {
            return "?"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
