import Foundation

/// A JSON-RPC 2.0 error: what a handler throws, what the server sends back, and what
/// `ControlClient` throws when the daemon answers with an error.
///
/// `message` is one sentence naming the bad input and what would fix it, e.g.
/// `params.roles[2].worker: expected an integer, got a string ("x")`.
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON-RPC error codes this API uses.
    public enum Code {
        /// The line is not UTF-8 JSON.
        public static let parseError = -32700
        /// The JSON is not a JSON-RPC 2.0 request, or the line is too long.
        public static let invalidRequest = -32600
        /// No such method.
        public static let methodNotFound = -32601
        /// The method exists but its params are wrong.
        public static let invalidParams = -32602
        /// The daemon failed in a way the request could not have caused.
        public static let internalError = -32603
        /// Codes the daemon's own errors ("role already running", ...) are drawn from.
        public static let applicationRange = -32099 ... -32000
        /// The server has no room for another connection (the application range's first code).
        public static let tooManyConnections = -32000
    }

    public var code: Int
    public var message: String
    /// Optional structured detail (nil when absent).
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static func parseError(_ message: String) -> RPCError { RPCError(code: Code.parseError, message: message) }

    public static func invalidRequest(_ message: String) -> RPCError { RPCError(code: Code.invalidRequest, message: message) }

    /// `method "x" not found; known methods: a, b`.
    public static func methodNotFound(_ method: String, known: [String]) -> RPCError {
        let knownList = known.isEmpty ? "this server has none" : "known methods: " + known.sorted().joined(separator: ", ")
        return RPCError(code: Code.methodNotFound, message: "method \"\(method)\" not found; \(knownList)")
    }

    public static func invalidParams(_ message: String) -> RPCError { RPCError(code: Code.invalidParams, message: message) }

    public static func internalError(_ message: String) -> RPCError { RPCError(code: Code.internalError, message: message) }

    /// An error of the daemon's own; `code` must lie in `Code.applicationRange`.
    public static func application(code: Int, _ message: String, data: JSONValue? = nil) -> RPCError {
        precondition(Code.applicationRange.contains(code), "application error codes lie in -32099...-32000, got \(code)")
        return RPCError(code: code, message: message, data: data)
    }

    public var description: String { "\(message) (JSON-RPC error \(code))" }
}
