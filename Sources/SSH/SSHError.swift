/// Why an SSH operation failed; each case describes itself in one sentence naming the host.
public enum SSHError: Error, Equatable, CustomStringConvertible {
    /// The TCP connection could not be made (refused, unreachable, or no answer within the timeout).
    case unreachable(host: String, port: Int, reason: String)
    /// The SSH handshake (key exchange) failed or timed out.
    case handshakeFailed(host: String, port: Int, reason: String)
    /// The host presented a key different from the one recorded for it in known_hosts.
    case hostKeyChanged(host: String, address: String, port: Int, fingerprint: String, knownHostsPath: String)
    /// The host key could not be checked or recorded (unreadable known_hosts, unknown key type).
    case hostKeyUnverifiable(host: String, port: Int, reason: String)
    /// No credential was accepted; `tried` lists what was offered, in order.
    case permissionDenied(user: String, host: String, tried: [String])
    /// A remote command did not finish within its timeout.
    case commandTimeout(host: String, command: String, seconds: Double)
    /// A channel, transfer or session operation failed after the session was established.
    case channelFailed(host: String, operation: String, reason: String)
    /// The session was closed before or during the operation.
    case sessionClosed(host: String)

    public var description: String {
        switch self {
        case let .unreachable(host, port, reason):
            return "cannot reach \(host):\(port): \(reason)"
        case let .handshakeFailed(host, port, reason):
            return "SSH handshake with \(host):\(port) failed: \(reason)"
        case let .hostKeyChanged(host, address, port, fingerprint, path):
            return "host key for \(host) (\(address):\(port)) changed: the server now presents \(fingerprint), "
                + "which does not match the key recorded in \(path); remove the old key from known_hosts if the change is expected"
        case let .hostKeyUnverifiable(host, port, reason):
            return "cannot verify the host key of \(host):\(port): \(reason)"
        case let .permissionDenied(user, host, tried):
            let list = tried.isEmpty ? "no credentials (no ssh-agent and no key files)" : tried.joined(separator: ", ")
            return "permission denied for \(user)@\(host): tried \(list)"
        case let .commandTimeout(host, command, seconds):
            return "command on \(host) did not finish within \(formatSeconds(seconds)) s: \(command)"
        case let .channelFailed(host, operation, reason):
            return "\(operation) on \(host) failed: \(reason)"
        case let .sessionClosed(host):
            return "the SSH session to \(host) is closed"
        }
    }
}

/// Seconds without a trailing ".0" for whole numbers.
private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
