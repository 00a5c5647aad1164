import CLibSSH2
import Foundation

extension SSHSession {
    /// Runs `command` on the host, feeding it `stdin` (then end-of-file), and collects its output.
    /// Throws `commandTimeout` when it has not finished within `timeout` (its channel is then closed).
    public func exec(_ command: String, stdin: Data? = nil, timeout: Duration = .seconds(60)) throws(SSHError) -> SSHCommandResult {
        let deadline = ContinuousClock.now + timeout
        let timedOut = { SSHError.commandTimeout(host: self.host, command: command, seconds: timeout.seconds) }
        let channel = try openChannel(until: deadline, timeout: timedOut)
        defer { release(channel) }
        try startCommand(command, on: channel, until: deadline, timeout: timedOut)

        let input = [UInt8](stdin ?? Data())
        var written = 0
        var inputClosed = false
        var stdout = Data()
        var stderr = Data()
        var buffer = [UInt8](repeating: 0, count: 32768)
        while true {
            let (progressed, finished) = try locked { (_: OpaquePointer) throws(SSHError) -> (Bool, Bool) in
                var progressed = false
                if !inputClosed {
                    if written < input.count {
                        let n = input[written...].withUnsafeBytes { cssh_channel_write(channel, $0.baseAddress, $0.count) }
                        if n > 0 { written += n; progressed = true }
                        else if n != Int(LIBSSH2_ERROR_EAGAIN) { inputClosed = true }  // the command stopped reading
                    }
                    if written == input.count {
                        let rc = libssh2_channel_send_eof(channel)
                        if rc != LIBSSH2_ERROR_EAGAIN { inputClosed = true; progressed = true }
                    }
                }
                let outEnded = try drain(channel, into: &stdout, buffer: &buffer, stderr: false, progressed: &progressed)
                let errEnded = try drain(channel, into: &stderr, buffer: &buffer, stderr: true, progressed: &progressed)
                return (progressed, outEnded && errEnded)
            }
            if finished { break }
            if ContinuousClock.now >= deadline { throw timedOut() }
            if !progressed { try waitForSocket(until: deadline) }
        }
        _ = try nonblocking(until: deadline, timeout: timedOut) { _ in again(libssh2_channel_close(channel)) }
        _ = try nonblocking(until: deadline, timeout: timedOut) { _ in again(libssh2_channel_wait_closed(channel)) }
        let status = try locked { _ in libssh2_channel_get_exit_status(channel) }
        let signalled = try locked { _ in
            var name: UnsafeMutablePointer<CChar>?
            var length = 0
            _ = libssh2_channel_get_exit_signal(channel, &name, &length, nil, nil, nil, nil)
            defer { if let name { free(name) } }
            return name != nil
        }
        return SSHCommandResult(status: signalled ? -1 : status, stdout: stdout, stderr: stderr)
    }

    /// Reads what is available from one of `channel`'s streams (lock held); true at end-of-file.
    private func drain(_ channel: OpaquePointer, into output: inout Data, buffer: inout [UInt8], stderr: Bool,
                       progressed: inout Bool) throws(SSHError) -> Bool {
        while true {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                return stderr ? cssh_channel_read_stderr(channel, base, raw.count) : cssh_channel_read(channel, base, raw.count)
            }
            if n > 0 {
                output.append(contentsOf: buffer[0..<n])
                progressed = true
            } else if n == Int(LIBSSH2_ERROR_EAGAIN) {
                return false
            } else if n == 0 {
                return libssh2_channel_eof(channel) != 0
            } else {
                throw .channelFailed(host: host, operation: "reading the output", reason: "libssh2 error \(n)")
            }
        }
    }
}
