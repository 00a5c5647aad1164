/// A client operation waiting for its numbers.
public struct PendingOperation: Sendable, Equatable {
    public var client: UInt32
    public var requestID: UInt64
    public var counts: SpaceCounts
    /// The client's acknowledged mark carried by the request; committed with the operation.
    public var acknowledgedBelow: UInt64 = 0

    public init(client: UInt32, requestID: UInt64, counts: SpaceCounts, acknowledgedBelow: UInt64 = 0) {
        self.client = client
        self.requestID = requestID
        self.counts = counts
        self.acknowledgedBelow = acknowledgedBelow
    }
}

/// The batch the leader is filling. Operations stay in admission order.
struct OpenBatch {
    var batchID: UInt64
    var ops: [PendingOperation] = []
    var counts: SpaceCounts
    /// When the first operation arrived: the batch timeout runs from here.
    var openedAt: Instant = .zero

    init(batchID: UInt64, spaces: Int) {
        self.batchID = batchID
        counts = SpaceCounts(spaces: spaces, each: 0)
    }

    var isEmpty: Bool { ops.isEmpty }

    mutating func append(_ op: PendingOperation, at now: Instant) {
        if ops.isEmpty { openedAt = now }
        ops.append(op)
        counts.add(op.counts)
    }
}

/// A batch sent to the sequencer and not yet answered.
struct InFlightBatch {
    var batchID: UInt64
    var seqRequestID: UInt64
    var ops: [PendingOperation]
    var counts: SpaceCounts
    var lastSentAt: Instant
}

/// A batch with its numbers split among its operations, in batch order: op j gets the next
/// `counts` numbers of each space after op j-1's.
public func splitRange(_ numbers: MultiSequenceNumber, among ops: [PendingOperation]) -> [CommittedOperation] {
    var cursor = numbers.ranges.map(\.first)
    var result = [CommittedOperation]()
    result.reserveCapacity(ops.count)
    for op in ops {
        precondition(op.counts.spaceCount == cursor.count, "operation space count differs from its batch's")
        var ranges = [SpaceRange]()
        ranges.reserveCapacity(cursor.count)
        for i in cursor.indices {
            let count = op.counts[i]
            ranges.append(SpaceRange(first: cursor[i], count: count))
            cursor[i] += UInt64(count)
        }
        result.append(CommittedOperation(client: op.client, requestID: op.requestID, numbers: MultiSequenceNumber(ranges),
                                         acknowledgedBelow: op.acknowledgedBelow))
    }
    for i in cursor.indices where numbers[i].count > 0 {
        precondition(cursor[i] == numbers[i].end, "the operations do not tile the batch's range in space \(i)")
    }
    return result
}
