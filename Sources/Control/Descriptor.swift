#if canImport(Glibc)
import Glibc
#endif

/// Blocking reads and writes on file descriptors, retried across EINTR and short writes, and safe
/// from SIGPIPE: a write to a peer that has gone away returns EPIPE instead of killing the process.
enum Descriptor {
    /// Whether `fd` is a socket (so `send` with `MSG_NOSIGNAL` applies) rather than a pipe or file.
    static func isSocket(_ fd: Int32) -> Bool {
        var status = stat()
        return fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFSOCK
    }

    /// Reads what is available (at least one byte, or end of input) into `buffer`.
    /// Returns the byte count, 0 at end of input, or the negated errno.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { return -Int(errno) }
        }
    }

    /// Writes every byte of `bytes`. Returns 0, or the errno of the write that failed.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, isSocket: Bool) -> Int32 {
        if isSocket { return writeLoop(bytes) { Glibc.send(fd, $0, $1, Int32(MSG_NOSIGNAL)) } }
        return withSIGPIPEBlocked { writeLoop(bytes) { Glibc.write(fd, $0, $1) } }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], isSocket: Bool) -> Int32 {
        bytes.withUnsafeBytes { writeAll(fd, $0, isSocket: isSocket) }
    }

    private static func writeLoop(_ bytes: UnsafeRawBufferPointer, _ write: (UnsafeRawPointer, Int) -> Int) -> Int32 {
        guard let base = bytes.baseAddress else { return 0 }
        var offset = 0
        while offset < bytes.count {
            let n = write(base + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0, errno == EINTR {
                continue
            } else {
                return n == 0 ? EIO : errno
            }
        }
        return 0
    }

    /// Runs `body` with SIGPIPE blocked on this thread, consuming a SIGPIPE that `body` raised, so
    /// a pipe whose reader has gone fails with EPIPE without a process-wide signal disposition.
    private static func withSIGPIPEBlocked(_ body: () -> Int32) -> Int32 {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
        var pendingBefore = sigset_t()
        sigpending(&pendingBefore)
        let wasPending = sigismember(&pendingBefore, SIGPIPE) == 1
        let result = body()
        if result == EPIPE, !wasPending {
            var noWait = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeSignal, nil, &noWait) == -1, errno == EINTR {}
        }
        pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        return result
    }
}
