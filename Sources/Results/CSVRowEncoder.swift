/// A row of a CSV table as a type: its stored properties are the columns, named and ordered by
/// its `CodingKeys` (declared `CaseIterable`), so the header and every row come from one place.
protocol CSVRow: Encodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension CSVRow {
    /// The header: every column, in declaration order.
    static var columns: [String] { CodingKeys.allCases.map(\.stringValue) }

    /// The row's cells in `columns` order: numbers and booleans as Swift writes them (`2.0`,
    /// `true`), an absent value as an empty cell.
    var cells: [String] {
        let sink = CellSink()
        do {
            try encode(to: CellEncoder(sink: sink))
        } catch {
            preconditionFailure("a CSV row of plain values cannot fail to encode: \(error)")
        }
        return Self.columns.map { sink.cells[$0] ?? "" }
    }
}

extension CSVTable {
    /// A table of `rows`, headed by their columns.
    init<Row: CSVRow>(_ rows: [Row]) {
        self.init(header: Row.columns, rows: rows.map(\.cells))
    }
}

private final class CellSink {
    var cells: [String: String] = [:]
}

/// Flattens a row into cells. A row is flat by construction; a nested value is a programming error.
private struct CellEncoder: Encoder {
    let sink: CellSink
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(CellContainer<Key>(sink: sink))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { preconditionFailure("a CSV row is an object of plain values") }
    func singleValueContainer() -> any SingleValueEncodingContainer { preconditionFailure("a CSV row is an object of plain values") }
}

private struct CellContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: CellSink
    var codingPath: [any CodingKey] { [] }

    private func put(_ text: String, _ key: Key) { sink.cells[key.stringValue] = text }

    mutating func encodeNil(forKey key: Key) throws { put("", key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(String(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(String(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { put(String(describing: value), key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure("a CSV row is flat; \(key.stringValue) is not")
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        preconditionFailure("a CSV row is flat; \(key.stringValue) is not")
    }

    mutating func superEncoder() -> any Encoder { preconditionFailure("a CSV row has no superclass") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure("a CSV row is flat; \(key.stringValue) is not") }
}
