/// The key a host presented, as OpenSSH shows it, and whether known_hosts already had it.
public struct HostKeyInfo: Sendable, Equatable, CustomStringConvertible {
    /// Whether the key was found in known_hosts or recorded there by this connection.
    public enum Status: Sendable, Equatable {
        /// known_hosts had this key for the host.
        case known
        /// known_hosts had no key of this type for the host; it was appended.
        case recorded
    }

    /// The host name as given to connect (what known_hosts is keyed by).
    public let host: String
    /// The numeric address connected to.
    public let address: String
    /// The port connected to.
    public let port: Int
    /// The key's algorithm name, e.g. `ssh-ed25519`.
    public let keyType: String
    /// `SHA256:` and the unpadded base64 SHA-256 of the key, as `ssh-keygen -l` prints it.
    public let fingerprint: String
    /// Known or newly recorded.
    public let status: Status

    public var description: String {
        let what = status == .known ? "known host key" : "new host key recorded"
        return "\(what) for \(host) (\(address):\(port)): \(keyType) \(fingerprint)"
    }
}
