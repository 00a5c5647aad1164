import Foundation

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

    static func run(_ name: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = url(name)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
    }
}
