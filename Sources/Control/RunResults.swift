/// `run.results`: what this node's roles measured and committed in the run.
public struct RunResults: Codable, Sendable, Equatable {
    public var run: String?
    /// Width of each per-interval counter, and the wall-clock origin interval 0 starts at.
    public var intervalMillis: UInt64
    public var originUnixNanos: UInt64
    public var clients: [ClientResults]
    public var proxies: [ProxyResults]
    public var sequencers: [SequencerResults]

    public init(run: String?, intervalMillis: UInt64, originUnixNanos: UInt64, clients: [ClientResults],
                proxies: [ProxyResults], sequencers: [SequencerResults]) {
        self.run = run
        self.intervalMillis = intervalMillis
        self.originUnixNanos = originUnixNanos
        self.clients = clients
        self.proxies = proxies
        self.sequencers = sequencers
    }
}

public struct ClientResults: Codable, Sendable, Equatable {
    public var endpoint: UInt32
    public var group: Int
    public var crashed: Bool
    /// Operations completed in all, and within the measurement window.
    public var completed: UInt64
    public var completedInWindow: UInt64
    public var retransmissions: UInt64
    public var failovers: UInt64
    /// Latency in microseconds of the operations completed in the window: the histogram's
    /// recorded buckets as [value, count] pairs (merge by recording them into one histogram).
    public var latencyMicros: [[UInt64]]
    /// Operations completed in each interval from the origin (before it: interval 0).
    public var completions: [UInt64]
    /// Per space, the highest number this client received in each interval (-1: none).
    public var highest: [[Int64]]
    /// Per space, how many numbers this client received.
    public var numbers: [UInt64]
    /// With `recordRanges`: per interval, the numbers received in it as [space, first, count] triples.
    public var rangesByInterval: [[[UInt64]]]?

    public init(endpoint: UInt32, group: Int, crashed: Bool, completed: UInt64, completedInWindow: UInt64,
                retransmissions: UInt64, failovers: UInt64, latencyMicros: [[UInt64]], completions: [UInt64],
                highest: [[Int64]], numbers: [UInt64], rangesByInterval: [[[UInt64]]]? = nil) {
        self.endpoint = endpoint
        self.group = group
        self.crashed = crashed
        self.completed = completed
        self.completedInWindow = completedInWindow
        self.retransmissions = retransmissions
        self.failovers = failovers
        self.latencyMicros = latencyMicros
        self.completions = completions
        self.highest = highest
        self.numbers = numbers
        self.rangesByInterval = rangesByInterval
    }
}

public struct ProxyResults: Codable, Sendable, Equatable {
    public var endpoint: UInt32
    public var group: Int
    public var replica: Int
    public var crashed: Bool
    public var committedBatches: UInt64
    /// Per space: the numbers this replica applied (client operations and noops), as sorted
    /// disjoint [first, count] ranges; nil once there were too many ranges to keep (`committedCount` still holds).
    public var committed: [[[UInt64]]]?
    public var committedCount: [UInt64]
    /// Per space: numbers applied as noops (takeover noops and backup hole fills), as ranges.
    public var noops: [[[UInt64]]]
    /// Numbers this replica applied twice (must be 0).
    public var duplicates: UInt64
    /// Terms in which this replica became leader.
    public var leaderTerms: [UInt64]
    /// With `recordRanges`: per interval, the noops this replica applied in it as [space, first, count].
    public var noopsByInterval: [[[UInt64]]]?

    public init(endpoint: UInt32, group: Int, replica: Int, crashed: Bool, committedBatches: UInt64, committed: [[[UInt64]]]?,
                committedCount: [UInt64], noops: [[[UInt64]]], duplicates: UInt64, leaderTerms: [UInt64],
                noopsByInterval: [[[UInt64]]]? = nil) {
        self.endpoint = endpoint
        self.group = group
        self.replica = replica
        self.crashed = crashed
        self.committedBatches = committedBatches
        self.committed = committed
        self.committedCount = committedCount
        self.noops = noops
        self.duplicates = duplicates
        self.leaderTerms = leaderTerms
        self.noopsByInterval = noopsByInterval
    }
}

public struct SequencerResults: Codable, Sendable, Equatable {
    public var endpoint: UInt32
    public var epoch: UInt32
    public var crashed: Bool
    public var ready: Bool
    /// Per space: one past the highest number handed out.
    public var highWater: [UInt64]
    public var allocations: UInt64

    public init(endpoint: UInt32, epoch: UInt32, crashed: Bool, ready: Bool, highWater: [UInt64], allocations: UInt64) {
        self.endpoint = endpoint
        self.epoch = epoch
        self.crashed = crashed
        self.ready = ready
        self.highWater = highWater
        self.allocations = allocations
    }
}
