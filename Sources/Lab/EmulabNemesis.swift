import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pauses and partitions on Emulab nodes, over SSH sessions of its own (a paused daemon's control
/// bridge would not answer): a pause is `systemctl kill -s SIGSTOP masond` (the unit's processes;
/// on a node without systemd, the pid in /run/masond.pid, as setup starts it there), SIGCONT after;
/// a partition is `PartitionRules` loaded with `nft -f -` on each cut node, on its experiment
/// addresses (the control network, SSH's, is untouched).
public final class EmulabNemesis: Nemesis, @unchecked Sendable {
    // @unchecked Sendable: every field is behind `lock`; an interrupt calls `healAll` from another thread.
    public let inventory: Inventory
    public let ssh: SSHSettings
    private let lock = NSLock()
    private var sessions: [String: RemoteNode] = [:]
    private var paused: [String: NodeSlot] = [:]
    private var cut: [NodeSlot] = []
    public let table = PartitionRules.table(pid: getpid())

    public init(inventory: Inventory, ssh: SSHSettings) {
        self.inventory = inventory
        self.ssh = ssh
    }

    deinit { closeSessions() }

    /// nftables sees no DPDK traffic: a node whose data plane is DPDK cannot be cut off.
    public func check(_ faults: [ScheduledFault], nodes: [NodeSlot]) throws(NemesisUnavailable) {
        guard faults.contains(where: { $0.kind == "partition" }) else { return }
        let dpdk = nodes.filter { $0.role == .proxy && $0.transport == .dpdk }.map(\.name)
        if !dpdk.isEmpty {
            throw NemesisUnavailable("--partition cuts proxy nodes off with nftables, which does not see DPDK traffic, "
                + "and \(dpdk.joined(separator: ", ")) run over DPDK: unbind their experiment NICs (masonlab setup) or drop --partition.")
        }
        // Any proxy node may be cut: each must run nft as root now, not fail mid-run.
        for node in nodes where node.role == .proxy {
            do {
                try session(node).run("nft list tables", root: true)
            } catch {
                throw NemesisUnavailable("--partition needs nftables on every proxy node as root, and \(error) "
                    + "Install it there (apt-get install nftables) and allow sudo -n nft, or drop --partition.")
            }
        }
    }

    /// The command that sends `signal` (`STOP`, `CONT`) to the node's masond.
    public static func signalCommand(_ signal: String, sudo: String) -> String {
        "if [ -d /run/systemd/system ]; then \(sudo)systemctl kill -s SIG\(signal) masond; "
            + "else \(sudo)kill -\(signal) \"$(cat /run/masond.pid)\"; fi"
    }

    public func pause(_ node: NodeSlot) throws {
        lock.withLock { paused[node.name] = node }
        let remote = try session(node)
        try remote.run(Self.signalCommand("STOP", sudo: remote.sudo))
    }

    public func resume(_ node: NodeSlot) throws {
        let remote = try session(node)
        try remote.run(Self.signalCommand("CONT", sudo: remote.sudo))
        lock.withLock { _ = paused.removeValue(forKey: node.name) }
    }

    public func partition(_ cut: [NodeSlot], from others: [NodeSlot]) throws {
        let rules = try PartitionRules(table: table, cut: cut.map(\.address), others: others.map(\.address), outgoing: true)
        lock.withLock { self.cut = cut }
        for node in cut { try session(node).run("nft -f -", root: true, input: rules.ruleset) }
    }

    public func heal() throws {
        let nodes = lock.withLock { cut }
        var failure: Error?
        for node in nodes {
            do { try session(node).run((["nft"] + PartitionRules.deleteArguments(table: table)).joined(separator: " "), root: true) } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        lock.withLock { cut = [] }
    }

    public func healAll() {
        let stopped = lock.withLock { Array(paused.values) }
        for node in stopped { try? resume(node) }
        try? heal()
        lock.withLock {
            paused = [:]
            cut = []
        }
        closeSessions()
    }

    private func session(_ node: NodeSlot) throws -> RemoteNode {
        if let open = lock.withLock({ sessions[node.name] }) { return open }
        guard let record = inventory.nodes.first(where: { $0.name == node.name }) else { throw LabError("\(node.name) is not in the inventory.") }
        let remote = try RemoteNode(name: record.name, host: record.host, port: record.port, user: ssh.user ?? record.user, settings: ssh)
        lock.withLock { sessions[node.name] = remote }
        return remote
    }

    private func closeSessions() {
        let open = lock.withLock { () -> [RemoteNode] in
            defer { sessions = [:] }
            return Array(sessions.values)
        }
        for remote in open { remote.close() }
    }
}
