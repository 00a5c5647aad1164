import Foundation
import TestSupport
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

    /// The command: masonlab in its folder, with our environment less MASONLAB_DB.
    private func command(_ arguments: [String]) -> ChildCommand {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "MASONLAB_DB")
        return ChildCommand(Self.binary.path, arguments, environment: environment, directory: folder.path)
    }

    /// Starts masonlab without waiting.
    func start(_ arguments: [String]) throws -> RunningChild {
        try RunningChild(command(arguments))
    }

    /// Runs masonlab to the end (killed, and the test failed with what it printed, after `timeout` seconds).
    func run(_ arguments: [String], timeout: Double = 600) throws -> Output {
        Output(try ChildProcess.run(command(arguments), timeout: timeout))
    }

    /// masond processes the local testbed of masonlab `pid` started (their sockets name its folder),
    /// read from /proc: cheaper than pgrep while polling, which must not slow the run it watches.
    static func daemons(of pid: Int32) -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { candidate in
            guard let command = FileManager.default.contents(atPath: "/proc/\(candidate)/cmdline") else { return false }
            return String(decoding: command, as: UTF8.self).contains("masonlab-local-\(pid)-")
        }
    }
}

extension Masonlab.Output {
    init(_ result: ChildResult) {
        self.init(status: result.status.shellStatus, stdout: result.output, stderr: result.errorOutput)
    }
}
