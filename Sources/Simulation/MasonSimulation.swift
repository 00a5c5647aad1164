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

        let injector = FaultInjector(sim: sim, layout: layout, proxies: proxies, loadEnd: loadEnd, trace: trace)
        injector.schedule(config, generator: &faultGenerator)

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
        recorded.missedFaults = injector.misses
        recorded.impossibleInputs = ImpossibleInputs.report(sequencers: [primary, backup], proxies: proxies.flatMap { $0 })
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
            recoveries: injector.entries.map { entry in
                FaultRecovery(fault: entry.fault, atSeconds: entry.atSeconds, hitSeconds: entry.hit.map { Double($0.nanoseconds) / 1e9 },
                              recoveryMillis: entry.hit.flatMap { history.recoveryMillis(entry.measure, after: $0) })
            },
            gcTruncatedBelow: (0 ..< config.spaces).map { space in
                recorded.groups.flatMap { $0 }.map { $0.state.bitmaps[space].base }.min() ?? 0
            },
            digest: sim.digest)
    }
}
