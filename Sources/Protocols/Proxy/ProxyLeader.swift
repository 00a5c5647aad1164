/// The leader's data path: client requests, batches, the sequencer, and the claim that starts a term.
extension Proxy {
    func leaderDeadline(_ p: LeaderPipeline) -> Instant {
        var deadline = p.nextHeartbeatAt
        if !p.open.isEmpty, canClose(p) {
            deadline = min(deadline, p.open.openedAt.adding(microseconds: config.batchTimeoutMicros))
        }
        for batch in p.inFlight.values {
            deadline = min(deadline, batch.lastSentAt.adding(microseconds: config.sequencerRetryMicros))
        }
        if case let .claiming(sent) = p.phase {
            deadline = min(deadline, sent.adding(microseconds: config.sequencerRetryMicros))
        }
        if let suspicion = suspicionDeadline(p) { deadline = min(deadline, suspicion) }
        if config.group == 0 && p.isReady { deadline = min(deadline, p.nextGCAt) }
        return deadline
    }

    func leaderTick(_ p: LeaderPipeline, at now: Instant, into out: inout [Output]) {
        let sequencer = config.sequencers[Int(p.epoch)]
        if now >= p.nextHeartbeatAt {
            p.heartbeatNonce += 1
            let beat = Heartbeat(group: config.group, epoch: p.epoch, nonce: p.heartbeatNonce, durableBelow: state.resolvedBelow)
            out.append(.send(.heartbeat(beat), to: sequencer))
            p.nextHeartbeatAt = now.adding(microseconds: config.heartbeatMicros)
        }
        suspectSequencer(p, at: now, into: &out)
        if case let .claiming(sent) = p.phase, now >= sent.adding(microseconds: config.sequencerRetryMicros) {
            sendClaim(p, at: now, into: &out)
        }
        let due = p.inFlight.values.filter { now >= $0.lastSentAt.adding(microseconds: config.sequencerRetryMicros) }
        // In seqRequestID order: dictionary order differs between instances, and runs must replay.
        for batch in due.sorted(by: { $0.seqRequestID < $1.seqRequestID }) {
            p.inFlight[batch.seqRequestID]!.lastSentAt = now
            sendToSequencer(batch, p, into: &out)
        }
        closeOpenBatchIfDue(p, at: now, into: &out)
        gcTick(p, at: now, into: &out)
    }

    // MARK: Claiming the group

    /// Enters (or stays in) the claiming phase and sends the claim; the only way into that phase.
    func sendClaim(_ p: LeaderPipeline, at now: Instant, into out: inout [Output]) {
        p.phase = .claiming(lastSentAt: now)
        let claim = Claim(group: config.group, term: p.term, epoch: p.epoch, durableBelow: state.resolvedBelow)
        out.append(.send(.recovery(.claim(claim)), to: config.sequencers[Int(p.epoch)]))
    }

    /// The sequencer fenced every older leader and listed the group's live allocations: the ones no
    /// committed entry holds become noops, in one takeover entry.
    func receive(_ reply: ClaimReply, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard let p = pipeline, case .claiming = p.phase, reply.term == p.term, reply.epoch == p.epoch,
              sender == config.sequencers[Int(p.epoch)] else {
            drops.stale += 1
            return
        }
        p.lastHeardFromSequencer = now
        guard reply.status == .allocated else { return } // not ready or fenced: retried, or Raft deposes us
        guard ProtocolBounds.isPlausible(reply.nextSeqRequestID, ahead: state.nextSeqRequestIDFloor),
              reply.allocations.allSatisfy({ state.isPlausible($0.numbers)
                  && ProtocolBounds.isPlausible($0.seqRequestID, ahead: state.nextSeqRequestIDFloor) }) else {
            drops.implausible += 1
            return
        }
        var noops: [CommittedBatch] = []
        for allocation in reply.allocations where !state.isResolved(allocation.seqRequestID) {
            let noop = CommittedOperation(client: UInt32.max, requestID: allocation.seqRequestID, numbers: allocation.numbers,
                                          isNoop: true)
            noops.append(CommittedBatch(group: config.group, seqRequestID: allocation.seqRequestID, batchID: 0,
                                        epoch: p.epoch, ops: [noop]))
        }
        let next = max(reply.nextSeqRequestID, state.nextSeqRequestIDFloor)
        guard let index = raft.propose(.takeover(nextSeqRequestID: next, noops: noops), at: now, into: &out) else { return }
        p.phase = .takingOver(index: index)
    }

    // MARK: Client operations

    func receive(_ request: ClientRequest, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard request.group == config.group, request.counts.spaceCount == config.spaces else {
            drops.rejected += 1
            return
        }
        guard request.counts.counts.allSatisfy({ $0 <= ProtocolBounds.maxNumbersPerOperation }) else {
            drops.implausible += 1 // a batch of such operations could overflow its u32 counts
            return
        }
        guard let p = pipeline else {
            let hint = raft.leader.map { config.replicas[Int($0)] }
            let reply = ClientReply(client: request.client, requestID: request.requestID, group: config.group,
                                    status: .notLeader, leaderHint: hint, numbers: MultiSequenceNumber([]))
            out.append(.send(.clientReply(reply), to: sender))
            return
        }
        let client = request.client, id = request.requestID
        if id < state.acknowledgedBelow(client) {
            drops.stale += 1
            return
        }
        if let numbers = state.answer(client, id) {
            reply(client: client, requestID: id, numbers: numbers, to: sender, into: &out)
            return
        }
        guard p.isReady else {
            drops.stale += 1 // starting up: the client sends again
            return
        }
        if p.admissions[client] == nil {
            guard p.admissions.count < config.maxClients else {
                drops.rejected += 1
                return
            }
            p.admissions[client] = Admission(endpoint: sender, committedBelow: state.committedBelow(client))
        }
        p.admissions[client]!.endpoint = sender
        let admission = p.admissions[client]!
        if id < admission.admittedBelow || admission.queued[id] != nil {
            drops.stale += 1
            return
        }
        // The window counts from the client's own acknowledged mark as this request carries it
        // (at most what the group committed, so a forged mark cannot widen it): measured from the
        // group's recorded mark instead, a client keeping the whole window outstanding was refused
        // forever, since that mark only advances when a later request commits.
        let acknowledged = max(state.acknowledgedBelow(client), min(request.acknowledgedBelow, state.committedBelow(client)))
        guard id < ProxyConfig.windowEnd(acknowledgedBelow: acknowledged, window: config.maxClientWindow) else {
            drops.rejected += 1
            return
        }
        p.admissions[client]!.queued[id] = (request.counts, request.acknowledgedBelow)
        admitQueued(of: client, p, at: now)
        closeOpenBatchIfDue(p, at: now, into: &out)
    }

    /// Moves the client's queued requests into the open batch while FIFO order and the batch's
    /// size bound allow.
    func admitQueued(of client: UInt32, _ p: LeaderPipeline, at now: Instant) {
        guard var admission = p.admissions[client] else { return }
        while p.open.ops.count < config.maxBatchOps, admission.mayAdmitNext(into: p.open.batchID),
              let next = admission.queued.removeValue(forKey: admission.admittedBelow) {
            p.open.append(PendingOperation(client: client, requestID: admission.admittedBelow, counts: next.counts,
                                           acknowledgedBelow: next.acknowledgedBelow), at: now)
            admission.admittedBelow += 1
            admission.lastAdmittedBatch = p.open.batchID
        }
        if admission.queued.isEmpty { p.waitingClients.remove(client) } else { p.waitingClients.insert(client) }
        p.admissions[client] = admission
    }

    // MARK: Batches and the sequencer

    /// May the open batch close now (serving, and a seqRequestID free in the window)? Every
    /// seqRequestID at or above the group's resolved mark stays within the window, so a sequencer's
    /// list of the group's live allocations always fits one claim reply.
    func canClose(_ p: LeaderPipeline) -> Bool {
        p.isReady && p.nextSeqRequestID < state.resolvedBelow + UInt64(config.maxBatchesInFlight)
    }

    func closeOpenBatchIfDue(_ p: LeaderPipeline, at now: Instant, into out: inout [Output]) {
        guard !p.open.isEmpty, canClose(p) else { return }
        let full = p.open.ops.count >= config.maxBatchOps
        guard full || now >= p.open.openedAt.adding(microseconds: config.batchTimeoutMicros) else { return }
        let batch = InFlightBatch(batchID: p.open.batchID, seqRequestID: p.nextSeqRequestID, ops: p.open.ops,
                                  counts: p.open.counts, lastSentAt: now)
        p.nextSeqRequestID += 1
        p.inFlight[batch.seqRequestID] = batch
        sendToSequencer(batch, p, into: &out)
        p.open = OpenBatch(batchID: p.nextBatchID, spaces: config.spaces)
        p.nextBatchID += 1
        for client in p.waitingClients.sorted() { admitQueued(of: client, p, at: now) }
    }

    func sendToSequencer(_ batch: InFlightBatch, _ p: LeaderPipeline, into out: inout [Output]) {
        let request = SequencerRequest(group: config.group, term: p.term, epoch: p.epoch, batchID: batch.batchID,
                                       seqRequestID: batch.seqRequestID, durableBelow: state.resolvedBelow, counts: batch.counts)
        out.append(.send(.sequencerRequest(request), to: config.sequencers[Int(p.epoch)]))
    }

    func receive(_ reply: SequencerReply, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard let p = pipeline, reply.group == config.group, reply.epoch == p.epoch,
              sender == config.sequencers[Int(p.epoch)] else {
            drops.stale += 1
            return
        }
        p.lastHeardFromSequencer = now
        guard p.isReady, let batch = p.inFlight[reply.seqRequestID], batch.batchID == reply.batchID else {
            drops.stale += 1
            return
        }
        switch reply.status {
        case .busy, .notReady:
            p.inFlight[reply.seqRequestID]!.lastSentAt = now
            return
        case .fenced, .wrongEpoch:
            return // a newer leader claimed the group: Raft will depose this one
        case .forgotten:
            out.append(.report(.anomaly(role: endpoint, description:
                "sequencer forgot in-flight seqRequestID \(reply.seqRequestID) of group \(config.group)")))
            return
        case .allocated, .retransmission:
            guard reply.numbers.counts == batch.counts else {
                out.append(.report(.anomaly(role: endpoint, description:
                    "sequencer answered seqRequestID \(reply.seqRequestID) with \(reply.numbers.counts), asked \(batch.counts)")))
                return
            }
            guard state.isPlausible(reply.numbers) else {
                drops.implausible += 1
                return
            }
        }
        let sequenced = CommittedBatch(group: config.group, seqRequestID: batch.seqRequestID, batchID: batch.batchID,
                                       epoch: p.epoch, ops: splitRange(reply.numbers, among: batch.ops))
        guard raft.propose(.batch(sequenced), at: now, into: &out) != nil else { return }
        p.inFlight.removeValue(forKey: reply.seqRequestID)
        for op in batch.ops {
            if let sequenced = p.admissions[op.client]?.sequencedBelow {
                p.admissions[op.client]!.sequencedBelow = max(sequenced, op.requestID + 1)
            }
        }
        // Their predecessors now have numbers: the clients' next operations may join the open batch.
        for op in batch.ops where p.waitingClients.contains(op.client) { admitQueued(of: op.client, p, at: now) }
        closeOpenBatchIfDue(p, at: now, into: &out)
    }
}
