/// Where a sequenced batch becomes durable before any client sees its numbers: the seam between
/// batching and replication. A group of one replica is durable at once; a Raft group is durable
/// once a majority has the entry.
public protocol BatchReplication {
    /// Starts making `batch` durable; returns the batches that became durable, in log order.
    mutating func append(_ batch: CommittedBatch, at now: Instant, into out: inout [Output]) -> [CommittedBatch]
}

/// A proxy group of one replica: every batch is durable as soon as it is appended.
public struct SingleReplica: BatchReplication {
    public init() {}

    public mutating func append(_ batch: CommittedBatch, at now: Instant, into out: inout [Output]) -> [CommittedBatch] {
        [batch]
    }
}
