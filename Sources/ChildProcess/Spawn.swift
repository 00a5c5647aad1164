import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn with what every child here needs: /dev/null as standard input, its output to pipes,
/// files or /dev/null, no other descriptor of ours, default signal dispositions and an empty mask
/// (a test runner's blocked signals must not reach masond), optionally a process group of its own.
enum Spawn {
    /// The started child and the read ends of its captured streams (-1 where not captured).
    struct Started {
        var pid: pid_t
        var outputPipe: Int32
        var errorPipe: Int32
    }

    static func start(_ command: ChildCommand) throws -> Started {
        let path = try resolve(command.executable, environment: command.environment)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var ours: [Int32] = []  // our ends, closed unless the child starts
        var spawned = false
        defer { if !spawned { ours.forEach { close($0) } } }
        var theirs: [Int32] = []  // the child's ends, closed here once it has them
        defer { theirs.forEach { close($0) } }

        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var ends: [Int32] = [0, 0]
            // pipe2 is a GNU extension Swift does not see; the window before FD_CLOEXEC is harmless
            // here since every child we start closes all descriptors past 2.
            guard pipe(&ends) == 0 else {
                throw ChildProcessError.cannotStart(executable: path, reason: "no pipe (\(String(cString: strerror(errno))))")
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
            ours.append(ends[0])
            theirs.append(ends[1])
            return (ends[0], ends[1])
        }
        var started = Started(pid: 0, outputPipe: -1, errorPipe: -1)
        if let input = command.standardInput {
            let file = try inputFile(input, executable: path)
            theirs.append(file)
            posix_spawn_file_actions_adddup2(&actions, file, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        for (descriptor, destination) in [(Int32(1), command.standardOutput), (2, command.standardError)] {
            switch destination {
            case .capture:
                let ends = try pipeEnds()
                posix_spawn_file_actions_adddup2(&actions, ends.write, descriptor)
                if descriptor == 1 { started.outputPipe = ends.read } else { started.errorPipe = ends.read }
            case .intoOutput:
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            case .discard:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .file(let file, let append):
                if descriptor == 2, command.standardOutput == destination {
                    posix_spawn_file_actions_adddup2(&actions, 1, 2)
                } else {
                    posix_spawn_file_actions_addopen(&actions, descriptor, file, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
                }
            }
        }
        if let closeFrom = addCloseFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        if let directory = command.directory {
            guard let addChdir else {
                throw ChildProcessError.cannotStart(executable: path, reason: "this C library cannot change folder in posix_spawn")
            }
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
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if command.ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + command.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result: Int32
        if let environment = command.environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawn(&started.pid, path, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&started.pid, path, &actions, &attributes, argv, environ)
        }
        guard result == 0 else {
            throw ChildProcessError.cannotStart(executable: path, reason: String(cString: strerror(result)).lowercased())
        }
        spawned = true
        return started
    }

    /// A descriptor reading `input` from its start: an unlinked file in the temporary folder.
    private static func inputFile(_ input: Data, executable: String) throws -> Int32 {
        var template = Array((NSTemporaryDirectory() + "/child-input-XXXXXX").utf8CString)
        let file = mkstemp(&template)
        guard file >= 0 else {
            throw ChildProcessError.cannotStart(executable: executable, reason: "no file for its input (\(String(cString: strerror(errno))))")
        }
        unlink(template)
        _ = fcntl(file, F_SETFD, FD_CLOEXEC)
        let written = input.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(file, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written, lseek(file, 0, SEEK_SET) == 0 else {
            close(file)
            throw ChildProcessError.cannotStart(executable: executable, reason: "its input could not be written (\(String(cString: strerror(errno))))")
        }
        return file
    }

    /// `executable` itself when it names a path; else the first executable file of that name in
    /// PATH (the child's, else ours), /usr/sbin or /sbin.
    static func resolve(_ executable: String, environment: [String: String]?) throws -> String {
        if executable.contains("/") { return executable }
        let path = (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? "/usr/bin:/bin"
        var folders = path.split(separator: ":").map(String.init)
        for extra in ["/usr/sbin", "/sbin"] where !folders.contains(extra) { folders.append(extra) }
        for folder in folders where access(folder + "/" + executable, X_OK) == 0 { return folder + "/" + executable }
        throw ChildProcessError.notFound(executable: executable, searched: folders)
    }

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    // GNU extensions Swift's Glibc module does not declare.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addCloseFrom: AddCloseFrom? =
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }
    private static let addChdir: AddChdir? =
        dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
}
