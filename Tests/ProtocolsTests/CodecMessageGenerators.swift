// Random valid messages of every wire type for the Codec*Tests suites, from a seeded `SplitMix64`,
// biased towards edge values, the 64-space limit and the frame size limit.
import Protocols
import Testing

// MARK: - Random valid messages

extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { nextUnit() < p }

    /// Mostly edge values (0, 1, max, max - 1, small), otherwise uniform.
    mutating func u64() -> UInt64 {
        switch next() % 8 {
        case 0: 0
        case 1: 1
        case 2: .max
        case 3: .max - 1
        case 4: next() % 1_000
        default: next()
        }
    }

    mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: chance(0.5) ? u64() : next()) }
    mutating func u16() -> UInt16 { UInt16(truncatingIfNeeded: chance(0.5) ? u64() : next()) }
    mutating func u8() -> UInt8 { UInt8(truncatingIfNeeded: chance(0.5) ? u64() : next()) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0 ..< n).map { _ in byte() } }

    /// A space count between 1 and 64, biased towards the edges.
    mutating func spaces(small: Bool = false) -> Int {
        if small { return int(1 ... 4) }
        switch next() % 8 {
        case 0, 1: return int(1 ... 3)
        case 2: return maxSequenceSpaces
        default: return int(1 ... maxSequenceSpaces)
        }
    }

    /// A per-space count: often 0 (space unused), else small or any u32.
    mutating func count() -> UInt32 {
        switch next() % 6 {
        case 0, 1: 0
        case 2: 1
        case 3: .max
        case 4: UInt32(next() % 100)
        default: UInt32(truncatingIfNeeded: next())
        }
    }

    /// An array length: mostly 0 to `usual`, sometimes up to `rare`, very rarely close to `huge`.
    mutating func length(small: Bool, usual: Int, rare: Int, huge: Int) -> Int {
        if small { return int(0 ... min(usual, 3)) }
        let roll = next() % 100
        if roll == 0 { return int(max(rare, huge - huge / 16) ... huge) }
        if roll < 15 { return int(usual ... rare) }
        return int(0 ... usual)
    }
}

func randomCounts(_ rng: inout SplitMix64, small: Bool, nonEmpty: Bool) -> SpaceCounts {
    var counts = (0 ..< rng.spaces(small: small)).map { _ in rng.count() }
    if nonEmpty, counts.allSatisfy({ $0 == 0 }) {
        counts[rng.int(0 ... counts.count - 1)] = max(1, rng.count())
    }
    return SpaceCounts(counts)
}

/// A non-empty range that does not wrap past 2^64, often at the edges.
func randomRange(_ rng: inout SplitMix64, count: UInt32) -> SpaceRange {
    let maxFirst = UInt64.max - UInt64(count) // first + count must not overflow
    let first: UInt64 = switch rng.next() % 4 {
    case 0: 0
    case 1: maxFirst
    default: UInt64.random(in: 0 ... maxFirst, using: &rng)
    }
    return SpaceRange(first: first, count: count)
}

func randomNumbers(_ rng: inout SplitMix64, small: Bool) -> MultiSequenceNumber {
    MultiSequenceNumber((0 ..< rng.spaces(small: small)).map { _ in
        let count = rng.count()
        return count == 0 ? .empty : randomRange(&rng, count: count)
    })
}

func randomStatus(_ rng: inout SplitMix64) -> SequencerReplyStatus {
    SequencerReplyStatus(rawValue: UInt8(rng.next() % 7))!
}

/// A committed batch of operations, several of them noops (all of them for `allNoops`).
func randomBatch(_ rng: inout SplitMix64, small: Bool, allNoops: Bool = false) -> CommittedBatch {
    let ops = (0 ..< rng.length(small: small, usual: 4, rare: 12, huge: 12)).map { _ in
        let narrow = small || rng.chance(0.7)
        return CommittedOperation(client: rng.u32(), requestID: rng.u64(), numbers: randomNumbers(&rng, small: narrow),
                                  isNoop: allNoops || rng.chance(0.3), acknowledgedBelow: rng.u64())
    }
    return CommittedBatch(group: rng.u16(), seqRequestID: rng.u64(), batchID: rng.u64(), epoch: rng.u32(), ops: ops)
}

/// `maxRanges` bounds the count so that the message stays in one frame.
func randomHoleFill(_ rng: inout SplitMix64, small: Bool, huge: Int) -> HoleFill {
    let ranges = (0 ..< rng.length(small: small, usual: 6, rare: 100, huge: huge)).map { _ in
        randomRange(&rng, count: max(1, rng.count()))
    }
    return HoleFill(group: rng.u16(), epoch: rng.u32(), fill: rng.u32(), space: rng.u8(), ranges: ranges)
}

/// A group command of any of the six cases, equally likely.
func randomCommand(_ rng: inout SplitMix64, small: Bool) -> GroupCommand {
    switch rng.next() % 6 {
    case 0: .leaderStart(leader: rng.u8())
    case 1: .batch(randomBatch(&rng, small: small))
    case 2: .takeover(nextSeqRequestID: rng.u64(),
                      noops: (0 ..< rng.int(0 ... (small ? 2 : 4))).map { _ in randomBatch(&rng, small: small, allNoops: true) })
    case 3: .useSequencer(epoch: rng.u32())
    case 4: .truncate(space: UInt8(rng.int(0 ... maxSequenceSpaces - 1)), below: rng.u64())
    default: .fillHoles(randomHoleFill(&rng, small: small, huge: 200))
    }
}

/// Log entries that fit a frame: `small` ones fit a few hundred bytes; rarely, they fill the frame.
func randomEntries(_ rng: inout SplitMix64, small: Bool) -> [LogEntry] {
    let fill = !small && rng.next() % 100 == 0
    let wanted = fill ? Int(UInt16.max) : rng.length(small: small, usual: 4, rare: 40, huge: 40)
    let budget = small ? 400 : Int(UInt16.max) - 37
    var entries: [LogEntry] = []
    var size = 0
    var misses = 0
    while entries.count < wanted, misses < 8 {
        let entry = LogEntry(term: rng.u64(), command: randomCommand(&rng, small: small || fill))
        let entrySize = 8 + commandSize(entry.command)
        if size + entrySize > budget {
            misses += 1
            continue
        }
        size += entrySize
        entries.append(entry)
    }
    return entries
}

/// A random message the decoder must accept; `kind` 0..<kindCount picks the case in wire type order.
/// `small` keeps per-space arrays at 1 to 4 spaces and every message within a few hundred bytes.
func randomValidMessage(_ rng: inout SplitMix64, kind: Int, small: Bool = false) -> Message {
    switch kind {
    case 0:
        let requestID = rng.u64()
        let acked: UInt64 = switch rng.next() % 4 {
        case 0: 0
        case 1: requestID
        default: UInt64.random(in: 0 ... requestID, using: &rng)
        }
        return .clientRequest(ClientRequest(client: rng.u32(), requestID: requestID, group: rng.u16(),
                                            acknowledgedBelow: acked,
                                            counts: randomCounts(&rng, small: small, nonEmpty: true)))
    case 1:
        let status: ClientReplyStatus = rng.chance(0.5) ? .ok : .notLeader
        let hint: Endpoint? = rng.chance(0.3) ? nil : Endpoint(rng.chance(0.2) ? .max : UInt32(rng.next() % 1_000))
        return .clientReply(ClientReply(client: rng.u32(), requestID: rng.u64(), group: rng.u16(), status: status,
                                        leaderHint: hint,
                                        numbers: status == .ok ? randomNumbers(&rng, small: small)
                                            : MultiSequenceNumber([])))
    case 2:
        return .sequencerRequest(SequencerRequest(group: rng.u16(), term: rng.u64(), epoch: rng.u32(), batchID: rng.u64(),
                                                  seqRequestID: rng.u64(), durableBelow: rng.u64(),
                                                  counts: randomCounts(&rng, small: small, nonEmpty: false)))
    case 3:
        let status = randomStatus(&rng)
        let carries = status == .allocated || status == .retransmission
        return .sequencerReply(SequencerReply(group: rng.u16(), epoch: rng.u32(), batchID: rng.u64(), seqRequestID: rng.u64(),
                                              status: status,
                                              numbers: carries ? randomNumbers(&rng, small: small)
                                                  : MultiSequenceNumber([])))
    case 4:
        return .heartbeat(Heartbeat(group: rng.u16(), epoch: rng.u32(), nonce: rng.u64(), durableBelow: rng.u64()))
    case 5:
        return .heartbeatReply(Heartbeat(group: rng.u16(), epoch: rng.u32(), nonce: rng.u64(), durableBelow: rng.u64()))
    case 6:
        return .raft(.requestVote(VoteRequest(group: rng.u16(), term: rng.u64(), candidate: rng.u8(),
                                              lastLogIndex: rng.u64(), lastLogTerm: rng.u64())))
    case 7:
        return .raft(.vote(VoteReply(group: rng.u16(), term: rng.u64(), voter: rng.u8(), granted: rng.chance(0.5))))
    case 8:
        return .raft(.append(AppendEntries(group: rng.u16(), term: rng.u64(), leader: rng.u8(), prevLogIndex: rng.u64(),
                                           prevLogTerm: rng.u64(), leaderCommit: rng.u64(),
                                           entries: randomEntries(&rng, small: small))))
    case 9:
        return .raft(.appendReply(AppendReply(group: rng.u16(), term: rng.u64(), follower: rng.u8(),
                                              success: rng.chance(0.5), index: rng.u64())))
    case 10:
        // offset + data.count <= totalBytes, and the body (37 + data) fits a frame.
        let length = rng.length(small: small, usual: 64, rare: 3_000, huge: Int(UInt16.max) - 37)
        let total: UInt32 = switch rng.next() % 4 {
        case 0: UInt32(length)
        case 1: .max
        default: UInt32.random(in: UInt32(length) ... .max, using: &rng)
        }
        let room = total - UInt32(length)
        let offset: UInt32 = switch rng.next() % 3 {
        case 0: 0
        case 1: room
        default: UInt32.random(in: 0 ... room, using: &rng)
        }
        return .raft(.snapshot(SnapshotChunk(group: rng.u16(), term: rng.u64(), leader: rng.u8(),
                                             lastIncludedIndex: rng.u64(), lastIncludedTerm: rng.u64(),
                                             offset: offset, totalBytes: total, data: rng.bytes(length))))
    case 11:
        return .raft(.snapshotReply(SnapshotReply(group: rng.u16(), term: rng.u64(), follower: rng.u8(),
                                                  lastIncludedIndex: rng.u64(), nextOffset: rng.u32(),
                                                  done: rng.chance(0.5))))
    case 12:
        return .recovery(.claim(Claim(group: rng.u16(), term: rng.u64(), epoch: rng.u32(), durableBelow: rng.u64())))
    case 13:
        // Every allocation is below nextSeqRequestID; at most 84 of 64 spaces fit a frame.
        let next = rng.u64()
        let count = next == 0 ? 0 : rng.length(small: small, usual: 5, rare: 40, huge: 84)
        let allocations = (0 ..< count).map { _ in
            let srid: UInt64 = switch rng.next() % 4 {
            case 0: 0
            case 1: next - 1
            default: UInt64.random(in: 0 ..< next, using: &rng)
            }
            return Allocation(seqRequestID: srid,
                              numbers: rng.chance(0.1) ? MultiSequenceNumber([]) : randomNumbers(&rng, small: small))
        }
        return .recovery(.claimReply(ClaimReply(group: rng.u16(), term: rng.u64(), epoch: rng.u32(),
                                                status: randomStatus(&rng), nextSeqRequestID: next,
                                                allocations: allocations)))
    case 14:
        return .recovery(.start(RecoveryStart(group: rng.u16(), epoch: rng.u32())))
    case 15:
        return .recovery(.poll(RecoveryPoll(group: rng.u16(), epoch: rng.u32())))
    case 16:
        // The block size is a positive multiple of 64; at most 64 spaces.
        let maxUnits = UInt32.max / 64
        let units: UInt32 = switch rng.next() % 4 {
        case 0: 1
        case 1: maxUnits
        case 2: UInt32(rng.int(1 ... 64))
        default: UInt32.random(in: 1 ... maxUnits, using: &rng)
        }
        let spaces = small ? rng.int(0 ... 3) : rng.chance(0.15) ? maxSequenceSpaces : rng.int(0 ... maxSequenceSpaces)
        return .recovery(.report(RecoveryReport(group: rng.u16(), epoch: rng.u32(), blockSize: 64 * units,
                                                spaces: (0 ..< spaces).map { _ in
                                                    BitmapShape(base: rng.u64(), blocks: rng.u16())
                                                })))
    case 17:
        return .recovery(.bitmapRequest(BitmapRequest(group: rng.u16(), epoch: rng.u32(), space: rng.u8(), block: rng.u16())))
    case 18:
        let words = rng.length(small: small, usual: 16, rare: 200, huge: (Int(UInt16.max) - 19) / 8)
        return .recovery(.bitmapBlock(BitmapBlock(group: rng.u16(), epoch: rng.u32(), space: rng.u8(), base: rng.u64(),
                                                  block: rng.u16(), words: (0 ..< words).map { _ in rng.u64() })))
    case 19:
        return .recovery(.holeFill(randomHoleFill(&rng, small: small, huge: (Int(UInt16.max) - 13) / 12)))
    case 20:
        return .recovery(.holeFillAck(HoleFillAck(group: rng.u16(), epoch: rng.u32(), fill: rng.u32())))
    case 21:
        let counts = small ? rng.int(0 ... 3) : rng.chance(0.15) ? maxSequenceSpaces : rng.int(0 ... maxSequenceSpaces)
        return .gc(.token(GCToken(round: rng.u64(), counts: (0 ..< counts).map { _ in
            GCCount(base: rng.u64(), count: rng.u64())
        })))
    case 22:
        return .gc(.truncate(GCTruncate(space: rng.u8(), below: rng.u64())))
    case 23:
        return .raft(.preVote(VoteRequest(group: rng.u16(), term: rng.u64(), candidate: rng.u8(),
                                          lastLogIndex: rng.u64(), lastLogTerm: rng.u64())))
    default:
        return .raft(.preVoteReply(VoteReply(group: rng.u16(), term: rng.u64(), voter: rng.u8(),
                                             granted: rng.chance(0.5))))
    }
}
