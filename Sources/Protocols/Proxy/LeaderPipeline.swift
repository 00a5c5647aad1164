/// Everything a proxy replica keeps only while it leads its group, for one term. A new leader
/// starts one from the group's committed state; nothing here needs to survive a leader change.
final class LeaderPipeline {
    enum Phase: Equatable {
        /// Waiting for this term's first entry to apply (then the whole committed log is applied).
        case starting(index: UInt64)
        /// Asking the sequencer of `epoch` to fence older leaders and list the group's allocations.
        case claiming(lastSentAt: Instant)
        /// The takeover entry (noops for unreplicated allocations) is in the log.
        case takingOver(index: UInt64)
        case ready
    }

    let term: UInt64
    var phase: Phase
    /// The sequencer epoch this leader talks to.
    var epoch: UInt32
    /// Set while a switch to `epoch` is proposed but not applied: batches stop.
    var switchingTo: UInt32?
    var nextSeqRequestID: UInt64 = 0
    var open: OpenBatch
    var nextBatchID: UInt64 = 1
    var inFlight: [UInt64: InFlightBatch] = [:]
    var admissions: [UInt32: Admission] = [:]
    /// Clients with queued requests: retried when a batch closes or is sequenced.
    var waitingClients: Set<UInt32> = []
    var lastHeardFromSequencer: Instant
    var nextHeartbeatAt: Instant
    var heartbeatNonce: UInt64 = 0
    var nextRecoveryStartAt: Instant?
    var fillsProposed: Set<UInt32> = []
    var nextGCAt: Instant

    init(term: UInt64, leaderStartIndex: UInt64, epoch: UInt32, spaces: Int, at now: Instant) {
        self.term = term
        phase = .starting(index: leaderStartIndex)
        self.epoch = epoch
        open = OpenBatch(batchID: 0, spaces: spaces)
        lastHeardFromSequencer = now
        nextHeartbeatAt = now
        nextGCAt = now
    }

    var isReady: Bool { phase == .ready && switchingTo == nil }

    /// Forgets the batching pipeline (an epoch switch): clients send their requests again.
    func resetBatching(spaces: Int) {
        open = OpenBatch(batchID: nextBatchID, spaces: spaces)
        nextBatchID += 1
        inFlight = [:]
        admissions = [:]
        waitingClients = []
    }
}
