import Foundation
import Testing
@testable import Control

/// Control requests refuse members their type does not know (`maxBatchOp` for `maxBatchOps` once
/// ran with the default, unnoticed); replies stay lenient, so a newer daemon may add result fields.
@Suite struct UnknownKeyTests {
    struct Settings: Codable, Equatable {
        var maxBatchOps: Int?
        var heartbeatMicros: UInt64?
    }

    struct Request: Codable, Equatable {
        var name: String
        var settings: Settings?
        var list: [Settings]?
        var table: [String: Int]?
    }

    func message(_ json: String) -> String? {
        do {
            _ = try RPC.decode(Request.self, from: parsedJSON(json))
            return nil
        } catch {
            return error.message
        }
    }

    @Test func aMisspelledNestedKeyIsNamedWithTheKnownOnes() {
        #expect(message(#"{"name":"a","settings":{"maxBatchOp":8}}"#)
            == #"params.settings: unknown key "maxBatchOp" (known: heartbeatMicros, maxBatchOps)"#)
    }

    @Test func unknownKeysAreFoundAtTheTopAndInsideArrays() {
        #expect(message(#"{"name":"a","nmae":"b"}"#) == #"params: unknown key "nmae" (known: list, name, settings, table)"#)
        #expect(message(#"{"name":"a","list":[{},{"heartbeatMicro":1}]}"#)
            == #"params.list[1]: unknown key "heartbeatMicro" (known: heartbeatMicros, maxBatchOps)"#)
    }

    @Test func dictionariesTakeAnyKeyAndKnownKeysStillDecode() throws {
        let decoded = try RPC.decode(Request.self, from: JSONParser.parse(Array(#"{"name":"a","table":{"anything":1},"settings":{"maxBatchOps":8}}"#.utf8)))
        #expect(decoded == Request(name: "a", settings: Settings(maxBatchOps: 8), table: ["anything": 1]))
    }

    @Test func whatMasonlabSendsForRolesStartDecodesStrictly() throws {
        let proxy = ProxySettings(batchTimeoutMicros: 20, maxBatchOps: 8, maxBatchesInFlight: 4, heartbeatMicros: 50_000,
                                  sequencerTimeoutMicros: 250_000, maxLogSize: 1_000, maxAppendBytes: 60_000, snapshotChunkBytes: 16_000)
        let cluster = MasonClusterSpec(spaces: 2, sequencer: 0, backup: 1, groups: [[2, 3, 4]], clients: [ClientSpec(endpoint: 5, group: 0)],
                                       concurrency: 4, demand: 1, proxy: proxy)
        let request = StartRolesRequest(system: .mason, run: "r", cluster: cluster, workers: [WorkerSpec(address: ":0", endpoints: [5])],
                                        addressBook: [PeerSpec(endpoint: 5, address: "127.0.0.1:1", mac: nil)], originUnixNanos: 1,
                                        warmupMillis: 0, durationMillis: 1, intervalMillis: 10, recordRanges: true)
        #expect(try RPC.decode(StartRolesRequest.self, from: RPC.encode(request)) == request)
        let stop = EndpointsRequest(endpoints: [1], drainMillis: 5)
        #expect(try RPC.decode(EndpointsRequest.self, from: RPC.encode(stop)) == stop)
    }

    @Test func repliesMayCarryFieldsTheReaderDoesNotKnow() throws {
        let value = try JSONParser.parse(Array(#"{"name":"a","addedLater":true}"#.utf8))
        #expect(try JSONValueDecoder.decode(Request.self, from: value) == Request(name: "a"))
    }
}
