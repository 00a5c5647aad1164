#if canImport(Glibc)
import Glibc
#endif

/// Why the control connection itself failed (as opposed to an `RPCError`, which is the daemon's
/// answer to a request). Each description is one sentence naming the path and what would fix it.
public enum ControlError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A daemon answers at the socket path: a second one must not take it over.
    case alreadyServing(path: String)
    /// Something other than a socket sits at the path; it is left alone.
    case notASocket(path: String)
    /// `sockaddr_un` holds at most `maxBytes` bytes of path.
    case socketPathTooLong(path: String, maxBytes: Int)
    /// Nothing listens at the path (no socket file, or a stale one).
    case noDaemon(path: String)
    /// The peer closed the connection before answering.
    case connectionClosed(peer: String)
    /// A response line exceeded the client's limit.
    case responseTooLarge(peer: String, limitBytes: Int)
    /// The peer sent something that is not a JSON-RPC 2.0 response to the request.
    case invalidResponse(peer: String, reason: String)
    /// A system call failed; `errno` says why.
    case system(operation: String, path: String, errno: Int32)
    /// The peer did not answer `method` within its deadline (a paused or hung node); the
    /// connection was closed, so a late answer is never taken for another call's.
    case noAnswer(peer: String, method: String, seconds: Double)

    public var description: String {
        switch self {
        case let .alreadyServing(path):
            "another masond is already serving \(path); stop it first or pass another --socket path"
        case let .notASocket(path):
            "\(path) exists and is not a socket; move it away or pass another --socket path"
        case let .socketPathTooLong(path, maxBytes):
            "socket path \(path) is longer than \(maxBytes) bytes; choose a shorter --socket path"
        case let .noDaemon(path):
            "no masond at \(path): start it with masond serve"
        case let .connectionClosed(peer):
            "\(peer) closed the connection before answering; check that masond is still running"
        case let .responseTooLarge(peer, limitBytes):
            "\(peer) sent a response longer than \(limitBytes) bytes; raise the client's maxResponseBytes"
        case let .invalidResponse(peer, reason):
            "\(peer) sent an invalid response: \(reason)"
        case let .system(operation, path, code):
            "\(operation) \(path): \(String(cString: strerror(code)))" + (code == EACCES ? " (the socket is mode 0600: run as the daemon's user)" : "")
        case let .noAnswer(peer, method, seconds):
            "\(peer): \(method) did not answer within \(Self.seconds(seconds)); the connection is closed (is the node paused or hung?)"
        }
    }

    /// `5 s`, `0.25 s`: whole seconds without a fraction.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) s" : "\(value) s"
    }
}
