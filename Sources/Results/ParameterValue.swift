import Control
import Foundation

/// One run parameter's value (`nproxies: 6`, `mode: "appends"`), kept with its JSON type so that
/// exports and percentile tables show numbers as numbers.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .int(i): try container.encode(i)
        case let .double(d): try container.encode(d)
        case let .string(s): try container.encode(s)
        case let .bool(b): try container.encode(b)
        }
    }

    /// The value a command-line string denotes: an integer, a decimal, `true`/`false`, or text.
    public init(parsing text: String) {
        if let i = Int64(text) {
            self = .int(i)
        } else if let d = Double(text), d.isFinite {
            self = .double(d)
        } else if text == "true" || text == "false" {
            self = .bool(text == "true")
        } else {
            self = .string(text)
        }
    }

    /// The value as a table cell or CSV field: `6`, `0.5`, `appends`, `true`.
    public var description: String {
        switch self {
        case let .int(i): String(i)
        case let .double(d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case let .string(s): s
        case let .bool(b): String(b)
        }
    }

}

extension ParameterValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral
{
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// A run's parameters: what distinguishes the points of a sweep (`nproxies`, `concurrency`, ...).
public typealias RunParameters = [String: ParameterValue]

extension Dictionary where Key == String, Value == ParameterValue {
    /// Parameters from their command-line spellings (`["nproxies": "6"]` → `["nproxies": 6]`).
    public init(parsing strings: [String: String]) {
        self = strings.mapValues(ParameterValue.init(parsing:))
    }
}

enum StoredJSON {
    /// JSON text with sorted keys, so equal values are stored as equal text.
    static func text(_ value: some Encodable) throws -> String {
        try JSONOutput.string(value)
    }

    /// `text` parsed and re-serialised as `text` writes it; nil when it is not JSON.
    static func normalized(_ text: String) -> String? {
        guard let value = try? JSONParser.parse(Array(text.utf8)) else { return nil }
        return try? JSONOutput.string(value)
    }

    static func parameters(_ text: String) throws -> RunParameters {
        try JSONOutput.decoder().decode(RunParameters.self, from: Data(text.utf8))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONOutput.decoder().decode(type, from: Data(text.utf8))
    }
}
