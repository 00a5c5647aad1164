import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A started child: its pid, signals to it, a wait with a timeout, and what it printed so far.
///
/// One monitor thread per child reads both captured pipes as data arrives (poll(2)), so a child
/// that fills one pipe while we wait on the other cannot deadlock, and reaps the child with
/// waitpid on its own pid. It does not wait for end-of-file after the child has exited: a
/// daemonized grandchild (sshd, an ssh ControlMaster) that inherited a pipe keeps it open forever.
/// A dropped handle leaves the child running and still reaped when it ends.
public final class RunningChild: @unchecked Sendable {
    public let pid: pid_t
    public let command: ChildCommand
    private let state: MonitorState

    /// Starts `command`. Throws `ChildProcessError.notFound` or `.cannotStart` when it cannot.
    public init(_ command: ChildCommand) throws {
        let started = try Spawn.start(command)
        pid = started.pid
        self.command = command
        state = MonitorState(limit: command.captureLimitBytes)
        let monitor = Monitor(pid: started.pid, pipes: [started.outputPipe, started.errorPipe], state: state)
        let thread = Thread { monitor.run() }
        thread.name = "child \(started.pid)"
        thread.start()
    }

    /// Whether the child has not ended yet.
    public var isRunning: Bool {
        state.condition.lock()
        defer { state.condition.unlock() }
        return !state.reaped
    }

    /// Sends `signal` to the child (to its process group if it has its own); false once it has
    /// ended (its pid may be someone else's by then).
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        state.condition.lock()
        defer { state.condition.unlock() }
        guard !state.reaped else { return false }
        return kill(command.ownProcessGroup ? -pid : pid, signal) == 0
    }

    /// The child's end once it has ended and its captured output is read; nil if it still runs
    /// after `timeout` seconds (nil: wait as long as it takes; 0: just look).
    public func wait(timeout: Double? = nil) -> ChildResult? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        state.condition.lock()
        defer { state.condition.unlock() }
        while state.status == nil {
            if let deadline {
                guard state.condition.wait(until: deadline) || state.status != nil else { return nil }
            } else {
                state.condition.wait()
            }
        }
        return ChildResult(command: command, status: state.status!, standardOutput: state.output, standardError: state.errorOutput)
    }

    /// What the child has printed on its captured streams so far.
    public var outputSoFar: (standardOutput: Data, standardError: Data) {
        state.condition.lock()
        defer { state.condition.unlock() }
        return (state.output, state.errorOutput)
    }

    /// SIGTERM, then SIGKILL if it still runs after `grace` seconds; its end (nil only if even
    /// SIGKILL did not end it within 10 s).
    @discardableResult
    public func stop(grace: Double = 5) -> ChildResult? {
        signal(SIGTERM)
        if let result = wait(timeout: grace) { return result }
        signal(SIGKILL)
        return wait(timeout: 10)
    }

    /// Kills the child (SIGKILL) and throws `timedOut` with what it printed, when it has not ended
    /// within `seconds`; else its end.
    public func result(within seconds: Double) throws -> ChildResult {
        if let result = wait(timeout: seconds) { return result }
        signal(SIGKILL)
        let printed = wait(timeout: 10).map { ($0.output, $0.errorOutput) } ?? {
            let soFar = outputSoFar
            return (String(decoding: soFar.standardOutput, as: UTF8.self), String(decoding: soFar.standardError, as: UTF8.self))
        }()
        throw ChildProcessError.timedOut(command: command.description, seconds: seconds,
                                         said: ChildProcessError.said(printed.1, printed.0))
    }
}

/// What the monitor thread and the handle share, under `condition`'s lock.
final class MonitorState: @unchecked Sendable {
    let condition = NSCondition()
    let limit: Int
    var output = Data()
    var errorOutput = Data()
    /// Set, under the lock, the moment waitpid has reaped the child: from then on its pid is not ours to signal.
    var reaped = false
    /// Set once the child is reaped and its pipes are read: what `wait` returns.
    var status: ChildStatus?

    init(limit: Int) { self.limit = limit }

    func append(_ bytes: UnsafeRawBufferPointer, toError: Bool) {
        condition.lock()
        defer { condition.unlock() }
        let room = max(0, limit - (toError ? errorOutput.count : output.count))
        guard room > 0 else { return }
        let kept = UnsafeRawBufferPointer(rebasing: bytes.prefix(room))
        if toError { errorOutput.append(contentsOf: kept) } else { output.append(contentsOf: kept) }
    }
}

/// The loop on a child's monitor thread.
struct Monitor: @unchecked Sendable {
    let pid: pid_t
    /// Read ends (non-blocking) of standard output and error; -1 where not captured.
    var pipes: [Int32]
    let state: MonitorState

    func run() {
        var open = pipes.enumerated().filter { $0.element >= 0 }.map { (descriptor: $0.element, isError: $0.offset == 1) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { buffer.deallocate() }
        var waitStatus: Int32 = 0
        while true {
            if open.isEmpty {
                // Nothing to read: block until the child exits, without reaping it (WNOWAIT), so the
                // reap below happens under the lock `signal` takes.
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
            } else {
                var descriptors = open.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
                _ = poll(&descriptors, nfds_t(descriptors.count), 50)
                drain(&open, buffer)
            }
            state.condition.lock()
            let reaped = waitpid(pid, &waitStatus, WNOHANG)
            let ended = reaped == pid || (reaped < 0 && errno == ECHILD)
            if reaped < 0 { waitStatus = 255 << 8 }  // reaped by someone else: its status is lost
            if ended { state.reaped = true }
            state.condition.unlock()
            if ended { break }
        }
        drain(&open, buffer)  // what it wrote just before it ended
        open.forEach { close($0.descriptor) }
        state.condition.lock()
        state.status = ChildStatus(waitStatus: waitStatus)
        state.condition.broadcast()
        state.condition.unlock()
    }

    /// Reads every open pipe until it would block; closes and forgets those at end-of-file.
    private func drain(_ open: inout [(descriptor: Int32, isError: Bool)], _ buffer: UnsafeMutableRawBufferPointer) {
        open = open.filter { pipe in
            while true {
                let count = read(pipe.descriptor, buffer.baseAddress, buffer.count)
                if count > 0 {
                    state.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]), toError: pipe.isError)
                } else if count == 0 {
                    close(pipe.descriptor)
                    return false
                } else if errno == EINTR {
                    continue
                } else {
                    return true  // EAGAIN: nothing more for now
                }
            }
        }
    }
}
