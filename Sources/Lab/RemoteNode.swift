import Control
import Foundation
import SSH

/// How masonlab reaches testbed nodes over SSH: the user (else the List View's, else the local
/// one), key files (else OpenSSH's defaults), the ssh-agent, known_hosts.
public struct SSHSettings: Sendable {
    public var user: String?
    public var identities: [String]
    public var knownHosts: String?
    public var connectTimeout: Duration
    /// Called (from any thread) when a node's host key was new and has been recorded.
    public var onNewHostKey: (@Sendable (String, HostKeyInfo) -> Void)?

    public init(user: String? = nil, identities: [String] = [], knownHosts: String? = nil, connectTimeout: Duration = .seconds(10),
                onNewHostKey: (@Sendable (String, HostKeyInfo) -> Void)? = nil) {
        self.user = user
        self.identities = identities
        self.knownHosts = knownHosts
        self.connectTimeout = connectTimeout
        self.onNewHostKey = onNewHostKey
    }

    /// The user for a node whose List View entry names `listed` (nil: none).
    public func user(listed: String?) -> String {
        user ?? listed ?? ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    func configuration(node: String, user: String) -> SSHConfiguration {
        var configuration = SSHConfiguration(user: user, connectTimeout: connectTimeout)
        if !identities.isEmpty { configuration.identityFiles = identities }
        if let knownHosts { configuration.knownHostsPath = knownHosts }
        if let report = onNewHostKey { configuration.onNewHostKey = { report(node, $0) } }
        return configuration
    }
}

/// One testbed node over SSH as the node's user (`sudo` is put before commands that need root:
/// `sudo -n`, or nothing for root), and masond's control API through `masond dial-stdio`.
public final class RemoteNode: @unchecked Sendable {
    public let name: String
    public let session: SSHSession
    /// Put before a command that needs root.
    public let sudo: String
    private var streams: [SSHStream] = []
    private let lock = NSLock()

    /// The installed daemon's path on every node.
    public static let masond = "/usr/local/bin/masond"

    /// What goes before a command that needs root: nothing for root, `sudo -n ` (never prompt) otherwise.
    public static func sudo(forUser user: String) -> String { user == "root" ? "" : "sudo -n " }

    /// The command whose stdin/stdout is the node's control socket.
    public static func dialCommand(sudo: String) -> String { "\(sudo)\(masond) dial-stdio" }

    public init(name: String, host: String, port: Int, user: String, settings: SSHSettings) throws {
        self.name = name
        session = try SSHSession(host: host, port: port, configuration: settings.configuration(node: name, user: user))
        sudo = Self.sudo(forUser: user)
    }

    deinit { close() }

    /// A control client speaking to the node's masond through `masond dial-stdio`.
    public func control() throws -> ControlClient {
        try connect().client
    }

    /// A control client checked with one `node.info` (returned with it): a daemon that does not
    /// answer is an error quoting what `masond dial-stdio` said.
    public func checkedControl() throws -> (client: ControlClient, info: NodeInfo) {
        let (client, stream) = try connect()
        do {
            return (client, try client.call("node.info"))
        } catch {
            client.close()
            let said = String(decoding: stream.stderrTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw LabError("masond on \(name) does not answer (\(said.isEmpty ? "\(error)" : said))")
        }
    }

    /// `node.info` from the node's masond, asked again until `timeout` (a daemon just started may
    /// not have opened its socket yet).
    public func nodeInfo(timeout: TimeInterval = 20) throws -> NodeInfo {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            do {
                let (client, info) = try checkedControl()
                client.close()
                return info
            } catch {
                guard Date() < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    private func connect() throws -> (client: ControlClient, stream: SSHStream) {
        let stream = try session.openStream(Self.dialCommand(sudo: sudo))
        lock.withLock { streams.append(stream) }
        return (ControlClient(reading: stream.descriptor, writing: stream.descriptor, peer: "masond on \(name)", ownsDescriptors: true), stream)
    }

    /// Runs `command` (as root when `root`: after `sudo`), `input` on its stdin; a non-zero exit
    /// is an error quoting the command's last words.
    public func run(_ command: String, root: Bool = false, input: String? = nil, timeout: Duration = .seconds(20)) throws {
        let result: SSHCommandResult
        do {
            result = try session.exec((root ? sudo : "") + command, stdin: input.map { Data($0.utf8) }, timeout: timeout)
        } catch {
            throw LabError("\(name): \(command): \(error)")
        }
        guard result.status == 0 else { throw LabError("\(name): \(command) failed (\(Self.lastWords(result))).") }
    }

    /// Ends every bridge and the session.
    public func close() {
        let open = lock.withLock { () -> [SSHStream] in
            defer { streams = [] }
            return streams
        }
        for stream in open { stream.close() }
        session.close()
    }

    /// The end of a failed command's stderr (else stdout), on one line.
    static func lastWords(_ result: SSHCommandResult) -> String {
        let text = String(decoding: result.stderr.isEmpty ? result.stdout : result.stderr, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.suffix(3).joined(separator: " / ").prefix(600).description
    }
}
