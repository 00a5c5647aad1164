import Control
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// One real `masond serve` process on a loopback address, with its own socket in a temp folder.
final class MasondProcess {
    let address: String
    let socketPath: String
    let process = Process()
    private let errors = Pipe()

    static var binary: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("masond")
        if !FileManager.default.fileExists(atPath: url.path) {
            url = url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("masond")
        }
        return url
    }

    init(address: String, folder: URL) throws {
        self.address = address
        socketPath = folder.appendingPathComponent("masond-\(address).sock").path
        process.executableURL = Self.binary
        process.arguments = ["serve", "--socket", socketPath, "--address", address]
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// A client connected once the daemon answers (no fixed sleep: retries the connect).
    func connect(within seconds: Double = 20) throws -> ControlClient {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let client = try? ControlClient(socketPath: socketPath) { return client }
            guard process.isRunning, Date() < deadline else {
                throw TestFailure("masond at \(address) did not start: \(stderrText())")
            }
            usleep(5_000)
        }
    }

    func stderrText() -> String {
        if process.isRunning { return "(still running)" }
        return String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func terminate() -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// For teardown after a failure: make sure nothing outlives the test.
    func kill9() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: socketPath)
    }
}

/// A test step that could not go on, with why.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
