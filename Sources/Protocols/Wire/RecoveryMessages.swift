/// Messages of the two failover paths: a new proxy leader claiming its group at the sequencer, and
/// a backup sequencer rebuilding the counters from every group's bitmaps.
public enum RecoveryMessage: Hashable, Sendable {
    /// New leader to sequencer: fence older leaders of the group and list its live allocations.
    case claim(Claim)
    case claimReply(ClaimReply)
    /// Proxy to backup: the primary looks dead.
    case start(RecoveryStart)
    /// Backup to a group's replicas, until the group's leader reports.
    case poll(RecoveryPoll)
    /// A group leader, once its switch to the backup is applied: its bitmaps' shape.
    case report(RecoveryReport)
    case bitmapRequest(BitmapRequest)
    case bitmapBlock(BitmapBlock)
    /// Backup to a group leader: commit noops for these holes.
    case holeFill(HoleFill)
    case holeFillAck(HoleFillAck)
}

public struct Claim: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var epoch: UInt32
    /// Every seqRequestID below this is resolved in the new leader's log.
    public var durableBelow: UInt64

    public init(group: UInt16, term: UInt64, epoch: UInt32, durableBelow: UInt64) {
        self.group = group
        self.term = term
        self.epoch = epoch
        self.durableBelow = durableBelow
    }
}

/// One remembered allocation.
public struct Allocation: Hashable, Sendable {
    public var seqRequestID: UInt64
    public var numbers: MultiSequenceNumber

    public init(seqRequestID: UInt64, numbers: MultiSequenceNumber) {
        self.seqRequestID = seqRequestID
        self.numbers = numbers
    }
}

public struct ClaimReply: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var epoch: UInt32
    /// `.allocated` when the claim took effect; `.fenced`, `.notReady` or `.wrongEpoch` otherwise.
    public var status: SequencerReplyStatus
    /// One past the highest seqRequestID the sequencer has seen from the group (0 if none).
    public var nextSeqRequestID: UInt64
    /// Every allocation of the group at or above the claim's durable mark, by seqRequestID.
    public var allocations: [Allocation]

    public init(group: UInt16, term: UInt64, epoch: UInt32, status: SequencerReplyStatus, nextSeqRequestID: UInt64,
                allocations: [Allocation]) {
        self.group = group
        self.term = term
        self.epoch = epoch
        self.status = status
        self.nextSeqRequestID = nextSeqRequestID
        self.allocations = allocations
    }
}

/// What a recovery start and a recovery poll carry: the group and the epoch being recovered (the
/// message's case says which of the two it is).
public struct RecoveryGroupEpoch: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32

    public init(group: UInt16, epoch: UInt32) {
        self.group = group
        self.epoch = epoch
    }
}

public typealias RecoveryStart = RecoveryGroupEpoch
public typealias RecoveryPoll = RecoveryGroupEpoch

/// The shape of one space's bitmap: numbers below `base` are all committed somewhere; `blocks`
/// blocks of `blockSize` numbers follow.
public struct BitmapShape: Hashable, Sendable {
    public var base: UInt64
    public var blocks: UInt16

    public init(base: UInt64, blocks: UInt16) {
        self.base = base
        self.blocks = blocks
    }
}

public struct RecoveryReport: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32
    public var blockSize: UInt32
    public var spaces: [BitmapShape]

    public init(group: UInt16, epoch: UInt32, blockSize: UInt32, spaces: [BitmapShape]) {
        self.group = group
        self.epoch = epoch
        self.blockSize = blockSize
        self.spaces = spaces
    }
}

public struct BitmapRequest: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32
    public var space: UInt8
    public var block: UInt16

    public init(group: UInt16, epoch: UInt32, space: UInt8, block: UInt16) {
        self.group = group
        self.epoch = epoch
        self.space = space
        self.block = block
    }
}

/// Block `block` of a space's bitmap: bit i of word j is number base + block·blockSize + 64j + i.
public struct BitmapBlock: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32
    public var space: UInt8
    public var base: UInt64
    public var block: UInt16
    public var words: [UInt64]

    public init(group: UInt16, epoch: UInt32, space: UInt8, base: UInt64, block: UInt16, words: [UInt64]) {
        self.group = group
        self.epoch = epoch
        self.space = space
        self.base = base
        self.block = block
        self.words = words
    }
}

public struct HoleFill: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32
    public var fill: UInt32
    public var space: UInt8
    public var ranges: [SpaceRange]

    public init(group: UInt16, epoch: UInt32, fill: UInt32, space: UInt8, ranges: [SpaceRange]) {
        self.group = group
        self.epoch = epoch
        self.fill = fill
        self.space = space
        self.ranges = ranges
    }
}

public struct HoleFillAck: Hashable, Sendable {
    public var group: UInt16
    public var epoch: UInt32
    public var fill: UInt32

    public init(group: UInt16, epoch: UInt32, fill: UInt32) {
        self.group = group
        self.epoch = epoch
        self.fill = fill
    }
}

/// The garbage-collection ring over proxy groups.
public enum GCMessage: Hashable, Sendable {
    /// Passed from group leader to group leader; each adds how many numbers of `counts[i].base`'s
    /// block it holds in space i.
    case token(GCToken)
    /// The block starting at `below - blockSize` is complete everywhere: truncate below `below`.
    case truncate(GCTruncate)
}

public struct GCCount: Hashable, Sendable {
    public var base: UInt64
    public var count: UInt64

    public init(base: UInt64, count: UInt64) {
        self.base = base
        self.count = count
    }
}

public struct GCToken: Hashable, Sendable {
    public var round: UInt64
    public var counts: [GCCount]

    public init(round: UInt64, counts: [GCCount]) {
        self.round = round
        self.counts = counts
    }
}

public struct GCTruncate: Hashable, Sendable {
    public var space: UInt8
    public var below: UInt64

    public init(space: UInt8, below: UInt64) {
        self.space = space
        self.below = below
    }
}
