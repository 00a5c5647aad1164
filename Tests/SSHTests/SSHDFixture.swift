import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real OpenSSH server on 127.0.0.1 for one test: generated host key, a client ed25519 key pair
/// in its authorized_keys, and a temp known_hosts. `stop()` kills sshd and removes every file.
final class SSHDFixture {
    static let sshd = "/usr/sbin/sshd"
    static let sshKeygen = "/usr/bin/ssh-keygen"

    /// Whether the tests can run here: root, and OpenSSH's sshd and ssh-keygen installed.
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: sshd)
            && FileManager.default.isExecutableFile(atPath: sshKeygen)
    }

    let directory: String
    let port: Int
    let clientKey: String
    let knownHosts: String
    private(set) var hostKey: String
    /// A key pair sshd does not accept.
    var strangerKey: String { directory + "/stranger" }
    /// An RSA client key sshd also accepts.
    var rsaKey: String { directory + "/id_rsa" }
    /// sshd's log (its `LogLevel` set through `sshdConfig`).
    var logPath: String { directory + "/sshd.log" }
    private var fingerprints: [String] = []
    private var process: RunningChild?

    /// `sshdConfig`: lines added to sshd's configuration.
    init(sshdConfig: String = "") throws {
        // Reached only where the tests are required (the suites are disabled elsewhere).
        guard Self.available else { throw TestPrerequisites.Missing("SSH tests need root, \(Self.sshd) and \(Self.sshKeygen)") }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sshtests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        clientKey = directory + "/id_ed25519"
        knownHosts = directory + "/known_hosts"
        hostKey = directory + "/host_ed25519"
        port = try Self.freePort()
        do {
            try Self.keygen(clientKey)
            try Self.keygen(hostKey)
            try Self.keygen(strangerKey)
            try Self.keygen(directory + "/host2_ed25519")
            try Self.keygen(rsaKey, type: "rsa")
            fingerprints = [try Self.fingerprint(hostKey), try Self.fingerprint(directory + "/host2_ed25519")]
            let authorized = try String(contentsOfFile: clientKey + ".pub", encoding: .utf8) + String(contentsOfFile: rsaKey + ".pub", encoding: .utf8)
            try authorized.write(toFile: directory + "/authorized_keys", atomically: true, encoding: .utf8)
            let config = """
                ListenAddress 127.0.0.1
                AuthorizedKeysFile \(directory)/authorized_keys
                PidFile none
                UsePAM no
                StrictModes no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin yes
                \(sshdConfig)

                """
            try config.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
            // sshd refuses to start without its privilege separation directory.
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            try start()
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Restarts sshd on the same port with a different, fresh host key.
    func restartWithNewHostKey() throws {
        terminate()
        hostKey = directory + "/host2_ed25519"
        try start()
    }

    /// Kills sshd and removes the directory.
    func stop() {
        terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The SHA256 fingerprint `ssh-keygen -l` printed for the current host key. (All keys are
    /// made before sshd starts: Foundation's Process.waitUntilExit hung for tools run while it ran.)
    var hostKeyFingerprint: String { hostKey.hasSuffix("host2_ed25519") ? fingerprints[1] : fingerprints[0] }

    private static func fingerprint(_ key: String) throws -> String {
        let output = try run(sshKeygen, ["-l", "-E", "sha256", "-f", key + ".pub"])
        return output.split(separator: " ")[1].description
    }

    private func start() throws {
        let sshd = try RunningChild(ChildCommand(Self.sshd, ["-D", "-E", logPath, "-f", directory + "/sshd_config", "-p", String(port), "-h", hostKey],
                                                 standardOutput: .discard))
        process = sshd
        // Wait until the port accepts, without a fixed sleep: poll with short connect attempts.
        try Polling.until("sshd listening on 127.0.0.1:\(port)", within: 10, every: 0.01) {
            if let ended = sshd.wait(timeout: 0) {
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw FixtureError("sshd exited (\(ended.status)) before listening on 127.0.0.1:\(port): \(ended.errorOutput)\(log)")
            }
            return Self.accepts(port: port)
        }
    }

    private func terminate() {
        guard let sshd = process else { return }
        process = nil
        sshd.stop(grace: 5)
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port nothing listens on right now (bound to 0, read back, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw FixtureError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    private static func keygen(_ path: String, type: String = "ed25519") throws {
        _ = try run(sshKeygen, ["-q", "-t", type] + (type == "rsa" ? ["-b", "3072"] : []) + ["-N", "", "-C", "sshtests", "-f", path])
    }

    @discardableResult
    private static func run(_ tool: String, _ arguments: [String]) throws -> String {
        try ChildProcess.run(ChildCommand(tool, arguments), timeout: 60).checked().output
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Trait where Self == ConditionTrait {
    /// For the suites that start their own sshd: skipped visibly without root, sshd or ssh-keygen
    /// (failed under `make test`).
    static func sshd(sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .prerequisite("SSH tests need root, /usr/sbin/sshd and ssh-keygen (apt-get install openssh-server)",
                      sourceLocation: sourceLocation) { SSHDFixture.available }
    }
}
