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
        exactCounts, answersMatchCommitted, clientOrder, crossSpaceOrder, liveness (every live client \
        progresses once faults stop, and every operation completes), oneLeaderPerTerm, logMatching, \
        stateMachineSafety, leaderCompleteness, noAnomalies (no role reported an anomaly or counted an \
        input no correct peer sends), faultsHit (every scheduled fault hit its target), codecRoundTrip. \
        With scheduled faults it also reports each fault's recovery time: simulated milliseconds from \
        the fault hitting to the first new number (after the primary sequencer, the backup's first; \
        after a group's leader, that group's next), the same however the fault was spelled. The same \
        seed replays the same run bit for bit (see the digest column). \
        Exit 0 when every invariant held for every seed, 1 otherwise (with the command that replays \
        each failing seed), 2 on bad usage.
        """
    )

    @Option(help: "The system to simulate: \(System.allCases.map(\.rawValue).joined(separator: ", ")).")
    var system: System = .mason

    @Option(name: .customLong("proxy-groups"), help: "Proxy groups (each a Raft group of --replicas).")
    var proxyGroups = 2

    @Option(help: "Replicas per proxy group, a Raft group: 1, 3 or 5.")
    var replicas = 3

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

    @Option(help: "Simulated seconds of load per seed (default: 1, or 1 past the last scheduled fault).")
    var duration: Double?

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

    @Option(help: "Hostile frames per simulated second: extreme-value frames from outside the cluster, to random roles.")
    var hostile = 0.0

    @Option(name: .customLong("delay-us"), help: "One-way network delay in microseconds, LO-HI (uniform) or D.")
    var delay = DelayArgument(range: 10 ... 100)

    @Option(name: .customLong("batch-timeout-us"), help: "A proxy batch closes this many microseconds after its first operation.")
    var batchTimeoutMicros: UInt64 = 20

    @Option(name: .customLong("max-batch-ops"), help: "A proxy batch closes once it holds this many operations.")
    var maxBatchOps = 64

    @Option(name: .customLong("max-log-size"), help: "Raft entries a replica keeps before compacting its log into a snapshot.")
    var maxLogSize = 10_000

    @Option(name: .customLong("bitmap-block-size"), help: "Numbers per received-number bitmap block (a multiple of 64); the GC ring truncates whole blocks.")
    var bitmapBlockSize: UInt64 = 65_536

    @Option(name: .customLong("bitmap-initial-blocks"), help: "Bitmap blocks each replica allocates up front, per space.")
    var bitmapInitialBlocks = 2

    @Option(name: .customLong("gc-interval-us"), help: "How often group 0's leader sends the GC token around the ring, in microseconds.")
    var gcIntervalMicros: UInt64 = 10_000

    @Option(name: .customLong("kill-leader"), help: """
        Crash the current leader of proxy group 0 at this simulated second (repeatable: each is one more kill). \
        With no live leader then, it waits for the group to elect one; if none comes before the load ends, the seed fails (faultsHit).
        """)
    var killLeader: [Double] = []

    @Option(name: .customLong("kill-sequencer"), help: """
        Crash the primary sequencer at this simulated second (the backup takes over); the same fault as --crash sequencer:T. \
        Given twice, or with --crash sequencer, it is refused: the primary stays down after the first.
        """)
    var killSequencer: [Double] = []

    @Option(name: .customLong("partition"), help: "T:DURATION: isolate a random minority of the servers at T seconds for DURATION seconds (repeatable).")
    var partitions: [PartitionArgument] = []

    @Option(name: .customLong("crash"), help: """
        ROLE:T: crash a role at T seconds: sequencer, backup, proxy-G-R or client-K (repeatable, one role once). \
        A role already down at T (a leader an earlier --kill-leader crashed) fails the seed (faultsHit).
        """)
    var crashes: [CrashArgument] = []

    @Flag(help: "Print one JSON document instead of the table, once every seed has run.")
    var json = false

    @Flag(name: .customLong("json-lines"), help: "Print one JSON object per seed, on its own line, as each seed finishes.")
    var jsonLines = false

    @Flag(help: "Print only the summary line and any failing seeds, not a row per seed.")
    var quiet = false

    @Flag(help: "Print each seed's notable events to stderr (faults, elections, epoch switches, hole fills, anomalies).")
    var trace = false

    func validate() throws {
        try checkRanges()  // SimulateArguments.swift: bounds first, so the checks below cannot overflow
        if json, jsonLines { throw ValidationError("--json and --json-lines are exclusive: pick one.") }
        if seeds < 1 || seeds > 1_000_000 { throw ValidationError("--seeds must be between 1 and 1000000 (got \(seeds)).") }
        if let problem = config(seed: seed).validationError() { throw ValidationError(problem) }
    }

    func config(seed: UInt64) -> SimulationConfig {
        var c = SimulationConfig.cluster(groups: proxyGroups, replicas: replicas, clients: clients, clientThreads: clientThreads,
                                         spaces: spaces, concurrency: concurrency, durationSeconds: duration)
        c.system = system
        c.demand = demand.demand
        c.seed = seed
        c.faults = NetworkFaults(drop: drop, duplicate: duplicate, reorder: reorder, delayMicros: delay.range)
        c.hostileFramesPerSecond = hostile
        c.batchTimeoutMicros = batchTimeoutMicros
        c.maxBatchOps = maxBatchOps
        c.maxLogSize = maxLogSize
        c.bitmapBlockSize = bitmapBlockSize
        c.bitmapInitialBlocks = bitmapInitialBlocks
        c.gcIntervalMicros = gcIntervalMicros
        c.killLeaderAt = killLeader
        c.killSequencerAt = killSequencer
        c.partitions = partitions.map(\.fault)
        c.crashes = crashes.map(\.fault)
        return c
    }

    func run() throws {
        let configs = (0 ..< UInt64(seeds)).map { config(seed: seed &+ $0) }
        let reporter = SeedReporter(configs: configs, format: json ? .json : jsonLines ? .jsonLines : quiet ? .quiet : .table)
        // Ctrl-C: print what the finished seeds found (with their replay commands), then exit 130.
        let stopper = InterruptStopper(announce: nil) {
            if let failure = reporter.finish(interrupted: true) {
                FileHandle.standardError.write(Data("masonlab: \(failure)\n".utf8))
            }
        }
        reporter.begin()
        SeedRunner.run(configs, trace: trace) { index, report in reporter.finished(index, report) }
        withExtendedLifetime(stopper) {}
        if let failure = reporter.finish(interrupted: false) { throw CommandFailure(failure) }
    }
}
