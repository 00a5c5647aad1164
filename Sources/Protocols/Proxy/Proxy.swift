/// One replica of a proxy group. Every replica runs Raft and applies the group's committed log to
/// its `GroupState`; the leader also batches client operations in per-client FIFO order, gets each
/// batch one multi-sequence number from the sequencer (at most once per seqRequestID), replicates
/// the batch, and only once it is committed answers the clients. A new leader first commits an
/// entry of its own term, then claims the group at the sequencer (fencing older leaders) and turns
/// every allocation no committed entry holds into a noop, so no number is lost and no answered
/// operation is ever renumbered.
public final class Proxy: Role {
    public let endpoint: Endpoint
    public let config: ProxyConfig
    public let raft: RaftNode
    public private(set) var state: GroupState
    public private(set) var appliedIndex: UInt64 = 0
    var pipeline: LeaderPipeline?
    public internal(set) var drops = DropCounters()
    private var answered: [CommittedOperation] = []
    private var events: [Event] = []

    public init(config: ProxyConfig, generator: SplitMix64) {
        precondition(config.validationError() == nil, config.validationError() ?? "")
        endpoint = config.endpoint
        self.config = config
        raft = RaftNode(config: config.raft, generator: generator)
        state = GroupState(group: config.group, spaces: config.spaces, blockSize: config.bitmapBlockSize,
                           initialBlocks: config.bitmapInitialBlocks)
    }

    public var isLeader: Bool { raft.role == .leader }
    /// True once this replica leads and serves clients.
    public var isServing: Bool { pipeline?.isReady ?? false }
    public var term: UInt64 { raft.term }

    public func start(at now: Instant, into out: inout [Output]) {
        raft.start(at: now, into: &out)
        // As in the original, replica 0 campaigns at once so groups start with a known leader.
        if config.me == 0 { raft.campaign(at: now, into: &out) }
        afterRaft(at: now, into: &out)
    }

    public var nextDeadline: Instant? {
        var deadline = raft.nextDeadline
        if let pipeline { deadline = min(deadline ?? .init(nanoseconds: .max), leaderDeadline(pipeline)) }
        return deadline
    }

    public func tick(at now: Instant, into out: inout [Output]) {
        raft.tick(at: now, into: &out)
        afterRaft(at: now, into: &out)
        if let pipeline { leaderTick(pipeline, at: now, into: &out) }
    }

    public func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        switch message {
        case let .raft(m):
            guard m.group == config.group else {
                drops.rejected += 1
                return
            }
            raft.handle(m, from: sender, at: now, into: &out)
        case let .clientRequest(request):
            receive(request, from: sender, at: now, into: &out)
        case let .sequencerReply(reply):
            receive(reply, from: sender, at: now, into: &out)
        case let .heartbeatReply(beat):
            if let pipeline, beat.group == config.group, beat.epoch == pipeline.epoch,
               sender == config.sequencers[Int(pipeline.epoch)] {
                pipeline.lastHeardFromSequencer = now
            }
        case let .recovery(m):
            receive(m, from: sender, at: now, into: &out)
        case let .gc(m):
            receive(m, from: sender, at: now, into: &out)
        default:
            drops.rejected += 1
            return
        }
        // Whatever the message, proposals may have committed (a group of one commits at once).
        afterRaft(at: now, into: &out)
    }

    // MARK: Applying the log

    /// After any Raft step: install a received snapshot, apply what committed, compact, and follow
    /// leadership changes (whose first proposal may commit at once in a group of one: apply again).
    func afterRaft(at now: Instant, into out: inout [Output]) {
        applyCommitted(at: now, into: &out)
        followLeadership(at: now, into: &out)
        applyCommitted(at: now, into: &out)
        if raft.wantsCompaction { raft.compact(through: appliedIndex, snapshot: state.snapshot()) }
        // Commits free seqRequestIDs in the window: a waiting batch may close now.
        if let pipeline { closeOpenBatchIfDue(pipeline, at: now, into: &out) }
    }

    private func applyCommitted(at now: Instant, into out: inout [Output]) {
        if let installed = raft.takeInstalledSnapshot() {
            do throws(WireError) {
                state = try GroupState(snapshot: installed.bytes)
                appliedIndex = installed.index
            } catch {
                out.append(.report(.anomaly(role: endpoint, description: "snapshot at \(installed.index) does not decode: \(error)")))
            }
        }
        for (index, entry) in raft.takeCommitted() {
            precondition(index == appliedIndex + 1, "entries must apply in order without gaps")
            state.apply(entry.command, by: endpoint, answered: &answered, events: &events)
            appliedIndex = index
            if let pipeline { applied(entry.command, at: index, by: pipeline, at: now, into: &out) }
            for event in events { out.append(.report(event)) }
            events.removeAll(keepingCapacity: true)
            answered.removeAll(keepingCapacity: true)
        }
    }

    private func followLeadership(at now: Instant, into out: inout [Output]) {
        if raft.role == .leader {
            guard pipeline?.term != raft.term else { return }
            guard let index = raft.propose(.leaderStart(leader: config.me), at: now, into: &out) else { return }
            pipeline = LeaderPipeline(term: raft.term, leaderStartIndex: index, epoch: state.epoch,
                                      spaces: config.spaces, at: now)
            out.append(.report(.leaderElected(group: config.group, term: raft.term, replica: config.me)))
        } else if pipeline != nil {
            pipeline = nil
        }
    }

    /// The leader's part of applying an entry: answer clients, advance its start-up phases.
    private func applied(_ command: GroupCommand, at index: UInt64, by pipeline: LeaderPipeline, at now: Instant,
                         into out: inout [Output]) {
        for op in answered {
            if let admission = pipeline.admissions[op.client] {
                reply(client: op.client, requestID: op.requestID, numbers: op.numbers, to: admission.endpoint, into: &out)
            }
        }
        switch (command, pipeline.phase) {
        case (.leaderStart, .starting(let started)) where started == index:
            sendClaim(pipeline, at: now, into: &out)
        case (.takeover, .takingOver(let proposed)) where proposed == index:
            pipeline.phase = .ready
            pipeline.nextSeqRequestID = state.nextSeqRequestIDFloor
        case let (.useSequencer(epoch), _) where epoch == state.epoch && pipeline.epoch != epoch:
            // Every batch of the old epoch that will ever commit has now applied.
            pipeline.epoch = epoch
            pipeline.switchingTo = nil
            pipeline.resetBatching(spaces: config.spaces)
            pipeline.lastHeardFromSequencer = now
            // A new leader claims after its first entry applies; a serving one claims again now.
            if case .starting = pipeline.phase { break }
            sendClaim(pipeline, at: now, into: &out)
        case let (.fillHoles(fill), _):
            out.append(.send(.recovery(.holeFillAck(HoleFillAck(group: config.group, epoch: fill.epoch, fill: fill.fill))),
                             to: config.sequencers[min(Int(fill.epoch), config.sequencers.count - 1)]))
        default:
            break
        }
    }

    func reply(client: UInt32, requestID: UInt64, numbers: MultiSequenceNumber, to endpoint: Endpoint,
               into out: inout [Output]) {
        let reply = ClientReply(client: client, requestID: requestID, group: config.group, status: .ok, numbers: numbers)
        out.append(.send(.clientReply(reply), to: endpoint))
    }
}
