import Foundation

/// What to start: an executable, its arguments, its environment and folder, what it reads on
/// standard input (/dev/null unless given) and where its standard output and error go.
public struct ChildCommand: Sendable, CustomStringConvertible {
    /// Where one of the child's output streams goes.
    public enum Destination: Sendable, Equatable {
        /// Read by us, both streams together (so a chatty child cannot fill one pipe while we wait on the other).
        case capture
        /// /dev/null.
        case discard
        /// A file, created if missing, truncated unless `append`. The same path for both streams shares one descriptor.
        case file(path: String, append: Bool = false)
        /// For standard error only: wherever standard output goes, one stream in the order written.
        case intoOutput
    }

    /// An absolute (or relative) path, or a bare name looked up in PATH, then /usr/sbin and /sbin.
    public var executable: String
    public var arguments: [String]
    /// nil: ours.
    public var environment: [String: String]?
    /// nil: ours.
    public var directory: String?
    /// What the child reads on standard input, whole (from an unlinked temporary file, so no
    /// writer can block); nil: /dev/null.
    public var standardInput: Data?
    public var standardOutput: Destination
    public var standardError: Destination
    /// The child leads a process group of its own, and signals go to the whole group (a shell and
    /// what it starts, `ip netns exec` and its command).
    public var ownProcessGroup: Bool
    /// How much of each captured stream is kept; bytes past it are read and dropped (and counted).
    public var captureLimitBytes: Int

    public init(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil,
                standardInput: Data? = nil, standardOutput: Destination = .capture, standardError: Destination = .capture,
                ownProcessGroup: Bool = false, captureLimitBytes: Int = 64 << 20) {
        precondition(captureLimitBytes > 0, "a capture limit must keep something")
        precondition(standardOutput != .intoOutput, "intoOutput is for standard error")
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.ownProcessGroup = ownProcessGroup
        self.captureLimitBytes = captureLimitBytes
    }

    /// The command line as a shell would take it: words with spaces or quotes single-quoted.
    public var description: String {
        ([executable] + arguments).map { word in
            word.isEmpty || word.contains(where: { " '\"\\$`\t\n;&|<>()*?".contains($0) })
                ? "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" : word
        }.joined(separator: " ")
    }
}
