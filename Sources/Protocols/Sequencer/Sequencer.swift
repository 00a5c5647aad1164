/// Runtime settings of a sequencer.
public struct SequencerConfig: Sendable {
    public var spaces: Int
    /// Proxy groups are numbered 0..<groups.
    public var groups: Int
    /// 0 for the primary; 1 for the backup, which serves only after rebuilding the counters.
    public var epoch: UInt32 = 0
    /// seqRequestIDs a group may have allocated beyond its durable mark (bounds the at-most-once
    /// table and every claim reply).
    public var maxPendingPerGroup = 64
    /// Backup only: every group's replicas (index = group), to poll during recovery.
    public var groupReplicas: [[Endpoint]] = []
    /// Backup only: recovery requests unanswered this long are sent again.
    public var recoveryRetryMicros: UInt64 = 5_000

    public init(spaces: Int, groups: Int, epoch: UInt32 = 0, maxPendingPerGroup: Int = 64) {
        self.spaces = spaces
        self.groups = groups
        self.epoch = epoch
        self.maxPendingPerGroup = maxPendingPerGroup
    }
}

/// The multi-sequencer: hands each (group, seqRequestID) one multi-sequence number, at most once,
/// refuses deposed leaders, lists a group's live allocations to its new leader, and echoes
/// heartbeats. A backup (epoch 1) first rebuilds the counters from every group's bitmaps.
public final class Sequencer: Role {
    public let endpoint: Endpoint
    public let config: SequencerConfig
    public internal(set) var spaces: SequenceSpaces
    public private(set) var table: AtMostOnceTable
    public internal(set) var drops = DropCounters()
    /// Requests answered, by outcome.
    public private(set) var allocations: UInt64 = 0
    public private(set) var retransmissions: UInt64 = 0
    /// False for a backup until its recovery completes.
    public internal(set) var isReady: Bool
    var recovery: BackupRecovery?

    public init(endpoint: Endpoint, config: SequencerConfig) {
        precondition(config.epoch == 0 || config.groupReplicas.count == config.groups, "a backup needs every group's replicas")
        self.endpoint = endpoint
        self.config = config
        spaces = SequenceSpaces(spaces: config.spaces)
        table = AtMostOnceTable(groups: config.groups, maxPendingPerGroup: config.maxPendingPerGroup)
        isReady = config.epoch == 0
    }

    /// The high-water mark of every space: the numbers handed out are exactly 0..<highWater[i].
    public var highWater: [UInt64] { spaces.next }

    public func start(at now: Instant, into out: inout [Output]) {}
    public var nextDeadline: Instant? { recovery?.nextDeadline }
    public func tick(at now: Instant, into out: inout [Output]) {
        recoveryTick(at: now, into: &out)
    }

    /// Whether `sender` may speak for `group`: one of its replicas, when the configuration names
    /// them (a frame from anyone else cannot fence, trim or allocate for the group).
    func isMember(_ sender: Endpoint, of group: UInt16) -> Bool {
        config.groupReplicas.isEmpty || (Int(group) < config.groupReplicas.count && config.groupReplicas[Int(group)].contains(sender))
    }

    public func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        if let group = message.sequencerGroup, !isMember(sender, of: group) {
            drops.rejected += 1
            return
        }
        switch message {
        case let .sequencerRequest(request):
            guard Int(request.group) < config.groups, request.counts.spaceCount == config.spaces else {
                // From a replica of the group (checked above), another space count is a bug.
                if config.groupReplicas.isEmpty { drops.rejected += 1 } else { drops.impossible += 1 }
                return
            }
            guard isPlausible(request) else {
                drops.implausible += 1
                return
            }
            out.append(.send(.sequencerReply(answer(request)), to: sender))
        case let .heartbeat(beat):
            guard Int(beat.group) < config.groups else {
                drops.rejected += 1
                return
            }
            guard ProtocolBounds.isPlausible(beat.durableBelow, ahead: table.mark(group: beat.group)) else {
                drops.implausible += 1
                return
            }
            if isReady && beat.epoch == config.epoch { table.trim(group: beat.group, below: beat.durableBelow) }
            out.append(.send(.heartbeatReply(Heartbeat(group: beat.group, epoch: config.epoch, nonce: beat.nonce,
                                                       durableBelow: beat.durableBelow)), to: sender))
        case let .recovery(.claim(claim)):
            guard Int(claim.group) < config.groups else {
                drops.rejected += 1
                return
            }
            guard ProtocolBounds.isPlausible(claim.term, ahead: table.leaderTerm(group: claim.group)),
                  ProtocolBounds.isPlausible(claim.durableBelow, ahead: table.mark(group: claim.group)) else {
                drops.implausible += 1
                return
            }
            out.append(.send(.recovery(.claimReply(answer(claim))), to: sender))
        case let .recovery(m):
            receiveRecovery(m, from: sender, at: now, into: &out)
        default:
            drops.rejected += 1
        }
    }

    /// A request a correct proxy leader could send: its term, seqRequestID and durable mark within
    /// `ProtocolBounds.maxLead` of what this sequencer knows of the group, and counts that cannot
    /// run a space's counter past 2^64 (so `allocate` never overflows).
    func isPlausible(_ request: SequencerRequest) -> Bool {
        let mark = table.mark(group: request.group)
        guard ProtocolBounds.isPlausible(request.term, ahead: table.leaderTerm(group: request.group)),
              ProtocolBounds.isPlausible(request.seqRequestID, ahead: mark),
              ProtocolBounds.isPlausible(request.durableBelow, ahead: mark) else { return false }
        for (space, count) in request.counts.counts.enumerated()
        where spaces.next[space] > UInt64.max - ProtocolBounds.maxLead - UInt64(count) {
            return false
        }
        return true
    }

    /// The at-most-once allocation step.
    public func answer(_ request: SequencerRequest) -> SequencerReply {
        func reply(_ status: SequencerReplyStatus, _ numbers: MultiSequenceNumber = MultiSequenceNumber([])) -> SequencerReply {
            SequencerReply(group: request.group, epoch: config.epoch, batchID: request.batchID,
                           seqRequestID: request.seqRequestID, status: status, numbers: numbers)
        }
        guard request.epoch == config.epoch else { return reply(.wrongEpoch) }
        guard isReady else { return reply(.notReady) }
        guard table.admit(group: request.group, term: request.term) else { return reply(.fenced) }
        table.trim(group: request.group, below: request.durableBelow)
        switch table.lookup(group: request.group, seqRequestID: request.seqRequestID) {
        case let .found(numbers):
            retransmissions += 1
            return reply(.retransmission, numbers)
        case .forgotten:
            drops.stale += 1
            return reply(.forgotten)
        case .absent:
            guard table.hasRoom(group: request.group, seqRequestID: request.seqRequestID) else { return reply(.busy) }
            let numbers = spaces.allocate(request.counts)
            table.record(group: request.group, seqRequestID: request.seqRequestID, numbers: numbers)
            allocations += 1
            return reply(.allocated, numbers)
        }
    }

    /// A new leader's claim: from now on older leaders of the group are fenced, and the leader
    /// learns every allocation at or above its durable mark (to turn the unreplicated ones into noops).
    public func answer(_ claim: Claim) -> ClaimReply {
        func reply(_ status: SequencerReplyStatus, _ allocations: [Allocation] = []) -> ClaimReply {
            ClaimReply(group: claim.group, term: claim.term, epoch: config.epoch, status: status,
                       nextSeqRequestID: table.nextSeqRequestID(group: claim.group), allocations: allocations)
        }
        guard claim.epoch == config.epoch else { return reply(.wrongEpoch) }
        guard isReady else { return reply(.notReady) }
        guard table.admit(group: claim.group, term: claim.term) else { return reply(.fenced) }
        table.trim(group: claim.group, below: claim.durableBelow)
        return reply(.allocated, table.allocations(group: claim.group))
    }
}

extension Message {
    /// The proxy group a message to a sequencer speaks for (requests, heartbeats, claims and the
    /// recovery messages groups send), or nil.
    var sequencerGroup: UInt16? {
        switch self {
        case let .sequencerRequest(m): m.group
        case let .heartbeat(m): m.group
        case let .recovery(.claim(m)): m.group
        case let .recovery(.start(m)): m.group
        case let .recovery(.report(m)): m.group
        case let .recovery(.bitmapBlock(m)): m.group
        case let .recovery(.holeFillAck(m)): m.group
        default: nil
        }
    }
}
