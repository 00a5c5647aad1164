import ArgumentParser
import Dispatch
import Foundation
import Protocols
import Simulation
import Synchronization

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a system in one deterministic simulated network and check its invariants.",
        discussion: """
        Each seed builds a cluster (a sequencer, proxy groups, closed-loop clients), runs the load for \
        --duration simulated seconds with the network faults given, then stops the load, heals the \
        network, waits for every outstanding operation, and checks: contiguity, noNumberTwice, \
        exactCounts, answersMatchCommitted, clientOrder, crossSpaceOrder, liveness, noAnomalies, \
        codecRoundTrip. The same seed replays the same run bit for bit (see the digest column). \
        Exit 0 when every invariant held for every seed, 1 otherwise (with the command that replays \
        each failing seed), 2 on bad usage.
        """
    )

    @Option(help: "The system to simulate: \(SystemKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var system: SystemKind = .mason

    @Option(name: .customLong("proxy-groups"), help: "Proxy groups (each a Raft group of --replicas).")
    var proxyGroups = 2

    @Option(help: "Replicas per proxy group (1 until Raft groups land).")
    var replicas = 1

    @Option(name: .customLong("nclients"), help: "Client processes.")
    var clients = 2

    @Option(name: .customLong("nclient-threads"), help: "Independent clients per client process.")
    var clientThreads = 2

    @Option(name: .customLong("nsequence-spaces"), help: "Sequence spaces, 1 to 64.")
    var spaces = 4

    @Option(help: "Operations each client keeps outstanding, 1 to 4096.")
    var concurrency = 4

    @Option(help: "Spaces per operation: 'all' (one number from every space) or K (one number from each of K random spaces).")
    var demand = DemandArgument(argument: "all")!

    @Option(help: "Simulated seconds of load per seed.")
    var duration = 1.0

    @Option(help: "The first seed.")
    var seed: UInt64 = 1

    @Option(help: "How many seeds to run: --seed .. --seed+K-1.")
    var seeds = 1

    @Option(help: "Probability that a message is lost, 0 to below 1.")
    var drop = 0.0

    @Option(help: "Probability that a message is delivered twice.")
    var duplicate = 0.0

    @Option(help: "Probability that a message is held back behind later ones.")
    var reorder = 0.0

    @Option(name: .customLong("delay-us"), help: "One-way network delay in microseconds, LO-HI (uniform) or D.")
    var delay = DelayArgument(range: 10 ... 100)

    @Option(name: .customLong("batch-timeout-us"), help: "A proxy batch closes this many microseconds after its first operation.")
    var batchTimeoutMicros: UInt64 = 20

    @Option(name: .customLong("max-batch-ops"), help: "A proxy batch closes once it holds this many operations.")
    var maxBatchOps = 64

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    func validate() throws {
        if seeds < 1 || seeds > 1_000_000 { throw ValidationError("--seeds must be between 1 and 1000000 (got \(seeds)).") }
        if let problem = config(seed: seed).validationError() { throw ValidationError(problem) }
    }

    func config(seed: UInt64) -> SimulationConfig {
        var c = SimulationConfig()
        c.system = system
        c.proxyGroups = proxyGroups
        c.replicas = replicas
        c.clients = clients
        c.clientThreads = clientThreads
        c.spaces = spaces
        c.concurrency = concurrency
        c.demand = demand.demand
        c.durationSeconds = duration
        c.seed = seed
        c.faults = NetworkFaults(drop: drop, duplicate: duplicate, reorder: reorder, delayMicros: delay.range)
        c.batchTimeoutMicros = batchTimeoutMicros
        c.maxBatchOps = maxBatchOps
        return c
    }

    func run() throws {
        let configs = (0 ..< UInt64(seeds)).map { config(seed: seed &+ $0) }
        let reports = SeedRunner.run(configs)
        if json {
            print(SimulateOutput.json(reports))
        } else {
            print(SimulateOutput.table(reports))
        }
        let failures = zip(configs, reports).filter { !$0.1.ok }
        guard failures.isEmpty else {
            var lines = ["\(failures.count) of \(reports.count) seeds broke an invariant. Replay each with:"]
            for (config, report) in failures {
                lines.append("  \(SimulateOutput.replayCommand(config))   # \(report.failed.map(\.name).joined(separator: ", "))")
            }
            throw CommandFailure(lines.joined(separator: "\n"))
        }
    }
}

/// Runs seeds on every core; results come back in seed order.
enum SeedRunner {
    static func run(_ configs: [SimulationConfig]) -> [SimulationReport] {
        let results = Mutex([SimulationReport?](repeating: nil, count: configs.count))
        let workers = max(1, min(configs.count, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: configs.count, by: workers) {
                let report = MasonSimulation.run(configs[index])
                results.withLock { $0[index] = report }
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}
