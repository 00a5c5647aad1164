import Foundation

/// The one JSON encoder for everything a user or a file sees: the `--json` output of every
/// command, `results export --json`, machine_info.json, masond's serve config, pending attempt
/// files, the simulator's records, the JSON the results database stores.
///
/// Its options are fixed so that every output is written the same way: keys sorted (the order
/// every output had before, and equal values give equal bytes, so outputs diff and compare),
/// slashes unescaped (paths stay readable), dates as ISO 8601. Only the layout differs: one line
/// for a command's output, pretty-printed for a file a person opens.
///
/// The control protocol does not use it: requests and responses are `JSONValue`s written by
/// `JSONWriter`, which keeps numbers as the exact text they were parsed from.
public enum JSONOutput {
    public enum Layout: Sendable {
        /// Compact, one line: a command's `--json` output, a record in the database.
        case line
        /// Pretty-printed: a file a person reads (machine_info.json, serve.json).
        case document
    }

    /// `value` encoded. Fails only for a value JSON cannot carry (a NaN or an infinity).
    public static func data(_ value: some Encodable, layout: Layout = .line) throws -> Data {
        try encoder(layout).encode(value)
    }

    /// `value` encoded, as text without a final newline.
    public static func string(_ value: some Encodable, layout: Layout = .line) throws -> String {
        String(decoding: try data(value, layout: layout), as: UTF8.self)
    }

    /// The decoder reading what `data` wrote (dates as ISO 8601).
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    private static func encoder(_ layout: Layout) -> JSONEncoder {
        let encoder = JSONEncoder()
        switch layout {
        case .line: encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        case .document: encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        }
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
