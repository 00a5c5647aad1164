/// Runtime settings of a sequencer.
public struct SequencerConfig: Sendable {
    public var spaces: Int
    /// Proxy groups are numbered 0..<groups.
    public var groups: Int
    public var maxPendingPerGroup: Int

    public init(spaces: Int, groups: Int, maxPendingPerGroup: Int = 65_536) {
        self.spaces = spaces
        self.groups = groups
        self.maxPendingPerGroup = maxPendingPerGroup
    }
}

/// Counters a role keeps about input it refused (all of it survived, none of it trapped).
public struct DropCounters: Sendable, Equatable {
    /// Messages that do not belong to this role, or name a group, space count or id it does not have.
    public var rejected: UInt64 = 0
    /// Late or duplicate replies for work already finished.
    public var stale: UInt64 = 0

    public init() {}
}

/// The primary multi-sequencer: hands each (group, seqRequestID) one multi-sequence number, at most
/// once, and echoes heartbeats.
public final class Sequencer: Role {
    public let endpoint: Endpoint
    public let config: SequencerConfig
    public private(set) var spaces: SequenceSpaces
    public private(set) var table: AtMostOnceTable
    public private(set) var drops = DropCounters()
    /// Requests answered, by outcome.
    public private(set) var allocations: UInt64 = 0
    public private(set) var retransmissions: UInt64 = 0

    public init(endpoint: Endpoint, config: SequencerConfig) {
        self.endpoint = endpoint
        self.config = config
        spaces = SequenceSpaces(spaces: config.spaces)
        table = AtMostOnceTable(groups: config.groups, maxPendingPerGroup: config.maxPendingPerGroup)
    }

    /// The high-water mark of every space: the numbers handed out are exactly 0..<highWater[i].
    public var highWater: [UInt64] { spaces.next }

    public func start(at now: Instant, into out: inout [Output]) {}
    public var nextDeadline: Instant? { nil }
    public func tick(at now: Instant, into out: inout [Output]) {}

    public func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        switch message {
        case let .sequencerRequest(request):
            guard Int(request.group) < config.groups, request.counts.spaceCount == config.spaces else {
                drops.rejected += 1
                return
            }
            if let reply = answer(request) { out.append(.send(.sequencerReply(reply), to: sender)) }
        case let .heartbeat(beat):
            guard Int(beat.group) < config.groups else {
                drops.rejected += 1
                return
            }
            table.trim(group: beat.group, below: beat.durableBelow)
            out.append(.send(.heartbeatReply(beat), to: sender))
        default:
            drops.rejected += 1
        }
    }

    /// The at-most-once allocation step.
    public func answer(_ request: SequencerRequest) -> SequencerReply? {
        table.trim(group: request.group, below: request.durableBelow)
        func reply(_ status: SequencerReplyStatus, _ numbers: MultiSequenceNumber) -> SequencerReply {
            SequencerReply(group: request.group, batchID: request.batchID, seqRequestID: request.seqRequestID,
                           status: status, numbers: numbers)
        }
        switch table.lookup(group: request.group, seqRequestID: request.seqRequestID) {
        case let .found(numbers):
            retransmissions += 1
            return reply(.retransmission, numbers)
        case .forgotten:
            drops.stale += 1
            return reply(.forgotten, MultiSequenceNumber([]))
        case .absent:
            if !table.hasRoom(group: request.group, seqRequestID: request.seqRequestID) {
                return reply(.busy, MultiSequenceNumber([]))
            }
            let numbers = spaces.allocate(request.counts)
            table.record(group: request.group, seqRequestID: request.seqRequestID, numbers: numbers)
            allocations += 1
            return reply(.allocated, numbers)
        }
    }
}
