import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A FakeEmulab step that failed, with the command or call and what it said.
struct FakeEmulabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// How a finished child ended and what it printed.
struct FakeEmulabOutput {
    /// The exit status, or 128 + the signal that killed it (as a shell reports it).
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The fixture's children, through ChildProcess: each gets /dev/null as standard input, no other
/// descriptor of ours, default signal dispositions and mask, and a process group of its own (so a
/// timeout kills `ip netns exec` and what it runs). ChildProcess reaps by pid and does not wait for
/// end-of-file once the child has ended: a daemonized sshd or ssh ControlMaster that keeps an
/// inherited pipe cannot hang it (the hang Foundation's Process had here).
enum FakeEmulabProcesses {
    static let ipPath: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { access($0, X_OK) == 0 }

    /// Starts `path arguments…` for as long as it runs. stdout and stderr go to the files named
    /// (created, truncated unless `append`; the same path for both shares one descriptor).
    /// `environment` nil: ours.
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                      directory: String? = nil, stdout: String, stderr: String, append: Bool = false) throws -> RunningChild {
        try RunningChild(ChildCommand(path, arguments, environment: environment, directory: directory,
                                      standardOutput: .file(path: stdout, append: append),
                                      standardError: .file(path: stderr, append: append), ownProcessGroup: true))
    }

    /// Runs `path arguments…` to its end; kills its process group and throws (with what it
    /// printed) if it runs longer than `timeout` seconds.
    static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                    directory: String? = nil, timeout: Double = 60) throws -> FakeEmulabOutput {
        let result = try ChildProcess.run(ChildCommand(path, arguments, environment: environment, directory: directory,
                                                       ownProcessGroup: true), timeout: timeout)
        return FakeEmulabOutput(status: result.status.shellStatus, stdout: result.output, stderr: result.errorOutput)
    }

    /// Runs `ip arguments…` and returns its standard output; throws with its standard error.
    @discardableResult
    static func ip(_ arguments: [String]) throws -> String {
        guard let ipPath else { throw FakeEmulabError("the ip tool (iproute2) is not installed") }
        let output = try run(ipPath, arguments, timeout: 30)
        guard output.status == 0 else {
            throw FakeEmulabError("ip \(arguments.joined(separator: " ")) exited with \(output.status): "
                + output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return output.stdout
    }

    /// Whether `pid` exists and is not a zombie (PID 1 here reaps no orphans).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// The command line of `pid`, its arguments joined by spaces ("" if it is gone).
    static func commandLine(_ pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Every pid in /proc.
    static func allPids() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }

    /// A TCP connect from inside network namespace `namespace` to `address:port`: 0 when it was
    /// accepted, else the errno (ECONNREFUSED, ETIMEDOUT after `timeout` seconds, …). The socket is
    /// made with this thread switched into the namespace for that one call (a socket keeps the
    /// namespace it was made in), so no child process is needed.
    static func tcpConnect(from namespace: String, to address: String, port: Int, timeout: Double = 1) -> Int32 {
        guard let setns = Self.setns else { return ENOSYS }
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { return errno }
        defer { close(home) }
        let target = open("/var/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { return errno }
        defer { close(target) }
        guard setns(target, cloneNewNet) == 0 else { return errno }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let socketErrno = errno
        precondition(setns(home, cloneNewNet) == 0, "the test thread could not return to its network namespace")
        guard fd >= 0 else { return socketErrno }
        defer { close(fd) }

        var peer = sockaddr_in()
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, address, &peer.sin_addr) == 1 else { return EINVAL }
        let started = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if started == 0 { return 0 }
        guard errno == EINPROGRESS else { return errno }
        var waitFor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&waitFor, 1, Int32(timeout * 1000)) == 1 else { return ETIMEDOUT }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }

    // GNU extensions Swift's Glibc module does not declare.
    private typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNamespace? = dlsym(nil, "setns").map { unsafeBitCast($0, to: SetNamespace.self) }
    private static let cloneNewNet: Int32 = 0x4000_0000
}
