import Foundation

/// A finished child: how it ended and what it printed on the streams that were captured.
public struct ChildResult: Sendable {
    public var command: ChildCommand
    public var status: ChildStatus
    public var standardOutput: Data
    public var standardError: Data

    public var output: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorOutput: String { String(decoding: standardError, as: UTF8.self) }

    /// This result if the child exited 0, else `ChildProcessError.failed` with what it printed.
    @discardableResult
    public func checked() throws -> ChildResult {
        guard status.succeeded else {
            throw ChildProcessError.failed(command: command.description, status: status, said: ChildProcessError.said(errorOutput, output))
        }
        return self
    }
}
