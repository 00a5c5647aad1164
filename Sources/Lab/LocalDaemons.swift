import Control
import Foundation
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
        public let process: Process
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
                let log = folder.appendingPathComponent("node\(i).log")
                FileManager.default.createFile(atPath: log.path, contents: nil)
                let process = Process()
                process.executableURL = masond
                process.arguments = ["serve", "--socket", socket, "--address", address, "--parent", String(getpid())]
                process.standardOutput = FileHandle.nullDevice
                let logHandle = try FileHandle(forWritingTo: log)
                process.standardError = logHandle
                try process.run()
                try? logHandle.close()  // the daemon has its own copy
                nodes.append(Node(address: address, socketPath: socket, process: process,
                                  control: try Self.connect(socket, process, address: address, log: log)))
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

    private static func connect(_ socket: String, _ process: Process, address: String, log: URL) throws -> ControlClient {
        let deadline = Date().addingTimeInterval(20)
        while true {
            if let client = try? ControlClient(socketPath: socket) { return client }
            guard process.isRunning else {
                process.waitUntilExit()
                let said = (try? String(contentsOf: log, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                throw LabError("masond for \(address) exited at start (status \(process.terminationStatus))"
                    + (said.isEmpty ? " without a word." : ": \(said)"))
            }
            guard Date() < deadline else { throw LabError("masond for \(address) (\(socket)) did not answer within 20 s.") }
            usleep(5_000)
        }
    }

    /// Terminates every daemon (SIGTERM, then SIGKILL after 5 s) and removes the folder.
    public func stop() {
        for node in nodes {
            node.control.close()
            guard node.process.isRunning else { continue }
            kill(node.process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while node.process.isRunning, Date() < deadline { usleep(2_000) }
            if node.process.isRunning {
                kill(node.process.processIdentifier, SIGKILL)
                node.process.waitUntilExit()
            }
        }
        nodes = []
        try? FileManager.default.removeItem(at: folder)
    }
}
