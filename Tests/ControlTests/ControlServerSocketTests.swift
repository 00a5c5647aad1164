import Foundation
import Testing
@testable import Control
#if canImport(Glibc)
import Glibc
#endif

/// The socket file's life: its mode, who may take the path over, and its removal.
@Suite struct ControlServerSocketTests {
    func mode(of path: String) -> mode_t? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode : nil
    }

    @Test func theSocketIsMode0600() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let socketMode = try #require(mode(of: fixture.path))
        #expect(socketMode & S_IFMT == S_IFSOCK)
        #expect(socketMode & 0o7777 == 0o600)
    }

    @Test func aSecondServerOnTheSamePathRefusesClearly() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let second = ControlServer(socketPath: fixture.path, handler: TestHandler())
        #expect(throws: ControlError.alreadyServing(path: fixture.path)) { try second.start() }
        #expect(ControlError.alreadyServing(path: fixture.path).description
            == "another masond is already serving \(fixture.path); stop it first or pass another --socket path")
        // The first server still owns the path and answers.
        let client = try ControlClient(socketPath: fixture.path)
        #expect(try client.call("add", params: AddParams(a: 1, b: 2), as: Sum.self) == Sum(sum: 3))
    }

    @Test func aStaleSocketFileIsReplaced() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("masond.sock")
        // A daemon that died: its socket file remains, nobody listens.
        let (fd, _) = try UnixSocket.listen(path: path)
        close(fd)
        #expect(mode(of: path).map { $0 & S_IFMT } == S_IFSOCK)
        #expect(throws: ControlError.noDaemon(path: path)) { try ControlClient(socketPath: path) }

        let server = ControlServer(socketPath: path, handler: TestHandler())
        try server.start()
        defer { server.stop() }
        let client = try ControlClient(socketPath: path)
        #expect(try client.call("add", params: AddParams(a: 2, b: 2), as: Sum.self) == Sum(sum: 4))
    }

    @Test func aRegularFileAtThePathIsRefusedAndLeftIntact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("masond.sock")
        try Data("notes I care about\n".utf8).write(to: URL(fileURLWithPath: path))
        let server = ControlServer(socketPath: path, handler: TestHandler())
        #expect(throws: ControlError.notASocket(path: path)) { try server.start() }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "notes I care about\n")
        server.stop()  // never started: nothing to do, and nothing removed
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func aDirectoryAtThePathIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("masond.sock")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        #expect(throws: ControlError.notASocket(path: path)) { try ControlServer(socketPath: path, handler: TestHandler()).start() }
    }

    @Test func aPathTooLongForSunPathIsRefused() throws {
        let path = "/tmp/" + String(repeating: "d", count: 120) + "/masond.sock"
        #expect(throws: ControlError.socketPathTooLong(path: path, maxBytes: 107)) {
            try ControlServer(socketPath: path, handler: TestHandler()).start()
        }
    }

    @Test func stopRemovesTheSocketAndEndsOpenConnections() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }  // stop is idempotent
        let idle = try ControlClient(socketPath: fixture.path)
        #expect(try idle.call("add", params: AddParams(a: 0, b: 1), as: Sum.self) == Sum(sum: 1))
        let silent = try RawConnection(fixture.path)
        silent.send(#"{"jsonrpc":"2.0","id":1,"method":"#)  // blocked mid-line in the server's read

        fixture.server.stop()
        #expect(mode(of: fixture.path) == nil)
        // End of input, or a reset if the server had not yet read the partial line when it closed.
        let ending = silent.reader.next()
        #expect(ending == .end(partialBytes: 0) || ending == .failed(errno: ECONNRESET), "\(ending)")
        #expect(throws: ControlError.connectionClosed(peer: fixture.path)) {
            try idle.call("add", params: AddParams(a: 0, b: 1), as: Sum.self)
        }
        #expect(throws: ControlError.noDaemon(path: fixture.path)) { try ControlClient(socketPath: fixture.path) }
        fixture.server.stop()  // idempotent
    }

    @Test func stopLeavesASocketThatIsNoLongerItsOwn() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }  // stop is idempotent
        // Someone removed the socket and another daemon bound the path meanwhile.
        unlink(fixture.path)
        let successor = ControlServer(socketPath: fixture.path, handler: TestHandler())
        try successor.start()
        defer { successor.stop() }  // idempotent
        fixture.server.stop()
        let client = try ControlClient(socketPath: fixture.path)
        #expect(try client.call("add", params: AddParams(a: 5, b: 5), as: Sum.self) == Sum(sum: 10))
        successor.stop()
        #expect(mode(of: fixture.path) == nil)
    }

    @Test func manyClientsAreServedConcurrently() throws {
        let fixture = try ServerFixture()
        defer { fixture.finish() }
        let path = fixture.path
        let workers = (0..<8).map { worker in
            Background { () -> Bool in
                guard let client = try? ControlClient(socketPath: path) else { return false }
                return (0..<50).allSatisfy { i in
                    (try? client.call("add", params: AddParams(a: UInt64(worker), b: UInt64(i)), as: Sum.self))
                        == Sum(sum: UInt64(worker + i))
                }
            }
        }
        for worker in workers { #expect(worker.value() == true) }
    }
}
