/// A parsed JSON value, as the control API sees it before any typed decoding.
///
/// Numbers keep their source text, so any integer (a `UInt64` counter as well as an `Int64`) and
/// any decimal survives a parse and re-serialisation unchanged; a typed decoder converts the text
/// to the type it wants and says so when it does not fit. Objects are unordered: the parser
/// rejects duplicate keys, so no member is silently dropped.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's text exactly as it appeared, already checked against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// What kind of value this is, in words for error messages: "a string", "an object", ...
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The kind, with the value itself when it is short enough to help: `a string ("x")`, `1.5`.
    var briefDescription: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return "a boolean (\(b))"
        case let .number(text): return text.count <= 40 ? text : "a number"
        case let .string(s):
            let shown = s.count <= 40 ? s : s.prefix(40) + "..."
            return "a string (\"\(shown)\")"
        case .array, .object: return kindDescription
        }
    }

    /// Builds a number value from an integer.
    static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { members[key] } else { nil }
    }
}
