import CLibSSH2
import Foundation

extension SSHSession {
    /// Writes `data` to `remotePath` over SCP with permission bits `mode` (the remote umask applies
    /// to newly created files). Throws `commandTimeout` past `timeout`.
    public func upload(_ data: Data, to remotePath: String, mode: Int32 = 0o644, timeout: Duration = .seconds(300)) throws(SSHError) {
        let deadline = ContinuousClock.now + timeout
        let timedOut = { SSHError.commandTimeout(host: self.host, command: "scp -t \(remotePath)", seconds: timeout.seconds) }
        let channel = try nonblocking(until: deadline, timeout: timedOut) { (session) throws(SSHError) -> OpaquePointer?? in
            if let channel = libssh2_scp_send64(session, remotePath, mode & 0o7777, Int64(data.count), 0, 0) { return .some(channel) }
            if libssh2_session_last_errno(session) == LIBSSH2_ERROR_EAGAIN { return nil }
            throw .channelFailed(host: host, operation: "uploading \(remotePath)", reason: lastError(session))
        }!
        defer { release(channel) }
        let bytes = [UInt8](data)
        var written = 0
        while written < bytes.count {
            let n = try nonblocking(until: deadline, timeout: timedOut) { _ -> Int? in
                let n = bytes[written...].withUnsafeBytes { cssh_channel_write(channel, $0.baseAddress, min($0.count, 65536)) }
                return n == Int(LIBSSH2_ERROR_EAGAIN) ? nil : n
            }
            guard n >= 0 else {
                let reason = (try? locked { lastError($0) }) ?? "error \(n)"
                throw .channelFailed(host: host, operation: "uploading \(remotePath)", reason: reason)
            }
            written += n
        }
        _ = try nonblocking(until: deadline, timeout: timedOut) { _ in again(libssh2_channel_send_eof(channel)) }
        _ = try nonblocking(until: deadline, timeout: timedOut) { _ in again(libssh2_channel_wait_eof(channel)) }
        _ = try nonblocking(until: deadline, timeout: timedOut) { _ in again(libssh2_channel_wait_closed(channel)) }
    }

    /// Uploads the local file at `localPath` to `remotePath`, with `mode` or else the local file's
    /// permission bits.
    public func upload(file localPath: String, to remotePath: String, mode: Int32? = nil,
                       timeout: Duration = .seconds(300)) throws(SSHError) {
        let data: Data
        let localMode: Int32
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: localPath))
            let attributes = try FileManager.default.attributesOfItem(atPath: localPath)
            localMode = Int32((attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644)
        } catch {
            throw .channelFailed(host: host, operation: "uploading \(localPath)", reason: "cannot read it locally: \(error.localizedDescription)")
        }
        try upload(data, to: remotePath, mode: mode ?? localMode, timeout: timeout)
    }
}
