import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `masond dial-stdio`: joins stdin/stdout to the daemon's socket, so masonlab reaches a remote
/// daemon through an SSH exec channel (`ssh node masond dial-stdio`) and no control port is ever
/// open on the network. Bytes are copied unchanged both ways, with one exception: input that
/// ends without a newline gets one, so its last request reaches the daemon as a whole line
/// (end of input ends the line) instead of being dropped as a peer gone mid-line.
public enum DialStdio {
    /// How a bridge ended.
    public enum Outcome: Equatable, Sendable {
        /// The input ended; everything was forwarded and the daemon then closed its side.
        case inputEnded
        /// The daemon closed the connection while the input was still open.
        case daemonClosed
        /// The output could no longer be written (its reader went away).
        case outputClosed
    }

    /// Bridges this process's stdin and stdout to the daemon at `socketPath`. Returns the exit
    /// status: 0 when stdin ended, 1 (after a line on stderr) when the daemon or stdout went first.
    /// Throws `ControlError.noDaemon` when nothing listens at the path.
    public static func run(socketPath: String) throws(ControlError) -> Int32 {
        switch try bridge(input: STDIN_FILENO, output: STDOUT_FILENO, socketPath: socketPath) {
        case .inputEnded:
            return 0
        case .daemonClosed:
            FileHandle.standardError.write(Data("masond dial-stdio: masond at \(socketPath) closed the connection\n".utf8))
            return 1
        case .outputClosed:
            return 1
        }
    }

    /// Copies `input` to the daemon's socket and the socket to `output` until one side is done:
    /// at end of input the socket's write side is shut down and the daemon's remaining answers are
    /// still copied until it closes; when the daemon closes or `output` fails, the bridge ends at
    /// once. The descriptors are not closed. Writing to a closed pipe raises no SIGPIPE.
    public static func bridge(input: Int32, output: Int32, socketPath: String) throws(ControlError) -> Outcome {
        let socket = try UnixSocket.connect(path: socketPath)
        defer { close(socket) }
        var wakePipe: [Int32] = [-1, -1]
        guard pipe(&wakePipe) == 0 else {
            throw .system(operation: "create a pipe to bridge", path: socketPath, errno: errno)
        }
        defer { close(wakePipe[0]); close(wakePipe[1]) }

        // The daemon-to-output half runs on its own thread so neither direction can stall the
        // other; it reports how it ended through the wake pipe, which the input half polls.
        let daemonSideDone = DispatchSemaphore(value: 0)
        let wakeWrite = wakePipe[1]
        Thread.detachNewThread {
            let ending = copy(from: socket, to: output, toIsSocket: Descriptor.isSocket(output))
            var byte: UInt8 = ending == .sourceEnded ? 0 : 1
            _ = write(wakeWrite, &byte, 1)
            daemonSideDone.signal()
        }

        var outcome: Outcome?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        /// Whether the bytes forwarded so far end inside a line.
        var midLine = false
        while outcome == nil {
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                shutdown(socket, Int32(SHUT_RDWR))
                break
            }
            if fds[1].revents != 0 {
                var byte: UInt8 = 0
                _ = read(wakePipe[0], &byte, 1)
                outcome = byte == 0 ? .daemonClosed : .outputClosed
            } else if fds[0].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { Descriptor.read(input, into: $0) }
                if n > 0 {
                    midLine = buffer[n - 1] != 0x0A
                    let failed = buffer.withUnsafeBytes { Descriptor.writeAll(socket, UnsafeRawBufferPointer(rebasing: $0[0..<n]), isSocket: true) } != 0
                    // The daemon has gone: end the other half too, then learn how it ended.
                    if failed { shutdown(socket, Int32(SHUT_RDWR)) }
                } else {
                    // End of input (or an unreadable input): it ends the last line; let the daemon
                    // answer what it has.
                    if midLine { _ = Descriptor.writeAll(socket, [0x0A], isSocket: true) }
                    shutdown(socket, Int32(SHUT_WR))
                    daemonSideDone.wait()
                    var byte: UInt8 = 0
                    _ = read(wakePipe[0], &byte, 1)
                    return byte == 0 ? .inputEnded : .outputClosed
                }
            }
        }
        daemonSideDone.wait()
        return outcome ?? .daemonClosed
    }

    private enum CopyEnding { case sourceEnded, destinationFailed }

    private static func copy(from source: Int32, to destination: Int32, toIsSocket: Bool) -> CopyEnding {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Descriptor.read(source, into: $0) }
            if n <= 0 { return .sourceEnded }
            let code = buffer.withUnsafeBytes { Descriptor.writeAll(destination, UnsafeRawBufferPointer(rebasing: $0[0..<n]), isSocket: toIsSocket) }
            if code != 0 { return .destinationFailed }
        }
    }
}
