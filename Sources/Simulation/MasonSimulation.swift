import Histogram
import Protocols

/// Builds a Mason cluster (a sequencer, proxy groups, closed-loop clients) inside the simulator,
/// runs the load with network faults, stops the load, heals the network, waits for every
/// outstanding operation, and checks the invariants.
public enum MasonSimulation {
    /// Endpoint layout: the sequencer is 0, group g's proxy is 1 + g, then the clients.
    /// `checkInvariants: false` skips the checkers (the simulator benchmark measures the engine alone).
    public static func run(_ config: SimulationConfig, checkInvariants: Bool = true) -> SimulationReport {
        precondition(config.validationError() == nil, config.validationError() ?? "")
        let history = HistoryRecorder()
        let sim = Simulator(seed: config.seed, faults: config.faults) { event, _ in history.record(event) }

        let sequencerEndpoint = Endpoint(0)
        let sequencer = Sequencer(endpoint: sequencerEndpoint,
                                  config: SequencerConfig(spaces: config.spaces, groups: config.proxyGroups))
        sim.add(sequencer)
        for g in 0 ..< config.proxyGroups {
            let proxyConfig = ProxyConfig(group: UInt16(g), spaces: config.spaces, sequencer: sequencerEndpoint,
                                          batchTimeoutMicros: config.batchTimeoutMicros, maxBatchOps: config.maxBatchOps)
            sim.add(Proxy(endpoint: proxyEndpoint(g), config: proxyConfig, replication: SingleReplica()))
        }
        let loadEnd = Instant(nanoseconds: UInt64(config.durationSeconds * 1e9))
        var clients: [Client] = []
        for k in 0 ..< config.totalClients {
            let group = k % config.proxyGroups
            let clientConfig = ClientConfig(client: UInt32(k), group: UInt16(group), proxies: [proxyEndpoint(group)],
                                            spaces: config.spaces, concurrency: config.concurrency, demand: config.demand,
                                            measureFrom: .zero, measureUntil: loadEnd)
            let endpoint = Endpoint(UInt32(1 + config.proxyGroups + k))
            let client = Client(endpoint: endpoint, config: clientConfig, generator: sim.forkGenerator())
            clients.append(client)
            sim.add(client)
        }

        sim.start()
        sim.run(through: loadEnd)
        for client in clients { client.stopIssuing() }
        sim.faults = sim.faults.healed
        let quiesceLimit = loadEnd.adding(microseconds: UInt64(config.quiesceSeconds * 1e6))
        sim.run(through: quiesceLimit) { clients.allSatisfy(\.isIdle) }
        // Let stray duplicates and late replies land, so the checkers see a quiet network.
        sim.run(through: sim.now.adding(microseconds: 100_000))

        var recorded = history.history
        recorded.highWater = sequencer.highWater
        recorded.outstandingAtEnd = clients.reduce(0) { $0 + $1.outstandingCount }
        var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000,
                                        numberOfSignificantValueDigits: .three)
        for client in clients { latency.add(client.latencyMicros) }
        let inWindow = clients.reduce(UInt64(0)) { $0 + $1.completedInWindow }
        return SimulationReport(
            seed: config.seed,
            invariants: checkInvariants ? InvariantChecker.check(recorded, codecFailures: sim.codecFailures) : [],
            operations: clients.reduce(0) { $0 + $1.completed },
            throughputOpsPerSecond: Double(inWindow) / config.durationSeconds,
            p50Micros: latency.totalCount > 0 ? latency.valueAtPercentile(50) : 0,
            p99Micros: latency.totalCount > 0 ? latency.valueAtPercentile(99) : 0,
            p999Micros: latency.totalCount > 0 ? latency.valueAtPercentile(99.9) : 0,
            messagesDelivered: sim.delivered,
            simulatedSeconds: Double(sim.now.nanoseconds) / 1e9,
            digest: sim.digest)
    }

    static func proxyEndpoint(_ group: Int) -> Endpoint { Endpoint(UInt32(1 + group)) }
}

/// Collects the events roles report during a run.
final class HistoryRecorder {
    var history = RunHistory()

    func record(_ event: Event) {
        switch event {
        case let .batchCommitted(batch): history.committed.append(batch)
        case let .operationCompleted(op): history.completed.append(op)
        case let .anomaly(role, description): history.anomalies.append("\(role): \(description)")
        }
    }
}
