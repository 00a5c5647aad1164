import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `masonlab` run as a user runs it, in a folder of its own (its database under results/).
struct Masonlab {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let folder: URL

    static var binary: URL { MasondProcess.binary.deletingLastPathComponent().appendingPathComponent("masonlab") }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("masonlab-e2e-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    var database: String { folder.appendingPathComponent("results/masonlab.sqlite").path }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Starts masonlab without waiting.
    func start(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "MASONLAB_DB")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// Runs masonlab to the end.
    func run(_ arguments: [String]) throws -> Output {
        let (process, out, err) = try start(arguments)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// masond processes the local testbed of masonlab `pid` started (their sockets name its folder).
    static func daemons(of pid: Int32) -> [Int32] {
        let pipe = Pipe()
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        pgrep.arguments = ["-f", "masonlab-local-\(pid)-"]
        pgrep.standardOutput = pipe
        try? pgrep.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        pgrep.waitUntilExit()
        return text.split(separator: "\n").compactMap { Int32($0) }
    }
}
