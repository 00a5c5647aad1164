import Protocols

/// Schedules a run's crashes and partitions on the simulator and records, for each, when it hit
/// its target and which recovery follows it. A fault that cannot hit its target is recorded as
/// missed, with why, and fails the seed (`faultsHit`): a kill that never happened must not pass as
/// a recovery. What a fault measures is decided by what it hit, so the same crash reports the same
/// recovery however it was spelled (`--kill-sequencer T` and `--crash sequencer:T` are one fault).
final class FaultInjector {
    /// What counts as the first new number after a fault.
    enum RecoveryMeasure: Equatable {
        /// The first batch the backup sequencer numbered (epoch 1).
        case primarySequencer
        /// The group's first client batch numbered above every one it committed before.
        case groupLeader(UInt16)
        /// The first client batch committed anywhere.
        case anyBatch
    }

    struct Entry {
        var fault: ScheduledFault
        var atSeconds: Double
        var hit: Instant?
        var measure = RecoveryMeasure.anyBatch
        /// Why the fault never hit (nil: it hit, or has not fired yet).
        var miss: String?
    }

    /// How often a leader kill that found no leader looks again.
    static let leaderPollMicros: UInt64 = 1_000

    private(set) var entries: [Entry] = []
    private let sim: Simulator
    private let layout: MasonCluster.Layout
    private let proxies: [[Proxy]]
    private let loadEnd: Instant
    private let trace: ((String) -> Void)?

    init(sim: Simulator, layout: MasonCluster.Layout, proxies: [[Proxy]], loadEnd: Instant, trace: ((String) -> Void)?) {
        self.sim = sim
        self.layout = layout
        self.proxies = proxies
        self.loadEnd = loadEnd
        self.trace = trace
    }

    /// Every fault of `config`, in the order the report lists them; `generator` picks the servers
    /// of partitions that name none.
    func schedule(_ config: SimulationConfig, generator: inout SplitMix64) {
        for t in config.killLeaderAt { killLeader(at: t) }
        for t in config.killSequencerAt { crash(layout.primary, named: "primary sequencer", as: .killSequencer, at: t) }
        for p in config.partitions { partition(p, generator: &generator) }
        for c in config.crashes {
            guard let endpoint = layout.endpoint(named: c.role) else { preconditionFailure("validated: \(c.role) is a role") }
            crash(endpoint, named: c.role, as: .crash(role: c.role), at: c.atSeconds)
        }
    }

    /// Why each missed fault never hit.
    var misses: [String] { entries.compactMap(\.miss) }

    private static func instant(_ seconds: Double) -> Instant { Instant(nanoseconds: UInt64(seconds * 1e9)) }

    private func add(_ fault: ScheduledFault, at seconds: Double) -> Int {
        entries.append(Entry(fault: fault, atSeconds: seconds))
        return entries.count - 1
    }

    private func hit(_ index: Int, _ endpoint: Endpoint) {
        precondition(!sim.isCrashed(endpoint) && entries[index].hit == nil, "a fault hits a live role, once")
        entries[index].measure = measure(after: endpoint)
        entries[index].hit = sim.now
        sim.crash(endpoint)
        assert(sim.isCrashed(endpoint))
    }

    /// Decided before the crash, while the role still says whether it leads.
    private func measure(after endpoint: Endpoint) -> RecoveryMeasure {
        if endpoint == layout.primary { return .primarySequencer }
        for (g, group) in proxies.enumerated() where group.contains(where: { $0.endpoint == endpoint && $0.isLeader }) {
            return .groupLeader(UInt16(g))
        }
        return .anyBatch
    }

    /// Crashes group 0's leader (the live self-believed leader of the highest term); with none,
    /// looks again every millisecond until the load ends, then records the miss.
    private func killLeader(at seconds: Double) {
        let index = add(.killLeader, at: seconds)
        func attempt() {
            let live = proxies[0].filter { !sim.isCrashed($0.endpoint) && $0.isLeader }
            if let leader = live.max(by: { $0.term < $1.term }) {
                if sim.now > Self.instant(seconds) { trace?("\(sim.now) kill-leader scheduled at \(seconds) s found a leader") }
                trace?("\(sim.now) crash: group 0 leader \(leader.endpoint) (term \(leader.term))")
                hit(index, leader.endpoint)
                return
            }
            let next = sim.now.adding(microseconds: Self.leaderPollMicros)
            guard next <= loadEnd else {
                entries[index].miss = "\(ScheduledFault.killLeader.flag(atSeconds: seconds)) never hit: group 0 had no live leader from \(seconds) s until the load ended at \(Double(loadEnd.nanoseconds) / 1e9) s."
                return
            }
            sim.schedule(at: next) { attempt() }
        }
        sim.schedule(at: Self.instant(seconds)) { attempt() }
    }

    private func crash(_ endpoint: Endpoint, named name: String, as fault: ScheduledFault, at seconds: Double) {
        let index = add(fault, at: seconds)
        sim.schedule(at: Self.instant(seconds)) { [self] in
            guard !sim.isCrashed(endpoint) else {
                entries[index].miss = "\(fault.flag(atSeconds: seconds)) never hit: \(name) \(endpoint) was already down."
                return
            }
            trace?("\(sim.now) crash: \(name) \(endpoint)")
            hit(index, endpoint)
        }
    }

    private func partition(_ p: PartitionFault, generator: inout SplitMix64) {
        let index = add(.partition, at: p.atSeconds)
        var cut: [Endpoint] = p.roles?.compactMap { layout.endpoint(named: $0) } ?? []
        if p.roles == nil {
            var servers = layout.servers
            let size = 1 + Int(generator.next() % UInt64(max(1, (servers.count - 1) / 2)))
            for _ in 0 ..< size { cut.append(servers.remove(at: Int(generator.next() % UInt64(servers.count)))) }
        }
        sim.schedule(at: Self.instant(p.atSeconds)) { [self] in
            sim.partition(cut)
            entries[index].hit = sim.now
            trace?("\(sim.now) partition: \(cut) cut off")
        }
        sim.schedule(at: Self.instant(p.atSeconds + p.durationSeconds)) { [self] in
            sim.heal()
            trace?("\(sim.now) partition healed")
        }
    }
}
