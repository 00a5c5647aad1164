import Foundation
import Testing
@testable import Control

/// `RPC.decode`: what a handler's bad-params error says.
@Suite struct RPCDecodeTests {
    struct Limits: Codable, Equatable {
        var small: UInt8
        var ratio: Double?
        var names: [String]?
        var counters: [String: UInt64]?
        var blob: Data?
    }

    func message<T: Decodable>(decoding json: String?, as type: T.Type) -> String? {
        do {
            _ = try RPC.decode(type, from: json.map(parsedJSON))
            return nil
        } catch {
            #expect(error.code == RPCError.Code.invalidParams)
            return error.message
        }
    }

    @Test func typeMismatchesNameThePathAndWhatWasFound() {
        #expect(message(decoding: #"{"roles":[{"kind":"proxy","worker":1},{"kind":"proxy","worker":true}]}"#, as: StartParams.self)
            == "params.roles[1].worker: expected an integer, got a boolean (true)")
        #expect(message(decoding: #"{"roles":{"kind":"proxy"}}"#, as: StartParams.self) == "params.roles: expected an array, got an object")
        #expect(message(decoding: #"[1,2]"#, as: StartParams.self) == "params: expected an object, got an array")
        #expect(message(decoding: #"{"small":1,"names":["a",2]}"#, as: Limits.self) == "params.names[1]: expected a string, got 2")
        #expect(message(decoding: #"{"small":1,"counters":{"x":-1}}"#, as: Limits.self)
            == "params.counters.x: expected an integer from 0 to 18446744073709551615, got -1")
    }

    @Test func numbersMustFitTheirType() {
        #expect(message(decoding: #"{"small":256}"#, as: Limits.self) == "params.small: expected an integer from 0 to 255, got 256")
        #expect(message(decoding: #"{"small":1.5}"#, as: Limits.self) == "params.small: expected an integer, got 1.5")
        #expect(message(decoding: #"{"small":1,"ratio":1e999}"#, as: Limits.self) == "params.ratio: expected a number within the range of Double, got 1e999")
        #expect(message(decoding: #"{"small":"1"}"#, as: Limits.self) == #"params.small: expected an integer, got a string ("1")"#)
    }

    @Test func missingAndNullValuesAreNamed() {
        #expect(message(decoding: #"{"roles":[{"kind":"proxy"}]}"#, as: StartParams.self) == "params.roles[0].worker: required but missing")
        #expect(message(decoding: #"{"small":null}"#, as: Limits.self) == "params.small: expected an integer, got null")
        #expect(message(decoding: nil, as: StartParams.self) == "params: required but missing (params.roles: required but missing)")
    }

    @Test func anUnknownEnumValueListsTheAcceptedOnes() {
        #expect(message(decoding: #"{"roles":[{"kind":"leader","worker":0}]}"#, as: StartParams.self)
            == #"params.roles[0].kind: expected one of "sequencer", "backup", "proxy", "client", got a string ("leader")"#)
    }

    @Test func wellFormedParamsDecodeIncludingOptionalsAndExtremes() throws {
        let decoded = try RPC.decode(Limits.self, from: JSONParser.parse(Array(#"{"small":255,"ratio":-2.5e3,"counters":{"max":18446744073709551615},"blob":"AAEC"}"#.utf8)))
        #expect(decoded == Limits(small: 255, ratio: -2500, names: nil, counters: ["max": .max], blob: Data([0, 1, 2])))
        // A type whose fields are all optional needs no params.
        struct Options: Decodable { var verbose: Bool? }
        #expect(try RPC.decode(Options.self, from: nil).verbose == nil)
        #expect(try RPC.decode([Int].self, from: JSONParser.parse(Array("[1,2,3]".utf8))) == [1, 2, 3])
    }

    @Test func encodeAndDecodeRoundTripEveryWidth() throws {
        struct Widths: Codable, Equatable {
            var u64: UInt64, i64: Int64, u8: UInt8, i8: Int8, f: Float, d: Double, s: String, b: Bool, nested: [[UInt32]]
        }
        let value = Widths(u64: .max, i64: .min, u8: .max, i8: .min, f: 0.25, d: 1e300, s: "é\n\"", b: true, nested: [[1], [], [.max]])
        #expect(try RPC.decode(Widths.self, from: RPC.encode(value)) == value)
    }

    @Test func aResultJSONCannotCarryIsAnInternalError() {
        let error = #expect(throws: RPCError.self) { try RPC.encode(["ratio": Double.nan]) }
        #expect(error?.code == RPCError.Code.internalError)
        #expect(error?.message.hasPrefix("could not encode the Dictionary<String, Double> result: ") == true, "\(String(describing: error))")
    }
}
