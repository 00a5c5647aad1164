import Control
import Foundation
import SSH

/// `masonlab setup`: every node of a List View reached over SSH in parallel (at most `parallel`
/// at once), its steps run in order, each command and its output written to the node's log, and
/// the outcome returned as an inventory record. One node's failure never stops the others.
public final class EmulabSetup: @unchecked Sendable {
    public let listView: ListView
    public let options: SetupOptions
    public let ssh: SSHSettings
    public let logDirectory: URL
    public let parallel: Int
    private let progress: @Sendable (String) -> Void
    private let lock = NSLock()
    private var collected: [Int: InventoryNode] = [:]

    public init(listView: ListView, options: SetupOptions, ssh: SSHSettings, logDirectory: URL, parallel: Int = 16,
                progress: @escaping @Sendable (String) -> Void) {
        self.listView = listView
        self.options = options
        self.ssh = ssh
        self.logDirectory = logDirectory
        self.parallel = max(1, parallel)
        self.progress = progress
    }

    /// Sets up every node; the records come back in List View order. `finished` gets each record
    /// as its node is done (one call at a time), so an interrupted setup keeps what it finished.
    public func run(finished: @escaping @Sendable (InventoryNode) -> Void = { _ in }) throws -> [InventoryNode] {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let nodes = listView.nodes
        lock.withLock { collected = [:] }
        BoundedParallel.forEach(nodes.count, limit: parallel) { [self] i in
            let node = nodes[i]
            let record = setUp(node)
            let done = lock.withLock { () -> Int in
                collected[i] = record
                finished(record)
                return collected.count
            }
            let outcome = record.status == .ready ? "ready" : "FAILED: \(record.error ?? "")"
            progress("[\(done)/\(nodes.count)] \(node.name): \(outcome)")
        }
        return lock.withLock { nodes.indices.map { collected[$0]! } }
    }

    /// The commands each node would get, for `--dry-run` (nothing is contacted).
    public func dryRun() -> [String] {
        var lines: [String] = []
        for node in listView.nodes {
            let user = ssh.user(listed: node.user)
            lines.append("\(node.name) (\(user)@\(node.host):\(node.port)):")
            for (k, step) in SetupScript.steps(options, node: node.name, user: user).enumerated() {
                lines.append("  \(k + 1). \(step.title)")
                lines += step.described.map { "     " + $0 }
            }
        }
        return lines
    }

    private func setUp(_ node: ListViewNode) -> InventoryNode {
        let user = ssh.user(listed: node.user)
        let log = NodeLog(logDirectory.appendingPathComponent("\(node.name).log"))
        var record = InventoryNode(name: node.name, host: node.host, port: node.port, user: user, hardwareType: node.hardwareType,
                                   status: .failed)
        log.write("== \(Date()) masonlab setup of \(node.name) as \(user)@\(node.host):\(node.port)")
        do {
            progress("\(node.name): connecting to \(node.host):\(node.port)")
            let remote = try RemoteNode(name: node.name, host: node.host, port: node.port, user: user, settings: ssh)
            defer { remote.close() }
            log.write("host key \(remote.session.hostKey)")
            for step in SetupScript.steps(options, node: node.name, user: user) {
                progress("\(node.name): \(step.title)")
                log.write("-- \(step.title)")
                try perform(step, on: remote, log: log, record: &record)
            }
            record.status = .ready
            log.write("== ready")
        } catch {
            record.error = "\(error)"
            log.write("== FAILED: \(error)")
        }
        record.updated = Date()
        return record
    }

    private func perform(_ step: SetupStep, on remote: RemoteNode, log: NodeLog, record: inout InventoryNode) throws {
        switch step.action {
        case let .installMasond(local, temporary, sha256, install):
            let installed = try remote.session.exec("sha256sum \(RemoteNode.masond) 2>/dev/null", timeout: .seconds(60))
            if String(decoding: installed.stdout, as: UTF8.self).hasPrefix(sha256) {
                log.write("already installed (sha256 \(sha256))")
                return
            }
            log.write("upload \(local) to \(temporary)")
            try remote.session.upload(file: local, to: temporary, mode: 0o755, timeout: .seconds(600))
            try execute(install, title: step.title, on: remote, log: log)
        case let .command(command, stdin):
            try execute(command, stdin: stdin.map { Data($0.utf8) }, title: step.title, on: remote, log: log)
        case let .prepare(command):
            let result = try remote.session.exec(command, timeout: .seconds(600))
            let report: PrepareReport
            do {
                report = try JSONOutput.decoder().decode(PrepareReport.self, from: result.stdout)
            } catch {
                log.write("$ \(command)\n[exit \(result.status)]\n" + String(decoding: result.stdout + result.stderr, as: UTF8.self))
                throw LabError("\(step.title): exit status \(result.status): \(RemoteNode.lastWords(result))")
            }
            log.write("$ \(command)\n[exit \(result.status)]\n" + report.text + "\n" + String(decoding: result.stderr, as: UTF8.self))
            guard report.ok else {
                let failed = report.steps.filter { $0.action == .failed }.map { "\($0.name): \($0.detail)" }
                throw LabError("masond prepare failed: " + failed.joined(separator: "; "))
            }
            guard let nic = report.experimentInterface else { throw LabError("masond prepare found no experiment interface.") }
            record.experiment = nic
        case .checkDaemon:
            record.info = try remote.nodeInfo()
            log.write("node.info: masond \(record.info!.masondVersion) on \(record.info!.hostname), \(record.info!.cpuCores) cores")
        }
    }

    /// Runs a command, logs it with its output, and turns a non-zero exit into an error.
    private func execute(_ command: String, stdin: Data? = nil, title: String, on remote: RemoteNode, log: NodeLog) throws {
        let result = try remote.session.exec(command, stdin: stdin, timeout: .seconds(600))
        log.write("$ \(command)\n[exit \(result.status)]\n" + String(decoding: result.stdout + result.stderr, as: UTF8.self))
        guard result.status == 0 else {
            let words = RemoteNode.lastWords(result)
            throw LabError("\(title): exit status \(result.status): \(words)" + (SetupScript.hint(for: words).map { "; \($0)" } ?? ""))
        }
    }
}

/// A node's setup log (appended, one file per node).
final class NodeLog: @unchecked Sendable {
    private let handle: FileHandle?

    init(_ url: URL) {
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        handle = try? FileHandle(forWritingTo: url)
        _ = try? handle?.seekToEnd()
    }

    deinit { try? handle?.close() }

    func write(_ text: String) {
        handle?.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
