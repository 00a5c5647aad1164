import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A remote command's stdin/stdout as one local socket (for `masond dial-stdio`): a socketpair
/// whose far end a thread bridges to the SSH channel, with at most 32 KiB buffered each way.
///
/// Read the command's stdout from `descriptor` and write its stdin to it, e.g. with
/// `ControlClient(reading: d, writing: d, peer: ..., ownsDescriptors: true)`. The caller owns
/// `descriptor`. The bridge ends when the command's output ends, when `descriptor` is closed
/// (end-of-file reaches the command, and nobody is left to read), or on `close()`.
/// The command's stderr is kept (last 64 KiB) in `stderrTail`. While it runs, the bridge sends
/// the session's keepalives (`SSHConfiguration.keepaliveInterval`), so an idle control stream
/// still tells a dead node from a quiet one.
public final class SSHStream: @unchecked Sendable {
    /// The caller's end of the socketpair.
    public let descriptor: Int32
    /// The command being bridged.
    public let command: String

    private let session: SSHSession
    private let channel: OpaquePointer
    private let bridgeEnd: Int32
    private let finished = DispatchGroup()
    private let state = NSLock()
    private var stopRequested = false
    private var exitStatus: Int32?
    private var stderrBuffer = Data()
    private static let chunk = 32768
    private static let stderrLimit = 65536

    init(session: SSHSession, channel: OpaquePointer, command: String) throws(SSHError) {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw .channelFailed(host: session.host, operation: "bridging `\(command)`",
                                 reason: "socketpair: \(String(cString: strerror(errno)))")
        }
        self.session = session
        self.channel = channel
        self.command = command
        self.descriptor = pair[0]
        self.bridgeEnd = pair[1]
        _ = fcntl(bridgeEnd, F_SETFL, fcntl(bridgeEnd, F_GETFL) | O_NONBLOCK)
        finished.enter()
        let thread = Thread { [self] in
            run()
            finished.leave()
        }
        thread.name = "ssh-bridge \(session.host)"
        thread.start()
    }

    /// Stops the bridge (closing the channel) and waits for its thread. Does not close `descriptor`.
    public func close() {
        state.withLock { stopRequested = true }
        finished.wait()
    }

    /// Waits up to `timeout` for the bridge to end; returns the command's exit status, or nil if
    /// it is still running (or reported none).
    public func waitForExit(timeout: Duration) -> Int32? {
        guard finished.wait(timeout: .now() + timeout.seconds) == .success else { return nil }
        return state.withLock { exitStatus }
    }

    /// The last 64 KiB the command wrote to stderr so far.
    public var stderrTail: Data { state.withLock { stderrBuffer } }

    // MARK: - The bridge thread

    private func run() {
        var toRemote: [UInt8] = []
        var toLocal: [UInt8] = []
        var localEOF = false, eofSent = false, remoteEOF = false, localGone = false
        var buffer = [UInt8](repeating: 0, count: Self.chunk)
        defer {
            finish()
            Glibc.close(bridgeEnd)
        }
        while !state.withLock({ stopRequested }) {
            var progressed = false
            if !localEOF && toRemote.isEmpty {
                let n = recv(bridgeEnd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n > 0 { toRemote = Array(buffer[0..<n]); progressed = true }
                else if n == 0 || (errno != EAGAIN && errno != EINTR) { localEOF = true; progressed = true }
            }
            do {
                try session.locked { (raw: OpaquePointer) throws(SSHError) in
                    // A keepalive when one is due; a session that cannot send one is gone.
                    var nextKeepalive: Int32 = 0
                    let keepalive = libssh2_keepalive_send(raw, &nextKeepalive)
                    if keepalive != 0 && keepalive != LIBSSH2_ERROR_EAGAIN { remoteEOF = true }
                    if !toRemote.isEmpty {
                        let n = toRemote.withUnsafeBytes { cssh_channel_write(channel, $0.baseAddress, $0.count) }
                        if n > 0 { toRemote.removeFirst(n); progressed = true }
                        else if n != Int(LIBSSH2_ERROR_EAGAIN) { remoteEOF = true; toRemote = [] }
                    }
                    if localEOF && toRemote.isEmpty && !eofSent {
                        if libssh2_channel_send_eof(channel) != LIBSSH2_ERROR_EAGAIN { eofSent = true; progressed = true }
                    }
                    if toLocal.isEmpty && !remoteEOF {
                        let n = buffer.withUnsafeMutableBytes {
                            cssh_channel_read(channel, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
                        }
                        if n > 0 { toLocal = Array(buffer[0..<n]); progressed = true }
                        else if n == 0 && libssh2_channel_eof(channel) != 0 { remoteEOF = true; progressed = true }
                        else if n < 0 && n != Int(LIBSSH2_ERROR_EAGAIN) { remoteEOF = true }
                    }
                    let e = buffer.withUnsafeMutableBytes {
                        cssh_channel_read_stderr(channel, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
                    }
                    if e > 0 { keepStderr(buffer[0..<e]); progressed = true }
                }
            } catch {
                return  // the session was closed under us; it freed the channel
            }
            if !toLocal.isEmpty {
                let n = send(bridgeEnd, toLocal, toLocal.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
                if n > 0 { toLocal.removeFirst(n); progressed = true }
                else if n < 0 && errno != EAGAIN && errno != EINTR { localGone = true }
            }
            if localGone || (remoteEOF && toLocal.isEmpty) { return }
            if !progressed {
                var events: Int16 = 0
                if !localEOF && toRemote.isEmpty { events |= Int16(POLLIN) }
                if !toLocal.isEmpty { events |= Int16(POLLOUT) }
                guard let revents = try? session.pollSocket(with: [pollfd(fd: bridgeEnd, events: events, revents: 0)],
                                                            milliseconds: 50) else { return }
                // POLLHUP on a socketpair: the caller closed its end entirely; nobody will read.
                if revents[0] & Int16(POLLHUP) != 0 && localEOF { localGone = true }
            }
        }
    }

    /// Closes the channel (sending EOF first), records the exit status, frees the channel.
    private func finish() {
        let deadline = ContinuousClock.now + .seconds(2)
        let gaveUp = { SSHError.sessionClosed(host: self.session.host) }
        _ = try? session.nonblocking(until: deadline, timeout: gaveUp) { _ in again(libssh2_channel_send_eof(channel)) }
        _ = try? session.nonblocking(until: deadline, timeout: gaveUp) { _ in again(libssh2_channel_close(channel)) }
        _ = try? session.nonblocking(until: deadline, timeout: gaveUp) { _ in again(libssh2_channel_wait_closed(channel)) }
        if let status = try? session.locked({ _ in libssh2_channel_get_exit_status(channel) }) {
            state.withLock { exitStatus = status }
        }
        session.release(channel)
    }

    private func keepStderr(_ bytes: ArraySlice<UInt8>) {
        state.withLock {
            stderrBuffer.append(contentsOf: bytes)
            if stderrBuffer.count > Self.stderrLimit { stderrBuffer.removeFirst(stderrBuffer.count - Self.stderrLimit) }
        }
    }
}

extension SSHSession {
    /// Starts `command` (e.g. `masond dial-stdio`) and bridges its stdin/stdout to a local socket;
    /// see `SSHStream`. Opening and starting must finish within `timeout`.
    public func openStream(_ command: String, timeout: Duration = .seconds(30)) throws(SSHError) -> SSHStream {
        let deadline = ContinuousClock.now + timeout
        let timedOut = { SSHError.commandTimeout(host: self.host, command: command, seconds: timeout.seconds) }
        let channel = try openChannel(until: deadline, timeout: timedOut)
        do {
            try startCommand(command, on: channel, until: deadline, timeout: timedOut)
            return try SSHStream(session: self, channel: channel, command: command)
        } catch {
            release(channel)
            throw error
        }
    }
}
