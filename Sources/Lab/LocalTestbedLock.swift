import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One masonlab at a time on the local testbed: its daemons bind 127.0.1.1, 127.0.1.2, ... on
/// this machine, so a second run at once would fail on "Address already in use". An exclusive
/// `flock` on one file for the whole machine says so instead; the kernel releases it when the
/// holder exits, however it exits, so a killed masonlab never leaves the testbed locked.
public final class LocalTestbedLock {
    /// The machine-wide lock file (not under TMPDIR: two masonlabs with different TMPDIRs still
    /// share the loopback addresses).
    public static let defaultPath = "/tmp/masonlab-local-testbed.lock"

    private let fd: Int32

    /// Takes the lock at `path` without waiting; throws `TestbedBusy` naming the holder's pid when
    /// another process has it.
    public init(path: String = LocalTestbedLock.defaultPath, addresses: String = "127.0.1.x") throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw LabError("cannot open the local testbed's lock file \(path): \(String(cString: strerror(errno))).")
        }
        // Others' masonlabs must be able to take it too, whatever our umask.
        _ = fchmod(fd, 0o666)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var text = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &text, text.count, 0)
            close(fd)
            guard code == EWOULDBLOCK else {
                throw LabError("cannot lock the local testbed's lock file \(path): \(String(cString: strerror(code))).")
            }
            let pid = n > 0 ? String(decoding: text[0 ..< n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
            throw TestbedBusy(description: "the local testbed is busy: another masonlab (pid \(pid)) is running on \(addresses); wait for it or stop it.")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = fd
    }

    deinit { close(fd) }
}

/// Another masonlab holds the testbed: no attempt is made (or recorded) until it is done.
public struct TestbedBusy: Error, CustomStringConvertible {
    public let description: String
}
