import Control
import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// One real `masond serve` process on a loopback address, with its own socket in a temp folder.
final class MasondProcess {
    let address: String
    let socketPath: String
    let child: RunningChild

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
        child = try RunningChild(ChildCommand(Self.binary.path, ["serve", "--socket", socketPath, "--address", address],
                                              standardOutput: .discard))
    }

    /// A client connected once the daemon answers (no fixed sleep: retries the connect); a daemon
    /// that exits or does not answer in time fails saying what it printed.
    func connect(within seconds: Double = 20) throws -> ControlClient {
        do {
            return try Polling.value("masond at \(address) answering", within: seconds) {
                if let client = try? ControlClient(socketPath: socketPath) { return client }
                if let ended = child.wait(timeout: 0) {
                    throw TestFailure("masond at \(address) did not start (\(ended.status)): \(ended.errorOutput)")
                }
                return nil
            }
        } catch let timeout as PollTimedOut {
            throw TestFailure("\(timeout) It printed: \(stderrText())")
        }
    }

    /// What masond has printed on its standard error so far.
    func stderrText() -> String {
        String(decoding: child.outputSoFar.standardError, as: UTF8.self)
    }

    /// SIGTERM and wait; returns the exit status (128 + the signal if one ended it).
    @discardableResult
    func terminate() -> Int32 {
        child.signal(SIGTERM)
        return child.wait()!.status.shellStatus
    }

    /// For teardown after a failure: make sure nothing outlives the test.
    func kill9() {
        child.signal(SIGKILL)
        _ = child.wait(timeout: 10)
        try? FileManager.default.removeItem(atPath: socketPath)
    }
}

/// A test step that could not go on, with why.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
