import Foundation
import TestSupport
import Testing
@testable import SSH
#if canImport(Glibc)
import Glibc
#endif

/// An idle stream (masond dial-stdio between two control calls) sends SSH keepalives, so the
/// session to a node that is gone does not stay open for ever.
@Suite(.sshd())
final class SSHKeepaliveTests {
    let server: SSHDFixture

    init() throws { server = try SSHDFixture(sshdConfig: "LogLevel DEBUG1") }
    deinit { server.stop() }

    @Test func anIdleStreamSendsKeepalivesTheServerSees() throws {
        var configuration = SSHConfiguration(user: "root", knownHostsPath: server.knownHosts, useAgent: false,
                                             identityFiles: [server.clientKey], connectTimeout: .seconds(5))
        configuration.keepaliveInterval = .seconds(1)
        let session = try SSHSession(host: "127.0.0.1", port: server.port, configuration: configuration)
        defer { session.close() }
        let stream = try session.openStream("cat")
        defer {
            stream.close()
            close(stream.descriptor)
        }
        func keepalives() -> Int {
            let log = (try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? ""
            return log.components(separatedBy: "rtype keepalive@libssh2.org want_reply 1").count - 1
        }
        let deadline = Date().addingTimeInterval(10)
        while keepalives() < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        #expect(keepalives() >= 2, "sshd logged no keepalive from the idle stream")
        // The stream still carries data after its idle, keepalive-filled time.
        let line = Array("still here\n".utf8)
        #expect(write(stream.descriptor, line, line.count) == line.count)
        var buffer = [UInt8](repeating: 0, count: 64)
        var pfd = pollfd(fd: stream.descriptor, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pfd, 1, 5000) == 1)
        #expect(read(stream.descriptor, &buffer, buffer.count) == line.count)
    }
}
