import CLibSSH2
import Foundation

/// Public-key authentication: the ssh-agent's keys first, then key files; every failure is
/// remembered so that one error can say everything that was tried.
struct Authenticator {
    let host: String
    let port: Int
    let configuration: SSHConfiguration

    /// Authenticates `session` (blocking mode, handshake and host key check done).
    func authenticate(_ session: OpaquePointer) throws(SSHError) {
        let user = configuration.user
        let userLength = UInt32(user.utf8.count)
        if libssh2_userauth_list(session, user, userLength) == nil, libssh2_userauth_authenticated(session) != 0 {
            return  // the server accepted "none"
        }
        var tried: [String] = []
        if configuration.useAgent, let socket = configuration.agentSocket, !socket.isEmpty {
            if try authenticateWithAgent(session, socket: socket, tried: &tried) { return }
        }
        for path in configuration.identityFiles where FileManager.default.fileExists(atPath: path) {
            let publicKey = path + ".pub"
            let publicKeyPath: String? = FileManager.default.fileExists(atPath: publicKey) ? publicKey : nil
            let rc = cssh_userauth_publickey_fromfile(session, user, publicKeyPath, path, configuration.passphrase ?? "")
            if rc == 0 { return }
            let shown = SSHConfiguration.abbreviated(path)
            switch rc {
            case LIBSSH2_ERROR_FILE:
                tried.append("\(shown) (unreadable or needs a passphrase)")
            case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT,
                 LIBSSH2_ERROR_TIMEOUT:
                throw .handshakeFailed(host: host, port: port, reason: "connection lost during authentication: \(lastError(session))")
            default:
                tried.append(Self.isRSA(path) && Self.signsRSAWithSHA1Only ? shown + Self.rsaNote : shown)
            }
        }
        throw .permissionDenied(user: user, host: host, tried: tried)
    }

    /// Why an RSA key may be refused: libssh2 before 1.11 signs with RSA/SHA-1 (`ssh-rsa`) only,
    /// which OpenSSH 8.8 and later refuse unless the server allows it.
    static let rsaNote = " (an RSA key: this libssh2 signs only with SHA-1, which OpenSSH 8.8 and later refuse by default; "
        + "use an ed25519 key, or allow ssh-rsa in the server's PubkeyAcceptedAlgorithms)"

    /// Whether the libssh2 loaded is older than 1.11 (`libssh2_version` answers nil then).
    static var signsRSAWithSHA1Only: Bool { libssh2_version(0x010b00) == nil }

    /// Whether a key file holds an RSA key (from its `.pub`, else the private key's PEM header).
    static func isRSA(_ path: String) -> Bool {
        if let pub = FileManager.default.contents(atPath: path + ".pub") { return pub.starts(with: Data("ssh-rsa ".utf8)) }
        guard let key = FileManager.default.contents(atPath: path) else { return false }
        return String(decoding: key.prefix(64), as: UTF8.self).contains("BEGIN RSA PRIVATE KEY")
    }

    /// Offers each agent key; true when one was accepted. Appends "agent (N keys)" to `tried`.
    private func authenticateWithAgent(_ session: OpaquePointer, socket: String, tried: inout [String]) throws(SSHError) -> Bool {
        guard let agent = libssh2_agent_init(session) else {
            tried.append("agent (unavailable)")
            return false
        }
        libssh2_agent_set_identity_path(agent, socket)
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else {
            tried.append("agent (cannot connect: \(lastError(session)))")
            return false
        }
        var count = 0
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
            count += 1
            if libssh2_agent_userauth(agent, configuration.user, identity) == 0 { return true }
            if libssh2_session_last_errno(session) == LIBSSH2_ERROR_TIMEOUT {
                throw .handshakeFailed(host: host, port: port, reason: "authentication timed out")
            }
            previous = identity
        }
        tried.append("agent (\(count) key\(count == 1 ? "" : "s"))")
        return false
    }
}
