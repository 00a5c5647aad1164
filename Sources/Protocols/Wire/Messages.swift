/// Every message of the Mason protocol. Each has a fixed type code on the wire (`WireType`).
public enum Message: Hashable, Sendable {
    case clientRequest(ClientRequest)
    case clientReply(ClientReply)
    case sequencerRequest(SequencerRequest)
    case sequencerReply(SequencerReply)
    case heartbeat(Heartbeat)
    case heartbeatReply(Heartbeat)
    case raft(RaftMessage)
    case recovery(RecoveryMessage)
    case gc(GCMessage)
}

/// Client to proxy leader: "give operation `requestID` these counts".
public struct ClientRequest: Hashable, Sendable {
    public var client: UInt32
    public var requestID: UInt64
    public var group: UInt16
    /// Every request id below this has completed at the client: the proxy may free their answers.
    public var acknowledgedBelow: UInt64
    public var counts: SpaceCounts

    public init(client: UInt32, requestID: UInt64, group: UInt16, acknowledgedBelow: UInt64, counts: SpaceCounts) {
        self.client = client
        self.requestID = requestID
        self.group = group
        self.acknowledgedBelow = acknowledgedBelow
        self.counts = counts
    }
}

public enum ClientReplyStatus: UInt8, Sendable {
    /// `numbers` holds the operation's multi-sequence number.
    case ok = 0
    /// This replica does not lead the group; try `leaderHint`, or the next replica.
    case notLeader = 1
}

/// Proxy leader to client.
public struct ClientReply: Hashable, Sendable {
    public var client: UInt32
    public var requestID: UInt64
    public var group: UInt16
    public var status: ClientReplyStatus
    /// When `status == .notLeader`, the leader this replica believes in, if any.
    public var leaderHint: Endpoint?
    /// The operation's numbers; no spaces unless `status == .ok`.
    public var numbers: MultiSequenceNumber

    public init(client: UInt32, requestID: UInt64, group: UInt16, status: ClientReplyStatus,
                leaderHint: Endpoint? = nil, numbers: MultiSequenceNumber) {
        self.client = client
        self.requestID = requestID
        self.group = group
        self.status = status
        self.leaderHint = leaderHint
        self.numbers = numbers
    }
}

/// Proxy leader to sequencer: "allocate these counts for my batch", at most once per
/// (group, seqRequestID).
public struct SequencerRequest: Hashable, Sendable {
    public var group: UInt16
    /// The sender's Raft term: the sequencer refuses requests from a leader older than one it has
    /// already heard from (a deposed leader cannot open new holes).
    public var term: UInt64
    /// The sequencer epoch the group believes in (0 the primary, 1 the backup).
    public var epoch: UInt32
    public var batchID: UInt64
    public var seqRequestID: UInt64
    /// Every seqRequestID of this group below this is durable in the group: the sequencer may
    /// forget those allocations (this keeps its at-most-once table bounded).
    public var durableBelow: UInt64
    public var counts: SpaceCounts

    public init(group: UInt16, term: UInt64 = 0, epoch: UInt32 = 0, batchID: UInt64, seqRequestID: UInt64,
                durableBelow: UInt64, counts: SpaceCounts) {
        self.group = group
        self.term = term
        self.epoch = epoch
        self.batchID = batchID
        self.seqRequestID = seqRequestID
        self.durableBelow = durableBelow
        self.counts = counts
    }
}

public enum SequencerReplyStatus: UInt8, Sendable {
    /// First time this (group, seqRequestID) was seen: `numbers` were allocated now.
    case allocated = 0
    /// Seen before: `numbers` are the first allocation's, returned again.
    case retransmission = 1
    /// Below the group's durable mark: the allocation was forgotten, no numbers.
    case forgotten = 2
    /// The group has too many allocations that are not yet durable; retry later.
    case busy = 3
    /// The request's term is older than a leader this sequencer already served: refused.
    case fenced = 4
    /// A backup sequencer that has not finished recovery yet; retry later.
    case notReady = 5
    /// The request names another epoch than this sequencer's.
    case wrongEpoch = 6
}

/// Sequencer to proxy.
public struct SequencerReply: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32
    public var batchID: UInt64
    public var seqRequestID: UInt64
    public var status: SequencerReplyStatus
    /// No spaces unless status is `.allocated` or `.retransmission`.
    public var numbers: MultiSequenceNumber

    public init(group: UInt16, epoch: UInt32 = 0, batchID: UInt64, seqRequestID: UInt64, status: SequencerReplyStatus,
                numbers: MultiSequenceNumber) {
        self.group = group
        self.epoch = epoch
        self.batchID = batchID
        self.seqRequestID = seqRequestID
        self.status = status
        self.numbers = numbers
    }
}

/// Proxy to sequencer liveness probe (and its echo). Carries the group's durable mark too, so an
/// idle group still lets the sequencer trim its table.
public struct Heartbeat: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32
    public var nonce: UInt64
    public var durableBelow: UInt64

    public init(group: UInt16, epoch: UInt32 = 0, nonce: UInt64, durableBelow: UInt64) {
        self.group = group
        self.epoch = epoch
        self.nonce = nonce
        self.durableBelow = durableBelow
    }
}
