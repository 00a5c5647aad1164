import Foundation
import Testing
@testable import Control

/// `JSONValueEncoder`: what handlers return and clients send is the tree `JSONEncoder`'s output
/// parses to, so the bytes on the wire did not change when the boundary stopped parsing twice.
@Suite struct JSONValueEncoderTests {
    struct Sample: Codable, Equatable {
        enum Mode: String, Codable { case fast, slow }
        struct Inner: Codable, Equatable { var values: [Double]; var flag: Bool? }
        var u64: UInt64, i64: Int64, u8: UInt8, i32: Int32, f: Float, whole: Double, tiny: Double, huge: Double
        var text: String, mode: Mode, blob: Data, absent: Int?, present: Int?, nested: [Inner], table: [String: [UInt32]]
        var empty: [String]
    }

    static let sample = Sample(u64: .max, i64: .min, u8: 255, i32: -7, f: 0.1, whole: 1250, tiny: 1e-7, huge: 1e300,
                               text: "a/b \"q\" é\n\t\u{1}", mode: .slow, blob: Data([0, 1, 2, 255]), absent: nil, present: 0,
                               nested: [Sample.Inner(values: [0.5, -2, 3e20], flag: nil), Sample.Inner(values: [], flag: true)],
                               table: ["z": [1], "a": []], empty: [])

    @Test func theTreeIsTheOneJSONEncoderOutputParsesTo() throws {
        let foundation = try JSONParser.parse(Array(try JSONEncoder().encode(Self.sample)))
        #expect(try JSONValueEncoder.encode(Self.sample) == foundation)
    }

    @Test func numbersKeepJSONEncodersText() throws {
        let value = try JSONValueEncoder.encode(Self.sample)
        #expect(value["whole"] == .number("1250"))
        #expect(value["huge"] == .number("1e+300"))
        #expect(value["u64"] == .number("18446744073709551615"))
        #expect(value["i64"] == .number("-9223372036854775808"))
        #expect(value["absent"] == nil)
        #expect(value["blob"] == .string("AAEC/w=="))
    }

    @Test func theTreeDecodesBackToTheValue() throws {
        #expect(try JSONValueDecoder.decode(Sample.self, from: JSONValueEncoder.encode(Self.sample)) == Self.sample)
    }

    @Test func aNonFiniteNumberIsRefusedWithItsPath() {
        struct Ratio: Encodable { var ratios: [Double] }
        let error = #expect(throws: EncodingError.self) { try JSONValueEncoder.encode(Ratio(ratios: [1, .infinity])) }
        guard case let .invalidValue(_, context)? = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["ratios", "[1]"])
    }

    @Test func aHandlerResultReachesTheClientAsTheHandlerReturnedIt() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        let echoed = try client.call("echo", params: Self.sample, as: Sample.self)
        #expect(echoed == Self.sample)
    }
}
