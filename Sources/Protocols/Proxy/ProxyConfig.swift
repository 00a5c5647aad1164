/// Runtime settings of one proxy group replica. Every constant the original compiled in is here.
public struct ProxyConfig: Sendable {
    public var group: UInt16
    public var spaces: Int
    /// The group's replicas, index = raft id; `me` is this replica's.
    public var replicas: [Endpoint]
    public var me: UInt8
    /// Sequencer endpoints by epoch: [primary] or [primary, backup].
    public var sequencers: [Endpoint]
    /// A batch closes this long after its first operation arrived...
    public var batchTimeoutMicros: UInt64 = 20
    /// ...or as soon as it holds this many operations.
    public var maxBatchOps = 64
    /// seqRequestIDs a leader may have outstanding (at the sequencer or not yet committed).
    public var maxBatchesInFlight = 16
    /// A sequencer request unanswered for this long is sent again (same seqRequestID).
    public var sequencerRetryMicros: UInt64 = 2_000
    public var heartbeatMicros: UInt64 = 50_000
    /// No answer from the sequencer for this long: the leader tells the backup.
    public var sequencerTimeoutMicros: UInt64 = 250_000
    /// A client request this far beyond the client's acknowledged mark is refused.
    public var maxClientWindow = UInt64(ProxyConfig.maxClientConcurrency)
    /// The most operations one client may keep outstanding: the default admission window. A client
    /// with at most this many outstanding is always admitted (its next request id is below its
    /// acknowledged mark plus its concurrency); one with more would only burn retransmissions, so
    /// configurations refuse it (`concurrencyError`).
    public static let maxClientConcurrency = 4_096

    /// One sentence when `concurrency` operations per client cannot run against the proxies'
    /// admission window, or nil. Every place that accepts a client concurrency checks it here.
    public static func concurrencyError(_ concurrency: Int) -> String? {
        guard concurrency < 1 || concurrency > maxClientConcurrency else { return nil }
        return "concurrency must be between 1 and \(maxClientConcurrency) operations per client (the proxies' admission window) (got \(concurrency))."
    }

    /// One past the highest request id admitted for a client acknowledged below `acknowledgedBelow`
    /// (saturating: the mark comes from the network).
    public static func windowEnd(acknowledgedBelow: UInt64, window: UInt64) -> UInt64 {
        let (end, overflow) = acknowledgedBelow.addingReportingOverflow(window)
        return overflow ? .max : end
    }
    /// Distinct clients tracked at once; requests from further clients are refused.
    public var maxClients = 65_536
    /// Received-number bitmaps: numbers per block (a multiple of 64) and blocks allocated up front.
    public var bitmapBlockSize: UInt64 = 65_536
    public var bitmapInitialBlocks = 2
    /// The GC ring: the next group and its replicas (none: this group is the whole ring).
    public var nextGroup: UInt16 = 0
    public var nextGroupReplicas: [Endpoint] = []
    /// The previous group's replicas, whose leader sends this group the GC ring's messages (none:
    /// unchecked). A token or truncate from anyone else is refused: a forged one could drop
    /// bitmap blocks that are not complete.
    public var previousGroupReplicas: [Endpoint] = []
    public var gcIntervalMicros: UInt64 = 10_000
    public var raft: RaftConfig

    public init(group: UInt16, spaces: Int, replicas: [Endpoint], me: UInt8, sequencers: [Endpoint]) {
        precondition((1 ... maxSequenceSpaces).contains(spaces), "sequence spaces must be 1...\(maxSequenceSpaces)")
        precondition(!replicas.isEmpty && Int(me) < replicas.count, "raft id outside the group")
        precondition(!sequencers.isEmpty, "a proxy needs a sequencer")
        self.group = group
        self.spaces = spaces
        self.replicas = replicas
        self.me = me
        self.sequencers = sequencers
        raft = RaftConfig(group: group, me: me, peers: replicas)
        // A frame holds 64 KiB: room for the largest default batch (64 operations, 64 spaces).
        raft.maxAppendBytes = 60_000
    }

    public var endpoint: Endpoint { replicas[Int(me)] }

    /// The largest batch, in bytes on the wire, must fit one Raft append.
    public var maxBatchBytes: Int { 24 + maxBatchOps * (22 + 12 * spaces) }

    /// One sentence naming the first setting that cannot work, or nil.
    public func validationError() -> String? {
        if maxBatchOps < 1 { return "max batch operations must be at least 1 (got \(maxBatchOps))." }
        if maxBatchBytes + 64 > raft.maxAppendBytes {
            return "a batch of \(maxBatchOps) operations over \(spaces) spaces (\(maxBatchBytes) bytes) does not fit one Raft append of \(raft.maxAppendBytes) bytes; lower the batch size."
        }
        if maxBatchesInFlight < 1 || maxBatchesInFlight > 64 { return "batches in flight must be 1...64 (got \(maxBatchesInFlight))." }
        if bitmapBlockSize == 0 || bitmapBlockSize % 64 != 0 || bitmapBlockSize > 262_144 {
            return "bitmap block size must be a multiple of 64 up to 262144 (got \(bitmapBlockSize))."
        }
        if bitmapInitialBlocks < 1 { return "bitmap initial blocks must be at least 1 (got \(bitmapInitialBlocks))." }
        return nil
    }
}
