/// A command in a proxy group's replicated log. Every replica applies the same commands in the
/// same order, so every replica holds the same batches, answers and bitmaps.
public enum GroupCommand: Hashable, Sendable {
    /// A new leader's first entry. Committing it commits every earlier entry, so once it is
    /// applied the leader's state reflects the whole committed log (Raft's no-op entry).
    case leaderStart(leader: UInt8)
    /// A batch with its numbers, allocated by the sequencer of `batch.epoch`.
    case batch(CommittedBatch)
    /// A new leader takes over the group's seqRequestIDs: `noops` consume the numbers the
    /// sequencer allocated to requests no committed entry holds, and every seqRequestID below
    /// `nextSeqRequestID` is resolved.
    case takeover(nextSeqRequestID: UInt64, noops: [CommittedBatch])
    /// From here on the group takes numbers from the sequencer of `epoch` (a backup took over);
    /// batches allocated by an earlier epoch are no longer applied.
    case useSequencer(epoch: UInt32)
    /// Every number below `below` in `space` is committed somewhere: drop those bitmap blocks.
    case truncate(space: UInt8, below: UInt64)
    /// Noops for holes a backup sequencer found, committed by this group on its request.
    case fillHoles(HoleFill)
}
