import Testing
@testable import Control

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func roundTrip(_ text: String) throws -> String {
        String(decoding: JSONWriter.serialize(try parse(text)), as: UTF8.self)
    }

    @Test func numbersKeepTheirExactText() throws {
        #expect(try roundTrip("[18446744073709551615,-9223372036854775808,0,-0,1.5e-3,1E+400,0.1]")
            == "[18446744073709551615,-9223372036854775808,0,-0,1.5e-3,1E+400,0.1]")
    }

    @Test func structuresAndLiteralsRoundTripCompactly() throws {
        #expect(try roundTrip(#" { "b" : [ true , false , null ] , "a" : { } , "c" : [ ] } "#) == #"{"a":{},"b":[true,false,null],"c":[]}"#)
    }

    @Test func stringEscapesAreDecodedAndReEscaped() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("\"\\/\u{8}\u{C}\n\r\té😀"))
        #expect(try roundTrip(#""tab\there\u0001 é""#) == #""tab\there\u0001 é""#)
        #expect(try roundTrip(#""a\nb""#) == #""a\nb""#)
    }

    @Test func syntaxErrorsNameTheOffsetAndTheExpectation() {
        #expect(throws: JSONSyntaxError.invalid(offset: 7, reason: "unexpected '}'; expected an object key in double quotes")) { try parse(#"{"a":1,}"#) }
        #expect(throws: JSONSyntaxError.invalid(offset: 4, reason: "unexpected '2' after the value; send one value per line")) { try parse("[1] 2") }
        #expect(throws: JSONSyntaxError.invalid(offset: 1, reason: "leading zero in a number; write integers without leading zeros")) { try parse("01") }
        #expect(throws: JSONSyntaxError.invalid(offset: 0, reason: "unexpected 't'; expected a value (did you mean true?)")) { try parse("tru") }
        #expect(throws: JSONSyntaxError.invalid(offset: 9, reason: "duplicate key \"a\" in an object")) { try parse(#"{"a":1 , "a":2}"#) }
        #expect(throws: JSONSyntaxError.invalid(offset: 0, reason: "unexpected end of input; expected a value")) { try parse("") }
        #expect(throws: JSONSyntaxError.invalid(offset: 3, reason: "control character 0xa in a string; escape it (\\n, \\t, \\u00XX)")) { try parse("\"ab\nc\"") }
        #expect(throws: JSONSyntaxError.invalid(offset: 1, reason: "unpaired surrogate \\uD800; a high surrogate must be followed by a \\u low surrogate")) {
            try parse(#""\ud800""#)
        }
        #expect(throws: JSONSyntaxError.invalid(offset: 2, reason: "unexpected end of input; expected a digit after the decimal point")) { try parse("1.") }
    }

    @Test func invalidUTF8IsFoundAtItsByte() {
        #expect(throws: JSONSyntaxError.invalidUTF8(offset: 3, byte: 0xC3)) { try JSONParser.parse([0x22, 0x61, 0x62, 0xC3, 0x28, 0x22]) }
        #expect(JSONSyntaxError.invalidUTF8(offset: 3, byte: 0xC3).description == "invalid UTF-8 at byte 3 (0xC3)")
        // An encoded surrogate is not UTF-8 either.
        #expect(throws: JSONSyntaxError.invalidUTF8(offset: 1, byte: 0xED)) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func nestingIsBoundedSoAHostileLineCannotExhaustTheStack() throws {
        let limit = JSONParser.maxDepth
        _ = try parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit))
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.invalid(offset: limit, reason: "arrays and objects nest deeper than \(limit) levels")) { try parse(deep) }
    }
}
