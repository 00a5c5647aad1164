import Protocols

/// Structure-aware hostile input: well-formed messages (they pass the real codec) whose fields take
/// extreme values: 0, 1, 2^k boundaries, max - 1, max, and random. The libFuzzer harness draws
/// them from its input bytes; the simulator's `--hostile` fault from the run's seed.
///
/// In `.outsider` mode (the simulator's) every frame is one no correct peer could send, so every
/// role must drop it and every invariant must still hold: the sender is an endpoint outside the
/// cluster (roles that know their peers refuse it), and the messages a role cannot authenticate
/// (client requests, whose clients are anonymous) carry a value no correct peer produces.
/// `.anything` (the fuzzer's) forges members too: only "never traps" can hold then.
public struct HostileFrames: Sendable {
    public enum Mode: Sendable { case outsider, anything }

    public var mode: Mode
    public var groups: Int
    public var spaces: Int
    public var replicas: Int

    public init(mode: Mode, groups: Int, spaces: Int, replicas: Int) {
        self.mode = mode
        self.groups = groups
        self.spaces = spaces
        self.replicas = replicas
    }

    /// An extreme or random 64-bit value.
    public static func extreme<G: RandomNumberGenerator>(_ g: inout G) -> UInt64 {
        switch g.next() % 14 {
        case 0: 0
        case 1: 1
        case 2: 2
        case 3: .max
        case 4: .max - 1
        case 5: (1 << 32) - 1
        case 6: 1 << 32
        case 7: (1 << 32) + 1
        case 8: 1 << 63
        case 9: UInt64(UInt32.max) - 1
        case 10: 1 << 16
        case 11: g.next() % 16
        default: g.next()
        }
    }

    func u64<G: RandomNumberGenerator>(_ g: inout G) -> UInt64 { Self.extreme(&g) }
    func u32<G: RandomNumberGenerator>(_ g: inout G) -> UInt32 { UInt32(truncatingIfNeeded: Self.extreme(&g)) }
    func u16<G: RandomNumberGenerator>(_ g: inout G) -> UInt16 { UInt16(truncatingIfNeeded: Self.extreme(&g)) }
    func u8<G: RandomNumberGenerator>(_ g: inout G) -> UInt8 { UInt8(truncatingIfNeeded: Self.extreme(&g)) }
    /// A value no correct peer sends where a term, id or mark is expected: far past any bound.
    func implausible<G: RandomNumberGenerator>(_ g: inout G) -> UInt64 { .max - g.next() % (1 << 31) }

    /// A group: mostly a real one (so the message gets past the first check), sometimes not.
    func group<G: RandomNumberGenerator>(_ g: inout G) -> UInt16 {
        g.next() % 4 == 0 ? u16(&g) : UInt16(g.next() % UInt64(groups))
    }

    func raftID<G: RandomNumberGenerator>(_ g: inout G) -> UInt8 {
        g.next() % 4 == 0 ? u8(&g) : UInt8(g.next() % UInt64(replicas))
    }

    func spaceCount<G: RandomNumberGenerator>(_ g: inout G) -> Int {
        g.next() % 4 == 0 ? Int(g.next() % UInt64(maxSequenceSpaces + 1)) : spaces
    }

    func counts<G: RandomNumberGenerator>(_ g: inout G) -> SpaceCounts {
        SpaceCounts((0 ..< spaceCount(&g)).map { _ in u32(&g) })
    }

    func range<G: RandomNumberGenerator>(_ g: inout G) -> SpaceRange {
        let count = u32(&g)
        let first = u64(&g)
        // The codec refuses a range that wraps past 2^64: keep what it would carry.
        return SpaceRange(first: first > UInt64.max - UInt64(count) ? UInt64.max - UInt64(count) : first, count: count)
    }

    func numbers<G: RandomNumberGenerator>(_ g: inout G) -> MultiSequenceNumber {
        MultiSequenceNumber((0 ..< spaceCount(&g)).map { _ in range(&g) })
    }

    func entries<G: RandomNumberGenerator>(_ g: inout G) -> [LogEntry] {
        (0 ..< Int(g.next() % 3)).map { _ in
            LogEntry(term: u64(&g), command: g.next() % 2 == 0 ? .leaderStart(leader: raftID(&g)) : .useSequencer(epoch: u32(&g) % 3))
        }
    }

    /// One hostile message.
    public func message<G: RandomNumberGenerator>(_ g: inout G) -> Message {
        switch g.next() % 24 {
        case 0:
            var counts = counts(&g)
            if mode == .outsider {
                // Clients are anonymous: only an impossible count marks the request as hostile.
                counts = SpaceCounts((0 ..< spaces).map { _ in ProtocolBounds.maxNumbersPerOperation + 1 + u32(&g) % 1_000 })
            }
            return .clientRequest(ClientRequest(client: u32(&g), requestID: u64(&g), group: group(&g),
                                                acknowledgedBelow: u64(&g), counts: counts))
        case 1:
            return .clientReply(ClientReply(client: u32(&g) % 8, requestID: u64(&g) % 64, group: group(&g),
                                            status: g.next() % 2 == 0 ? .ok : .notLeader,
                                            leaderHint: g.next() % 2 == 0 ? Endpoint(u32(&g)) : nil, numbers: numbers(&g)))
        case 2:
            return .sequencerRequest(SequencerRequest(group: group(&g), term: u64(&g), epoch: u32(&g) % 3, batchID: u64(&g),
                                                      seqRequestID: u64(&g), durableBelow: u64(&g), counts: counts(&g)))
        case 3:
            let status = SequencerReplyStatus(rawValue: UInt8(g.next() % 7))!
            let carries = status == .allocated || status == .retransmission
            return .sequencerReply(SequencerReply(group: group(&g), epoch: u32(&g) % 3, batchID: u64(&g), seqRequestID: u64(&g),
                                                  status: status, numbers: carries ? numbers(&g) : MultiSequenceNumber([])))
        case 4:
            return .heartbeat(Heartbeat(group: group(&g), epoch: u32(&g) % 3, nonce: u64(&g), durableBelow: u64(&g)))
        case 5:
            return .heartbeatReply(Heartbeat(group: group(&g), epoch: u32(&g) % 3, nonce: u64(&g), durableBelow: u64(&g)))
        case 6:
            return .raft(.requestVote(VoteRequest(group: group(&g), term: u64(&g), candidate: raftID(&g),
                                                  lastLogIndex: u64(&g), lastLogTerm: u64(&g))))
        case 7:
            return .raft(.vote(VoteReply(group: group(&g), term: u64(&g), voter: raftID(&g), granted: g.next() % 2 == 0)))
        case 8:
            return .raft(.append(AppendEntries(group: group(&g), term: u64(&g), leader: raftID(&g), prevLogIndex: u64(&g),
                                               prevLogTerm: u64(&g), leaderCommit: u64(&g), entries: entries(&g))))
        case 9:
            return .raft(.appendReply(AppendReply(group: group(&g), term: u64(&g), follower: raftID(&g),
                                                  success: g.next() % 2 == 0, index: u64(&g))))
        case 10:
            let data = (0 ..< Int(g.next() % 8)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            return .raft(.snapshot(SnapshotChunk(group: group(&g), term: u64(&g), leader: raftID(&g), lastIncludedIndex: u64(&g),
                                                 lastIncludedTerm: u64(&g), offset: u32(&g), totalBytes: u32(&g), data: data)))
        case 11:
            return .raft(.snapshotReply(SnapshotReply(group: group(&g), term: u64(&g), follower: raftID(&g),
                                                      lastIncludedIndex: u64(&g), nextOffset: u32(&g), done: g.next() % 2 == 0)))
        case 12:
            return .recovery(.claim(Claim(group: group(&g), term: u64(&g), epoch: u32(&g) % 3, durableBelow: u64(&g))))
        case 13:
            let allocations = (0 ..< Int(g.next() % 3)).map { _ in Allocation(seqRequestID: u64(&g), numbers: numbers(&g)) }
            return .recovery(.claimReply(ClaimReply(group: group(&g), term: u64(&g), epoch: u32(&g) % 3, status: .allocated,
                                                    nextSeqRequestID: u64(&g), allocations: allocations)))
        case 14:
            return .recovery(.start(RecoveryStart(group: group(&g), epoch: u32(&g) % 3)))
        case 15:
            return .recovery(.poll(RecoveryPoll(group: group(&g), epoch: u32(&g) % 3)))
        case 16:
            let shapes = (0 ..< spaceCount(&g)).map { _ in BitmapShape(base: u64(&g), blocks: u16(&g) % 4) }
            return .recovery(.report(RecoveryReport(group: group(&g), epoch: u32(&g) % 3, blockSize: u32(&g), spaces: shapes)))
        case 17:
            return .recovery(.bitmapRequest(BitmapRequest(group: group(&g), epoch: u32(&g) % 3, space: u8(&g), block: u16(&g))))
        case 18:
            let words = (0 ..< Int(g.next() % 4)).map { _ in g.next() }
            return .recovery(.bitmapBlock(BitmapBlock(group: group(&g), epoch: u32(&g) % 3, space: u8(&g), base: u64(&g),
                                                      block: u16(&g) % 4, words: words)))
        case 19:
            let ranges = (0 ..< Int(g.next() % 3)).map { _ in range(&g) }
            return .recovery(.holeFill(HoleFill(group: group(&g), epoch: u32(&g) % 3, fill: u32(&g), space: u8(&g) % 8,
                                                ranges: ranges)))
        case 20:
            return .recovery(.holeFillAck(HoleFillAck(group: group(&g), epoch: u32(&g) % 3, fill: u32(&g) % 8)))
        case 21:
            return .raft(.preVote(VoteRequest(group: group(&g), term: u64(&g), candidate: raftID(&g),
                                              lastLogIndex: u64(&g), lastLogTerm: u64(&g))))
        case 22:
            return .raft(.preVoteReply(VoteReply(group: group(&g), term: u64(&g), voter: raftID(&g),
                                                 granted: g.next() % 2 == 0)))
        default:
            if g.next() % 2 == 0 {
                let counts = (0 ..< spaceCount(&g)).map { _ in GCCount(base: u64(&g), count: u64(&g)) }
                return .gc(.token(GCToken(round: u64(&g), counts: counts)))
            }
            return .gc(.truncate(GCTruncate(space: u8(&g) % 8, below: u64(&g))))
        }
    }

    /// The message as it crosses a real network: encoded and decoded by the codec (nil when the
    /// codec refuses it, as a receiving worker would).
    public static func throughCodec(_ message: Message) -> Message? {
        var buffer = [UInt8](repeating: 0, count: WireFormat.maxMessageSize)
        return buffer.withUnsafeMutableBytes { raw -> Message? in
            do throws(WireError) {
                var writer = ByteWriter(raw)
                try message.encode(into: &writer)
                return try Message(decoding: UnsafeRawBufferPointer(rebasing: raw[0 ..< writer.count]))
            } catch {
                return nil
            }
        }
    }
}
