import ChildProcess
import Control
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The machine `masond prepare` reads and changes: every path is taken relative to `root` (so a
/// test can lay out a made-up /sys, /proc and /etc under a temporary folder) and every external
/// command (modprobe, ip, mount) goes through `runCommand`. Paths in the API and in messages are
/// the node's own (`/sys/...`).
public struct PreparationSystem {
    /// Runs `arguments[0]` with the rest as its arguments; returns its exit status and its
    /// standard output and error together. Throws when the command cannot be started at all.
    public typealias CommandRunner = (_ arguments: [String]) throws -> (status: Int32, output: String)

    /// Prefixed to every path; "/" (or "") for the live machine.
    public var root: String
    public var runCommand: CommandRunner
    /// Called after each successful write with the node path and what was written (tests use it
    /// to play the kernel's part: a driver appearing after drivers_probe, pages falling short).
    public var didWrite: (_ path: String, _ contents: String) -> Void

    public init(root: String, runCommand: @escaping CommandRunner,
                didWrite: @escaping (_ path: String, _ contents: String) -> Void = { _, _ in }) {
        self.root = root
        self.runCommand = runCommand
        self.didWrite = didWrite
    }

    /// This machine, with commands found in /usr/sbin, /sbin, /usr/bin or /bin and run by Process.
    public static var live: PreparationSystem { PreparationSystem(root: "/", runCommand: runProcess) }

    /// Where a node path lies on this machine.
    func local(_ path: String) -> String {
        root.isEmpty || root == "/" ? path : root + path
    }

    // MARK: Reading

    /// A small file's contents, unchanged; nil if unreadable.
    func contents(_ path: String) -> String? { SystemFiles.contents(local(path)) }

    /// A sysfs or procfs value, whitespace-trimmed; nil if unreadable.
    func value(_ path: String) -> String? { SystemFiles.value(local(path)) }

    func exists(_ path: String) -> Bool { access(local(path), F_OK) == 0 }

    /// The names in a folder, sorted; empty if it is missing.
    func list(_ path: String) -> [String] { SystemFiles.list(local(path)) }

    /// The last component of a symbolic link's target (a device's `driver` link names its driver).
    func linkName(_ path: String) -> String? {
        SystemFiles.linkTarget(local(path)).map { ($0 as NSString).lastPathComponent }
    }

    // MARK: Changing

    /// Writes to an existing kernel attribute in place (sysfs and procfs files cannot be replaced).
    func writeAttribute(_ path: String, _ text: String) throws {
        let fd = open(local(path), O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw DaemonError("cannot open \(path) for writing: \(Self.errnoText())") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else {
            throw DaemonError("writing '\(text)' to \(path) failed: \(n < 0 ? Self.errnoText() : "short write")")
        }
        didWrite(path, text)
    }

    /// Replaces a regular file atomically (a temporary file beside it, renamed over it), creating
    /// missing folders with mode 0755.
    func writeFile(_ path: String, _ text: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try makeDirectory(folder)
        let temporary = local(folder) + "/.\((path as NSString).lastPathComponent).masond-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DaemonError("cannot create \(temporary): \(Self.errnoText())") }
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard n == bytes.count, synced, rename(temporary, local(path)) == 0 else {
            let reason = Self.errnoText()
            unlink(temporary)
            throw DaemonError("writing \(path) failed: \(reason)")
        }
        didWrite(path, text)
    }

    /// `mkdir -p` with mode 0755.
    func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: local(path), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        } catch {
            throw DaemonError("cannot create the folder \(path): \(error.localizedDescription)")
        }
    }

    /// Runs a command; throws unless it exits 0, with its output in the message.
    func run(_ arguments: [String]) throws {
        let (status, output) = try runCommand(arguments)
        guard status == 0 else {
            throw DaemonError("`\(arguments.joined(separator: " "))` exited with status \(status)"
                              + (output.isEmpty ? "" : ": \(output)"))
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// The live runner: the first of /usr/sbin, /sbin, /usr/bin, /bin holding the command.
    static func runProcess(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let name = arguments.first else { throw DaemonError("no command to run") }
        let folders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        guard let executable = folders.map({ "\($0)/\(name)" }).first(where: FileManager.default.isExecutableFile) else {
            throw DaemonError("\(name) is not in \(folders.joined(separator: ", ")); install it")
        }
        let result = try ChildProcess.run(ChildCommand(executable, Array(arguments.dropFirst()), standardError: .intoOutput), timeout: 120)
        return (result.status.shellStatus, result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
