/// Why a line is not JSON, with the byte offset where it stops being so.
public enum JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not UTF-8; `byte` is the first one that cannot start or continue a character.
    case invalidUTF8(offset: Int, byte: UInt8)
    /// The text is UTF-8 but not JSON.
    case invalid(offset: Int, reason: String)

    public var description: String {
        switch self {
        case let .invalidUTF8(offset, byte):
            "invalid UTF-8 at byte \(offset) (0x\(String(byte, radix: 16, uppercase: true)))"
        case let .invalid(offset, reason):
            "invalid JSON at byte \(offset): \(reason)"
        }
    }
}

/// A strict RFC 8259 parser: one JSON value per input, optional surrounding whitespace, UTF-8
/// only, no duplicate object keys, nesting bounded by `maxDepth` so a hostile line cannot exhaust
/// the stack. Numbers are kept as text (see `JSONValue`).
public struct JSONParser {
    /// Deeper nesting than any control request needs, shallow enough for a thread's stack.
    static let maxDepth = 256

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses `bytes` as exactly one JSON value.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try validateUTF8(bytes)
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.error("unexpected \(parser.describeCurrent()) after the value; send one value per line")
        }
        return value
    }

    /// Throws at the first byte that is not part of a well-formed UTF-8 sequence.
    static func validateUTF8(_ bytes: [UInt8]) throws(JSONSyntaxError) {
        if String(validating: bytes, as: UTF8.self) != nil { return }
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch decoder.parseScalar(from: &iterator) {
            case let .valid(encoded): offset += encoded.count
            case .emptyInput: return
            case .error: throw .invalidUTF8(offset: offset, byte: bytes[offset])
            }
        }
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input; expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected \(describeCurrent()); expected a value")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enterNesting()
        index += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { depth -= 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeCurrent()); expected an object key in double quotes")
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else {
                throw error("unexpected \(describeCurrent()); expected ':' after the key \"\(key)\"")
            }
            skipWhitespace()
            let value = try parseValue()
            guard members.updateValue(value, forKey: key) == nil else {
                throw .invalid(offset: keyOffset, reason: "duplicate key \"\(key)\" in an object")
            }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { depth -= 1; return .object(members) }
            throw error("unexpected \(describeCurrent()); expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enterNesting()
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { depth -= 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { depth -= 1; return .array(elements) }
            throw error("unexpected \(describeCurrent()); expected ',' or ']' in an array")
        }
    }

    private mutating func enterNesting() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("arrays and objects nest deeper than \(Self.maxDepth) levels") }
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote. The input is already valid UTF-8.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1  // "
        var scalars: [UInt8] = []
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                scalars.append(contentsOf: bytes[runStart..<index])
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                scalars.append(contentsOf: bytes[runStart..<index])
                try parseEscape(into: &scalars)
                runStart = index
            case 0..<0x20:
                throw error("control character 0x\(String(byte, radix: 16)) in a string; escape it (\\n, \\t, \\u00XX)")
            default:
                index += 1
            }
        }
        throw error("unexpected end of input inside a string; expected a closing '\"'")
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        index += 1  // backslash
        guard index < bytes.count else { throw error("unexpected end of input after '\\' in a string") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let escapeOffset = index - 2
            let first = try parseHex4()
            var scalarValue = UInt32(first)
            if (0xD800...0xDBFF).contains(first) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw .invalid(offset: escapeOffset, reason: "unpaired surrogate \\u\(hex(first)); a high surrogate must be followed by a \\u low surrogate")
                }
                index += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw .invalid(offset: escapeOffset, reason: "unpaired surrogate \\u\(hex(first)) followed by \\u\(hex(second))")
                }
                scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(first) {
                throw .invalid(offset: escapeOffset, reason: "unpaired surrogate \\u\(hex(first)); a low surrogate must follow a high one")
            }
            // Surrogates were combined or rejected above, so every value here is a scalar.
            guard let scalar = Unicode.Scalar(scalarValue) else { preconditionFailure("\\u escape left a surrogate") }
            UTF8.encode(scalar) { out.append($0) }
        default:
            throw .invalid(offset: index - 2, reason: "invalid escape '\\\(Character(Unicode.Scalar(escaped)))' in a string")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of input in a \\u escape; expected 4 hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("unexpected \(describeCurrent()) in a \\u escape; expected 4 hex digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    // MARK: Numbers and literals

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as its text.
    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            if index < bytes.count, isDigit(bytes[index]) {
                throw error("leading zero in a number; write integers without leading zeros")
            }
        } else {
            try digits(after: "'-'")
        }
        if consume(UInt8(ascii: ".")) { try digits(after: "the decimal point") }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            try digits(after: "the exponent marker")
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func digits(after what: String) throws(JSONSyntaxError) {
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("unexpected \(describeCurrent()); expected a digit after \(what)")
        }
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = index
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard index < bytes.count, bytes[index] == byte else {
                throw .invalid(offset: start, reason: "unexpected \(describe(at: start)); expected a value (did you mean \(literal)?)")
            }
            index += 1
        }
    }

    // MARK: Scanning

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private func describeCurrent() -> String { describe(at: index) }

    private func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func error(_ reason: String) -> JSONSyntaxError { .invalid(offset: index, reason: reason) }
}
