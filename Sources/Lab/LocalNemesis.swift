import ChildProcess
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pauses and partitions on the local testbed: a node's `masond serve` process gets SIGSTOP and
/// SIGCONT; a partition is an nftables table on the loopback addresses 127.0.1.x (the control
/// sockets are Unix sockets, untouched). Partitions need root and `nft`, checked before a run.
public final class LocalNemesis: Nemesis, @unchecked Sendable {
    // @unchecked Sendable: every field is behind `lock`; an interrupt calls `healAll` from another thread.
    private let lock = NSLock()
    /// masond's pid by node address, for the daemons running now.
    private var pids: [String: pid_t] = [:]
    private var paused: Set<pid_t> = []
    private var partitioned = false
    public let table = PartitionRules.table(pid: getpid())

    public init() {}

    /// The daemons now running (the testbed registers them when it starts them).
    public func daemons(_ running: [(address: String, pid: pid_t)]) {
        lock.withLock { pids = Dictionary(running.map { ($0.address, $0.pid) }, uniquingKeysWith: { $1 }) }
    }

    public func check(_ faults: [ScheduledFault], nodes: [NodeSlot]) throws(NemesisUnavailable) {
        guard faults.contains(where: { $0.kind == "partition" }) else { return }
        guard geteuid() == 0 else {
            throw NemesisUnavailable("--partition needs root (it adds nftables rules on the loopback addresses): run masonlab as root.")
        }
        guard let nft = Self.nft else {
            throw NemesisUnavailable("--partition needs nft: install nftables (apt-get install nftables).")
        }
        if let failure = Self.run(nft, ["list", "tables"]).failure {
            throw NemesisUnavailable("--partition needs nftables, but nft cannot read the ruleset here: \(failure).")
        }
        // Here, not when the partition starts: each nft run costs tens of milliseconds of the schedule.
        removeAbandonedTables(nft)
    }

    public func pause(_ node: NodeSlot) throws {
        let pid = try self.pid(node)
        guard kill(pid, SIGSTOP) == 0 else { throw LabError("cannot pause \(node.name) (pid \(pid)): \(String(cString: strerror(errno))).") }
        lock.withLock { _ = paused.insert(pid) }
    }

    public func resume(_ node: NodeSlot) throws {
        let pid = try self.pid(node)
        lock.withLock { _ = paused.remove(pid) }
        guard kill(pid, SIGCONT) == 0 else { throw LabError("cannot continue \(node.name) (pid \(pid)): \(String(cString: strerror(errno))).") }
    }

    public func partition(_ cut: [NodeSlot], from others: [NodeSlot]) throws {
        guard let nft = Self.nft else { throw LabError("cannot partition: nft is not installed (apt-get install nftables).") }
        let rules = try PartitionRules(table: table, cut: cut.map(\.address), others: others.map(\.address), outgoing: false)
        lock.withLock { partitioned = true }
        if let failure = Self.run(nft, ["-f", "-"], input: rules.ruleset).failure {
            throw LabError("cannot partition \(cut.map(\.name).joined(separator: ", ")): nft -f said \(failure).")
        }
    }

    public func heal() throws {
        guard lock.withLock({ partitioned }), let nft = Self.nft else { return }
        if let failure = Self.run(nft, PartitionRules.deleteArguments(table: table)).failure {
            throw LabError("cannot heal the partition: nft delete table said \(failure).")
        }
        lock.withLock { partitioned = false }
    }

    public func healAll() {
        let stopped = lock.withLock { () -> Set<pid_t> in
            defer { paused = [] }
            return paused
        }
        for pid in stopped { kill(pid, SIGCONT) }
        try? heal()
    }

    private func pid(_ node: NodeSlot) throws -> pid_t {
        guard let pid = lock.withLock({ pids[node.address] }) else { throw LabError("no local daemon on \(node.address) for \(node.name).") }
        return pid
    }

    /// Tables of masonlab processes that no longer exist (killed with SIGKILL mid-partition).
    private func removeAbandonedTables(_ nft: String) {
        let (text, failure) = Self.run(nft, ["list", "tables"])
        guard failure == nil else { return }
        for (name, pid) in PartitionRules.masonlabTables(in: text) where pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
            _ = Self.run(nft, PartitionRules.deleteArguments(table: name))
        }
    }

    /// `nft` on the PATH or in /usr/sbin.
    static var nft: String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return path.map { $0 + "/nft" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `tool` to the end: its stdout, and nil when it exited 0, else the last line of its stderr.
    static func run(_ tool: String, _ arguments: [String], input: String? = nil) -> (output: String, failure: String?) {
        let result: ChildResult
        do {
            result = try ChildProcess.run(ChildCommand(tool, arguments, standardInput: input.map { Data($0.utf8) }), timeout: 30)
        } catch {
            return ("", "\(error)")
        }
        let failure = result.status.succeeded ? nil : Self.lastLine(result.standardError, status: result.status)
        return (result.output, failure)
    }

    private static func lastLine(_ data: Data, status: ChildStatus) -> String {
        let text = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        return text.isEmpty ? "\(status)" : "'\(text.prefix(300))'"
    }
}
