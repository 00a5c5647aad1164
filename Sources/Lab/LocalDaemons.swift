import Control
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The local testbed's nodes: `count` real `masond serve` processes bound to 127.0.1.1,
/// 127.0.1.2, ..., each with its control socket in a private temporary folder. `stop` (or
/// deinit) terminates them with SIGTERM, escalating to SIGKILL, and removes the folder.
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
    public init(count: Int, masond: URL) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("masonlab-local-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            var started: [(String, String, Process)] = []
            for i in 1 ... count {
                let address = "127.0.1.\(i)", socket = folder.appendingPathComponent("node\(i).sock").path
                let process = Process()
                process.executableURL = masond
                process.arguments = ["serve", "--socket", socket, "--address", address, "--parent", String(getpid())]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                started.append((address, socket, process))
                nodes.append(Node(address: address, socketPath: socket, process: process, control: try Self.connect(socket, process)))
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// The `masond` beside a running executable (how masonlab and its benchmarks find it).
    public static func masond(besides executable: String = CommandLine.arguments[0]) -> URL {
        URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("masond")
    }

    private static func connect(_ socket: String, _ process: Process) throws -> ControlClient {
        let deadline = Date().addingTimeInterval(20)
        while true {
            if let client = try? ControlClient(socketPath: socket) { return client }
            guard process.isRunning else { throw LabError("masond for \(socket) exited at start (status \(process.terminationStatus)).") }
            guard Date() < deadline else { throw LabError("masond for \(socket) did not answer within 20 s.") }
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

/// Why a lab step failed, as one sentence.
public struct LabError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
