import Protocols

/// A cut of the network: at `atSeconds`, a random minority of the servers is isolated for
/// `durationSeconds`, then the network heals.
public struct PartitionFault: Sendable, Equatable {
    public var atSeconds: Double
    public var durationSeconds: Double
    /// The roles to isolate (as for `CrashFault`); nil: a random minority of the servers.
    public var roles: [String]?

    public init(atSeconds: Double, durationSeconds: Double, roles: [String]? = nil) {
        self.atSeconds = atSeconds
        self.durationSeconds = durationSeconds
        self.roles = roles
    }
}

/// A crash of one named role (`sequencer`, `backup`, `proxy-G-R`, `client-K`) at a time.
public struct CrashFault: Sendable, Equatable {
    public var role: String
    public var atSeconds: Double

    public init(role: String, atSeconds: Double) {
        self.role = role
        self.atSeconds = atSeconds
    }
}

/// One simulated cluster and its workload. Every field has a default that makes a small, fast run.
public struct SimulationConfig: Sendable, Equatable {
    public var system: System = .mason
    public var proxyGroups = 2
    public var replicas = 3
    /// Client processes, each running `clientThreads` independent clients.
    public var clients = 2
    public var clientThreads = 2
    public var spaces = 4
    public var concurrency = 4
    public var demand: Demand = .all
    /// Simulated seconds of load; nil: 1 s, or 1 s past the last scheduled fault.
    public var durationSeconds: Double?
    public var seed: UInt64 = 1
    public var faults = NetworkFaults()
    public var batchTimeoutMicros: UInt64 = 20
    public var maxBatchOps = 64
    /// Raft entries kept before a replica compacts its log into a snapshot.
    public var maxLogSize = 10_000
    public var bitmapBlockSize: UInt64 = 65_536
    public var bitmapInitialBlocks = 2
    public var gcIntervalMicros: UInt64 = 10_000
    /// Crash the leader of group 0 at each of these seconds. A kill finding no live leader waits
    /// for the group to elect one, until the end of the load; one that never finds a leader fails
    /// the seed (`faultsHit`), as does any fault that cannot hit its target.
    public var killLeaderAt: [Double] = []
    /// Crash the primary sequencer at each of these seconds (the backup takes over). The same
    /// fault as a `CrashFault` of `sequencer`; two crashes of one role are refused (`validationError`).
    public var killSequencerAt: [Double] = []
    public var partitions: [PartitionFault] = []
    public var crashes: [CrashFault] = []
    /// Hostile frames injected per simulated second (`HostileFrames`, outsider mode): extreme-value
    /// frames from endpoints outside the cluster, to random roles. Every invariant must still hold.
    public var hostileFramesPerSecond = 0.0
    /// How long, after the load stops, every outstanding operation has to complete (liveness).
    public var quiesceSeconds = 10.0

    public init() {}

    /// A cluster of this shape, every other field at its default: where the fuzzer, the benchmark
    /// and tests start from.
    public static func cluster(groups: Int = 2, replicas: Int = 3, clients: Int = 2, clientThreads: Int = 2, spaces: Int = 4,
                               concurrency: Int = 4, durationSeconds: Double? = nil) -> SimulationConfig {
        var c = SimulationConfig()
        c.proxyGroups = groups
        c.replicas = replicas
        c.clients = clients
        c.clientThreads = clientThreads
        c.spaces = spaces
        c.concurrency = concurrency
        c.durationSeconds = durationSeconds
        return c
    }

    /// Independent clients in the cluster.
    public var totalClients: Int { clients * clientThreads }

    public var hasScheduledFaults: Bool {
        !killLeaderAt.isEmpty || !killSequencerAt.isEmpty || !partitions.isEmpty || !crashes.isEmpty
    }

    /// The load's length: as given, or long enough for every scheduled fault and its recovery.
    public var loadSeconds: Double {
        if let durationSeconds { return durationSeconds }
        let last = (killLeaderAt + killSequencerAt + partitions.map { $0.atSeconds + $0.durationSeconds }
            + crashes.map(\.atSeconds)).max()
        return last.map { $0 + 1 } ?? 1
    }

    /// Checks every field; returns one sentence naming the first bad value, or nil.
    public func validationError() -> String? {
        if let refusal = system.notBuiltError { return refusal }
        if proxyGroups < 1 || proxyGroups > 1_000 { return "--proxy-groups must be between 1 and 1000 (got \(proxyGroups))." }
        if ![1, 3, 5].contains(replicas) { return "--replicas must be 1, 3 or 5 (got \(replicas))." }
        if clients < 1 { return "--nclients must be at least 1 (got \(clients))." }
        if clientThreads < 1 { return "--nclient-threads must be at least 1 (got \(clientThreads))." }
        if !(1 ... maxSequenceSpaces).contains(spaces) { return "--nsequence-spaces must be between 1 and \(maxSequenceSpaces) (got \(spaces))." }
        if concurrency < 1 || concurrency > 4_096 { return "--concurrency must be between 1 and 4096 (got \(concurrency))." }
        if case let .random(k) = demand, !(1 ... spaces).contains(k) {
            return "--demand must be 'all' or a number of spaces between 1 and \(spaces) (got \(k))."
        }
        if let d = durationSeconds, !(d > 0 && d <= 3_600) { return "--duration must be between 0 and 3600 simulated seconds (got \(d))." }
        for (name, p) in [("--drop", faults.drop), ("--duplicate", faults.duplicate), ("--reorder", faults.reorder)]
            where !(p >= 0 && p <= 1) {
            return "\(name) must be a probability between 0 and 1 (got \(p))."
        }
        if !(hostileFramesPerSecond >= 0 && hostileFramesPerSecond <= 1_000_000) {
            return "--hostile must be between 0 and 1000000 frames per simulated second (got \(hostileFramesPerSecond))."
        }
        if faults.drop >= 1 { return "--drop must be below 1, or no message would ever arrive (got \(faults.drop))." }
        if faults.delayMicros.upperBound > 10_000_000 { return "--delay-us must be at most 10000000 microseconds (got \(faults.delayMicros.upperBound))." }
        if batchTimeoutMicros < 1 { return "--batch-timeout-us must be at least 1 (got \(batchTimeoutMicros))." }
        if maxBatchOps < 1 { return "--max-batch-ops must be at least 1 (got \(maxBatchOps))." }
        if bitmapBlockSize == 0 || bitmapBlockSize % 64 != 0 || bitmapBlockSize > 262_144 {
            return "--bitmap-block-size must be a multiple of 64 up to 262144 (got \(bitmapBlockSize))."
        }
        if bitmapInitialBlocks < 1 || bitmapInitialBlocks > 1_024 { return "--bitmap-initial-blocks must be 1...1024 (got \(bitmapInitialBlocks))." }
        if gcIntervalMicros < 100 { return "--gc-interval-us must be at least 100 (got \(gcIntervalMicros))." }
        if maxLogSize < 16 { return "--max-log-size must be at least 16 entries (got \(maxLogSize))." }
        let load = loadSeconds
        for (name, times) in [("--kill-leader", killLeaderAt), ("--kill-sequencer", killSequencerAt)] {
            for at in times where !(at > 0 && at < load) {
                return "\(name) must be a time after 0 and before the end of the load at \(load) s (got \(at))."
            }
        }
        if !killLeaderAt.isEmpty && replicas == 1 { return "--kill-leader needs --replicas 3 or 5: a group of one has no one to take over." }
        for p in partitions where !(p.atSeconds > 0 && p.durationSeconds > 0 && p.atSeconds + p.durationSeconds < load) {
            return "--partition must start after 0 and heal before the end of the load at \(load) s (got \(p.atSeconds):\(p.durationSeconds))."
        }
        for p in partitions {
            for role in p.roles ?? [] where MasonCluster.Layout(self).endpoint(named: role) == nil {
                return "--partition names '\(role)', which is not a role of this cluster."
            }
        }
        for c in crashes {
            if !(c.atSeconds > 0 && c.atSeconds < load) { return "--crash \(c.role) must be at a time after 0 and before \(load) s (got \(c.atSeconds))." }
            if MasonCluster.Layout(self).endpoint(named: c.role) == nil {
                return "--crash names '\(c.role)', which is not a role of this cluster (sequencer, backup, proxy-G-R, client-K)."
            }
        }
        if let twice = roleCrashedTwice { return twice }
        if let problem = MasonCluster.proxyConfig(self, group: 0, replica: 0).validationError() { return "--max-batch-ops: \(problem)" }
        return nil
    }

    /// A role crashed by two faults (a `--crash` of it, or `--kill-sequencer` for `sequencer`): the
    /// second could never hit, so the schedule is refused before it runs.
    private var roleCrashedTwice: String? {
        var seen: [String: String] = [:]
        let named = killSequencerAt.map { ("sequencer", "--kill-sequencer \($0)") } + crashes.map { ($0.role, "--crash \($0.role):\($0.atSeconds)") }
        for (role, flag) in named {
            if let first = seen.updateValue(flag, forKey: role) {
                return "\(first) and \(flag) both crash \(role), which stays down after the first: give one of them."
            }
        }
        return nil
    }
}
