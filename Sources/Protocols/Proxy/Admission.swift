/// A leader's per-client FIFO admission state. Volatile: a new leader rebuilds it from the
/// group's committed state (every request below `committedBelow` is done).
struct Admission {
    var endpoint: Endpoint
    /// Every request id below this is in a batch (open, at the sequencer, or committed).
    var admittedBelow: UInt64
    /// Every request id below this has its numbers.
    var sequencedBelow: UInt64
    /// The batch holding request `admittedBelow - 1`, as of its admission.
    var lastAdmittedBatch: UInt64?
    /// Requests received but not yet admitted, with the acknowledged mark each carried.
    var queued: [UInt64: (counts: SpaceCounts, acknowledgedBelow: UInt64)] = [:]

    init(endpoint: Endpoint, committedBelow: UInt64) {
        self.endpoint = endpoint
        admittedBelow = committedBelow
        sequencedBelow = committedBelow
    }

    /// May request `admittedBelow` join the batch `openBatchID`? Per-client FIFO: only once every
    /// earlier request is sequenced, or when the previous one is in that same batch. So a client's
    /// later operation never gets lower numbers than an earlier one, in any space, even when the
    /// network reorders the batches on their way to the sequencer.
    func mayAdmitNext(into openBatchID: UInt64) -> Bool {
        sequencedBelow == admittedBelow || lastAdmittedBatch == openBatchID
    }
}
