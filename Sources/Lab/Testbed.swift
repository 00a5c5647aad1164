import Control
import Foundation

/// Where a run's roles go: the nodes a run may use (by name, with their data-plane addresses) and
/// a control connection to each placed node's masond.
public protocol Testbed: AnyObject, Sendable {
    /// Which testbed this is, as recorded with every run.
    var name: TestbedKind { get }
    /// The nodes a run with these options may use.
    func slots(for options: MasonOptions) throws -> [NodeSlot]
    /// Makes the testbed this process's before anything is recorded: the local testbed takes its
    /// machine-wide lock, and throws `TestbedBusy` when another masonlab holds it.
    func claim() throws
    /// Control clients for `nodes`, in that order; reused across attempts while they last.
    func controls(for nodes: [NodeSlot]) throws -> [ControlClient]
    /// Releases everything (from any thread, also mid-attempt): no roles of this testbed are left
    /// running, and (through `nemesis.healAll()`) no daemon paused and no partition rule in force.
    func stop()
    /// Pauses and partitions of this testbed's nodes (Nemesis.swift).
    var nemesis: Nemesis { get }
}

/// The local testbed: `masond serve` processes bound to 127.0.1.1, 127.0.1.2, ..., started for
/// the run and stopped afterwards.
public final class LocalTestbed: Testbed, @unchecked Sendable {
    // @unchecked Sendable: `daemons` is behind `lock`, so an interrupt may call `stop()` from another thread.
    public let name = TestbedKind.local
    public let masond: URL
    private let lock = NSLock()
    private var daemons: LocalDaemons?
    /// Held from the first daemons until this testbed is gone: one local testbed per machine.
    private var machineLock: LocalTestbedLock?
    private let pauser = LocalNemesis()

    public init(masond: URL) { self.masond = masond }

    deinit { stop() }

    public var nemesis: Nemesis { pauser }

    /// The nodes the local address plan holds: 127.0.1.1 ... 127.0.1.254 (`plan --nproxies 300`
    /// once printed 127.0.1.256).
    public static let maxNodes = 254

    /// Two sequencers, the proxies, then the clients, on 127.0.1.1, 127.0.1.2, ... (each a masond of its own).
    public static func slots(for options: MasonOptions) throws(PlacementError) -> [NodeSlot] {
        let proxies = max(0, options.proxies), clients = max(0, options.clients)
        guard proxies <= maxNodes - 2, clients <= maxNodes - 2 - proxies else {
            throw PlacementError("the local testbed has addresses for \(maxNodes) nodes (127.0.1.1-127.0.1.\(maxNodes)): 2 sequencers + --nproxies \(options.proxies) + --nclients \(options.clients) do not fit; run fewer, or on --testbed emulab.")
        }
        let names = ["sequencer-0", "sequencer-1"] + (0 ..< proxies).map { "proxy-\($0)" } + (0 ..< clients).map { "client-\($0)" }
        return names.enumerated().map { i, name in NodeSlot(name: name, address: "127.0.1.\(i + 1)") }
    }

    public func slots(for options: MasonOptions) throws -> [NodeSlot] { try Self.slots(for: options) }

    /// Held until this testbed is gone: one local testbed per machine.
    public func claim() throws {
        guard lock.withLock({ machineLock == nil }) else { return }
        let taken = try LocalTestbedLock()
        lock.withLock { machineLock = taken }
    }

    /// Daemons for the nodes (reused across points while there are enough), in node order.
    public func controls(for nodes: [NodeSlot]) throws -> [ControlClient] {
        let byAddress: LocalDaemons
        if let running = lock.withLock({ daemons }), running.nodes.count >= nodes.count {
            byAddress = running
        } else {
            stop()
            try claim()
            byAddress = try LocalDaemons(count: nodes.count, masond: masond)
            lock.withLock { daemons = byAddress }
            pauser.daemons(byAddress.nodes.map { ($0.address, $0.process.pid) })
        }
        return try nodes.map { slot in
            guard let node = byAddress.nodes.first(where: { $0.address == slot.address }) else {
                throw LabError("no local daemon on \(slot.address) for \(slot.name).")
            }
            return node.control
        }
    }

    public func stop() {
        pauser.healAll()
        let running = lock.withLock { () -> LocalDaemons? in
            defer { daemons = nil }
            return daemons
        }
        running?.stop()
    }
}
