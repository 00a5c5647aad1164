/// A proxy group's leader: admits client operations in per-client FIFO order, closes batches on a
/// timeout or a size bound, gets each batch one multi-sequence number from the sequencer (at most
/// once per seqRequestID), makes the batch durable through `BatchReplication`, and only then
/// answers the clients.
public final class Proxy<Replication: BatchReplication>: Role {
    public let endpoint: Endpoint
    public let config: ProxyConfig
    private var replication: Replication

    private var open: OpenBatch
    private var inFlight: [UInt64: InFlightBatch] = [:]
    private var nextBatchID: UInt64 = 1
    private var nextSeqRequestID: UInt64 = 0
    private var sessions: [UInt32: ClientSession] = [:]
    /// Clients with queued requests: they are retried when a batch closes or is sequenced.
    private var waitingClients: Set<UInt32> = []
    /// Every seqRequestID below this is durable; `durableAbove` holds the durable ones beyond.
    public private(set) var durableBelow: UInt64 = 0
    private var durableAbove: Set<UInt64> = []
    private var nextHeartbeatAt: Instant = .zero
    private var heartbeatNonce: UInt64 = 0

    public private(set) var drops = DropCounters()
    public private(set) var batchesCommitted: UInt64 = 0
    public private(set) var operationsCommitted: UInt64 = 0

    public init(endpoint: Endpoint, config: ProxyConfig, replication: Replication) {
        self.endpoint = endpoint
        self.config = config
        self.replication = replication
        open = OpenBatch(batchID: 0, spaces: config.spaces)
    }

    /// Batches at the sequencer, and clients tracked (for tests and status).
    public var batchesInFlight: Int { inFlight.count }
    public var clientsTracked: Int { sessions.count }
    public var answersHeld: Int { sessions.values.reduce(0) { $0 + $1.answers.count } }

    public func start(at now: Instant, into out: inout [Output]) {
        nextHeartbeatAt = now.adding(microseconds: config.heartbeatMicros)
    }

    public var nextDeadline: Instant? {
        var deadline = nextHeartbeatAt
        if !open.isEmpty { deadline = min(deadline, open.openedAt.adding(microseconds: config.batchTimeoutMicros)) }
        for batch in inFlight.values {
            deadline = min(deadline, batch.lastSentAt.adding(microseconds: config.sequencerRetryMicros))
        }
        return deadline
    }

    public func tick(at now: Instant, into out: inout [Output]) {
        if now >= nextHeartbeatAt {
            heartbeatNonce += 1
            out.append(.send(.heartbeat(Heartbeat(group: config.group, nonce: heartbeatNonce, durableBelow: durableBelow)),
                             to: config.sequencer))
            nextHeartbeatAt = now.adding(microseconds: config.heartbeatMicros)
        }
        // In seqRequestID order: dictionary order differs between instances, and runs must replay.
        let due = inFlight.values.filter { now >= $0.lastSentAt.adding(microseconds: config.sequencerRetryMicros) }
        for batch in due.sorted(by: { $0.seqRequestID < $1.seqRequestID }) {
            inFlight[batch.seqRequestID]!.lastSentAt = now
            sendToSequencer(batch, into: &out)
        }
        closeOpenBatchIfDue(at: now, into: &out)
    }

    public func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        switch message {
        case let .clientRequest(request):
            receive(request, from: sender, at: now, into: &out)
        case let .sequencerReply(reply):
            receive(reply, at: now, into: &out)
        case .heartbeatReply:
            break
        default:
            drops.rejected += 1
        }
    }

    // MARK: Client operations

    private func receive(_ request: ClientRequest, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard request.group == config.group, request.counts.spaceCount == config.spaces else {
            drops.rejected += 1
            return
        }
        if sessions[request.client] == nil {
            guard sessions.count < config.maxClients else {
                drops.rejected += 1
                return
            }
            sessions[request.client] = ClientSession(endpoint: sender)
        }
        let id = request.requestID
        let verdict: RequestVerdict = withSession(request.client) { session in
            session.endpoint = sender
            session.acknowledge(below: request.acknowledgedBelow)
            if id < session.acknowledgedBelow { return .stale }
            if let numbers = session.answers[id] { return .answer(numbers) }
            if id < session.admittedBelow || session.queued[id] != nil { return .inProgress }
            if id >= session.acknowledgedBelow + config.maxClientWindow { return .outsideWindow }
            session.queued[id] = request.counts
            return .queued
        }
        switch verdict {
        case .stale, .inProgress:
            drops.stale += 1
        case .outsideWindow:
            drops.rejected += 1
        case let .answer(numbers):
            reply(client: request.client, requestID: id, numbers: numbers, to: sender, into: &out)
        case .queued:
            admitQueued(of: request.client, at: now)
            closeOpenBatchIfDue(at: now, into: &out)
        }
    }

    private enum RequestVerdict {
        case stale, inProgress, outsideWindow, queued
        case answer(MultiSequenceNumber)
    }

    /// Mutates a session in place (no copy of its tables).
    private func withSession<T>(_ client: UInt32, _ body: (inout ClientSession) -> T) -> T {
        body(&sessions[client]!)
    }

    /// Moves the client's queued requests into the open batch while FIFO order and the batch's
    /// size bound allow.
    private func admitQueued(of client: UInt32, at now: Instant) {
        let batchID = open.batchID
        let maxOps = config.maxBatchOps
        var admitted: [PendingOperation] = []
        let stillWaiting = withSession(client) { session -> Bool in
            while open.ops.count + admitted.count < maxOps, session.mayAdmitNext(into: batchID),
                  let counts = session.queued.removeValue(forKey: session.admittedBelow) {
                admitted.append(PendingOperation(client: client, requestID: session.admittedBelow, counts: counts))
                session.admittedBelow += 1
                session.lastAdmittedBatch = batchID
            }
            return !session.queued.isEmpty
        }
        for op in admitted { open.append(op, at: now) }
        if stillWaiting { waitingClients.insert(client) } else { waitingClients.remove(client) }
    }

    // MARK: Batches and the sequencer

    private func closeOpenBatchIfDue(at now: Instant, into out: inout [Output]) {
        guard !open.isEmpty, inFlight.count < config.maxBatchesInFlight else { return }
        let full = open.ops.count >= config.maxBatchOps
        let timedOut = now >= open.openedAt.adding(microseconds: config.batchTimeoutMicros)
        guard full || timedOut else { return }
        let batch = InFlightBatch(batchID: open.batchID, seqRequestID: nextSeqRequestID, ops: open.ops,
                                  counts: open.counts, lastSentAt: now)
        nextSeqRequestID += 1
        inFlight[batch.seqRequestID] = batch
        sendToSequencer(batch, into: &out)
        open = OpenBatch(batchID: nextBatchID, spaces: config.spaces)
        nextBatchID += 1
        for client in waitingClients.sorted() { admitQueued(of: client, at: now) }
    }

    private func sendToSequencer(_ batch: InFlightBatch, into out: inout [Output]) {
        let request = SequencerRequest(group: config.group, batchID: batch.batchID, seqRequestID: batch.seqRequestID,
                                       durableBelow: durableBelow, counts: batch.counts)
        out.append(.send(.sequencerRequest(request), to: config.sequencer))
    }

    private func receive(_ reply: SequencerReply, at now: Instant, into out: inout [Output]) {
        guard reply.group == config.group, let batch = inFlight[reply.seqRequestID], batch.batchID == reply.batchID else {
            drops.stale += 1
            return
        }
        switch reply.status {
        case .busy:
            inFlight[reply.seqRequestID]!.lastSentAt = now
            return
        case .forgotten:
            // The sequencer forgets only what this group reported durable; this batch is not.
            out.append(.report(.anomaly(role: endpoint, description:
                "sequencer forgot in-flight seqRequestID \(reply.seqRequestID) of group \(config.group)")))
            return
        case .allocated, .retransmission:
            guard reply.numbers.counts == batch.counts else {
                out.append(.report(.anomaly(role: endpoint, description:
                    "sequencer answered seqRequestID \(reply.seqRequestID) with \(reply.numbers.counts), asked \(batch.counts)")))
                return
            }
        }
        inFlight.removeValue(forKey: reply.seqRequestID)
        let ops = splitRange(reply.numbers, among: batch.ops)
        for op in batch.ops {
            withSession(op.client) { $0.sequencedBelow = max($0.sequencedBelow, op.requestID + 1) }
        }
        let sequenced = CommittedBatch(group: config.group, seqRequestID: batch.seqRequestID, batchID: batch.batchID, ops: ops)
        for durable in replication.append(sequenced, at: now, into: &out) { apply(durable, into: &out) }
        // Their predecessors now have numbers: the clients' next operations may join the open batch.
        for op in batch.ops where waitingClients.contains(op.client) { admitQueued(of: op.client, at: now) }
        closeOpenBatchIfDue(at: now, into: &out)
    }

    // MARK: Durable batches

    /// A batch is durable: record its numbers for good and answer its clients.
    private func apply(_ batch: CommittedBatch, into out: inout [Output]) {
        precondition(batch.seqRequestID >= durableBelow && !durableAbove.contains(batch.seqRequestID),
                     "batch \(batch.seqRequestID) applied twice")
        durableAbove.insert(batch.seqRequestID)
        while durableAbove.remove(durableBelow) != nil { durableBelow += 1 }
        batchesCommitted += 1
        out.append(.report(.batchCommitted(batch)))
        for op in batch.ops where !op.isNoop {
            operationsCommitted += 1
            guard sessions[op.client] != nil else { continue }
            let endpoint = withSession(op.client) { session -> Endpoint in
                session.answers[op.requestID] = op.numbers
                return session.endpoint
            }
            reply(client: op.client, requestID: op.requestID, numbers: op.numbers, to: endpoint, into: &out)
        }
    }

    private func reply(client: UInt32, requestID: UInt64, numbers: MultiSequenceNumber, to endpoint: Endpoint,
                       into out: inout [Output]) {
        let reply = ClientReply(client: client, requestID: requestID, group: config.group, status: .ok, numbers: numbers)
        out.append(.send(.clientReply(reply), to: endpoint))
    }
}
