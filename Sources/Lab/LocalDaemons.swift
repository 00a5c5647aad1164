import ChildProcess
import Control
import Foundation
import Polling
#if canImport(Glibc)
import Glibc
#endif

/// The local testbed's nodes: `count` real `masond serve` processes bound to 127.0.1.1,
/// 127.0.1.2, ..., each with its control socket in a private temporary folder. `stop` (or
/// deinit) terminates them with SIGTERM, escalating to SIGKILL.
///
/// The folder (`masonlab-local-PID-N`) is needed only until every daemon has been connected to:
/// it is removed then, so a masonlab killed outright leaves nothing behind. Folders of owners
/// that died before that point are removed by the next local testbed.
public final class LocalDaemons {
    public struct Node {
        public let address: String
        public let socketPath: String
        public let process: RunningChild
        public let control: ControlClient
    }

    public private(set) var nodes: [Node] = []
    public let folder: URL

    /// Starts the daemons from `masond` (an executable path) and connects to each once it answers.
    /// A daemon's start-up error (its stderr) is part of the error thrown when it does not start.
    public init(count: Int, masond: URL, parent: URL = FileManager.default.temporaryDirectory) throws {
        Self.removeAbandonedFolders(in: parent)
        folder = parent.appendingPathComponent("masonlab-local-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            for i in 1 ... count {
                let address = "127.0.1.\(i)", socket = folder.appendingPathComponent("node\(i).sock").path
                let process = try RunningChild(ChildCommand(
                    masond.path, ["serve", "--socket", socket, "--address", address, "--parent", String(getpid())],
                    standardOutput: .discard, captureLimitBytes: Self.keptStderrBytes))
                do {
                    nodes.append(Node(address: address, socketPath: socket, process: process,
                                      control: try Self.connect(socket, process, address: address)))
                } catch {
                    process.stop()
                    throw error
                }
            }
        } catch {
            stop()
            throw error
        }
        // Every daemon is connected: the sockets' folder has served its purpose.
        try? FileManager.default.removeItem(at: folder)
    }

    /// Removes `masonlab-local-PID-*` folders in `parent` whose masonlab (PID) is gone.
    static func removeAbandonedFolders(in parent: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for name in names where name.hasPrefix("masonlab-local-") {
            let fields = name.split(separator: "-")
            guard fields.count == 4, let pid = Int32(fields[2]), pid > 0 else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
            }
        }
    }

    deinit { stop() }

    /// The `masond` beside a running executable (how masonlab and its benchmarks find it).
    public static func masond(besides executable: String = CommandLine.arguments[0]) -> URL {
        URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("masond")
    }

    /// How much of a daemon's standard error is kept for the message when it fails to start.
    static let keptStderrBytes = 1 << 20

    private static func connect(_ socket: String, _ process: RunningChild, address: String) throws -> ControlClient {
        do {
            return try Polling.value("masond for \(address) (\(socket)) answering", within: 20) {
                if let client = try? ControlClient(socketPath: socket) { return client }
                if let ended = process.wait(timeout: 0) {
                    let said = ended.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                    throw LabError("masond for \(address) exited at start (status \(ended.status.shellStatus))" + (said.isEmpty ? " without a word." : ": \(said)"))
                }
                return nil
            }
        } catch let timeout as PollTimedOut {
            let said = String(decoding: process.outputSoFar.standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw LabError("masond for \(address) (\(socket)) did not answer within \(Int(timeout.seconds)) s"
                + (said.isEmpty ? "." : "; it printed: \(said)"))
        }
    }

    /// Terminates every daemon (SIGTERM, then SIGKILL after 5 s) and removes the folder.
    public func stop() {
        for node in nodes {
            node.control.close()
            node.process.stop(grace: 5)
        }
        nodes = []
        try? FileManager.default.removeItem(at: folder)
    }
}
