/// One client's record in a group's replicated state.
struct ClientRecord: Equatable {
    /// Every request below this is committed (per-client FIFO makes commits a prefix).
    var committedBelow: UInt64 = 0
    /// The client has every answer below this; those answers are freed.
    var acknowledgedBelow: UInt64 = 0
    /// Answers for committedBelow's unacknowledged prefix.
    var answers: [UInt64: MultiSequenceNumber] = [:]

    mutating func acknowledge(below mark: UInt64) {
        let mark = min(mark, committedBelow)
        guard mark > acknowledgedBelow else { return }
        if mark - acknowledgedBelow <= UInt64(answers.count) {
            for id in acknowledgedBelow ..< mark { answers.removeValue(forKey: id) }
        } else {
            answers = answers.filter { $0.key >= mark }
        }
        acknowledgedBelow = mark
    }
}

/// A proxy group's replicated state machine: every replica applies the same committed commands in
/// the same order and so holds the same answers, seqRequestID accounting, epoch and bitmaps.
public struct GroupState: Equatable {
    public let group: UInt16
    public let spaces: Int
    /// The sequencer epoch batches must come from.
    public internal(set) var epoch: UInt32 = 0
    /// Every seqRequestID below this is resolved: its batch committed, or it was turned into a
    /// noop, or it is known never to have been allocated.
    public internal(set) var resolvedBelow: UInt64 = 0
    var resolvedAbove: Set<UInt64> = []
    /// One past every seqRequestID the log has seen: a leader numbers new batches from here.
    public internal(set) var nextSeqRequestIDFloor: UInt64 = 0
    var clients: [UInt32: ClientRecord] = [:]
    public internal(set) var bitmaps: [ReceivedBitmap]
    var appliedFills: Set<UInt32> = []

    public init(group: UInt16, spaces: Int, blockSize: UInt64, initialBlocks: Int) {
        self.group = group
        self.spaces = spaces
        bitmaps = Array(repeating: ReceivedBitmap(blockSize: blockSize, initialBlocks: initialBlocks), count: spaces)
    }

    /// Numbers a sequencer could have handed this group: every range ends within
    /// `maxNumberLead` of the space's bitmap base (so recording it never overflows or allocates
    /// gigabytes), over this group's spaces.
    public func isPlausible(_ numbers: MultiSequenceNumber) -> Bool {
        numbers.spaceCount == spaces && numbers.ranges.enumerated().allSatisfy { space, range in
            range.first <= UInt64.max - UInt64(range.count)
                && range.first + UInt64(range.count) <= bitmaps[space].base &+ GroupState.maxNumberLead
                && bitmaps[space].base <= UInt64.max - GroupState.maxNumberLead
        }
    }

    /// How far above its bitmap's base a group accepts numbers: 2^30 numbers (a 128 MiB bitmap).
    /// The GC ring truncates complete blocks every few milliseconds, so a correct run stays far below.
    public static let maxNumberLead: UInt64 = 1 << 30

    public func isResolved(_ seqRequestID: UInt64) -> Bool {
        seqRequestID < resolvedBelow || resolvedAbove.contains(seqRequestID)
    }

    /// Requests of `client` below this are committed.
    public func committedBelow(_ client: UInt32) -> UInt64 { clients[client]?.committedBelow ?? 0 }
    public func acknowledgedBelow(_ client: UInt32) -> UInt64 { clients[client]?.acknowledgedBelow ?? 0 }
    public func answer(_ client: UInt32, _ requestID: UInt64) -> MultiSequenceNumber? { clients[client]?.answers[requestID] }
    public var answersHeld: Int { clients.values.reduce(0) { $0 + $1.answers.count } }
    public func hasApplied(fill: UInt32) -> Bool { appliedFills.contains(fill) }

    /// Applies one committed command. Client operations now answerable are appended to `answered`;
    /// what observers should know is appended to `events`. Input that contradicts the protocol
    /// (a number committed twice, a batch from a past epoch) is not applied and is reported.
    public mutating func apply(_ command: GroupCommand, by reporter: Endpoint, answered: inout [CommittedOperation],
                               events: inout [Event]) {
        switch command {
        case .leaderStart:
            break
        case let .batch(batch):
            guard batch.epoch == epoch else {
                events.append(anomaly(reporter, "batch \(batch.seqRequestID) from epoch \(batch.epoch) reached epoch \(epoch)"))
                return
            }
            guard !isResolved(batch.seqRequestID) else {
                events.append(anomaly(reporter, "seqRequestID \(batch.seqRequestID) committed twice"))
                return
            }
            resolve(batch.seqRequestID)
            for op in batch.ops {
                record(op.numbers, by: reporter, events: &events)
                guard !op.isNoop else { continue }
                var client = clients[op.client] ?? ClientRecord()
                guard op.requestID == client.committedBelow else {
                    events.append(anomaly(reporter, "client \(op.client) request \(op.requestID) committed after \(client.committedBelow)"))
                    continue
                }
                client.answers[op.requestID] = op.numbers
                client.committedBelow = op.requestID + 1
                client.acknowledge(below: op.acknowledgedBelow)
                clients[op.client] = client
                answered.append(op)
            }
            events.append(.batchCommitted(batch))
        case let .takeover(next, noops):
            for batch in noops {
                guard !isResolved(batch.seqRequestID) else {
                    events.append(anomaly(reporter, "takeover noop for resolved seqRequestID \(batch.seqRequestID)"))
                    continue
                }
                resolve(batch.seqRequestID)
                for op in batch.ops { record(op.numbers, by: reporter, events: &events) }
                events.append(.batchCommitted(batch))
            }
            nextSeqRequestIDFloor = max(nextSeqRequestIDFloor, next)
            if next > resolvedBelow {
                resolvedBelow = next
                resolvedAbove = resolvedAbove.filter { $0 >= next }
                advanceResolved()
            }
        case let .useSequencer(newEpoch):
            epoch = max(epoch, newEpoch)
        case let .truncate(space, below):
            guard Int(space) < spaces else { return }
            bitmaps[Int(space)].truncate(below: below)
        case let .fillHoles(fill):
            guard Int(fill.space) < spaces, !appliedFills.contains(fill.fill) else { return }
            appliedFills.insert(fill.fill)
            for range in fill.ranges {
                if let twice = bitmaps[Int(fill.space)].insert(range) {
                    events.append(anomaly(reporter, "hole fill \(fill.fill) covers committed number \(twice) in space \(fill.space)"))
                }
            }
            events.append(.holesFilled(fill))
        }
    }

    private mutating func resolve(_ seqRequestID: UInt64) {
        resolvedAbove.insert(seqRequestID)
        nextSeqRequestIDFloor = max(nextSeqRequestIDFloor, seqRequestID + 1)
        advanceResolved()
    }

    private mutating func advanceResolved() {
        while resolvedAbove.remove(resolvedBelow) != nil { resolvedBelow += 1 }
    }

    private mutating func record(_ numbers: MultiSequenceNumber, by reporter: Endpoint, events: inout [Event]) {
        for (space, range) in numbers.ranges.enumerated() where space < spaces {
            if let twice = bitmaps[space].insert(range) {
                events.append(anomaly(reporter, "number \(twice) of space \(space) committed twice in group \(group)"))
            }
        }
    }

    private func anomaly(_ reporter: Endpoint, _ description: String) -> Event {
        .anomaly(role: reporter, description: "group \(group): \(description)")
    }
}
