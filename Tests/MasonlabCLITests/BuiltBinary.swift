import Foundation
import TestSupport

/// The built executables (masonlab, masond), run as a user runs them: a subprocess, how it ended,
/// its output.
enum BuiltBinary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// It died of a signal (`status` is then the signal's number): a trap, never an answer.
        var signaled = false
    }

    /// `swift test` runs the tests from inside the .xctest bundle on some layouts; the binaries are
    /// beside the test executable or beside the bundle.
    static func url(_ name: String) -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: beside.path) { return beside }
        return beside.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs the binary to its end; throws (with what it printed) if it runs longer than `timeout` seconds.
    static func run(_ name: String, _ arguments: [String], timeout: Double = 300) throws -> Result {
        let result = try ChildProcess.run(ChildCommand(url(name).path, arguments), timeout: timeout)
        switch result.status {
        case .exited(let code):
            return Result(status: code, stdout: result.output, stderr: result.errorOutput)
        case .signalled(let signal):
            return Result(status: signal, stdout: result.output, stderr: result.errorOutput, signaled: true)
        }
    }
}
