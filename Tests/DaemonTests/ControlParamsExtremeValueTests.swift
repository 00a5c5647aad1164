@testable import Control
import Foundation
import Testing
@testable import Daemon

/// Every number of every control request, driven with extreme values through the request
/// dispatcher and `Daemon.handle` in process: each must give an error reply (or, for a value in
/// range, a normal one), never a trap.
/// `roles.start` with `durationMillis` near 2^54 or `cluster.proxy.maxBatchOps` = Int.max once
/// crashed masond with no reply. A trap here kills the test process, which fails the suite.
@Suite(.serialized) struct ControlParamsExtremeValueTests {
    /// The values issue 11 names, as JSON text: numbers at and past every integer type's ends,
    /// numbers JSON has no integer for, and things that are not numbers at all.
    static let extremes = ["0", "-1", "9223372036854775807", "9223372036854775808", "18446744073709551615",
                           "18446744073709551616", "NaN", "1e999", "1e308", "-1e308", "0.5", "\"\"", "\"abc\"", "null"]

    /// A `roles.start` with every optional field given, so every numeric field appears as a leaf.
    static func fullStart() -> StartRolesRequest {
        let proxy = ProxySettings(batchTimeoutMicros: 20, maxBatchOps: 8, maxBatchesInFlight: 4, heartbeatMicros: 50_000,
                                  sequencerTimeoutMicros: 250_000, maxLogSize: 1_000, maxAppendBytes: 60_000, snapshotChunkBytes: 16_000)
        let cluster = MasonClusterSpec(spaces: 2, sequencer: 0, backup: 1, groups: [[2, 3, 4]], clients: [ClientSpec(endpoint: 5, group: 0)],
                                       concurrency: 4, demand: 1, proxy: proxy)
        let book = (0 ... 5).map { PeerSpec(endpoint: UInt32($0), address: "127.0.0.1:\(40_000 + $0)", mac: "02:00:00:00:00:01") }
        return StartRolesRequest(system: .mason, run: "extremes", cluster: cluster,
                                 workers: [WorkerSpec(address: "127.0.0.1:0", endpoints: [5], transport: .udp)], addressBook: book,
                                 originUnixNanos: UInt64(Date().timeIntervalSince1970 * 1e9), warmupMillis: 0, durationMillis: 100,
                                 intervalMillis: 10, recordRanges: true)
    }

    /// Paths (object keys and array positions) to every number in `value`.
    static func numberPaths(_ value: JSONValue, at path: [String] = []) -> [[String]] {
        switch value {
        case .number: [path]
        case let .array(elements): elements.indices.flatMap { numberPaths(elements[$0], at: path + ["\($0)"]) }
        case let .object(members): members.keys.sorted().flatMap { numberPaths(members[$0]!, at: path + [$0]) }
        default: []
        }
    }

    /// `value` with the leaf at `path` replaced by `placeholder` (a string, swapped for raw text after writing).
    static func replacing(_ value: JSONValue, at path: ArraySlice<String>, with leaf: JSONValue) -> JSONValue {
        guard let key = path.first else { return leaf }
        switch value {
        case var .array(elements):
            let i = Int(key)!
            elements[i] = replacing(elements[i], at: path.dropFirst(), with: leaf)
            return .array(elements)
        case var .object(members):
            members[key] = replacing(members[key]!, at: path.dropFirst(), with: leaf)
            return .object(members)
        default:
            return value
        }
    }

    /// Params text with the number at `path` replaced by raw JSON-ish `text` (NaN is not JSON: the
    /// parser must refuse it, which is an error reply too).
    static func params(_ base: JSONValue, _ path: [String], _ text: String) -> String {
        let marker = "@@EXTREME@@"
        let written = String(decoding: JSONWriter.serialize(replacing(base, at: path[...], with: .string(marker))), as: UTF8.self)
        return written.replacingOccurrences(of: "\"\(marker)\"", with: text)
    }

    /// The reply to `method` with `params` text, through the dispatcher that parses a
    /// connection's line once and hands the daemon the parsed params.
    static func reply(_ daemon: Daemon, _ method: String, params: String) throws -> JSONValue {
        let line = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#
        let response = try #require(RequestDispatcher(handler: daemon).respond(to: Array(line.utf8)))
        return try JSONParser.parse(response)
    }

    /// The error message of `reply`, nil when it is a result.
    static func refusal(_ reply: JSONValue) -> String? {
        guard let error = reply["error"] else { return nil }
        if case let .string(message)? = error["message"] { return message }
        return ""
    }

    static func json<T: Encodable>(_ value: T) throws -> JSONValue {
        try RPC.encode(value)
    }

    /// Whether `value` (a request) leaves any optional unset, so a new field cannot escape the test.
    static func unsetOptionals(_ value: Any, path: String = "") -> [String] {
        Mirror(reflecting: value).children.flatMap { child -> [String] in
            let name = path + "." + (child.label ?? "?")
            let inner = Mirror(reflecting: child.value)
            if inner.displayStyle == .optional {
                guard let some = inner.children.first else { return [name] }
                return unsetOptionals(some.value, path: name)
            }
            if inner.displayStyle == .struct || inner.displayStyle == .collection { return unsetOptionals(child.value, path: name) }
            return []
        }
    }

    @Test func theSampleRequestsSetEveryField() {
        #expect(Self.unsetOptionals(Self.fullStart()).isEmpty, "set these in fullStart(): \(Self.unsetOptionals(Self.fullStart()))")
        #expect(Self.unsetOptionals(EndpointsRequest(endpoints: [5], drainMillis: 10)).isEmpty)
    }

    @Test func everyNumberOfRolesStartWithAnExtremeValueGetsAReplyNotATrap() throws {
        let daemon = Daemon(address: "127.0.0.1")
        defer { _ = try? daemon.handle(method: "node.reset", params: nil) }
        let base = try Self.json(Self.fullStart())
        let paths = Self.numberPaths(base)
        #expect(paths.count >= 20, "the sample lost its numbers: \(paths)")
        var refused = 0
        for path in paths {
            for text in Self.extremes {
                let reply = try Self.reply(daemon, "roles.start", params: Self.params(base, path, text))
                if let message = Self.refusal(reply) {
                    refused += 1
                    #expect(!message.isEmpty)
                } else {
                    _ = try daemon.handle(method: "node.reset", params: nil)
                }
            }
        }
        // Most extremes are out of every field's range: the few accepted are 0s and in-range values.
        #expect(refused > paths.count * (Self.extremes.count - 4))
    }

    @Test(arguments: ["roles.stop", "roles.crash"])
    func everyNumberOfStopAndCrashWithAnExtremeValueGetsAReplyNotATrap(method: String) throws {
        let daemon = Daemon(address: "127.0.0.1")
        let base = try Self.json(EndpointsRequest(endpoints: [5], drainMillis: 10))
        for path in Self.numberPaths(base) {
            for text in Self.extremes {
                _ = try Self.reply(daemon, method, params: Self.params(base, path, text))
            }
        }
    }

    /// The three numbers issue 11 crashed masond with, each refused with the field and its range.
    @Test(arguments: [
        (["durationMillis"], "18014398509481984", "durationMillis: must be 1...86400000"),
        (["warmupMillis"], "18014398509481984", "warmupMillis: must be 0...3600000"),
        (["cluster", "proxy", "maxBatchOps"], "9223372036854775807", "cluster.proxy.maxBatchOps: must be 1...65536"),
        (["cluster", "concurrency"], "4097", "cluster.concurrency must be between 1 and 4096 operations per client"),
        (["originUnixNanos"], "18446744073709551615", "originUnixNanos: must lie within a day"),
        (["cluster", "proxy", "batchTimeoutMicros"], "18446744073709551615", "cluster.proxy.batchTimeoutMicros: must be 1...1000000"),
    ])
    func numbersThatTrappedAreRefusedNamingTheFieldAndRange(path: [String], text: String, message: String) throws {
        let daemon = Daemon(address: "127.0.0.1")
        defer { _ = try? daemon.handle(method: "node.reset", params: nil) }
        let params = try JSONParser.parse(Array(Self.params(try Self.json(Self.fullStart()), path, text).utf8))
        #expect {
            _ = try daemon.handle(method: "roles.start", params: params)
        } throws: { error in
            guard let rpc = error as? RPCError, rpc.code == -32602 else { return false }
            return rpc.message.contains(message)
        }
    }

    @Test func aMisspelledKeyOfRolesStartIsRefusedNamingIt() throws {
        let daemon = Daemon(address: "127.0.0.1")
        guard case var .object(request) = try Self.json(Self.fullStart()),
              case var .object(cluster) = request["cluster"], case var .object(proxy) = cluster["proxy"] else {
            Issue.record("the sample is not an object")
            return
        }
        proxy["maxBatchOp"] = .number("8")
        cluster["proxy"] = .object(proxy)
        request["cluster"] = .object(cluster)
        let params = JSONValue.object(request)
        #expect {
            _ = try daemon.handle(method: "roles.start", params: params)
        } throws: { error in
            (error as? RPCError)?.message.hasPrefix("params.cluster.proxy: unknown key \"maxBatchOp\" (known: ") == true
        }
    }
}
