import Foundation
import Testing
import Control

/// `JSONOutput`, the one encoder of what users and files see: its fixed options are the ones the
/// outputs had, so scripts reading them do not notice the change.
@Suite struct JSONOutputTests {
    struct Row: Encodable {
        var zebra = 1
        var apple = "a/b"
        var ratio = 1250.0
        var when = Date(timeIntervalSince1970: 0)
        @ExplicitNull var missing: String?
        var skipped: Int?
    }

    @Test func aLineHasSortedKeysUnescapedSlashesAndISODates() throws {
        #expect(try JSONOutput.string(Row()) == #"{"apple":"a/b","missing":null,"ratio":1250,"when":"1970-01-01T00:00:00Z","zebra":1}"#)
    }

    @Test func aDocumentIsTheSameValuesPrettyPrinted() throws {
        let document = try JSONOutput.string(Row(), layout: .document)
        #expect(document.contains("\n  \"apple\" : \"a/b\",\n"))
        #expect(document.contains("\"missing\" : null"))
        let line = try JSONOutput.data(Row())
        let reparsed = try JSONSerialization.jsonObject(with: Data(document.utf8)) as? NSDictionary
        #expect(reparsed == (try JSONSerialization.jsonObject(with: line) as? NSDictionary))
    }

    @Test func theDecoderReadsWhatItWrites() throws {
        struct Stamp: Codable, Equatable { var at: Date }
        let stamp = Stamp(at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(try JSONOutput.decoder().decode(Stamp.self, from: JSONOutput.data(stamp)) == stamp)
    }

    @Test func aStoredJSONValueIsWrittenWithItsNumbersAsNumbers() throws {
        let stored = try JSONParser.parse(Array(#"{"b":[1.0,2.5e3,18446744073709551615],"a":null}"#.utf8))
        #expect(try JSONOutput.string(stored) == #"{"a":null,"b":[1,2500,18446744073709551615]}"#)
    }

    @Test func aValueJSONCannotCarryFails() {
        #expect(throws: EncodingError.self) { try JSONOutput.string(["ratio": Double.nan]) }
    }
}
