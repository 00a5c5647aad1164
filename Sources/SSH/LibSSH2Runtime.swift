import CLibSSH2

/// libssh2's process-wide initialisation, done once however many threads open sessions.
enum LibSSH2Runtime {
    /// Swift initialises static lets lazily and exactly once (swift_once), which makes this the guard.
    private static let initResult: Int32 = libssh2_init(0)

    /// Initialises libssh2 on first use; throws if that failed (crypto backend unavailable).
    static func ensureInitialized(host: String, port: Int) throws(SSHError) {
        if initResult != 0 {
            throw .handshakeFailed(host: host, port: port, reason: "libssh2_init failed with \(initResult)")
        }
    }
}
