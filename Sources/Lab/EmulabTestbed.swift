import Control
import Foundation

/// The emulab testbed: the nodes `masonlab setup` prepared (the inventory), reached over SSH,
/// each masond through `masond dial-stdio`. Roles run over DPDK on nodes whose experiment NIC is
/// bound, over kernel UDP elsewhere. Nodes whose last setup failed are left out (and said so).
public final class EmulabTestbed: Testbed, @unchecked Sendable {
    // @unchecked Sendable: `remotes` is behind `lock` (an interrupt calls `stop()` from another thread).
    public let name = TestbedKind.emulab
    public let inventory: Inventory
    public let ssh: SSHSettings
    private let warn: @Sendable (String) -> Void
    private let lock = NSLock()
    private var remotes: [String: (node: RemoteNode, control: ControlClient)] = [:]
    private var warned = false
    private let pauser: EmulabNemesis

    public init(inventory: Inventory, ssh: SSHSettings, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.inventory = inventory
        self.ssh = ssh
        self.warn = warn
        pauser = EmulabNemesis(inventory: inventory, ssh: ssh)
    }

    public var nemesis: Nemesis { pauser }

    deinit { stop() }

    public func slots(for options: MasonOptions) throws -> [NodeSlot] {
        let first = lock.withLock { () -> Bool in
            defer { warned = true }
            return !warned
        }
        for node in inventory.nodes where first && (node.status != .ready || node.experiment == nil) {
            warn("\(node.name) left out: its last setup failed (\(node.error ?? "no experiment NIC")); re-run masonlab setup.")
        }
        return inventory.slots
    }

    /// The nodes are the user's experiment's: nothing on this machine to take.
    public func claim() throws {}

    /// Connects to the nodes not connected yet, at most 16 at once (a paper-scale run has over a
    /// hundred); the first failure, by node order, is thrown once every attempt has ended.
    public func controls(for nodes: [NodeSlot]) throws -> [ControlClient] {
        let missing = nodes.filter { slot in lock.withLock { remotes[slot.name] == nil } }
        let failures = LockedFailures()
        BoundedParallel.forEach(missing.count, limit: 16) { [self] k in
            do {
                let connected = try connect(missing[k].name)
                lock.withLock { remotes[missing[k].name] = connected }
            } catch {
                failures.add(k, error)
            }
        }
        if let first = failures.first { throw first }
        return try nodes.map { slot in
            guard let open = lock.withLock({ remotes[slot.name] }) else { throw LabError("\(slot.name) is not connected.") }
            return open.control
        }
    }

    private func connect(_ name: String) throws -> (node: RemoteNode, control: ControlClient) {
        guard let record = inventory.nodes.first(where: { $0.name == name }) else {
            throw LabError("\(name) is not in the inventory.")
        }
        let remote: RemoteNode
        do {
            remote = try RemoteNode(name: record.name, host: record.host, port: record.port, user: ssh.user ?? record.user, settings: ssh)
        } catch {
            throw LabError("\(record.name): \(error)")
        }
        do {
            return (remote, try remote.checkedControl().client)
        } catch {
            remote.close()
            throw LabError("\(error); run masonlab setup.")
        }
    }

    /// Resets every connected node's masond (its roles stop) over a fresh channel, so this works
    /// while another thread waits on a call; then closes the sessions.
    public func stop() {
        pauser.healAll()
        let open = lock.withLock { () -> [(node: RemoteNode, control: ControlClient)] in
            defer { remotes = [:] }
            return Array(remotes.values)
        }
        for (remote, control) in open {
            if let fresh = try? remote.control() {
                _ = try? fresh.call("node.reset", params: EndpointsRequest()) as RolesStatus
                fresh.close()
            }
            control.close()
            remote.close()
        }
    }
}

/// Errors from parallel connections, the first by index kept.
private final class LockedFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [(Int, Error)] = []

    func add(_ index: Int, _ error: Error) { lock.withLock { errors.append((index, error)) } }

    var first: Error? { lock.withLock { errors.min { $0.0 < $1.0 }?.1 } }
}
