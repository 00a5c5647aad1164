import Foundation
import TestSupport
import Testing
@testable import SSH
#if canImport(Glibc)
import Glibc
#endif

/// Against a real sshd on 127.0.0.1 (each test starts its own and removes everything after).
@Suite(.sshd())
final class SSHSessionTests {
    let server: SSHDFixture

    init() throws { server = try SSHDFixture() }
    deinit { server.stop() }

    private func configuration(key: String? = nil, onNewHostKey: (@Sendable (HostKeyInfo) -> Void)? = nil) -> SSHConfiguration {
        SSHConfiguration(user: "root", knownHostsPath: server.knownHosts, useAgent: false,
                         identityFiles: [key ?? server.clientKey], connectTimeout: .seconds(5), onNewHostKey: onNewHostKey)
    }

    private func connect(key: String? = nil) throws -> SSHSession {
        try SSHSession(host: "127.0.0.1", port: server.port, configuration: configuration(key: key))
    }

    @Test func execReturnsStatusStdoutAndStderr() throws {
        let session = try connect()
        defer { session.close() }
        let result = try session.exec("echo out; echo err >&2; exit 3")
        #expect(result.status == 3)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
        let echoed = try session.exec("cat", stdin: Data("through stdin".utf8))
        #expect(echoed.status == 0 && echoed.stdout == Data("through stdin".utf8))
    }

    /// Only where libssh2 signs RSA with SHA-1 alone: 1.11 signs with rsa-sha2-256, which the server accepts.
    @Test(.enabled(if: Authenticator.signsRSAWithSHA1Only, "this libssh2 signs RSA with rsa-sha2-256, which the server accepts"))
    func anRSAKeyTheServerRefusesSaysWhy() throws {
        #expect {
            try connect(key: server.rsaKey)
        } throws: { error in
            guard case let .permissionDenied(_, _, tried) = error as? SSHError else { return false }
            return tried == [server.rsaKey + Authenticator.rsaNote]
        }
    }

    @Test func newHostKeyIsRecordedAndThenKnown() throws {
        let seen = LockedBox<[HostKeyInfo]>([])
        let first = try SSHSession(host: "127.0.0.1", port: server.port,
                                   configuration: configuration(onNewHostKey: { key in seen.update { $0.append(key) } }))
        first.close()
        #expect(first.hostKey.status == .recorded)
        #expect(first.hostKey.fingerprint == server.hostKeyFingerprint)
        #expect(seen.value.map(\.fingerprint) == [first.hostKey.fingerprint])
        let recorded = try String(contentsOfFile: server.knownHosts, encoding: .utf8)
        #expect(recorded.hasPrefix("[127.0.0.1]:\(server.port) ssh-ed25519 "))

        let second = try SSHSession(host: "127.0.0.1", port: server.port,
                                    configuration: configuration(onNewHostKey: { key in seen.update { $0.append(key) } }))
        second.close()
        #expect(second.hostKey.status == .known)
        #expect(seen.value.count == 1)
        #expect(try String(contentsOfFile: server.knownHosts, encoding: .utf8) == recorded)
    }

    @Test func changedHostKeyFailsClearly() throws {
        try connect().close()
        try server.restartWithNewHostKey()
        #expect {
            try self.connect()
        } throws: { error in
            guard let error = error as? SSHError, case .hostKeyChanged = error else { return false }
            return error.description.hasPrefix("host key for 127.0.0.1 (127.0.0.1:\(self.server.port)) changed: ")
                && error.description.contains("remove the old key from known_hosts if the change is expected")
        }
    }

    @Test func unauthorizedKeyIsPermissionDenied() throws {
        let stranger = server.strangerKey
        #expect(throws: SSHError.permissionDenied(user: "root", host: "127.0.0.1", tried: [stranger])) {
            try self.connect(key: stranger)
        }
    }

    @Test func closedPortIsUnreachableQuickly() throws {
        let port = try SSHDFixture.freePort()
        let start = ContinuousClock.now
        #expect {
            try SSHSession(host: "127.0.0.1", port: port, configuration: self.configuration())
        } throws: { error in
            (error as? SSHError)?.description == "cannot reach 127.0.0.1:\(port): connection refused"
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func commandTimeoutThenSessionStillWorks() throws {
        let session = try connect()
        defer { session.close() }
        let start = ContinuousClock.now
        #expect(throws: SSHError.commandTimeout(host: "127.0.0.1", command: "sleep 5", seconds: 0.3)) {
            try session.exec("sleep 5", timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(try session.exec("echo ok").stdout == Data("ok\n".utf8))
    }

    @Test func uploadWithModeThenCat() throws {
        let session = try connect()
        defer { session.close() }
        let remote = server.directory + "/uploaded.txt"
        let content = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0) })
        try session.upload(content, to: remote, mode: 0o750)
        #expect(try session.exec("cat \(remote)").stdout == content)
        #expect(try session.exec("stat -c %a \(remote)").stdout == Data("750\n".utf8))
    }

    @Test func streamCarriesALineBothWays() throws {
        let session = try connect()
        defer { session.close() }
        let stream = try session.openStream("cat")
        let line = Array("{\"jsonrpc\":\"2.0\",\"id\":1}\n".utf8)
        #expect(write(stream.descriptor, line, line.count) == line.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        var pfd = pollfd(fd: stream.descriptor, events: Int16(POLLIN), revents: 0)
        while received.last != UInt8(ascii: "\n") {
            #expect(poll(&pfd, 1, 5000) == 1)
            let n = read(stream.descriptor, &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        #expect(received == line)
        close(stream.descriptor)  // end-of-file reaches cat, which exits
        #expect(stream.waitForExit(timeout: .seconds(5)) == 0)
    }
}

/// A value shared with a @Sendable callback.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

/// RSA key files, against an sshd that accepts RSA/SHA-1 signatures (what libssh2 1.10 makes).
@Suite(.sshd())
final class SSHRSAKeyTests {
    let server: SSHDFixture

    init() throws { server = try SSHDFixture(sshdConfig: "PubkeyAcceptedAlgorithms +ssh-rsa") }
    deinit { server.stop() }

    @Test func anRSAKeyFileAuthenticates() throws {
        let configuration = SSHConfiguration(user: "root", knownHostsPath: server.knownHosts, useAgent: false,
                                             identityFiles: [server.rsaKey], connectTimeout: .seconds(5))
        let session = try SSHSession(host: "127.0.0.1", port: server.port, configuration: configuration)
        defer { session.close() }
        #expect(try session.exec("true").status == 0)
    }
}
