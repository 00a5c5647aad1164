/// What a proxy leader knows about one client: the FIFO admission state, the operations queued
/// until their turn, and the answers kept until the client acknowledges them.
struct ClientSession {
    var endpoint: Endpoint
    /// The client has every answer below this; those answers are freed.
    var acknowledgedBelow: UInt64 = 0
    /// Every request id below this is in a batch (open, at the sequencer, or done).
    var admittedBelow: UInt64 = 0
    /// Every request id below this has its numbers.
    var sequencedBelow: UInt64 = 0
    /// The batch holding request `admittedBelow - 1`, as of its admission.
    var lastAdmittedBatch: UInt64?
    /// Requests received but not yet admitted, by request id.
    var queued: [UInt64: SpaceCounts] = [:]
    /// Numbers of committed operations the client has not acknowledged yet.
    var answers: [UInt64: MultiSequenceNumber] = [:]

    init(endpoint: Endpoint) { self.endpoint = endpoint }

    /// May request `admittedBelow` join the batch `openBatchID`? Per-client FIFO: only once every
    /// earlier request is sequenced, or when the previous one is in that same batch. So a client's
    /// later operation never gets lower numbers than an earlier one, in any space, even when the
    /// network reorders the batches on their way to the sequencer.
    func mayAdmitNext(into openBatchID: UInt64) -> Bool {
        sequencedBelow == admittedBelow || lastAdmittedBatch == openBatchID
    }

    /// Frees the answers below `mark` (which the client reports having received).
    mutating func acknowledge(below mark: UInt64) {
        let mark = min(mark, admittedBelow)
        guard mark > acknowledgedBelow else { return }
        if mark - acknowledgedBelow <= UInt64(answers.count) {
            for id in acknowledgedBelow ..< mark { answers.removeValue(forKey: id) }
        } else {
            answers = answers.filter { $0.key >= mark }
        }
        acknowledgedBelow = mark
    }
}
