import Dispatch
import Foundation
import Synchronization
import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp (short, so socket paths fit in sun_path), removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/masond-control-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` on a thread of its own; `value(within:)` waits for its result.
final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> T) {
        Thread.detachNewThread { [self] in
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
    }

    /// The result, or nil if `body` has not returned within `seconds` (a failure guard, not a delay).
    func value(within seconds: Double = 10) -> T? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()  // re-armed: a later call returns the result at once
        return result.withLock { $0 }
    }
}

/// A connected pair of Unix stream sockets whose reads and writes give up (EAGAIN) after
/// `seconds`, with small buffers: a test reading or writing one end can fail but never hang.
func boundedSocketPair(seconds: Int = 10) -> (Int32, Int32) {
    var ends: [Int32] = [-1, -1]
    #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0)
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    var buffer: Int32 = 16 * 1024
    for fd in ends {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
    }
    return (ends[0], ends[1])
}

/// Runs `expire` on a thread of its own unless `finish()` comes within `seconds`: a guard that
/// turns a test blocked on a peer that never answers into a failure (never reached when the code
/// under test behaves). `finish()` waits for `expire` if it has begun.
final class Watchdog: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    init(seconds: Double = 60, expire: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in
            if finished.wait(timeout: .now() + seconds) == .timedOut { expire() }
            exited.signal()
        }
    }

    func finish() {
        finished.signal()
        exited.wait()
    }
}

/// A control connection driven byte by byte, for sending what `ControlClient` never would.
final class RawConnection {
    let fd: Int32
    let reader: LineReader

    init(_ path: String) throws {
        fd = try UnixSocket.connect(path: path)
        // A guard against a hanging test, never reached when the server behaves.
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        reader = LineReader(fd: fd, maxLineBytes: 1 << 20)
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        #expect(Descriptor.writeAll(fd, bytes, isSocket: true) == 0)
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends without expecting success: 0 or the errno (EPIPE once the server has closed).
    func trySend(_ text: String) -> Int32 { Descriptor.writeAll(fd, Array(text.utf8), isSocket: true) }

    /// The next response line, parsed.
    func response() throws -> JSONValue {
        switch reader.next() {
        case let .line(line): return try JSONParser.parse(line)
        case let other: throw TestFailure("expected a response line, got \(other)")
        }
    }

    /// Shuts down the write side (the server sees end of input) without closing.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// The error object's code and message of a response, or nil if it is not an error response.
    var rpcError: (code: Int, message: String)? {
        guard case let .object(error)? = self["error"], case let .number(code)? = error["code"],
              case let .string(message)? = error["message"], let codeValue = Int(code) else { return nil }
        return (codeValue, message)
    }
}

// MARK: A small API to serve

struct AddParams: Codable, Equatable {
    var a: UInt64
    var b: UInt64
}

struct Sum: Codable, Equatable {
    var sum: UInt64
}

struct RoleRequest: Codable, Equatable {
    var kind: RoleKind
    var worker: Int
    var group: UInt8?
}

struct StartParams: Codable, Equatable {
    var roles: [RoleRequest]
}

/// The handler the tests serve: a few methods shaped like masond's, plus a record of notifications.
final class TestHandler: ControlHandler {
    static let methods = ["add", "echo", "fail", "record", "roles.start"]
    /// Values passed to `record`, in arrival order.
    let recorded = Mutex<[Int]>([])

    func handle(method: String, params: JSONValue?) throws(RPCError) -> JSONValue {
        switch method {
        case "add":
            let p = try RPC.decode(AddParams.self, from: params)
            let (sum, overflow) = p.a.addingReportingOverflow(p.b)
            if overflow { throw .application(code: -32001, "add: \(p.a) + \(p.b) overflows UInt64; pass smaller numbers") }
            return try RPC.encode(Sum(sum: sum))
        case "echo":
            return params ?? .null
        case "fail":
            throw .application(code: -32010, "role 3 is already running; stop it first", data: .object(["endpoint": .number("3")]))
        case "record":
            let value = try RPC.decode([Int].self, from: params)
            recorded.withLock { $0.append(contentsOf: value) }
            return try RPC.encode(true)
        case "roles.start":
            let p = try RPC.decode(StartParams.self, from: params)
            return try RPC.encode(["started": p.roles.count])
        default:
            throw .methodNotFound(method, known: Self.methods)
        }
    }
}

/// A started server on a fresh socket, with its directory; `finish()` stops and cleans up.
/// Should the test still run after a minute, the server is stopped, which ends every connection
/// to it, so a client waiting for an answer fails instead of hanging.
struct ServerFixture {
    let directory: TemporaryDirectory
    let server: ControlServer
    let handler = TestHandler()
    let watchdog: Watchdog
    var path: String { server.socketPath }

    init(maxRequestBytes: Int = 1 << 20, maxConnections: Int = 64, idleTimeout: Duration = ControlServer.defaultIdleTimeout) throws {
        directory = try TemporaryDirectory()
        server = ControlServer(socketPath: directory.file("masond.sock"), handler: handler,
                               maxRequestBytes: maxRequestBytes, maxConnections: maxConnections, idleTimeout: idleTimeout)
        try server.start()
        watchdog = Watchdog { [server] in server.stop() }
    }

    /// Stops the server (again, if the test already did) and removes the directory.
    func finish() {
        watchdog.finish()
        server.stop()
        directory.remove()
    }
}

/// `text` parsed as the server parses a request line; a test whose sample is not JSON fails here.
func parsedJSON(_ text: String) -> JSONValue {
    do {
        return try JSONParser.parse(Array(text.utf8))
    } catch {
        Issue.record("the sample is not JSON: \(error)")
        return .null
    }
}
