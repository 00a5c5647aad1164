import Foundation

/// Encodes an `Encodable` straight into a `JSONValue`: what a control handler returns and what
/// `ControlClient` sends as params, so the control boundary writes JSON once (with `JSONWriter`)
/// and never parses its own output again.
///
/// Values come out as `JSONEncoder` writes them by default, so the bytes on the wire are the ones
/// it wrote: integers exactly, a `Double` as its shortest text without a trailing `.0`, `Data` as
/// base64, `URL` as its string, `Decimal` as its number, `Date` as `Date` encodes itself. A NaN
/// or an infinity cannot be written and fails with `EncodingError.invalidValue`; so does a value
/// that encodes nothing at the top level.
enum JSONValueEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Node()
        try root.store(value, at: [])
        guard let encoded = root.value else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) did not encode any value"))
        }
        return encoded
    }
}

/// One value of the tree being built. A container is filled in place, so nested encoders can
/// add members after their parent handed them out (as `Encoder` allows).
private final class Node {
    var scalar: JSONValue?
    var members: [String: Node]?
    var elements: [Node]?

    /// What was encoded into this node; nil when nothing was.
    var value: JSONValue? {
        if let members { return .object(members.compactMapValues(\.value)) }
        if let elements { return .array(elements.map { $0.value ?? .object([:]) }) }
        return scalar
    }

    func makeObject() {
        if members == nil { members = [:] }
    }

    func makeArray() {
        if elements == nil { elements = [] }
    }

    /// Encodes `value` into this node.
    func store<T: Encodable>(_ value: T, at path: [any CodingKey]) throws {
        if let scalar = try Self.scalar(value, at: path) {
            self.scalar = scalar
        } else {
            try value.encode(to: TreeEncoder(node: self, codingPath: path))
        }
    }

    /// The JSON scalar of a primitive (and of the Foundation types `JSONEncoder` writes specially);
    /// nil for anything that encodes itself.
    static func scalar<T: Encodable>(_ value: T, at path: [any CodingKey]) throws -> JSONValue? {
        switch value {
        case let b as Bool: return .bool(b)
        case let s as String: return .string(s)
        case let d as Double: return try number(d, value, path)
        case let f as Float: return try number(f, value, path)
        case let i as Int: return .integer(i)
        case let i as Int8: return .integer(i)
        case let i as Int16: return .integer(i)
        case let i as Int32: return .integer(i)
        case let i as Int64: return .integer(i)
        case let u as UInt: return .integer(u)
        case let u as UInt8: return .integer(u)
        case let u as UInt16: return .integer(u)
        case let u as UInt32: return .integer(u)
        case let u as UInt64: return .integer(u)
        case let data as Data: return .string(data.base64EncodedString())
        case let url as URL: return .string(url.absoluteString)
        case let decimal as Decimal: return .number(decimal.description)
        default: return nil
        }
    }

    /// A finite float as `JSONEncoder` writes it: its description, without a trailing `.0`.
    private static func number<F: BinaryFloatingPoint & CustomStringConvertible>(
        _ float: F, _ value: any Encodable, _ path: [any CodingKey]
    ) throws -> JSONValue {
        guard float.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(float) cannot be written as JSON"))
        }
        var text = float.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(ObjectEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return ArrayEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        ScalarEncoder(node: node, codingPath: codingPath)
    }
}

private struct ObjectEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> Node { child(named: key.stringValue) }

    private func child(named name: String) -> Node {
        let child = Node()
        node.members?[name] = child
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).scalar = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try child(key).store(value, at: codingPath + [key]) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(value, generic: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(value, generic: key) }

    /// The generic path under another name, so the concrete overloads above cannot call themselves.
    private func encode<T: Encodable>(_ value: T, generic key: Key) throws { try child(key).store(value, at: codingPath + [key]) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(node: child(named: "super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: child(key), codingPath: codingPath + [key]) }
}

private struct ArrayEncoder: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.elements?.count ?? 0 }

    private func next() -> (Node, [any CodingKey]) {
        let child = Node()
        let path = codingPath + [IndexKey(count)]
        node.elements?.append(child)
        return (child, path)
    }

    mutating func encodeNil() throws { next().0.scalar = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeNext(value) }
    mutating func encode(_ value: Bool) throws { try encodeNext(value) }
    mutating func encode(_ value: String) throws { try encodeNext(value) }
    mutating func encode(_ value: Double) throws { try encodeNext(value) }
    mutating func encode(_ value: Float) throws { try encodeNext(value) }
    mutating func encode(_ value: Int) throws { try encodeNext(value) }
    mutating func encode(_ value: Int8) throws { try encodeNext(value) }
    mutating func encode(_ value: Int16) throws { try encodeNext(value) }
    mutating func encode(_ value: Int32) throws { try encodeNext(value) }
    mutating func encode(_ value: Int64) throws { try encodeNext(value) }
    mutating func encode(_ value: UInt) throws { try encodeNext(value) }
    mutating func encode(_ value: UInt8) throws { try encodeNext(value) }
    mutating func encode(_ value: UInt16) throws { try encodeNext(value) }
    mutating func encode(_ value: UInt32) throws { try encodeNext(value) }
    mutating func encode(_ value: UInt64) throws { try encodeNext(value) }

    /// The generic path under another name, so the concrete overloads above cannot call themselves.
    private func encodeNext<T: Encodable>(_ value: T) throws {
        let (child, path) = next()
        try child.store(value, at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (child, path) = next()
        return TreeEncoder(node: child, codingPath: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let (child, path) = next()
        return TreeEncoder(node: child, codingPath: path).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let (child, path) = next()
        return TreeEncoder(node: child, codingPath: path)
    }
}

private struct ScalarEncoder: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.scalar = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, at: codingPath) }
    mutating func encode(_ value: Bool) throws { try store(value) }
    mutating func encode(_ value: String) throws { try store(value) }
    mutating func encode(_ value: Double) throws { try store(value) }
    mutating func encode(_ value: Float) throws { try store(value) }
    mutating func encode(_ value: Int) throws { try store(value) }
    mutating func encode(_ value: Int8) throws { try store(value) }
    mutating func encode(_ value: Int16) throws { try store(value) }
    mutating func encode(_ value: Int32) throws { try store(value) }
    mutating func encode(_ value: Int64) throws { try store(value) }
    mutating func encode(_ value: UInt) throws { try store(value) }
    mutating func encode(_ value: UInt8) throws { try store(value) }
    mutating func encode(_ value: UInt16) throws { try store(value) }
    mutating func encode(_ value: UInt32) throws { try store(value) }
    mutating func encode(_ value: UInt64) throws { try store(value) }

    /// The generic path under another name, so the concrete overloads above cannot call themselves.
    private func store<T: Encodable>(_ value: T) throws { try node.store(value, at: codingPath) }
}
