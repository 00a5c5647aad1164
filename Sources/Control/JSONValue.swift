/// A parsed JSON value, as the control API sees it before any typed decoding.
///
/// Numbers keep their source text, so any integer (a `UInt64` counter as well as an `Int64`) and
/// any decimal survives a parse and re-serialisation unchanged; a typed decoder converts the text
/// to the type it wants and says so when it does not fit. Objects are unordered: the parser
/// rejects duplicate keys, so no member is silently dropped.
public enum JSONValue: Equatable, Sendable {
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

    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { members[key] } else { nil }
    }
}

/// A stored JSON value embedded in an output (`results export --json` shows a run's stored
/// configuration this way). A number is written as the integer or decimal its text denotes,
/// as `JSONEncoder` writes one (`1.0` becomes `1`); the control protocol's `JSONWriter` keeps
/// the text instead.
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .object(members):
            var container = encoder.container(keyedBy: JSONKey.self)
            for (key, value) in members { try container.encode(value, forKey: JSONKey(key)) }
        case let .array(elements):
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case let .bool(b):
            var container = encoder.singleValueContainer()
            try container.encode(b)
        case let .string(s):
            var container = encoder.singleValueContainer()
            try container.encode(s)
        case let .number(text):
            var container = encoder.singleValueContainer()
            if let integer = Int64(text) {
                try container.encode(integer)
            } else if let unsigned = UInt64(text) {
                try container.encode(unsigned)
            } else if let decimal = Double(text) {
                try container.encode(decimal)
            } else {
                preconditionFailure("the parser keeps only JSON numbers, and \(text) is not one")
            }
        }
    }

    private struct JSONKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ key: String) { stringValue = key }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
