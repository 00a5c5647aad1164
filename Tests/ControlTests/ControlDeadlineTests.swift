import Foundation
import Synchronization
import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

/// Nothing hangs: a peer that reads and never answers fails the call within its deadline, with
/// the peer and the method named, and leaves the connection closed; an idle connection is closed
/// by the server.
@Suite struct ControlDeadlineTests {
    /// A listener that accepts one connection and reads requests without ever answering.
    final class SilentPeer: Sendable {
        let directory: TemporaryDirectory
        let path: String
        let listener: Int32
        let reader: Background<Int>

        init() throws {
            directory = try TemporaryDirectory()
            path = directory.file("silent.sock")
            let (fd, _) = try UnixSocket.listen(path: path)
            listener = fd
            reader = Background { [fd] in
                let connection = accept(fd, nil, nil)
                guard connection >= 0 else { return -1 }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let reader = LineReader(fd: connection)
                var requests = 0
                while case .line = reader.next() { requests += 1 }
                close(connection)
                return requests
            }
        }

        func finish() {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
            directory.remove()
        }
    }

    @Test func aPeerThatNeverAnswersFailsTheCallWithinItsDeadlineNamingPeerAndMethod() throws {
        let peer = try SilentPeer()
        defer { peer.finish() }
        let client = try ControlClient(socketPath: peer.path, deadlines: .init(standard: .milliseconds(300)))
        let started = ContinuousClock.now
        let error = #expect(throws: ControlError.self) { try client.call(method: "roles.status") }
        let waited = ContinuousClock.now - started
        #expect(error == .noAnswer(peer: peer.path, method: "roles.status", seconds: 0.3))
        #expect(error?.description.hasPrefix("\(peer.path): roles.status did not answer within 0.3 s") == true)
        #expect(waited >= .milliseconds(300) && waited < .seconds(5))
        // The connection is closed: a late answer can never be read as the next call's.
        #expect(throws: ControlError.connectionClosed(peer: peer.path)) { try client.call(method: "roles.status") }
        // The peer saw the client go away after exactly one request.
        #expect(peer.reader.value() == 1)
    }

    @Test func aStopWithADrainMayTakeTheDrainPlusAMargin() {
        let deadlines = ControlClient.Deadlines(standard: .seconds(5), slow: .seconds(30), drainMargin: .seconds(10))
        #expect(deadlines.deadline(for: "roles.status", params: nil) == .seconds(5))
        #expect(deadlines.deadline(for: "roles.start", params: .object([:])) == .seconds(30))
        #expect(deadlines.deadline(for: "roles.stop", params: .object(["drainMillis": .number("5000")])) == .seconds(15))
        #expect(deadlines.deadline(for: "roles.stop", params: .object([:])) == .seconds(12))
        #expect(deadlines.deadline(for: "roles.stop", params: .object(["drainMillis": .number("-1")])) == .seconds(12))
        #expect(deadlines.deadline(for: "roles.stop", params: .object(["drainMillis": .number("1e300")])) == .seconds(86_410))
    }

    @Test func anIdleConnectionIsToldWhyAndClosed() throws {
        let fixture = try ServerFixture(idleTimeout: .milliseconds(200))
        defer { fixture.finish() }
        let raw = try RawConnection(fixture.path)
        let started = ContinuousClock.now
        let notice = try raw.response()
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(notice["id"] == .null)
        #expect(notice.rpcError?.code == ControlServer.idleTimeoutCode)
        #expect(notice.rpcError?.message == "masond closed this control connection after 0.2 s without a request; connect again")
        #expect(raw.reader.next() == .end(partialBytes: 0))
    }

    @Test func aConnectionInUseIsNotIdle() throws {
        let fixture = try ServerFixture(idleTimeout: .milliseconds(300))
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        for _ in 0 ..< 5 {
            Thread.sleep(forTimeInterval: 0.15)
            #expect(try client.call("add", params: AddParams(a: 1, b: 2), as: Sum.self) == Sum(sum: 3))
        }
    }

    /// A run's controller says nothing to a client node for the whole measurement: while work is
    /// under way its connection is not idle.
    @Test func aConnectionIsKeptWhileTheServerSaysWorkIsUnderWay() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let busy = Mutex(true)
        let server = ControlServer(socketPath: directory.file("busy.sock"), handler: TestHandler(), idleTimeout: .milliseconds(100),
                                   keepsIdleConnections: { busy.withLock { $0 } })
        try server.start()
        defer { server.stop() }
        let raw = try RawConnection(server.socketPath)
        Thread.sleep(forTimeInterval: 0.4)
        raw.send(#"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"b":2}}"# + "\n")
        #expect(try raw.response()["result"] == .object(["sum": .number("3")]))
        // Once the work is done, the idle connection is closed as usual.
        busy.withLock { $0 = false }
        #expect(try raw.response().rpcError?.code == ControlServer.idleTimeoutCode)
    }

    @Test func aClientOfAnIdleClosedConnectionReadsTheServersSentence() throws {
        let fixture = try ServerFixture(idleTimeout: .milliseconds(100))
        defer { fixture.finish() }
        let client = try ControlClient(socketPath: fixture.path)
        Thread.sleep(forTimeInterval: 0.4)
        let error = #expect(throws: RPCError.self) { try client.call(method: "echo") }
        #expect(error?.code == ControlServer.idleTimeoutCode)
    }
}
