import Foundation
import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ControlClientTests {
    @Test func aTypedCallRoundTripsParamsAndResult() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        #expect(try client.call("add", params: AddParams(a: .max - 1, b: 1), as: Sum.self) == Sum(sum: .max))
        let started = try client.call("roles.start", params: StartParams(roles: [RoleRequest(kind: .proxy, worker: 0, group: 1)]),
                                      as: [String: Int].self)
        #expect(started == ["started": 1])
    }

    @Test func aRawCallReturnsTheParsedResult() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        let params = try JSONParser.parse(Array(#"{"n": 18446744073709551615, "s": "line\nbreak"}"#.utf8))
        let result = try client.call(method: "echo", params: params)
        #expect(result == .object(["n": .number("18446744073709551615"), "s": .string("line\nbreak")]))
        #expect(String(decoding: JSONWriter.serialize(result), as: UTF8.self) == #"{"n":18446744073709551615,"s":"line\nbreak"}"#)
        #expect(try client.call(method: "echo") == .null)
    }

    @Test func rpcErrorsSurfaceWithCodeMessageAndData() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        let failure = #expect(throws: RPCError.self) { try client.call(method: "fail") }
        #expect(failure?.code == -32010)
        #expect(failure?.message == "role 3 is already running; stop it first")
        #expect(failure?.data == .object(["endpoint": .number("3")]))

        let unknown = #expect(throws: RPCError.self) { try client.call(method: "roles.explode") }
        #expect(unknown?.code == RPCError.Code.methodNotFound)
        #expect(unknown?.description.hasPrefix(#"method "roles.explode" not found"#) == true)

        let wrongType = #expect(throws: RPCError.self) {
            try client.call(method: "roles.start", params: JSONParser.parse(Array(#"{"roles":[{"kind":"proxy","worker":0,"group":300}]}"#.utf8)))
        }
        #expect(wrongType?.code == RPCError.Code.invalidParams)
        #expect(wrongType?.message == "params.roles[0].group: expected an integer from 0 to 255, got 300")
        // The connection is still good after errors.
        #expect(try client.call("add", params: AddParams(a: 1, b: 1), as: Sum.self) == Sum(sum: 2))
    }

    @Test func aMissingDaemonIsNamedWithTheFix() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("absent.sock")
        let error = #expect(throws: ControlError.self) { try ControlClient(socketPath: path) }
        #expect(error?.description == "no masond at \(path): start it with masond serve")
    }

    @Test func aDaemonClosingMidRequestIsConnectionClosed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("masond.sock")
        // A daemon that reads one request and hangs up without answering.
        let (listener, _) = try UnixSocket.listen(path: path)
        let daemon = Background { () -> LineReader.Event in
            let fd = accept(listener, nil, nil)
            defer { close(fd) }
            return LineReader(fd: fd).next()
        }
        // shutdown(2) wakes an accept still waiting; the listener is closed only when the daemon
        // thread is done with it.
        defer { shutdown(listener, Int32(SHUT_RDWR)); _ = daemon.value(); close(listener) }
        let client = try ControlClient(socketPath: path)
        let error = #expect(throws: ControlError.self) { try client.call(method: "node.info") }
        #expect(error == .connectionClosed(peer: path))
        #expect(error?.description.contains("closed the connection before answering") == true)
        guard case let .line(request)? = daemon.value() else { Issue.record("the fake daemon got no request"); return }
        let parsed = try JSONParser.parse(request)
        #expect(parsed == .object(["jsonrpc": .string("2.0"), "id": .number("1"), "method": .string("node.info")]))
    }

    @Test func idsCountUpAndAForeignResponseIsRejected() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("masond.sock")
        let (listener, _) = try UnixSocket.listen(path: path)
        // A daemon that answers the first request properly and the second under the wrong id.
        let daemon = Background { () -> [JSONValue] in
            let fd = accept(listener, nil, nil)
            defer { close(fd) }
            let reader = LineReader(fd: fd), writer = LineWriter(fd: fd, peer: "client")
            var seen: [JSONValue] = []
            for reply in [#"{"jsonrpc":"2.0","id":1,"result":true}"#, #"{"jsonrpc":"2.0","id":7,"result":true}"#] {
                guard case let .line(line) = reader.next(), let request = try? JSONParser.parse(line) else { break }
                seen.append(request)
                try? writer.write(line: Array(reply.utf8))
            }
            return seen
        }
        defer { shutdown(listener, Int32(SHUT_RDWR)); _ = daemon.value(); close(listener) }
        let client = try ControlClient(socketPath: path)
        #expect(try client.call("a", as: Bool.self))
        let error = #expect(throws: ControlError.self) { try client.call("b", as: Bool.self) }
        #expect(error == .invalidResponse(peer: path, reason: "expected the response to request 2, got one with id 7"))
        #expect(daemon.value()?.map { $0["id"] } == [.number("1"), .number("2")])
    }

    @Test func aResultOfTheWrongShapeNamesTheField() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        let error = #expect(throws: ControlError.self) { try client.call("add", params: AddParams(a: 1, b: 1), as: AddParams.self) }
        #expect(error == .invalidResponse(peer: fixture.path, reason: "the result of add does not fit AddParams: result.a: required but missing"))
    }

    @Test func aClosedClientRefusesCalls() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        client.close()
        #expect(throws: ControlError.connectionClosed(peer: fixture.path)) { try client.call(method: "echo") }
    }

    @Test func paramsThatAreNotAStructureAreRefusedBeforeSending() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        let error = #expect(throws: RPCError.self) { try client.call(method: "echo", params: .number("5")) }
        #expect(error?.message == "params of echo must be an object or an array, got 5")
    }

    @Test func aClientSpeaksOverAPairOfPipes() throws {
        // A stand-in for `ssh node masond dial-stdio`: a thread answering on the far ends.
        var toDaemon: [Int32] = [-1, -1], fromDaemon: [Int32] = [-1, -1]
        #expect(pipe(&toDaemon) == 0 && pipe(&fromDaemon) == 0)
        let (daemonIn, daemonOut) = (toDaemon[0], fromDaemon[1])
        let handler = TestHandler()
        let daemon = Background { () -> Int in
            let dispatcher = RequestDispatcher(handler: handler)
            let reader = LineReader(fd: daemonIn), writer = LineWriter(fd: daemonOut, peer: "client")
            var answered = 0
            while case let .line(line) = reader.next() {
                if let response = dispatcher.respond(to: line) { try? writer.write(line: response) }
                answered += 1
            }
            close(daemonIn)
            close(daemonOut)
            return answered
        }
        let client = ControlClient(reading: fromDaemon[0], writing: toDaemon[1], peer: "ssh node masond dial-stdio", ownsDescriptors: true)
        #expect(try client.call("add", params: AddParams(a: 20, b: 22), as: Sum.self) == Sum(sum: 42))
        #expect(try client.call("add", params: AddParams(a: 1, b: 1), as: Sum.self) == Sum(sum: 2))
        client.close()
        #expect(daemon.value() == 2)
    }

    @Test func aPipePeerThatHasGoneIsConnectionClosedNotSIGPIPE() throws {
        var toDaemon: [Int32] = [-1, -1], fromDaemon: [Int32] = [-1, -1]
        #expect(pipe(&toDaemon) == 0 && pipe(&fromDaemon) == 0)
        close(toDaemon[0])  // nobody will ever read the requests
        close(fromDaemon[1])
        let client = ControlClient(reading: fromDaemon[0], writing: toDaemon[1], peer: "ssh node masond dial-stdio", ownsDescriptors: true)
        #expect(throws: ControlError.connectionClosed(peer: "ssh node masond dial-stdio")) { try client.call(method: "node.info") }
    }
}
