import Foundation
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

/// Children started with posix_spawn and reaped by waitpid on their own pid.
///
/// Not Foundation's Process: on Linux it learns that a child ended when a socket the child
/// inherits is closed, so it waits for every descendant that keeps that socket (a daemonized
/// sshd, an ssh ControlMaster): the hang seen while sshd ran. Here every child gets /dev/null as
/// standard input, its output goes to files (never to a pipe read to EOF), every other descriptor
/// is closed, signal dispositions and mask are reset, and it leads a process group of its own.
enum FakeEmulabProcesses {
    static let ipPath: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { access($0, X_OK) == 0 }

    /// Starts `path arguments…`. stdout and stderr go to the files named (created, truncated
    /// unless `append`; the same path for both shares one descriptor). `environment` nil: ours.
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                      directory: String? = nil, stdout: String, stderr: String, append: Bool = false) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, flags, 0o644)
        if stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, flags, 0o644)
        }
        if let closeFrom = Self.addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        if let directory {
            guard let addChdir = Self.addChdir else { throw FakeEmulabError("this C library cannot chdir in posix_spawn") }
            _ = addChdir(&actions, directory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        }
        guard result == 0 else {
            throw FakeEmulabError("cannot start \(path): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// The child's status once it has ended (reaped), or nil if it still runs after `timeout`
    /// seconds (0: just look).
    static func wait(_ pid: pid_t, timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        var pause: useconds_t = 500
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
            if reaped < 0, errno != EINTR { return -1 }  // not our child, or reaped already
            if Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Runs `path arguments…` to its end with its output in files under `scratch`; kills its process
    /// group and throws if it runs longer than `timeout` seconds.
    static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                    directory: String? = nil, timeout: Double = 60, scratch: String = "/tmp") throws -> FakeEmulabOutput {
        let base = scratch + "/run-\(getpid())-\(UInt64.random(in: 0 ... .max))"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let pid = try spawn(path, arguments, environment: environment, directory: directory, stdout: outPath, stderr: errPath)
        let status = wait(pid, timeout: timeout)
        let read = { (file: String) in String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self) }
        guard let status else {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            _ = wait(pid, timeout: 5)
            throw FakeEmulabError("\(([path] + arguments).joined(separator: " ")) did not end within \(Int(timeout)) s and was killed; "
                + "stdout: \(read(outPath).suffix(2000)) stderr: \(read(errPath).suffix(2000))")
        }
        return FakeEmulabOutput(status: status, stdout: read(outPath), stderr: read(errPath))
    }

    /// Runs `ip arguments…` and returns its standard output; throws with its standard error.
    @discardableResult
    static func ip(_ arguments: [String], scratch: String = "/tmp") throws -> String {
        guard let ipPath else { throw FakeEmulabError("the ip tool (iproute2) is not installed") }
        let output = try run(ipPath, arguments, timeout: 30, scratch: scratch)
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

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    // GNU extensions Swift's Glibc module does not declare.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? =
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }
    private static let addChdir: AddChdir? =
        dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    private static let setns: SetNamespace? = dlsym(nil, "setns").map { unsafeBitCast($0, to: SetNamespace.self) }
    private static let cloneNewNet: Int32 = 0x4000_0000
}
