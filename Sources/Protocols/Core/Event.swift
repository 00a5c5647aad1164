/// What roles report to their host: facts an observer records (the simulator's checkers, the
/// daemon's results), never instructions.
public enum Event: Sendable, Equatable {
    /// A client operation completed with these numbers.
    case operationCompleted(CompletedOperation)
    /// A proxy group made a sequenced batch durable: these numbers now belong to these operations
    /// (or to noops) for good. Every replica that applies the batch reports it.
    case batchCommitted(CommittedBatch)
    /// A proxy replica became its group's leader for `term` (the checker: one leader per term).
    case leaderElected(group: UInt16, term: UInt64, replica: UInt8)
    /// A proxy group committed noops for holes a backup sequencer found (one range list, one space).
    case holesFilled(HoleFill)
    /// A step worth a line in a trace (a backup's recovery stages); checkers ignore it.
    case note(role: Endpoint, description: String)
    /// A role saw input that contradicts the protocol (a reply whose counts do not match the
    /// request, say). It dropped the input; in simulation this fails the run.
    case anomaly(role: Endpoint, description: String)
}

/// One completed client operation, as the client saw it.
public struct CompletedOperation: Sendable, Equatable {
    public var client: UInt32
    public var requestID: UInt64
    public var group: UInt16
    public var requested: SpaceCounts
    public var numbers: MultiSequenceNumber
    public var issuedAt: Instant
    public var completedAt: Instant

    public init(client: UInt32, requestID: UInt64, group: UInt16, requested: SpaceCounts,
                numbers: MultiSequenceNumber, issuedAt: Instant, completedAt: Instant) {
        self.client = client
        self.requestID = requestID
        self.group = group
        self.requested = requested
        self.numbers = numbers
        self.issuedAt = issuedAt
        self.completedAt = completedAt
    }
}

/// A batch as it was made durable by its proxy group.
public struct CommittedBatch: Sendable, Hashable {
    public var group: UInt16
    public var seqRequestID: UInt64
    public var batchID: UInt64
    /// The sequencer epoch that allocated the numbers: 0 the primary, 1 the backup.
    public var epoch: UInt32
    public var ops: [CommittedOperation]

    public init(group: UInt16, seqRequestID: UInt64, batchID: UInt64, epoch: UInt32 = 0, ops: [CommittedOperation]) {
        self.group = group
        self.seqRequestID = seqRequestID
        self.batchID = batchID
        self.epoch = epoch
        self.ops = ops
    }
}

/// One operation of a committed batch. A noop consumes numbers that no client operation will use.
public struct CommittedOperation: Sendable, Hashable {
    public var client: UInt32
    public var requestID: UInt64
    public var numbers: MultiSequenceNumber
    public var isNoop: Bool
    /// The client's acknowledged mark when it sent this request: replicas free answers below it.
    public var acknowledgedBelow: UInt64

    public init(client: UInt32, requestID: UInt64, numbers: MultiSequenceNumber, isNoop: Bool = false,
                acknowledgedBelow: UInt64 = 0) {
        self.client = client
        self.requestID = requestID
        self.numbers = numbers
        self.isNoop = isNoop
        self.acknowledgedBelow = acknowledgedBelow
    }
}
