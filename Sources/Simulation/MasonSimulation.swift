import Histogram
import Protocols

/// Builds a Mason cluster (a primary and a backup sequencer, Raft proxy groups, closed-loop
/// clients) inside the simulator, runs the load with the network faults and the scheduled crashes
/// and partitions, heals the network, checks that every live client still makes progress, stops
/// the load, waits for every outstanding operation, and checks the invariants.
public enum MasonSimulation {
    /// `checkInvariants: false` skips the checkers (the simulator benchmark measures the engine alone).
    /// `trace` receives one line per notable event (faults, elections, epoch switches, hole fills,
    /// anomalies), with its simulated time: what a person needs to follow a failing seed.
    public static func run(_ config: SimulationConfig, checkInvariants: Bool = true,
                           trace: ((String) -> Void)? = nil) -> SimulationReport {
        precondition(config.validationError() == nil, config.validationError() ?? "")
        let layout = MasonCluster.Layout(config)
        let history = HistoryRecorder()
        history.trace = trace
        let sim = Simulator(seed: config.seed, faults: config.faults) { event, at in history.record(event, at: at) }
        var faultGenerator = sim.forkGenerator()

        let primary = Sequencer(endpoint: layout.primary, config: MasonCluster.sequencerConfig(config, epoch: 0))
        let backup = Sequencer(endpoint: layout.backup, config: MasonCluster.sequencerConfig(config, epoch: 1))
        sim.add(primary)
        sim.add(backup)
        var proxies: [[Proxy]] = []
        for g in 0 ..< config.proxyGroups {
            proxies.append((0 ..< config.replicas).map { r in
                let proxy = Proxy(config: MasonCluster.proxyConfig(config, group: g, replica: r), generator: sim.forkGenerator())
                sim.add(proxy)
                return proxy
            })
        }
        let loadEnd = Instant(nanoseconds: UInt64(config.loadSeconds * 1e9))
        var clients: [Client] = []
        for k in 0 ..< config.totalClients {
            let group = k % config.proxyGroups
            let clientConfig = ClientConfig(client: UInt32(k), group: UInt16(group), proxies: layout.replicas(of: group),
                                            spaces: config.spaces, concurrency: config.concurrency, demand: config.demand,
                                            measureFrom: .zero, measureUntil: loadEnd)
            let client = Client(endpoint: layout.client(k), config: clientConfig, generator: sim.forkGenerator())
            clients.append(client)
            sim.add(client)
        }

        var faults: [(name: String, at: Double)] = []
        func at(_ seconds: Double) -> Instant { Instant(nanoseconds: UInt64(seconds * 1e9)) }
        if let t = config.killLeaderAt {
            faults.append(("kill-leader", t))
            sim.schedule(at: at(t)) {
                let live = proxies[0].filter { !sim.isCrashed($0.endpoint) && $0.isLeader }
                if let leader = live.max(by: { $0.term < $1.term }) {
                    sim.crash(leader.endpoint)
                    trace?("\(sim.now) crash: group 0 leader \(leader.endpoint) (term \(leader.term))")
                }
            }
        }
        if let t = config.killSequencerAt {
            faults.append(("kill-sequencer", t))
            sim.schedule(at: at(t)) {
                sim.crash(layout.primary)
                trace?("\(sim.now) crash: primary sequencer \(layout.primary)")
            }
        }
        for p in config.partitions {
            faults.append(("partition", p.atSeconds))
            var cut: [Endpoint] = p.roles?.compactMap { layout.endpoint(named: $0) } ?? []
            if p.roles == nil {
                var servers = layout.servers
                let size = 1 + Int(faultGenerator.next() % UInt64(max(1, (servers.count - 1) / 2)))
                for _ in 0 ..< size { cut.append(servers.remove(at: Int(faultGenerator.next() % UInt64(servers.count)))) }
            }
            sim.schedule(at: at(p.atSeconds)) {
                sim.partition(cut)
                trace?("\(sim.now) partition: \(cut) cut off")
            }
            sim.schedule(at: at(p.atSeconds + p.durationSeconds)) {
                sim.heal()
                trace?("\(sim.now) partition healed")
            }
        }
        for c in config.crashes {
            faults.append(("crash \(c.role)", c.atSeconds))
            let endpoint = layout.endpoint(named: c.role)!
            sim.schedule(at: at(c.atSeconds)) {
                sim.crash(endpoint)
                trace?("\(sim.now) crash: \(c.role) \(endpoint)")
            }
        }

        if config.hostileFramesPerSecond > 0 {
            // The hostile-frame fault: through the load, extreme-value frames from outside the
            // cluster to random roles (endpoints past the cluster's are no one's).
            let frames = HostileFrames(mode: .outsider, groups: config.proxyGroups, spaces: config.spaces, replicas: config.replicas)
            var hostile = sim.forkGenerator()
            let members = UInt64(layout.servers.count + config.totalClients)
            let gapNanos = max(1, UInt64(1e9 / config.hostileFramesPerSecond))
            var t = gapNanos / 2 + hostile.next() % gapNanos
            while t < loadEnd.nanoseconds {
                let to = Endpoint(UInt32(hostile.next() % members))
                let from = Endpoint(UInt32(members + hostile.next() % 1_000))
                sim.inject(frames.message(&hostile), from: from, to: to, at: Instant(nanoseconds: t))
                t += gapNanos / 2 + hostile.next() % gapNanos
            }
        }
        sim.start()
        sim.run(through: loadEnd)
        sim.faults = sim.faults.healed
        let live = clients.filter { !sim.isCrashed($0.endpoint) }
        var stalled = 0
        if config.hasScheduledFaults {
            // Liveness: once faults stop, every live client completes new operations.
            let before = live.map(\.completed)
            sim.run(through: loadEnd.adding(microseconds: 1_000_000))
            stalled = zip(live, before).filter { $0.completed == $1 }.count
        }
        for client in clients { client.stopIssuing() }
        let quiesceLimit = sim.now.adding(microseconds: UInt64(config.quiesceSeconds * 1e6))
        sim.run(through: quiesceLimit) { live.allSatisfy(\.isIdle) }
        // Let stray duplicates land and followers catch up, so the checkers see a quiet cluster.
        sim.run(through: sim.now.adding(microseconds: 200_000))

        var recorded = history.history
        recorded.highWater = zip(primary.highWater, backup.highWater).map { max($0, $1) }
        recorded.outstandingAtEnd = live.reduce(0) { $0 + $1.outstandingCount }
        recorded.stalledClients = stalled
        recorded.groups = proxies.map { group in group.filter { !sim.isCrashed($0.endpoint) }.map(GroupSnapshot.init) }
        var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000,
                                        numberOfSignificantValueDigits: .three)
        for client in clients { latency.add(client.latencyMicros) }
        let inWindow = clients.reduce(UInt64(0)) { $0 + $1.completedInWindow }
        return SimulationReport(
            seed: config.seed,
            invariants: checkInvariants ? InvariantChecker.check(recorded, codecFailures: sim.codecFailures) : [],
            operations: clients.reduce(0) { $0 + $1.completed },
            throughputOpsPerSecond: Double(inWindow) / config.loadSeconds,
            p50Micros: latency.totalCount > 0 ? latency.valueAtPercentile(50) : 0,
            p99Micros: latency.totalCount > 0 ? latency.valueAtPercentile(99) : 0,
            p999Micros: latency.totalCount > 0 ? latency.valueAtPercentile(99.9) : 0,
            messagesDelivered: sim.delivered,
            simulatedSeconds: Double(sim.now.nanoseconds) / 1e9,
            recoveries: faults.map { history.recovery(after: $0.name, at: $0.at) },
            gcTruncatedBelow: (0 ..< config.spaces).map { space in
                recorded.groups.flatMap { $0 }.map { $0.state.bitmaps[space].base }.min() ?? 0
            },
            digest: sim.digest)
    }
}

/// Collects the events roles report during a run, with their times.
final class HistoryRecorder {
    var history = RunHistory()
    var trace: ((String) -> Void)?
    private var epochSeen: [UInt16: UInt32] = [:]
    /// Client batches as first committed: (time, group, seqRequestID, epoch).
    private var firstCommits: [(at: Instant, group: UInt16, seqRequestID: UInt64, epoch: UInt32)] = []
    private var seen: Set<UInt64> = []

    func record(_ event: Event, at now: Instant) {
        if let trace { traceLine(event, at: now, trace) }
        switch event {
        case let .batchCommitted(batch):
            history.committed.append(batch)
            if batch.ops.contains(where: { !$0.isNoop }), seen.insert(UInt64(batch.group) << 48 | batch.seqRequestID).inserted {
                firstCommits.append((now, batch.group, batch.seqRequestID, batch.epoch))
            }
        case let .holesFilled(fill): history.fills.append(fill)
        case let .operationCompleted(op): history.completed.append(op)
        case let .leaderElected(group, term, replica): history.leaders.append((group, term, replica))
        case let .anomaly(role, description): history.anomalies.append("\(role): \(description)")
        case .note: break
        }
    }

    private func traceLine(_ event: Event, at now: Instant, _ trace: (String) -> Void) {
        switch event {
        case let .leaderElected(group, term, replica): trace("\(now) group \(group): replica \(replica) leads term \(term)")
        case let .holesFilled(fill): trace("\(now) group \(fill.group): hole fill \(fill.fill) applied, space \(fill.space): \(fill.ranges)")
        case let .anomaly(role, description): trace("\(now) anomaly at \(role): \(description)")
        case let .note(role, description): trace("\(now) \(role): \(description)")
        case let .batchCommitted(batch) where epochSeen[batch.group, default: 0] != batch.epoch:
            epochSeen[batch.group] = batch.epoch
            trace("\(now) group \(batch.group): first batch of epoch \(batch.epoch) (seqRequestID \(batch.seqRequestID))")
        default: break
        }
    }

    /// Milliseconds from a fault to the first new number: for a leader kill, group 0's first client
    /// batch with a seqRequestID above all it committed before; for a sequencer kill, the first
    /// batch the backup numbered; otherwise the first client batch committed after the fault.
    func recovery(after fault: String, at seconds: Double) -> FaultRecovery {
        let t = Instant(nanoseconds: UInt64(seconds * 1e9))
        let first: Instant?
        switch fault {
        case "kill-leader":
            let before = firstCommits.filter { $0.group == 0 && $0.at <= t }.map(\.seqRequestID).max()
            first = firstCommits.first { $0.group == 0 && $0.at > t && $0.seqRequestID > (before ?? 0) }?.at
        case "kill-sequencer":
            first = firstCommits.first { $0.at > t && $0.epoch == 1 }?.at
        default:
            first = firstCommits.first { $0.at > t }?.at
        }
        return FaultRecovery(fault: fault, atSeconds: seconds,
                             recoveryMillis: first.map { Double($0.nanoseconds(since: t)) / 1e6 })
    }
}
