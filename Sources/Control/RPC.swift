import Foundation

/// Helpers that keep a `ControlHandler` to one line per method:
///
///     case "roles.start": return try RPC.encode(start(try RPC.decode(StartRoles.self, from: params)))
public enum RPC {
    /// Decodes a request's params, mapping every decoding failure to -32602 with a message that
    /// names the field and the problem: `params.roles[2].worker: expected an integer, got a string ("x")`.
    /// Absent params decode as `{}`, so a type whose fields are all optional needs none. A member
    /// the type does not know is refused by name (`params.cluster.proxy: unknown key "maxBatchOp"
    /// (known: ...)`): a misspelled setting would otherwise run with its default, unnoticed.
    public static func decode<T: Decodable>(_ type: T.Type, from params: JSONValue?) throws(RPCError) -> T {
        do {
            return try JSONValueDecoder.decode(type, from: params ?? .object([:]), strict: true)
        } catch let error as DecodingError {
            let message = JSONValueDecoder.describe(error, root: "params")
            throw .invalidParams(params == nil ? "params: required but missing (\(message))" : message)
        } catch {
            throw .invalidParams("params: \(error)")
        }
    }

    /// Encodes a method's result; a value JSON cannot carry (a NaN, say) is an internal error.
    public static func encode<T: Encodable>(_ value: T) throws(RPCError) -> JSONValue {
        do {
            return try JSONValueEncoder.encode(value)
        } catch {
            throw .internalError("could not encode the \(T.self) result: \(error)")
        }
    }
}
