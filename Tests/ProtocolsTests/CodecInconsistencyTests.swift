// Targeted `.inconsistent` errors of the wire decoder: well-framed bytes whose field values break
// a message's rules (statuses and their numbers, empty or wrapping ranges, boolean bytes, snapshot
// bounds, group command tags, claim allocations, block sizes, hole-fill ranges).
import Protocols
import Testing

@Suite struct CodecInconsistencyTests {

    @Test func okClientReplyWithoutSpacesIsInconsistent() {
        let okEmpty = Message.clientReply(ClientReply(client: 1, requestID: 2, group: 3, status: .ok,
                                                      numbers: MultiSequenceNumber([])))
        expectInconsistent(decodeOne(okEmpty.encoded()))
        expectInconsistent(decodePacket(okEmpty.encoded()))
        // And the converse: a not-leader reply must not carry numbers.
        let notLeaderWithNumbers = Message.clientReply(ClientReply(
            client: 1, requestID: 2, group: 3, status: .notLeader, leaderHint: Endpoint(4),
            numbers: MultiSequenceNumber([SpaceRange(first: 1, count: 1)])))
        expectInconsistent(decodeOne(notLeaderWithNumbers.encoded()))
        // Sequencer replies: numbers only for allocated and retransmission.
        let someNumbers = MultiSequenceNumber([SpaceRange(first: 1, count: 1)])
        for status in [SequencerReplyStatus.allocated, .retransmission] {
            expectInconsistent(decodeOne(Message.sequencerReply(SequencerReply(
                group: 1, epoch: 1, batchID: 2, seqRequestID: 3, status: status, numbers: MultiSequenceNumber([]))).encoded()))
        }
        for status in [SequencerReplyStatus.forgotten, .busy, .fenced, .notReady, .wrongEpoch] {
            expectInconsistent(decodeOne(Message.sequencerReply(SequencerReply(
                group: 1, epoch: 1, batchID: 2, seqRequestID: 3, status: status, numbers: someNumbers)).encoded()))
            // Without numbers they are fine.
            let plain = Message.sequencerReply(SequencerReply(group: 1, epoch: 1, batchID: 2, seqRequestID: 3, status: status,
                                                              numbers: MultiSequenceNumber([])))
            #expect(decodeOne(plain.encoded()) == .success(plain))
        }
        // Unknown status bytes.
        var badStatus = Message.clientReply(ClientReply(client: 1, requestID: 2, group: 3, status: .notLeader,
                                                        numbers: MultiSequenceNumber([]))).encoded()
        badStatus[4 + 14] = 2
        expectInconsistent(decodeOne(badStatus))
        var badSeqStatus = Message.sequencerReply(SequencerReply(group: 1, epoch: 1, batchID: 2, seqRequestID: 3,
                                                                 status: .busy, numbers: MultiSequenceNumber([]))).encoded()
        #expect(badSeqStatus[4 + 22] == SequencerReplyStatus.busy.rawValue)
        for raw: UInt8 in [7, 8, 0xFF] {
            badSeqStatus[4 + 22] = raw
            expectInconsistent(decodeOne(badSeqStatus))
        }
    }

    @Test func invalidClientAndSequencerRequestsAreInconsistent() {
        // A client request must ask for at least one number, in at least one space...
        expectInconsistent(decodeOne(Message.clientRequest(ClientRequest(
            client: 1, requestID: 5, group: 1, acknowledgedBelow: 0, counts: SpaceCounts([]))).encoded()))
        expectInconsistent(decodeOne(Message.clientRequest(ClientRequest(
            client: 1, requestID: 5, group: 1, acknowledgedBelow: 0, counts: SpaceCounts([0, 0, 0]))).encoded()))
        // ...and cannot acknowledge itself or beyond.
        expectInconsistent(decodeOne(Message.clientRequest(ClientRequest(
            client: 1, requestID: 5, group: 1, acknowledgedBelow: 6, counts: SpaceCounts([1]))).encoded()))
        let atTheLimit = Message.clientRequest(ClientRequest(client: 1, requestID: 5, group: 1, acknowledgedBelow: 5,
                                                             counts: SpaceCounts([0, 1])))
        #expect(decodeOne(atTheLimit.encoded()) == .success(atTheLimit))
        // A sequencer request needs at least one space (but may ask for zero numbers in it).
        expectInconsistent(decodeOne(Message.sequencerRequest(SequencerRequest(
            group: 1, term: 3, epoch: 1, batchID: 1, seqRequestID: 1, durableBelow: 0, counts: SpaceCounts([]))).encoded()))
        let zeroCounts = Message.sequencerRequest(SequencerRequest(group: 1, term: 3, epoch: 1, batchID: 1, seqRequestID: 1,
                                                                   durableBelow: 0, counts: SpaceCounts([0])))
        #expect(decodeOne(zeroCounts.encoded()) == .success(zeroCounts))
    }

    @Test func rangeThatWrapsPast2To64IsInconsistent() {
        func reply(_ range: SpaceRange) -> [UInt8] {
            Message.sequencerReply(SequencerReply(group: 1, epoch: 1, batchID: 2, seqRequestID: 3, status: .allocated,
                                                  numbers: MultiSequenceNumber([SpaceRange(first: 0, count: 1), range])))
                .encoded()
        }
        expectInconsistent(decodeOne(reply(SpaceRange(first: .max, count: 1))))
        expectInconsistent(decodeOne(reply(SpaceRange(first: .max - 9, count: 11))))
        expectInconsistent(decodeOne(reply(SpaceRange(first: .max, count: .max))))
        expectInconsistent(decodePacket(reply(SpaceRange(first: .max, count: 1))))
        // Ending exactly at 2^64 - 1 (first + count == UInt64.max) does not wrap.
        for range in [SpaceRange(first: .max - 1, count: 1), SpaceRange(first: .max - UInt64(UInt32.max), count: .max)] {
            let bytes = reply(range)
            #expect((try? Message(decoding: bytes))?.encoded() == bytes, "\(range) is valid")
        }
        // An empty range must start at 0 (one encoding per value).
        var emptyAt7 = reply(SpaceRange(first: 0, count: 0))
        #expect(emptyAt7[4 + 23 + 1 + 12] == 0)
        emptyAt7[4 + 23 + 1 + 12] = 7
        expectInconsistent(decodeOne(emptyAt7))
        // The same rules hold for the numbers of a committed operation and of a claimed allocation.
        func appendWith(_ range: SpaceRange) -> [UInt8] {
            let op = CommittedOperation(client: 1, requestID: 2, numbers: MultiSequenceNumber([range]))
            return Message.raft(.append(AppendEntries(
                group: 1, term: 1, leader: 0, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0,
                entries: [LogEntry(term: 1, command: .batch(CommittedBatch(group: 1, seqRequestID: 0, batchID: 0, ops: [op])))])))
                .encoded()
        }
        func claimWith(_ range: SpaceRange) -> [UInt8] {
            Message.recovery(.claimReply(ClaimReply(
                group: 1, term: 1, epoch: 0, status: .allocated, nextSeqRequestID: 1,
                allocations: [Allocation(seqRequestID: 0, numbers: MultiSequenceNumber([range]))]))).encoded()
        }
        for encode in [appendWith, claimWith] {
            expectInconsistent(decodeOne(encode(SpaceRange(first: .max, count: 1))))
            expectInconsistent(decodeOne(encode(SpaceRange(first: .max - 1, count: 2))))
            let ok = encode(SpaceRange(first: .max - 1, count: 1))
            #expect((try? Message(decoding: ok))?.encoded() == ok)
        }
    }

    @Test func booleanBytesOtherThanZeroOrOneAreInconsistent() {
        let op = CommittedOperation(client: 1, requestID: 2, numbers: MultiSequenceNumber([SpaceRange(first: 3, count: 4)]),
                                    isNoop: true, acknowledgedBelow: 1)
        let batch = CommittedBatch(group: 1, seqRequestID: 0, batchID: 0, epoch: 0, ops: [op])
        func append(_ command: GroupCommand) -> Message {
            .raft(.append(AppendEntries(group: 1, term: 2, leader: 0, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0,
                                        entries: [LogEntry(term: 2, command: command)])))
        }
        // Each message with the frame offset of one of its boolean bytes and that byte's value.
        let cases: [(message: Message, at: Int, value: UInt8)] = [
            (.raft(.vote(VoteReply(group: 1, term: 2, voter: 3, granted: true))), 4 + 11, 1),
            (.raft(.appendReply(AppendReply(group: 1, term: 2, follower: 3, success: false, index: 9))), 4 + 11, 0),
            (.raft(.snapshotReply(SnapshotReply(group: 1, term: 2, follower: 3, lastIncludedIndex: 4, nextOffset: 5,
                                                done: true))), 4 + 23, 1),
            // Header, append fields and entry count, entry term, tag, batch header, op client and requestID.
            (append(.batch(batch)), 4 + 37 + 8 + 1 + 24 + 12, 1),
            // The same inside a takeover's noop batch (after the takeover's next and count).
            (append(.takeover(nextSeqRequestID: 1, noops: [batch])), 4 + 37 + 8 + 1 + 10 + 24 + 12, 1),
        ]
        for (message, at, value) in cases {
            var bytes = message.encoded()
            #expect(bytes[at] == value, "\(message)")
            #expect(decodeOne(bytes) == .success(message))
            for bad: UInt8 in [2, 0x80, 0xFF] {
                bytes[at] = bad
                expectInconsistent(decodeOne(bytes))
                expectInconsistent(decodePacket(bytes))
            }
            // The other boolean value decodes, and re-encodes to those bytes.
            bytes[at] = 1 - value
            guard case let .success(flipped) = decodeOne(bytes) else {
                Issue.record("flipped boolean of \(message) rejected: \(decodeOne(bytes))")
                continue
            }
            #expect(flipped != message)
            #expect(flipped.encoded() == bytes)
        }
    }

    @Test func snapshotChunkPastItsTotalIsInconsistent() {
        func chunk(offset: UInt32, total: UInt32, length: Int) -> Message {
            .raft(.snapshot(SnapshotChunk(group: 1, term: 2, leader: 0, lastIncludedIndex: 3, lastIncludedTerm: 2,
                                          offset: offset, totalBytes: total, data: Array(repeating: 0xAB, count: length))))
        }
        let valid = [
            chunk(offset: 0, total: 3, length: 3), chunk(offset: 0, total: 0, length: 0), chunk(offset: 5, total: 5, length: 0),
            chunk(offset: 2, total: 9, length: 3), chunk(offset: .max - 1, total: .max, length: 1),
            chunk(offset: .max, total: .max, length: 0),
        ]
        for m in valid { #expect(decodeOne(m.encoded()) == .success(m)) }
        let invalid = [
            chunk(offset: 1, total: 3, length: 3), chunk(offset: 0, total: 2, length: 3), chunk(offset: 4, total: 3, length: 0),
            chunk(offset: .max, total: .max, length: 1), chunk(offset: .max, total: 0, length: 0),
            chunk(offset: .max - 2, total: .max, length: 5),
        ]
        for m in invalid {
            expectInconsistent(decodeOne(m.encoded()))
            expectInconsistent(decodePacket(m.encoded()))
        }
        // A data length beyond the body is short: the data starts at frame offset 4 + 37.
        var long = chunk(offset: 0, total: 100, length: 3).encoded()
        long[4 + 35] = 5
        #expect(decodeOne(long) == .failure(.truncated(offset: 4 + 37, needed: 2)))
    }

    @Test func unknownGroupCommandTagIsInconsistent() {
        func append(_ commands: [GroupCommand]) -> Message {
            .raft(.append(AppendEntries(group: 1, term: 2, leader: 0, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0,
                                        entries: commands.map { LogEntry(term: 2, command: $0) })))
        }
        var bytes = append([.useSequencer(epoch: 7)]).encoded()
        let tagAt = 4 + 37 + 8
        #expect(bytes[tagAt] == 4, "useSequencer's tag")
        for tag: UInt8 in [0, 7, 8, 0x80, 0xFF] {
            bytes[tagAt] = tag
            expectInconsistent(decodeOne(bytes))
            expectInconsistent(decodePacket(bytes))
        }
        // Known tags 1...6 in order: leaderStart, batch, takeover, useSequencer, truncate, fillHoles.
        let noop = CommittedBatch(group: 1, seqRequestID: 4, batchID: 5, epoch: 1, ops: [CommittedOperation(
            client: 0, requestID: 0, numbers: MultiSequenceNumber([SpaceRange(first: 9, count: 1)]), isNoop: true)])
        let commands: [GroupCommand] = [
            .leaderStart(leader: 2), .batch(noop), .takeover(nextSeqRequestID: 5, noops: [noop, noop]),
            .useSequencer(epoch: 1), .truncate(space: 63, below: 128),
            .fillHoles(HoleFill(group: 1, epoch: 1, fill: 3, space: 2, ranges: [SpaceRange(first: 1, count: 2)])),
        ]
        for (i, command) in commands.enumerated() {
            let bytes = append([command]).encoded()
            #expect(bytes[tagAt] == UInt8(i + 1), "\(command)")
            #expect(decodeOne(bytes) == .success(append([command])))
        }
        // A truncate command names a space below 64.
        expectInconsistent(decodeOne(append([.leaderStart(leader: 0), .truncate(space: 64, below: 1)]).encoded()))
        expectInconsistent(decodeOne(append([.truncate(space: 0xFF, below: 1)]).encoded()))
        // A committed operation has at least one space.
        let spaceless = CommittedBatch(group: 1, seqRequestID: 4, batchID: 5, ops: [CommittedOperation(
            client: 0, requestID: 0, numbers: MultiSequenceNumber([]))])
        expectInconsistent(decodeOne(append([.batch(spaceless)]).encoded()))
        expectInconsistent(decodeOne(append([.takeover(nextSeqRequestID: 5, noops: [noop, spaceless])]).encoded()))
        // A fillHoles command follows the hole-fill rules.
        expectInconsistent(decodeOne(append([.fillHoles(HoleFill(group: 1, epoch: 1, fill: 3, space: 2,
                                                                  ranges: [SpaceRange(first: 1, count: 0)]))]).encoded()))
        // A declared entry count beyond the entries is short, not anything else.
        var moreEntries = append([.leaderStart(leader: 0)]).encoded()
        moreEntries[4 + 35] = 2
        #expect(decodeOne(moreEntries) == .failure(.truncated(offset: 4 + 37 + 10, needed: 8)))
        var huge = append([.leaderStart(leader: 0)]).encoded()
        huge[4 + 35] = 0xFF
        huge[4 + 36] = 0xFF
        #expect(decodeOne(huge) == .failure(.truncated(offset: 4 + 37 + 10, needed: 8)))
    }

    @Test func claimReplyAllocationAtOrAboveNextIsInconsistent() {
        func reply(next: UInt64, _ srids: [UInt64], status: SequencerReplyStatus = .allocated) -> Message {
            .recovery(.claimReply(ClaimReply(group: 1, term: 2, epoch: 0, status: status, nextSeqRequestID: next,
                                             allocations: srids.map { Allocation(seqRequestID: $0, numbers: MultiSequenceNumber(
                                                 [SpaceRange(first: $0 % 1_000, count: 1)])) })))
        }
        for m in [reply(next: 5, [0, 4]), reply(next: 0, []), reply(next: 1, [0]), reply(next: .max, [.max - 1, 0]),
                  reply(next: 3, [2, 2], status: .fenced)] {
            #expect(decodeOne(m.encoded()) == .success(m))
        }
        for m in [reply(next: 5, [5]), reply(next: 5, [0, 6]), reply(next: 0, [0]), reply(next: .max, [.max]),
                  reply(next: 1, [0, 1, 0])] {
            expectInconsistent(decodeOne(m.encoded()))
            expectInconsistent(decodePacket(m.encoded()))
        }
        // Statuses are the sequencer reply's: 0...6.
        var bytes = reply(next: 1, [0], status: .wrongEpoch).encoded()
        #expect(bytes[4 + 14] == 6)
        bytes[4 + 14] = 7
        expectInconsistent(decodeOne(bytes))
    }

    @Test func recoveryReportBlockSizeIsAPositiveMultipleOf64() {
        func report(_ blockSize: UInt32) -> Message {
            .recovery(.report(RecoveryReport(group: 1, epoch: 1, blockSize: blockSize,
                                             spaces: [BitmapShape(base: 64, blocks: 2)])))
        }
        for size: UInt32 in [64, 128, 4_096, UInt32.max / 64 * 64] {
            #expect(decodeOne(report(size).encoded()) == .success(report(size)), "\(size)")
        }
        for size: UInt32 in [0, 1, 32, 63, 65, 100, 0x8000_0001, .max] {
            expectInconsistent(decodeOne(report(size).encoded()))
        }
        // The block size is checked before the space count.
        var both = Message.recovery(.report(RecoveryReport(group: 1, epoch: 1, blockSize: 0, spaces: []))).encoded()
        both[4 + 10] = 65
        expectInconsistent(decodeOne(both))
    }

    @Test func holeFillRangesAreNonEmptyAndDoNotWrap() {
        func fill(_ ranges: [SpaceRange]) -> Message {
            .recovery(.holeFill(HoleFill(group: 1, epoch: 1, fill: 2, space: 3, ranges: ranges)))
        }
        for m in [fill([]), fill([SpaceRange(first: 0, count: 1)]), fill([SpaceRange(first: .max - 1, count: 1)]),
                  fill([SpaceRange(first: .max - UInt64(UInt32.max), count: .max)])] {
            #expect(decodeOne(m.encoded()) == .success(m))
        }
        for m in [fill([SpaceRange(first: 0, count: 0)]), fill([SpaceRange(first: 1, count: 1), .empty]),
                  fill([SpaceRange(first: .max, count: 1)]), fill([SpaceRange(first: .max - 1, count: .max)])] {
            expectInconsistent(decodeOne(m.encoded()))
        }
        // An empty range that does not start at 0 is refused too.
        var bytes = fill([SpaceRange(first: 0, count: 0)]).encoded()
        bytes[4 + 13] = 9
        expectInconsistent(decodeOne(bytes))
    }
}
