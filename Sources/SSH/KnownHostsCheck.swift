import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks the key a freshly handshaken session presents against a known_hosts file, appending it
/// when the host has no key of that type yet.
struct KnownHostsCheck {
    /// Sessions opened in parallel (setup fans out) read, check and append one at a time, so two
    /// new hosts are both recorded and one host is not recorded twice.
    private static let fileLock = NSLock()

    let host: String
    let address: String
    let port: Int
    let path: String

    /// Verifies the host key of `session` (handshake done). Returns what was found or recorded;
    /// throws `hostKeyChanged` when known_hosts holds a different key of the same type.
    func verify(_ session: OpaquePointer) throws(SSHError) -> HostKeyInfo {
        var keyLength = 0
        var keyType: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &keyLength, &keyType) else {
            throw .hostKeyUnverifiable(host: host, port: port, reason: "the server sent no host key")
        }
        guard let (keyBit, typeName) = Self.knownHostKeyType(keyType) else {
            throw .hostKeyUnverifiable(host: host, port: port, reason: "unsupported host key type \(keyType)")
        }
        let fingerprint = Self.fingerprint(session)
        Self.fileLock.lock()
        defer { Self.fileLock.unlock() }
        guard let hosts = libssh2_knownhost_init(session) else {
            throw .hostKeyUnverifiable(host: host, port: port, reason: "libssh2_knownhost_init failed")
        }
        defer { libssh2_knownhost_free(hosts) }
        if FileManager.default.fileExists(atPath: path), cssh_knownhost_readfile(hosts, path) < 0 {
            throw .hostKeyUnverifiable(host: host, port: port, reason: "cannot parse \(path): \(lastError(session))")
        }
        let typeMask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keyBit
        let check = libssh2_knownhost_checkp(hosts, host, Int32(port), key, keyLength, typeMask, nil)
        func info(_ status: HostKeyInfo.Status) -> HostKeyInfo {
            HostKeyInfo(host: host, address: address, port: port, keyType: typeName, fingerprint: fingerprint, status: status)
        }
        switch check {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return info(.known)
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw .hostKeyChanged(host: host, address: address, port: port, fingerprint: fingerprint,
                                  knownHostsPath: SSHConfiguration.abbreviated(path))
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            try record(hosts: hosts, session: session, key: key, keyLength: keyLength, typeMask: typeMask)
            return info(.recorded)
        default:
            throw .hostKeyUnverifiable(host: host, port: port, reason: "libssh2_knownhost_checkp failed: \(lastError(session))")
        }
    }

    /// Appends one OpenSSH line for the key (never rewrites the file, so entries libssh2 cannot
    /// parse survive). Port 22 is recorded as `host`, others as `[host]:port`, as OpenSSH does.
    private func record(hosts: OpaquePointer, session: OpaquePointer, key: UnsafePointer<CChar>, keyLength: Int,
                        typeMask: Int32) throws(SSHError) {
        let name = port == 22 ? host : "[\(host)]:\(port)"
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        guard libssh2_knownhost_addc(hosts, name, nil, key, keyLength, nil, 0, typeMask, &entry) == 0, let entry else {
            throw .hostKeyUnverifiable(host: host, port: port, reason: "cannot add the key: \(lastError(session))")
        }
        var line = [CChar](repeating: 0, count: 16384)
        var lineLength = 0
        guard libssh2_knownhost_writeline(hosts, entry, &line, line.count, &lineLength, LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0 else {
            throw .hostKeyUnverifiable(host: host, port: port, reason: "cannot format the key: \(lastError(session))")
        }
        var bytes = line.prefix(lineLength).map { UInt8(bitPattern: $0) }
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        do {
            try append(Data(bytes))
        } catch {
            throw .hostKeyUnverifiable(host: host, port: port, reason: "cannot record the key in \(path): \(error.localizedDescription)")
        }
    }

    /// Appends to known_hosts in one write, creating it (0600, in a 0700 directory) when missing.
    private func append(_ data: Data) throws {
        let manager = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !manager.fileExists(atPath: directory) {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // O_APPEND: each line lands at the end even if another process appends at the same time.
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// `SHA256:<base64 without padding>` of the session's host key.
    static func fingerprint(_ session: OpaquePointer) -> String {
        guard let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else { return "SHA256:?" }
        let digest = Data(bytes: hash, count: 32).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// The known_hosts key-type bit and OpenSSH name for a `LIBSSH2_HOSTKEY_TYPE_*`.
    static func knownHostKeyType(_ type: Int32) -> (Int32, String)? {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: return (LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa")
        case LIBSSH2_HOSTKEY_TYPE_DSS: return (LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss")
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return (LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256")
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return (LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384")
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return (LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521")
        case LIBSSH2_HOSTKEY_TYPE_ED25519: return (LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519")
        default: return nil
        }
    }
}

/// libssh2's message for the session's last error, or "unknown error".
func lastError(_ session: OpaquePointer) -> String {
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    let code = libssh2_session_last_error(session, &message, &length, 0)
    guard let message, length > 0 else { return "unknown error (\(code))" }
    return String(decoding: UnsafeRawBufferPointer(start: message, count: Int(length)), as: UTF8.self)
}
