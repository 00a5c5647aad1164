import Foundation

/// What a remote command left behind: its exit status and everything it wrote.
public struct SSHCommandResult: Sendable, Equatable {
    /// The exit status; -1 when the server reported none (the command died of a signal).
    public let status: Int32
    /// Everything the command wrote to standard output.
    public let stdout: Data
    /// Everything the command wrote to standard error.
    public let stderr: Data

    public init(status: Int32, stdout: Data, stderr: Data) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}
