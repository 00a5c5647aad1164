import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A connection to masond's control API: over its Unix socket, or over any pair of descriptors,
/// such as the pipes of an `ssh node masond dial-stdio` subprocess.
///
/// One request is outstanding at a time (concurrent callers take turns); ids count up from 1.
/// Calls throw `RPCError` when the daemon answers with an error and `ControlError` when the
/// connection fails (no daemon, connection closed, a response that is not JSON-RPC).
/// Writing to a pipe whose reader has gone fails with `ControlError.connectionClosed`; no
/// SIGPIPE is raised.
///
/// Every call has a deadline (`Deadlines`): a peer that does not answer within it fails the call
/// with `ControlError.noAnswer`, and the connection is closed, so a late answer is never read as
/// the next call's.
public final class ControlClient: Sendable {
    /// How long each method may take to answer.
    public struct Deadlines: Sendable, Equatable {
        /// Quick questions: roles.status, roles.crash, anything not named below.
        public var standard: Duration
        /// Methods that open or close transports, gather the node, or return a whole run's
        /// results: roles.start, node.reset, node.info, run.results.
        public var slow: Duration
        /// Added to a roles.stop's drain (its `drainMillis`, else the daemon's 2 s default).
        public var drainMargin: Duration

        public init(standard: Duration = .seconds(10), slow: Duration = .seconds(30), drainMargin: Duration = .seconds(10)) {
            precondition(standard > .zero && slow > .zero && drainMargin > .zero, "deadlines must be positive")
            self.standard = standard
            self.slow = slow
            self.drainMargin = drainMargin
        }

        /// The daemon's drain when a roles.stop names none (Daemon.stop).
        static let defaultDrain = Duration.milliseconds(2_000)

        /// How long `method` with `params` may take.
        func deadline(for method: String, params: JSONValue?) -> Duration {
            switch method {
            case "roles.start", "node.reset", "node.info", "run.results":
                return slow
            case "roles.stop":
                var drain = Self.defaultDrain
                if case let .object(members)? = params, case let .number(text)? = members["drainMillis"], let millis = Double(text),
                   millis.isFinite, millis >= 0
                {
                    drain = .milliseconds(Int64(min(millis, 86_400_000)))
                }
                return drain + drainMargin
            default:
                return standard
            }
        }
    }

    /// Names the other end in errors: the socket path, or what the caller passed.
    public let peer: String
    public let maxResponseBytes: Int
    public let deadlines: Deadlines
    private let channel: Mutex<Channel>

    private struct Channel {
        let reader: LineReader
        let writer: LineWriter
        /// The descriptors `close()` closes; empty when the caller keeps them.
        let owned: [Int32]
        var closed = false
        var nextID: UInt64 = 1
    }

    /// Connects to the daemon at `socketPath`; throws `ControlError.noDaemon` when none is there.
    public convenience init(socketPath: String, maxResponseBytes: Int = 64 << 20, deadlines: Deadlines = Deadlines()) throws(ControlError) {
        let fd = try UnixSocket.connect(path: socketPath)
        self.init(reading: fd, writing: fd, peer: socketPath, ownsDescriptors: true, maxResponseBytes: maxResponseBytes,
                  deadlines: deadlines)
    }

    /// Speaks over `reading` (responses come from it) and `writing` (requests go to it), which may
    /// be the same socket. With `ownsDescriptors`, `close()` closes them.
    public init(reading: Int32, writing: Int32, peer: String, ownsDescriptors: Bool, maxResponseBytes: Int = 64 << 20,
                deadlines: Deadlines = Deadlines()) {
        self.peer = peer
        self.maxResponseBytes = maxResponseBytes
        self.deadlines = deadlines
        let owned = ownsDescriptors ? Array(Set([reading, writing])) : []
        channel = Mutex(Channel(reader: LineReader(fd: reading, maxLineBytes: maxResponseBytes),
                                writer: LineWriter(fd: writing, peer: peer), owned: owned))
    }

    deinit { close() }

    /// Closes the descriptors this client owns; later calls fail with `connectionClosed`.
    /// Waits for a call in progress to finish.
    public func close() {
        channel.withLock { Self.close(&$0) }
    }

    private static func close(_ channel: inout Channel) {
        guard !channel.closed else { return }
        channel.closed = true
        for fd in channel.owned { Glibc.close(fd) }
    }

    /// Calls `method` with `params` (an object or an array, or nil for none) and returns its
    /// result as parsed, undecoded.
    public func call(method: String, params: JSONValue? = nil) throws -> JSONValue {
        try call(method, params)
    }

    /// Calls `method` with `params` encoded as JSON and decodes its result as `Result`.
    public func call<Params: Encodable, Result: Decodable>(
        _ method: String, params: Params, as resultType: Result.Type = Result.self
    ) throws -> Result {
        let value = try call(method, try RPC.encode(params))
        return try decodeResult(resultType, from: value, method: method)
    }

    /// Calls `method` without params and decodes its result as `Result`.
    public func call<Result: Decodable>(_ method: String, as resultType: Result.Type = Result.self) throws -> Result {
        try decodeResult(resultType, from: try call(method, nil), method: method)
    }

    private func decodeResult<Result: Decodable>(_ type: Result.Type, from value: JSONValue, method: String) throws -> Result {
        do {
            return try JSONValueDecoder.decode(type, from: value)
        } catch let error as DecodingError {
            throw ControlError.invalidResponse(peer: peer, reason: "the result of \(method) does not fit \(Result.self): "
                + JSONValueDecoder.describe(error, root: "result"))
        }
    }

    /// Sends one request and waits for its response.
    private func call(_ method: String, _ params: JSONValue?) throws -> JSONValue {
        if let params {
            switch params {
            case .object, .array: break
            default: throw RPCError.invalidParams("params of \(method) must be an object or an array, got \(params.briefDescription)")
            }
        }
        let allowed = deadlines.deadline(for: method, params: params)
        return try channel.withLock { channel throws -> JSONValue in
            guard !channel.closed else { throw ControlError.connectionClosed(peer: peer) }
            let deadline = ContinuousClock.now + allowed
            let id = channel.nextID
            channel.nextID += 1
            var request: [String: JSONValue] = ["jsonrpc": .string("2.0"), "id": .integer(id), "method": .string(method)]
            request["params"] = params
            do {
                try channel.writer.write(line: JSONWriter.serialize(.object(request)))
            } catch let error as ControlError {
                // The server may have said why before closing (an idle connection): its sentence,
                // a null-id error, is the better error.
                guard case .connectionClosed = error else { throw error }
                let parting = channel.reader.next(before: ContinuousClock.now + .milliseconds(100))
                if case .line = parting { _ = try readResponse(parting, id: id) }
                throw error
            }
            let event = channel.reader.next(before: deadline)
            if event == .timedOut {
                Self.close(&channel)
                let (seconds, attoseconds) = allowed.components
                throw ControlError.noAnswer(peer: peer, method: method, seconds: Double(seconds) + Double(attoseconds) / 1e18)
            }
            return try readResponse(event, id: id)
        }
    }

    private func readResponse(_ event: LineReader.Event, id: UInt64) throws -> JSONValue {
        switch event {
        case .timedOut:
            preconditionFailure("a timed-out read is handled by the caller")
        case let .line(line):
            let response: JSONValue
            do {
                response = try JSONParser.parse(line)
            } catch {
                throw ControlError.invalidResponse(peer: peer, reason: "\(error)")
            }
            return try interpret(response, id: id)
        case .tooLong:
            throw ControlError.responseTooLarge(peer: peer, limitBytes: maxResponseBytes)
        case .end:
            throw ControlError.connectionClosed(peer: peer)
        case let .failed(code):
            if code == ECONNRESET || code == EBADF { throw ControlError.connectionClosed(peer: peer) }
            throw ControlError.system(operation: "read from", path: peer, errno: code)
        }
    }

    /// The result of the response to request `id`, or its error thrown as `RPCError`. An error
    /// with a null id is the server refusing the connection or the line, and is thrown as well.
    private func interpret(_ response: JSONValue, id: UInt64) throws -> JSONValue {
        guard case let .object(members) = response, members["jsonrpc"] == .string("2.0") else {
            throw ControlError.invalidResponse(peer: peer, reason: "expected a JSON-RPC 2.0 response object, got \(response.briefDescription)")
        }
        let responseID = members["id"] ?? .null
        if case let .object(error)? = members["error"], responseID == .integer(id) || responseID == .null {
            guard case let .number(codeText)? = error["code"], let code = Int(codeText), case let .string(message)? = error["message"] else {
                throw ControlError.invalidResponse(peer: peer, reason: "error without an integer code and a string message")
            }
            throw RPCError(code: code, message: message, data: error["data"])
        }
        guard responseID == .integer(id) else {
            throw ControlError.invalidResponse(peer: peer, reason: "expected the response to request \(id), got one with id \(responseID.briefDescription)")
        }
        guard let result = members["result"] else {
            throw ControlError.invalidResponse(peer: peer, reason: "response to request \(id) has neither result nor error")
        }
        return result
    }
}
