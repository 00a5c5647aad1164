import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// masond's control endpoint: a Unix socket (mode 0600) where each connection sends
/// newline-delimited JSON-RPC 2.0 requests and reads one response line per request, in order.
///
/// One thread accepts; each connection is served on a thread of its own, so a slow request holds
/// up only its own connection. A line longer than `maxRequestBytes` is answered with -32600 and
/// skipped; invalid UTF-8 or JSON with -32700; in every case the connection stays usable.
/// Batches (a JSON array of requests on one line) are supported: they are answered with an array
/// of the responses to their non-notification members.
/// At most `maxConnections` connections are served at once; one more is told so and closed.
/// A connection that sends no request for `idleTimeout` is told so (an error line with a null id,
/// code `idleTimeoutCode`) and closed, so forgotten clients do not hold connection slots for ever;
/// not while `keepsIdleConnections` says work is under way (masond: roles running, which a run's
/// controller leaves alone for the whole measurement).
///
/// Call `stop()` before dropping the server: the threads keep it alive until then.
public final class ControlServer: Sendable {
    public let socketPath: String
    public let maxRequestBytes: Int
    public let maxConnections: Int
    public let idleTimeout: Duration
    /// The error code of the line an idle connection is closed with.
    public static let idleTimeoutCode = -32001
    /// The default `idleTimeout`: long enough for any pause between a run's calls.
    public static let defaultIdleTimeout = Duration.seconds(300)
    private let dispatcher: RequestDispatcher
    private let keepsIdleConnections: @Sendable () -> Bool
    private let state = Mutex(State())
    /// Entered by the accept thread and every connection thread; `stop()` waits for it to empty.
    private let threads = DispatchGroup()
    /// Signalled when a connection ends or the server stops: what an accept loop starved of
    /// descriptors waits for, instead of spinning.
    private let descriptorsFreed = DispatchSemaphore(value: 0)

    private struct State {
        var listener: Int32?
        var identity: UnixSocket.FileIdentity?
        /// Open connections; a descriptor is closed only after leaving this set, under the lock,
        /// so `stop()` never shuts down a number the system has already reused.
        var connections: Set<Int32> = []
        var started = false
        var stopping = false
    }

    public init(socketPath: String, handler: any ControlHandler, maxRequestBytes: Int = 1 << 20, maxConnections: Int = 64,
                idleTimeout: Duration = ControlServer.defaultIdleTimeout, keepsIdleConnections: @escaping @Sendable () -> Bool = { false }) {
        precondition(maxRequestBytes > 0 && maxConnections > 0, "limits must be positive")
        precondition(idleTimeout > .zero, "the idle timeout must be positive")
        self.socketPath = socketPath
        self.maxRequestBytes = maxRequestBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.keepsIdleConnections = keepsIdleConnections
        self.dispatcher = RequestDispatcher(handler: handler)
    }

    /// Binds the socket and starts accepting. Throws `ControlError.alreadyServing` when another
    /// daemon answers at the path, `.notASocket` when a non-socket file is there (left intact);
    /// a stale socket file is replaced.
    public func start() throws(ControlError) {
        let alreadyStarted = state.withLock { state in
            defer { state.started = true }
            return state.started
        }
        precondition(!alreadyStarted, "a ControlServer starts once")
        let listener: Int32, identity: UnixSocket.FileIdentity
        do {
            (listener, identity) = try UnixSocket.listen(path: socketPath)
        } catch {
            state.withLock { $0.started = false }
            throw error
        }
        state.withLock {
            $0.listener = listener
            $0.identity = identity
        }
        threads.enter()
        Thread.detachNewThread { [self] in
            acceptLoop(listener)
            threads.leave()
        }
    }

    /// Closes the listener and every connection, waits for their threads to finish and removes the
    /// socket file (if it is still this server's). Idempotent. Must not be called from a handler:
    /// it waits for the handler's own connection thread. A handler call in progress is not
    /// interrupted; its connection ends when it returns.
    public func stop() {
        let toClose: (listener: Int32, identity: UnixSocket.FileIdentity?)? = state.withLock { state in
            guard state.started, !state.stopping, let listener = state.listener else { return nil }
            state.stopping = true
            // shutdown(2) wakes the thread blocked in accept(2) or read(2) on each descriptor.
            shutdown(listener, Int32(SHUT_RDWR))
            for connection in state.connections { shutdown(connection, Int32(SHUT_RDWR)) }
            return (listener, state.identity)
        }
        guard let toClose else { return }
        descriptorsFreed.signal()
        threads.wait()
        close(toClose.listener)
        if let identity = toClose.identity, UnixSocket.identity(of: socketPath) == identity {
            unlink(socketPath)
        }
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let fd = accept(listener, nil, nil)
            if fd >= 0 {
                // accept4 is not visible through Swift's Glibc module; the descriptor is unmarked
                // only until this call, which matters only to a process another thread forks then.
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            } else {
                let code = errno
                if state.withLock({ $0.stopping }) { return }
                switch code {
                // Transient: a signal, or a client gone before it was accepted.
                case EINTR, ECONNABORTED, EPROTO: continue
                // Out of descriptors or memory: wait (boundedly) for something to be released.
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    _ = descriptorsFreed.wait(timeout: .now() + .milliseconds(100))
                    continue
                default: return
                }
            }
            let admitted: Bool? = state.withLock { state in
                if state.stopping { return nil }
                guard state.connections.count < maxConnections else { return false }
                state.connections.insert(fd)
                threads.enter()
                return true
            }
            switch admitted {
            case nil:
                close(fd)
                return
            case false?:
                refuse(fd)
            case true?:
                Thread.detachNewThread { [self] in
                    serve(fd)
                    state.withLock { _ = $0.connections.remove(fd) }
                    close(fd)
                    descriptorsFreed.signal()
                    threads.leave()
                }
            }
        }
    }

    /// Tells a connection over the limit why it is closed (a short line into an empty socket
    /// buffer, so the write does not block) and closes it.
    private func refuse(_ fd: Int32) {
        let error = RPCError(code: RPCError.Code.tooManyConnections,
                             message: "masond serves at most \(maxConnections) control connections at once; close one and retry")
        try? LineWriter(fd: fd, peer: socketPath).write(line: RequestDispatcher.errorResponse(error, id: .null))
        close(fd)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Answers requests on one connection until the client leaves, stays idle too long, or the server stops.
    private func serve(_ fd: Int32) {
        let reader = LineReader(fd: fd, maxLineBytes: maxRequestBytes)
        let writer = LineWriter(fd: fd, peer: "control client")
        while true {
            let response: [UInt8]?
            switch reader.next(before: ContinuousClock.now + idleTimeout) {
            case .timedOut where keepsIdleConnections():
                continue
            case .timedOut:
                let error = RPCError(code: Self.idleTimeoutCode, message: "masond closed this control connection after "
                    + "\(ControlError.seconds(Self.seconds(idleTimeout))) without a request; connect again")
                try? writer.write(line: RequestDispatcher.errorResponse(error, id: .null))
                return
            case let .line(line):
                response = dispatcher.respond(to: line)
            case let .tooLong(byteCount):
                response = RequestDispatcher.errorResponse(.invalidRequest(
                    "request exceeds \(maxRequestBytes) bytes (it has \(byteCount)); send smaller requests"), id: .null)
            case .end, .failed:
                return
            }
            guard let response else { continue }
            do {
                try writer.write(line: response)
            } catch {
                return
            }
        }
    }
}
