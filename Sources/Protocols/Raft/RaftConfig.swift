/// The settings of one replica of a Raft group (a proxy group: 3 replicas in Mason).
public struct RaftConfig: Sendable {
    public var group: UInt16
    /// My raft id: the index of my endpoint in `peers`.
    public var me: UInt8
    /// Every replica of the group, me included, indexed by raft id.
    public var peers: [Endpoint]
    /// A follower or candidate that hears from no leader for a time drawn uniformly from this range
    /// (a fresh draw for every election) starts an election. A leader that has not heard from a
    /// majority for `lowerBound` steps down (CheckQuorum).
    public var electionTimeoutMicros: ClosedRange<UInt64>
    /// A leader sends every follower an AppendEntries at least this often; an append window (or a
    /// snapshot chunk window) unacknowledged for this long is resent.
    public var heartbeatMicros: UInt64
    /// Unacknowledged AppendEntries per follower.
    public var maxInflightAppends: Int
    /// Estimated bytes of entries per AppendEntries; an append always carries at least one entry.
    public var maxAppendBytes: Int
    /// Bytes of snapshot per SnapshotChunk (at most 65535).
    public var snapshotChunkBytes: Int
    /// Applied entries kept in memory before `wantsCompaction` asks the host to compact.
    public var maxLogSize: Int
    /// PreVote (thesis §9.6, etcd's `PreVote`): a replica whose election timer fires first asks for
    /// pre-votes at term + 1 without changing its term, and campaigns only with a majority of them;
    /// a replica that heard from a leader within `electionTimeoutMicros.lowerBound` refuses. Without
    /// it, a replica cut off by a partition raises its term again and again and, on healing, deposes
    /// a healthy leader (an election with no throughput after every heal).
    public var preVote: Bool

    public init(group: UInt16, me: UInt8, peers: [Endpoint],
                electionTimeoutMicros: ClosedRange<UInt64> = 150_000 ... 300_000,
                heartbeatMicros: UInt64 = 50_000, maxInflightAppends: Int = 16, maxAppendBytes: Int = 32_000,
                snapshotChunkBytes: Int = 16_000, maxLogSize: Int = 10_000, preVote: Bool = true) {
        precondition((1 ... 7).contains(peers.count), "a Raft group has 1...7 replicas")
        precondition(Int(me) < peers.count, "my raft id must index peers")
        precondition(Set(peers).count == peers.count, "replica endpoints must be distinct")
        precondition(heartbeatMicros > 0, "heartbeat interval must be positive")
        precondition(electionTimeoutMicros.lowerBound > heartbeatMicros,
                     "election timeout must exceed the heartbeat interval")
        precondition(electionTimeoutMicros.upperBound <= 3_600_000_000, "election timeout must be at most an hour")
        precondition(maxInflightAppends > 0 && maxAppendBytes > 0 && maxLogSize > 0)
        precondition((1 ... Int(UInt16.max)).contains(snapshotChunkBytes), "a chunk's length is a u16 on the wire")
        self.group = group
        self.me = me
        self.peers = peers
        self.electionTimeoutMicros = electionTimeoutMicros
        self.heartbeatMicros = heartbeatMicros
        self.maxInflightAppends = maxInflightAppends
        self.maxAppendBytes = maxAppendBytes
        self.snapshotChunkBytes = snapshotChunkBytes
        self.maxLogSize = maxLogSize
        self.preVote = preVote
    }

    /// Replicas that make a majority.
    var quorum: Int { peers.count / 2 + 1 }
}

public enum RaftRole: Sendable, Equatable {
    /// A pre-candidate is a follower asking for pre-votes: its term and vote are a follower's.
    case follower, preCandidate, candidate, leader
}
