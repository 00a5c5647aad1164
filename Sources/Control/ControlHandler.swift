/// What the daemon implements: one call per request, whatever connection it came from.
///
/// Called concurrently from several connection threads, hence `Sendable`. A notification (a
/// request without an `id`) is handled like any request and its result or error discarded.
public protocol ControlHandler: AnyObject, Sendable {
    /// Handles one request. `params` is the request's params as the server parsed them, an
    /// object or an array (nil when absent); returns the result (`RPC.encode` makes it from a
    /// value). Throw `RPCError.methodNotFound` for an unknown method and `RPCError.invalidParams`
    /// (which `RPC.decode` does for you) for bad params.
    func handle(method: String, params: JSONValue?) throws(RPCError) -> JSONValue
}
