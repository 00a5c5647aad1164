import Foundation
import Testing
@testable import Control

/// What the server answers to every kind of line, over a real socket; after each bad line the
/// same connection must still answer a good request.
@Suite struct ControlServerProtocolTests {
    /// A fresh server and a raw connection to it; the caller finishes the server.
    func connected() throws -> (ServerFixture, RawConnection) {
        let fixture = try ServerFixture()
        do {
            return (fixture, try RawConnection(fixture.path))
        } catch {
            fixture.finish()
            throw error
        }
    }

    /// Sends `line`, expects one error response with `code` whose message contains `fragment`,
    /// then checks the connection still serves.
    func expectError(_ line: [UInt8], code: Int, mentioning fragment: String, id: JSONValue = .null) throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        connection.send(line + [0x0A])
        let response = try connection.response()
        let error = try #require(response.rpcError, "not an error response: \(response)")
        #expect(error.code == code)
        #expect(error.message.contains(fragment), "message: \(error.message)")
        #expect(response["id"] == id)
        #expect(response["jsonrpc"] == .string("2.0"))
        try expectServes(connection)
    }

    func expectError(_ line: String, code: Int, mentioning fragment: String, id: JSONValue = .null) throws {
        try expectError(Array(line.utf8), code: code, mentioning: fragment, id: id)
    }

    func expectServes(_ connection: RawConnection, id: Int = 99) throws {
        connection.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"add","params":{"a":2,"b":3}}"# + "\n")
        let response = try connection.response()
        #expect(response["id"] == .integer(id))
        #expect(response["result"] == .object(["sum": .number("5")]))
    }

    @Test func answersARequestWithItsResultUnderItsID() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        connection.send(#"{"jsonrpc":"2.0","id":"first","method":"add","params":{"a":40,"b":2}}"# + "\n")
        let response = try connection.response()
        #expect(response == .object(["jsonrpc": .string("2.0"), "id": .string("first"), "result": .object(["sum": .number("42")])]))
    }

    @Test func invalidJSONIsAParseErrorNamingTheOffset() throws {
        try expectError(#"{"jsonrpc":"2.0","id":1,"method":"add",}"#, code: -32700, mentioning: "invalid JSON at byte 39")
    }

    @Test func invalidUTF8IsAParseErrorNamingTheByte() throws {
        let line = Array(#"{"jsonrpc":"2.0","id":1,"method":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        try expectError(line, code: -32700, mentioning: "invalid UTF-8 at byte 34 (0xFF); requests must be UTF-8 JSON")
    }

    @Test func aValueThatIsNotAnObjectIsAnInvalidRequest() throws {
        try expectError("42", code: -32600, mentioning: "request: expected a JSON-RPC 2.0 request object, got 42")
        try expectError(#""add""#, code: -32600, mentioning: #"got a string ("add")"#)
    }

    @Test func aMissingOrWrongJSONRPCVersionIsAnInvalidRequest() throws {
        try expectError(#"{"id":7,"method":"add"}"#, code: -32600, mentioning: #"request.jsonrpc: required but missing; set it to "2.0""#, id: .number("7"))
        try expectError(#"{"jsonrpc":"1.0","id":7,"method":"add"}"#, code: -32600, mentioning: #"expected "2.0", got a string ("1.0")"#, id: .number("7"))
        try expectError(#"{"jsonrpc":2,"id":7,"method":"add"}"#, code: -32600, mentioning: #"expected "2.0", got 2"#, id: .number("7"))
    }

    @Test func aMissingOrNonStringMethodIsAnInvalidRequest() throws {
        try expectError(#"{"jsonrpc":"2.0","id":"x"}"#, code: -32600, mentioning: "request.method: required but missing", id: .string("x"))
        try expectError(#"{"jsonrpc":"2.0","id":"x","method":5}"#, code: -32600, mentioning: "request.method: expected a string, got 5", id: .string("x"))
    }

    @Test func badIDOrParamsShapesAreInvalidRequests() throws {
        try expectError(#"{"jsonrpc":"2.0","id":{"a":1},"method":"add"}"#, code: -32600, mentioning: "request.id: expected a number, a string or null, got an object")
        try expectError(#"{"jsonrpc":"2.0","id":3,"method":"add","params":"a=1"}"#, code: -32600,
                        mentioning: "request.params: expected an object or an array", id: .number("3"))
    }

    @Test func anUnknownMethodIsMethodNotFoundListingTheKnownOnes() throws {
        try expectError(#"{"jsonrpc":"2.0","id":1,"method":"roles.explode"}"#, code: -32601,
                        mentioning: #"method "roles.explode" not found; known methods: add, echo, fail"#, id: .number("1"))
    }

    @Test func wrongParamTypesNameTheField() throws {
        let line = #"{"jsonrpc":"2.0","id":2,"method":"roles.start","params":{"roles":[{"kind":"proxy","worker":0},{"kind":"client","worker":1},{"kind":"proxy","worker":"two"}]}}"#
        try expectError(line, code: -32602, mentioning: #"params.roles[2].worker: expected an integer, got a string ("two")"#, id: .number("2"))
    }

    @Test func missingAndOutOfRangeParamsNameTheField() throws {
        try expectError(#"{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":1}}"#, code: -32602,
                        mentioning: "params.b: required but missing", id: .number("2"))
        try expectError(#"{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":-1,"b":1}}"#, code: -32602,
                        mentioning: "params.a: expected an integer from 0 to 18446744073709551615, got -1", id: .number("2"))
        try expectError(#"{"jsonrpc":"2.0","id":2,"method":"add"}"#, code: -32602,
                        mentioning: "params: required but missing", id: .number("2"))
    }

    @Test func applicationErrorsCarryTheirCodeMessageAndData() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        connection.send(#"{"jsonrpc":"2.0","id":5,"method":"fail"}"# + "\n")
        let response = try connection.response()
        #expect(response.rpcError?.code == -32010)
        #expect(response.rpcError?.message == "role 3 is already running; stop it first")
        #expect(response["error"]?["data"] == .object(["endpoint": .number("3")]))
    }

    @Test func oversizedRequestIsRejectedAndTheConnectionAnswersTheNext() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        // A well-formed request padded past 1 MiB: its size alone must be the problem.
        let padding = String(repeating: " ", count: 1 << 20)
        connection.send(#"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":1}}"# + padding + "\n")
        let response = try connection.response()
        #expect(response.rpcError?.code == -32600)
        #expect(response.rpcError?.message.hasPrefix("request exceeds 1048576 bytes") == true, "\(response)")
        try expectServes(connection)
    }

    @Test func aRequestOfExactlyTheLimitIsServedAndOneByteMoreIsNot() throws {
        let fixture = try ServerFixture(maxRequestBytes: 80)
        defer { fixture.finish() }
        let connection = try RawConnection(fixture.path)
        let request = #"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":1}}"#
        connection.send(request + String(repeating: " ", count: 80 - request.utf8.count) + "\n")
        #expect(try connection.response()["result"] == .object(["sum": .number("2")]))
        connection.send(request + String(repeating: " ", count: 81 - request.utf8.count) + "\n")
        #expect(try connection.response().rpcError?.message.hasPrefix("request exceeds 80 bytes (it has 81)") == true)
    }

    @Test func aNotificationGetsNoResponseAndTheNextRequestIsAnswered() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        connection.send(#"{"jsonrpc":"2.0","method":"record","params":[7]}"# + "\n")
        // A notification for an unknown method is not answered either.
        connection.send(#"{"jsonrpc":"2.0","method":"nothing.here"}"# + "\n")
        // Responses come in order, so the first line must be this request's.
        try expectServes(connection, id: 8)
        #expect(fixture.handler.recorded.withLock { $0 } == [7])
    }

    @Test func blankLinesAreIgnored() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        connection.send("\n  \r\n")
        try expectServes(connection)
    }

    @Test func aBatchIsAnsweredByAnArrayOfItsNonNotificationResponses() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        connection.send(#"[{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":2}},{"jsonrpc":"2.0","method":"record","params":[1]},"#
            + #"{"jsonrpc":"2.0","id":2,"method":"nope"},5]"# + "\n")
        guard case let .array(responses) = try connection.response() else { Issue.record("not an array"); return }
        #expect(responses.count == 3)
        #expect(responses[0]["result"] == .object(["sum": .number("3")]))
        #expect(responses[1].rpcError?.code == -32601)
        #expect(responses[1]["id"] == .number("2"))
        #expect(responses[2].rpcError?.message == "batch[3]: expected a JSON-RPC 2.0 request object, got 5")
        // A batch of notifications only is not answered at all.
        connection.send(#"[{"jsonrpc":"2.0","method":"record","params":[2]}]"# + "\n")
        try expectServes(connection)
        #expect(fixture.handler.recorded.withLock { $0 } == [1, 2])
    }

    @Test func anEmptyBatchIsAnInvalidRequest() throws {
        try expectError("[]", code: -32600, mentioning: "empty batch")
    }

    @Test func numbersUpToUInt64MaxSurviveTheTrip() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        connection.send(#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"echo","params":{"max":18446744073709551615,"min":-9223372036854775808,"x":0.1}}"# + "\n")
        let response = try connection.response()
        #expect(response["id"] == .number("18446744073709551615"))
        #expect(response["result"] == .object(["max": .number("18446744073709551615"), "min": .number("-9223372036854775808"), "x": .number("0.1")]))
        connection.send(#"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":18446744073709551614,"b":1}}"# + "\n")
        #expect(try connection.response()["result"] == .object(["sum": .number("18446744073709551615")]))
    }

    @Test func aClientGoneMidLineLeavesTheServerServingOthers() throws {
        // One connection at a time: the second client is served only once the first one's
        // connection has been released.
        let fixture = try ServerFixture(maxConnections: 1)
        defer { fixture.finish() }
        do {
            let leaving = try RawConnection(fixture.path)
            leaving.send(#"{"jsonrpc":"2.0","id":1,"method":"ad"#)
        }
        var attempts = 0
        while true {
            attempts += 1
            let next = try RawConnection(fixture.path)
            // A refused connection may be closed before this write; its refusal is still readable.
            let sent = next.trySend(#"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":1}}"# + "\n")
            let response = try next.response()
            if response.rpcError?.code == RPCError.Code.tooManyConnections, attempts < 10_000 { continue }
            #expect(sent == 0)
            #expect(response["result"] == .object(["sum": .number("2")]))
            break
        }
    }

    @Test func aConnectionOverTheLimitIsToldWhyAndClosed() throws {
        let fixture = try ServerFixture(maxConnections: 1)
        defer { fixture.finish() }
        let first = try RawConnection(fixture.path)
        try expectServes(first)  // the first connection is surely admitted now
        let second = try RawConnection(fixture.path)
        let refusal = try second.response()
        #expect(refusal.rpcError?.code == -32000)
        #expect(refusal.rpcError?.message.contains("at most 1 control connections") == true)
        #expect(second.reader.next() == .end(partialBytes: 0))
        try expectServes(first)
    }

    @Test func requestsOnOneConnectionAreAnsweredInOrder() throws {
        let (fixture, connection) = try connected()
        defer { fixture.finish() }
        let requests = (1...50).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"add","params":{"a":\#($0),"b":0}}"# + "\n" }
        connection.send(requests.joined())
        for id in 1...50 {
            let response = try connection.response()
            #expect(response["id"] == .integer(id))
            #expect(response["result"] == .object(["sum": .integer(id)]))
        }
    }
}
