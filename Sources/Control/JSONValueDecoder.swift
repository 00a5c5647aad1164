import Foundation

/// Decodes `Decodable` types from a `JSONValue`, with errors that name what was expected and what
/// was found (`expected an integer from 0 to 255, got 300`), which Foundation's `JSONDecoder` does
/// not always do (an out-of-range integer there is "not valid JSON", at no coding path).
///
/// Integers decode from integer text only (no fraction or exponent) and must fit the target type;
/// floating-point numbers must be finite. `Data` is base64 text, `URL` a string and `Decimal` a
/// number, matching what `JSONEncoder` writes by default.
///
/// `strict` (control requests): an object member the type never asks for is an error naming it
/// and the keys the type knows, so a misspelled setting is refused instead of silently ignored.
/// Replies are decoded leniently, so a newer daemon may add result fields.
enum JSONValueDecoder {
    /// Throws `DecodingError`; its `codingPath` and `debugDescription` together say what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, strict: Bool = false) throws -> T {
        try decodeValue(type, from: value, at: [], strict: strict)
    }

    /// One line naming where and what: `params.roles[2].worker: expected an integer, got a string`.
    static func describe(_ error: DecodingError, root: String) -> String {
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(describePath(context.codingPath, root: root)): \(context.debugDescription)"
        case let .keyNotFound(key, context):
            return "\(describePath(context.codingPath + [key], root: root)): required but missing"
        @unknown default:
            return "\(root): \(error)"
        }
    }

    /// `root.key[3].other`: array positions in brackets, object keys after dots (no leading dot
    /// when `root` is empty). Positions are keys with an integer value, also `JSONDecoder`'s.
    static func describePath(_ path: [any CodingKey], root: String) -> String {
        var text = root
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text.isEmpty ? "the document" : text
    }

    /// The single funnel every container uses, so special cases and enum messages apply everywhere.
    static func decodeValue<T: Decodable>(_ type: T.Type, from value: JSONValue, at path: [any CodingKey], strict: Bool) throws -> T {
        if type == Data.self {
            guard case let .string(text) = value else { throw mismatch(type, "base64 data in a string", value, path) }
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "expected base64 data, got \(value.briefDescription)"))
            }
            return data as! T  // type == Data.self
        }
        if type == URL.self {
            guard case let .string(text) = value else { throw mismatch(type, "a URL in a string", value, path) }
            guard let url = URL(string: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "expected a URL, got \(value.briefDescription)"))
            }
            return url as! T  // type == URL.self
        }
        if type == Decimal.self {
            guard case let .number(text) = value, let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw mismatch(type, "a number", value, path)
            }
            return decimal as! T  // type == Decimal.self
        }
        do {
            let tracker = strict ? KeyTracker() : nil
            let decoded = try T(from: ValueDecoder(value: value, codingPath: path, tracker: tracker))
            if let tracker, case let .object(members) = value { try tracker.refuseUnknown(members, at: path) }
            return decoded
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.count == path.count {
            // A RawRepresentable enum rejected its raw value: list the values it accepts.
            guard let cases = caseNames(type) else { throw DecodingError.dataCorrupted(context) }
            throw DecodingError.dataCorrupted(.init(
                codingPath: path, debugDescription: "expected one of \(cases), got \(value.briefDescription)"))
        }
    }

    private static func caseNames<T>(_ type: T.Type) -> String? {
        guard let enumeration = type as? any CaseIterable.Type else { return nil }
        func names<E: CaseIterable>(_: E.Type) -> [String] {
            E.allCases.map { element in
                if let raw = element as? any RawRepresentable { "\(raw.rawValue)" } else { "\(element)" }
            }
        }
        return names(enumeration).map { "\"\($0)\"" }.joined(separator: ", ")
    }

    static func mismatch<T>(_ type: T.Type, _ expected: String, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        if value == .null {
            return .valueNotFound(type, .init(codingPath: path, debugDescription: "expected \(expected), got null"))
        }
        return .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected), got \(value.briefDescription)"))
    }
}

/// A position in an array, so paths print as `[3]`.
struct IndexKey: CodingKey {
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
    var stringValue: String { "[\(index)]" }
    var intValue: Int? { index }
}

/// The keys a type asked an object for (`decode`, `decodeIfPresent`, `contains`), so that after
/// the type has decoded, the members it never asked for can be named. Shared by the copies of one
/// value's `Decoder` and its keyed container; a class so those value-type copies see one record.
private final class KeyTracker {
    private(set) var opened = false
    private var asked = Set<String>()
    private var acceptsAny = false

    func open() { opened = true }
    func ask(_ key: String) { asked.insert(key) }
    /// The type enumerated `allKeys` (a dictionary, say): every key is its business.
    func askAll() { acceptsAny = true }

    /// Throws for the first member (in sorted order) the type did not ask for, listing the known ones.
    func refuseUnknown(_ members: [String: JSONValue], at path: [any CodingKey]) throws {
        guard opened, !acceptsAny, let unknown = members.keys.sorted().first(where: { !asked.contains($0) }) else { return }
        let known = asked.sorted().joined(separator: ", ")
        throw DecodingError.dataCorrupted(.init(
            codingPath: path, debugDescription: "unknown key \"\(unknown)\" (known: \(known.isEmpty ? "none" : known))"))
    }
}

/// The `Decoder` for one value in the tree. `tracker` is nil when unknown keys are allowed.
private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var tracker: KeyTracker? = nil
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(members) = value else {
            throw JSONValueDecoder.mismatch([String: JSONValue].self, "an object", value, codingPath)
        }
        tracker?.open()
        return KeyedDecodingContainer(ObjectContainer<Key>(members: members, codingPath: codingPath, tracker: tracker))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .array(elements) = value else {
            throw JSONValueDecoder.mismatch([JSONValue].self, "an array", value, codingPath)
        }
        return ArrayContainer(elements: elements, codingPath: codingPath, strict: tracker != nil)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ScalarContainer(value: value, codingPath: codingPath, strict: tracker != nil)
    }
}

/// A decoder for a nested container: strict like its parent, with a tracker of its own (a nested
/// container's members are not checked afterwards, but what is decoded through them is).
private func nestedDecoder(_ value: JSONValue, _ path: [any CodingKey], strict: Bool) -> ValueDecoder {
    ValueDecoder(value: value, codingPath: path, tracker: strict ? KeyTracker() : nil)
}

/// Converts scalars; every primitive decode in every container ends here.
private struct ScalarContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let strict: Bool

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case let .bool(b) = value else { throw JSONValueDecoder.mismatch(type, "a boolean", value, codingPath) }
        return b
    }

    func decode(_ type: String.Type) throws -> String {
        guard case let .string(s) = value else { throw JSONValueDecoder.mismatch(type, "a string", value, codingPath) }
        return s
    }

    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONValueDecoder.decodeValue(type, from: value, at: codingPath, strict: strict)
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case let .number(text) = value else { throw JSONValueDecoder.mismatch(type, "an integer", value, codingPath) }
        guard !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected an integer, got \(text)"))
        }
        guard let integer = I(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath, debugDescription: "expected an integer from \(I.min) to \(I.max), got \(text)"))
        }
        return integer
    }

    private func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type) throws -> F {
        guard case let .number(text) = value else { throw JSONValueDecoder.mismatch(type, "a number", value, codingPath) }
        guard let number = F(text), number.isFinite else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath, debugDescription: "expected a number within the range of \(F.self), got \(text)"))
        }
        return number
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]
    let tracker: KeyTracker?
    var strict: Bool { tracker != nil }

    var allKeys: [Key] {
        tracker?.askAll()
        return members.keys.compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool {
        tracker?.ask(key.stringValue)
        return members[key.stringValue] != nil
    }

    private func member(_ key: Key) throws -> JSONValue {
        tracker?.ask(key.stringValue)
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required but missing"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONValueDecoder.decodeValue(type, from: try member(key), at: codingPath + [key], strict: strict)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, key) }

    /// The generic path under another name, so the concrete overloads above cannot call themselves.
    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try JSONValueDecoder.decodeValue(type, from: try member(key), at: codingPath + [key], strict: strict)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try nestedDecoder(try member(key), codingPath + [key], strict: strict).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try nestedDecoder(try member(key), codingPath + [key], strict: strict).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        tracker?.ask("super")
        return nestedDecoder(members["super"] ?? .null, codingPath + [SuperKey()], strict: strict)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        tracker?.ask(key.stringValue)
        return nestedDecoder(members[key.stringValue] ?? .null, codingPath + [key], strict: strict)
    }
}

private struct SuperKey: CodingKey {
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
    var stringValue: String { "super" }
    var intValue: Int? { nil }
}

private struct ArrayContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    let strict: Bool
    private(set) var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey], strict: Bool) {
        self.elements = elements
        self.codingPath = codingPath
        self.strict = strict
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element and its path; throws when the array has run out.
    private func next<T>(_ type: T.Type) throws -> (JSONValue, [any CodingKey]) {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(
                codingPath: path, debugDescription: "required but missing: the array has only \(elements.count) elements"))
        }
        return (elements[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        let (value, _) = try next(Any?.self)
        guard value == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        let decoded = try JSONValueDecoder.decodeValue(type, from: value, at: path, strict: strict)
        currentIndex += 1
        return decoded
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeNext(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeNext(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeNext(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeNext(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeNext(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeNext(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeNext(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeNext(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeNext(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeNext(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeNext(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeNext(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeNext(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeNext(type) }

    /// The generic path under another name, so the concrete overloads above cannot call themselves.
    private mutating func decodeNext<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        let decoded = try JSONValueDecoder.decodeValue(type, from: value, at: path, strict: strict)
        currentIndex += 1
        return decoded
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next([String: JSONValue].self)
        let container = try nestedDecoder(value, path, strict: strict).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next([JSONValue].self)
        let container = try nestedDecoder(value, path, strict: strict).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next(Any.self)
        currentIndex += 1
        return nestedDecoder(value, path, strict: strict)
    }
}

extension DecodingError {
    /// One line naming where and what (`nodes[0].host: required but missing`), as the control API
    /// reports bad params; for any decoder's errors (files read with `JSONDecoder` too).
    public func describe(root: String = "") -> String { JSONValueDecoder.describe(self, root: root) }
}
