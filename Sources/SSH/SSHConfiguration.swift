import Foundation

/// How to reach and authenticate to a host: user, known_hosts, credentials, timeouts.
public struct SSHConfiguration: Sendable {
    /// The remote user name.
    public var user: String
    /// The OpenSSH known_hosts file host keys are checked against and new keys are appended to.
    public var knownHostsPath: String
    /// Try the keys of the ssh-agent at `agentSocket` before the key files.
    public var useAgent: Bool
    /// The ssh-agent's socket (default: `SSH_AUTH_SOCK`); nil or empty: no agent.
    public var agentSocket: String?
    /// Private key files (ed25519, RSA, ...) tried in order after the agent; missing files are skipped.
    /// A `<path>.pub` beside a key is used when present; otherwise libssh2 derives the public key.
    public var identityFiles: [String]
    /// The passphrase for encrypted key files, if any.
    public var passphrase: String?
    /// How long the TCP connect, the handshake and authentication may take, each.
    public var connectTimeout: Duration
    /// Called when a host key was not in known_hosts and has just been recorded there.
    public var onNewHostKey: (@Sendable (HostKeyInfo) -> Void)?
    /// How often an idle session sends an SSH keepalive (`keepalive@libssh2.org`, reply wanted)
    /// on a stream such as `masond dial-stdio`, so the server and every middlebox see it alive
    /// and a lost peer has unacknowledged data to be noticed by.
    public var keepaliveInterval: Duration = .seconds(5)
    /// How long data (a keepalive, a request) may go unacknowledged by the peer's TCP before
    /// the connection is declared dead (TCP_USER_TIMEOUT, with TCP keepalives when idle): a node
    /// that is gone ends its streams instead of leaving them open for ever.
    public var deadPeerTimeout: Duration = .seconds(30)

    /// A configuration with OpenSSH's defaults: `~/.ssh/known_hosts`, the agent, then
    /// `~/.ssh/id_ed25519` and `~/.ssh/id_rsa`.
    public init(user: String,
                knownHostsPath: String = SSHConfiguration.homeDirectory + "/.ssh/known_hosts",
                useAgent: Bool = true,
                identityFiles: [String] = ["id_ed25519", "id_rsa"].map { SSHConfiguration.homeDirectory + "/.ssh/" + $0 },
                passphrase: String? = nil,
                connectTimeout: Duration = .seconds(10),
                onNewHostKey: (@Sendable (HostKeyInfo) -> Void)? = nil) {
        self.user = user
        self.knownHostsPath = knownHostsPath
        self.useAgent = useAgent
        agentSocket = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"]
        self.identityFiles = identityFiles
        self.passphrase = passphrase
        self.connectTimeout = connectTimeout
        self.onNewHostKey = onNewHostKey
    }

    /// `$HOME`, or the password database's home directory when it is unset.
    public static var homeDirectory: String {
        ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    }

    /// `path` with the home directory shown as `~`, as in error messages.
    static func abbreviated(_ path: String) -> String {
        let home = homeDirectory
        return !home.isEmpty && home != "/" && path.hasPrefix(home + "/") ? "~" + path.dropFirst(home.count) : path
    }
}
