import Foundation

/// Turns one request line into its response line, per JSON-RPC 2.0.
///
/// Batches are supported: a JSON array of requests is answered by an array of the responses to
/// its non-notification members, in request order, and by nothing at all when every member is a
/// notification; an empty array is an invalid request. Blank lines are ignored, so a person
/// typing into `socat` is not punished for pressing return twice.
struct RequestDispatcher: Sendable {
    let handler: any ControlHandler

    /// The response line without its newline, or nil when nothing is to be sent back.
    func respond(to line: [UInt8]) -> [UInt8]? {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        let request: JSONValue
        do {
            request = try JSONParser.parse(line)
        } catch {
            let fix = if case .invalidUTF8 = error { "requests must be UTF-8 JSON" } else { "send one JSON-RPC 2.0 request object per line" }
            return Self.errorResponse(.parseError("\(error); \(fix)"), id: .null)
        }
        guard case let .array(batch) = request else {
            return respond(to: request, label: "request").map(JSONWriter.serialize)
        }
        guard !batch.isEmpty else {
            return Self.errorResponse(.invalidRequest("empty batch: send at least one request object in the array"), id: .null)
        }
        let responses = batch.enumerated().compactMap { index, element in respond(to: element, label: "batch[\(index)]") }
        return responses.isEmpty ? nil : JSONWriter.serialize(.array(responses))
    }

    /// The response to one request object; nil for a well-formed notification. `label` names the
    /// request in error messages ("request", or "batch[2]" inside a batch).
    private func respond(to request: JSONValue, label: String) -> JSONValue? {
        guard case let .object(members) = request else {
            return Self.error(.invalidRequest("\(label): expected a JSON-RPC 2.0 request object, got \(request.briefDescription)"), id: .null)
        }
        // The id first: a request that is wrong in other ways is still answered under its id.
        let id = members["id"]
        if let id {
            switch id {
            case .number, .string, .null: break
            default:
                return Self.error(.invalidRequest("\(label).id: expected a number, a string or null, got \(id.briefDescription)"), id: .null)
            }
        }
        let replyID = id ?? .null
        switch members["jsonrpc"] {
        case .string("2.0"): break
        case nil: return Self.error(.invalidRequest("\(label).jsonrpc: required but missing; set it to \"2.0\""), id: replyID)
        case let other?: return Self.error(.invalidRequest("\(label).jsonrpc: expected \"2.0\", got \(other.briefDescription)"), id: replyID)
        }
        let method: String
        switch members["method"] {
        case let .string(name): method = name
        case nil: return Self.error(.invalidRequest("\(label).method: required but missing; name the method to call as a string"), id: replyID)
        case let other?: return Self.error(.invalidRequest("\(label).method: expected a string, got \(other.briefDescription)"), id: replyID)
        }
        let params = members["params"]
        if let params, !isStructured(params) {
            return Self.error(.invalidRequest("\(label).params: expected an object or an array, got \(params.briefDescription)"), id: replyID)
        }

        let outcome = Result { () throws(RPCError) -> JSONValue in try handler.handle(method: method, params: params) }
        guard id != nil else { return nil }  // a notification: handled, never answered
        switch outcome {
        case let .success(result):
            return .object(["jsonrpc": .string("2.0"), "id": replyID, "result": result])
        case let .failure(error):
            return Self.error(error, id: replyID)
        }
    }

    private func isStructured(_ value: JSONValue) -> Bool {
        switch value {
        case .object, .array: true
        default: false
        }
    }

    /// The response object carrying `error`.
    static func error(_ error: RPCError, id: JSONValue) -> JSONValue {
        var body: [String: JSONValue] = ["code": .integer(error.code), "message": .string(error.message)]
        body["data"] = error.data
        return .object(["jsonrpc": .string("2.0"), "id": id, "error": .object(body)])
    }

    static func errorResponse(_ error: RPCError, id: JSONValue) -> [UInt8] { JSONWriter.serialize(Self.error(error, id: id)) }
}
