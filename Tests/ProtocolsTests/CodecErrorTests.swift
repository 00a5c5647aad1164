// Targeted typed errors of the wire codec about framing and sizes: truncation, trailing bytes,
// unsupported versions, unknown types, too many spaces, too small buffers, too large frames.
// The `.inconsistent` errors are in CodecInconsistencyTests.swift.
import Protocols
import Testing

@Suite struct CodecErrorTests {

    @Test func shortPacketIsTruncated() {
        // Cut inside the frame header: the u16 body length needs 1 more byte at offset 2.
        #expect(decodeOne([1, 5, 22]) == .failure(.truncated(offset: 2, needed: 1)))
        #expect(decodePacket([1, 5, 22]) == .failure(.truncated(offset: 2, needed: 1)))
        #expect(decodeOne([1]) == .failure(.truncated(offset: 1, needed: 1)))
        // Cut inside the body: the header declares 22 body bytes and only 6 follow.
        let beat = Message.heartbeat(Heartbeat(group: 1, epoch: 4, nonce: 2, durableBelow: 3)).encoded()
        #expect(beat.count == 26)
        #expect(decodeOne(Array(beat.prefix(10))) == .failure(.truncated(offset: 4, needed: 16)))
        #expect(decodePacket(Array(beat.prefix(25))) == .failure(.truncated(offset: 4, needed: 1)))
        // Every strict prefix of every valid frame is truncated, never something else.
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0006)
        for i in 0 ..< kindCount * 3 {
            let frame = randomValidMessage(&rng, kind: i % kindCount, small: true).encoded()
            for cut in 0 ..< frame.count {
                let result = decodeOne(Array(frame.prefix(cut)))
                guard case .failure(.truncated) = result else {
                    Issue.record("prefix of \(cut)/\(frame.count) bytes gave \(result)")
                    return
                }
            }
        }
    }

    @Test func extraBytesInsideTheDeclaredBodyAreTrailingBytes() {
        // A heartbeat whose body length says 23 (one more than its fields) and carries that byte.
        let body: [UInt8] = le(UInt16(1)) + le(UInt32(4)) + le(UInt64(2)) + le(UInt64(3)) + [0xAB]
        #expect(decodeOne(frame(type: 5, body)) == .failure(.trailingBytes(count: 1)))
        #expect(decodePacket(frame(type: 5, body)) == .failure(.trailingBytes(count: 1)))
        // The same for a sequencer reply with spaces: 3 junk bytes after its last range.
        let reply = Message.sequencerReply(SequencerReply(group: 1, epoch: 1, batchID: 2, seqRequestID: 3, status: .allocated,
                                                          numbers: MultiSequenceNumber([SpaceRange(first: 10, count: 4)])))
        var bytes = reply.encoded() + [7, 7, 7]
        bytes[2] &+= 3
        #expect(decodeOne(bytes) == .failure(.trailingBytes(count: 3)))
        // And for Raft and recovery messages with arrays: junk after the last entry / shape.
        let append = Message.raft(.append(AppendEntries(group: 1, term: 2, leader: 0, prevLogIndex: 0, prevLogTerm: 0,
                                                        leaderCommit: 0,
                                                        entries: [LogEntry(term: 2, command: .leaderStart(leader: 0))])))
        var appendBytes = append.encoded() + [0]
        appendBytes[2] &+= 1
        #expect(decodeOne(appendBytes) == .failure(.trailingBytes(count: 1)))
        let report = Message.recovery(.report(RecoveryReport(group: 1, epoch: 1, blockSize: 64,
                                                              spaces: [BitmapShape(base: 0, blocks: 1)])))
        var reportBytes = report.encoded() + [1, 2]
        reportBytes[2] &+= 2
        #expect(decodeOne(reportBytes) == .failure(.trailingBytes(count: 2)))
        // Bytes after a complete frame, outside its body, are a second frame to decodePacket but
        // trailing bytes to the single-frame decoder.
        let beat = Message.heartbeat(Heartbeat(group: 1, nonce: 2, durableBelow: 3)).encoded()
        #expect(decodeOne(beat + [1, 2]) == .failure(.trailingBytes(count: 2)))
    }

    @Test func unknownVersionIsUnsupportedVersion() {
        let beat = Message.heartbeat(Heartbeat(group: 1, nonce: 2, durableBelow: 3)).encoded()
        let vote = Message.raft(.requestVote(VoteRequest(group: 1, term: 2, candidate: 0, lastLogIndex: 3,
                                                         lastLogTerm: 1))).encoded()
        for original in [beat, vote] {
            for version: UInt8 in [0, 2, 3, 0x7F, 0xFF] {
                var bytes = original
                bytes[0] = version
                #expect(decodeOne(bytes) == .failure(.unsupportedVersion(version)))
                #expect(decodePacket(bytes) == .failure(.unsupportedVersion(version)))
            }
        }
        // The version is checked before anything else: before the type, before the length.
        #expect(decodeOne([9, 99]) == .failure(.unsupportedVersion(9)))
        #expect(decodeOne([2]) == .failure(.unsupportedVersion(2)))
    }

    @Test func unknownTypeIsUnknownType() {
        for type: UInt8 in [0, UInt8(kindCount) + 1, UInt8(kindCount) + 2, 0x80, 0xFF] {
            #expect(decodeOne([1, type, 0, 0]) == .failure(.unknownType(type)))
            #expect(decodePacket([1, type, 0, 0]) == .failure(.unknownType(type)))
        }
        // The type is checked before the length is read.
        #expect(decodeOne([1, 0]) == .failure(.unknownType(0)))
        // Every type up to the last is known: an empty body is short, not unknown.
        for type in 1 ... UInt8(kindCount) {
            guard case .failure(.truncated) = decodeOne([1, type, 0, 0]) else {
                Issue.record("type \(type) with an empty body gave \(decodeOne([1, type, 0, 0]))")
                continue
            }
        }
    }

    @Test func sixtyFiveSpacesAreTooManySpaces() {
        let clientFixed = le(UInt32(1)) + le(UInt64(5)) + le(UInt16(2)) + le(UInt64(4))
        let replyFixed = le(UInt32(1)) + le(UInt64(5)) + le(UInt16(2)) + [0] + [0] + le(UInt32(0))
        let seqRequestFixed = le(UInt16(2)) + le(UInt64(7)) + le(UInt32(1)) + le(UInt64(1)) + le(UInt64(5)) + le(UInt64(4))
        let seqReplyFixed = le(UInt16(2)) + le(UInt32(1)) + le(UInt64(1)) + le(UInt64(5)) + [0]
        // A claim reply with one allocation (seqRequestID 0 below next 100): its numbers come last.
        let claimReplyFixed = le(UInt16(2)) + le(UInt64(7)) + le(UInt32(1)) + [0] + le(UInt64(100)) + le(UInt16(1))
            + le(UInt64(0))
        // An append with one batch entry of one operation: the operation's numbers come last.
        let appendFixed = le(UInt16(2)) + le(UInt64(7)) + [0] + le(UInt64(0)) + le(UInt64(0)) + le(UInt64(0))
            + le(UInt16(1)) + le(UInt64(7)) + [2] // entry term, tag batch
            + le(UInt16(2)) + le(UInt64(3)) + le(UInt64(4)) + le(UInt32(1)) + le(UInt16(1)) // batch header, 1 op
            + le(UInt32(9)) + le(UInt64(8)) + [0] + le(UInt64(6)) // op: client, requestID, isNoop, acked
        func counts(_ n: Int) -> [UInt8] { [UInt8(n)] + (0 ..< n).flatMap { _ in le(UInt32(1)) } }
        func ranges(_ n: Int) -> [UInt8] {
            [UInt8(n)] + (0 ..< n).flatMap { i in le(UInt64(100 * i)) + le(UInt32(1)) }
        }
        let cases: [(type: UInt8, fixed: [UInt8], array: (Int) -> [UInt8])] = [
            (1, clientFixed, counts), (2, replyFixed, ranges), (3, seqRequestFixed, counts), (4, seqReplyFixed, ranges),
            (14, claimReplyFixed, ranges), (9, appendFixed, ranges),
        ]
        for (type, fixed, array) in cases {
            #expect(decodeOne(frame(type: type, fixed + array(65))) == .failure(.tooManySpaces(65)), "type \(type)")
            #expect(decodePacket(frame(type: type, fixed + array(65))) == .failure(.tooManySpaces(65)), "type \(type)")
            // Checked from the count byte alone, before the entries are looked for.
            #expect(decodeOne(frame(type: type, fixed + [255])) == .failure(.tooManySpaces(255)), "type \(type)")
            // 64 is the limit, and is accepted.
            let ok = decodeOne(frame(type: type, fixed + array(64)))
            guard case let .success(m) = ok else {
                Issue.record("64 spaces rejected for type \(type): \(ok)")
                continue
            }
            #expect(m.encoded() == frame(type: type, fixed + array(64)))
        }
        // Recovery reports and GC tokens count their per-space entries in a u16.
        let reportFixed = le(UInt16(1)) + le(UInt32(2)) + le(UInt32(64))
        let tokenFixed = le(UInt64(3))
        let u16Cases: [(type: UInt8, fixed: [UInt8], entry: [UInt8])] = [
            (17, reportFixed, le(UInt64(5)) + le(UInt16(2))), (22, tokenFixed, le(UInt64(5)) + le(UInt64(6))),
        ]
        for (type, fixed, entry) in u16Cases {
            func body(_ n: Int) -> [UInt8] { fixed + le(UInt16(n)) + (0 ..< n).flatMap { _ in entry } }
            #expect(decodeOne(frame(type: type, body(65))) == .failure(.tooManySpaces(65)), "type \(type)")
            #expect(decodeOne(frame(type: type, fixed + le(UInt16.max))) == .failure(.tooManySpaces(65_535)), "type \(type)")
            let ok = decodeOne(frame(type: type, body(64)))
            guard case let .success(m) = ok else {
                Issue.record("64 spaces rejected for type \(type): \(ok)")
                continue
            }
            #expect(m.encoded() == frame(type: type, body(64)))
        }
        // The encoder does not check: a 65-space report encodes, and is refused by the decoder.
        let tooWide = Message.recovery(.report(RecoveryReport(
            group: 1, epoch: 1, blockSize: 64, spaces: Array(repeating: BitmapShape(base: 0, blocks: 0), count: 65))))
        #expect(decodeOne(tooWide.encoded()) == .failure(.tooManySpaces(65)))
        let tooManyCounts = Message.gc(.token(GCToken(round: 1, counts: Array(repeating: GCCount(base: 0, count: 0), count: 65))))
        #expect(decodeOne(tooManyCounts.encoded()) == .failure(.tooManySpaces(65)))
    }

    @Test func emptyPacketIsTruncated() {
        #expect(decodePacket([]) == .failure(.truncated(offset: 0, needed: WireFormat.frameHeaderSize)))
        #expect(decodeOne([]) == .failure(.truncated(offset: 0, needed: 1)))
    }

    @Test func encodingIntoATooSmallBufferIsBufferTooSmall() {
        let beat = Message.heartbeat(Heartbeat(group: 1, epoch: 4, nonce: 2, durableBelow: 3))
        // Header (4), group (2) and epoch (4) fit in 10 bytes; the u64 nonce at offset 10 needs 18.
        #expect(encodeIntoBuffer(beat, capacity: 10) == .failure(.bufferTooSmall(needed: 18, available: 10)))
        #expect(encodeIntoBuffer(beat, capacity: 0) == .failure(.bufferTooSmall(needed: 1, available: 0)))
        #expect(encodeIntoBuffer(beat, capacity: 25) == .failure(.bufferTooSmall(needed: 26, available: 25)))
        #expect(encodeIntoBuffer(beat, capacity: 26) == .success(beat.encoded()))
        // A client reply with 64 spaces.
        let wide = Message.clientReply(ClientReply(
            client: .max, requestID: .max, group: .max, status: .ok, leaderHint: Endpoint(1),
            numbers: MultiSequenceNumber((0 ..< maxSequenceSpaces).map { _ in SpaceRange(first: 1, count: 1) })))
        let encoded = encodeIntoBuffer(wide, capacity: WireFormat.maxMessageSize)
        #expect(encoded == .success(wide.encoded()))
        #expect(wide.encoded().count == 4 + 20 + 1 + 64 * 12)
    }

    @Test func frameBodyOver65535BytesIsFrameTooLarge() {
        #expect(WireFormat.maxMessageSize == 4 + 65_535)
        func chunk(_ length: Int) -> Message {
            .raft(.snapshot(SnapshotChunk(group: 1, term: 2, leader: 0, lastIncludedIndex: 3, lastIncludedTerm: 2,
                                          offset: 0, totalBytes: UInt32(length),
                                          data: (0 ..< length).map { UInt8(truncatingIfNeeded: $0) })))
        }
        // A snapshot chunk of 65498 bytes has a body of exactly 65535 bytes: the largest frame.
        let largest = chunk(65_535 - 37)
        let bytes = largest.encoded()
        #expect(bytes.count == WireFormat.maxMessageSize)
        #expect(bytes[2] == 0xFF && bytes[3] == 0xFF)
        #expect(encodeIntoBuffer(largest, capacity: WireFormat.maxMessageSize) == .success(bytes))
        #expect(decodeOne(bytes) == .success(largest))
        #expect(decodePacket(bytes + bytes) == .success([largest, largest]))
        // One byte more does not fit a frame, whatever the buffer.
        let over = chunk(65_535 - 37 + 1)
        #expect(encodeIntoBuffer(over, capacity: WireFormat.maxMessageSize + 100) == .failure(.frameTooLarge(bodyBytes: 65_536)))
        #expect(encodeIntoBuffer(over, capacity: WireFormat.maxMessageSize)
            == .failure(.bufferTooSmall(needed: WireFormat.maxMessageSize + 1, available: WireFormat.maxMessageSize)))
        // Every message with arrays can overflow a frame: the sender must split it.
        let block = { (words: Int) in
            Message.recovery(.bitmapBlock(BitmapBlock(group: 1, epoch: 1, space: 0, base: 0, block: 0,
                                                      words: Array(repeating: .max, count: words))))
        }
        #expect(block(8_189).encoded().count == 4 + 19 + 8 * 8_189)
        #expect(encodeIntoBuffer(block(8_190), capacity: 70_000) == .failure(.frameTooLarge(bodyBytes: 19 + 8 * 8_190)))
        let fill = { (ranges: Int) in
            Message.recovery(.holeFill(HoleFill(group: 1, epoch: 1, fill: 1, space: 0,
                                                ranges: Array(repeating: SpaceRange(first: 1, count: 1), count: ranges))))
        }
        #expect(decodeOne(fill(5_460).encoded()) == .success(fill(5_460)))
        #expect(encodeIntoBuffer(fill(5_461), capacity: 70_000) == .failure(.frameTooLarge(bodyBytes: 13 + 12 * 5_461)))
        let append = { (entries: Int) in
            Message.raft(.append(AppendEntries(group: 1, term: 1, leader: 0, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0,
                                               entries: Array(repeating: LogEntry(term: 1, command: .leaderStart(leader: 0)),
                                                              count: entries))))
        }
        #expect(append(6_549).encoded().count == 4 + 37 + 10 * 6_549)
        #expect(encodeIntoBuffer(append(6_550), capacity: 70_000) == .failure(.frameTooLarge(bodyBytes: 37 + 10 * 6_550)))
        let claim = { (allocations: Int) in
            Message.recovery(.claimReply(ClaimReply(
                group: 1, term: 1, epoch: 0, status: .allocated, nextSeqRequestID: .max,
                allocations: Array(repeating: Allocation(seqRequestID: 0, numbers: MultiSequenceNumber(
                    Array(repeating: SpaceRange(first: 0, count: 1), count: 64))), count: allocations))))
        }
        #expect(encodeIntoBuffer(claim(85), capacity: 70_000) == .failure(.frameTooLarge(bodyBytes: 25 + 85 * 777)))
        #expect(decodeOne(claim(84).encoded()) == .success(claim(84)))
    }

    @Test func bitmapBlockWordCountBeyondTheBodyIsTruncated() {
        let block = Message.recovery(.bitmapBlock(BitmapBlock(group: 1, epoch: 1, space: 2, base: 3, block: 4, words: [5, 6])))
        var bytes = block.encoded()
        #expect(decodeOne(bytes) == .success(block))
        bytes[4 + 17] = 3
        #expect(decodeOne(bytes) == .failure(.truncated(offset: 4 + 19, needed: 8)))
        // A huge count is refused from the count alone.
        bytes[4 + 17] = 0xFF
        bytes[4 + 18] = 0xFF
        #expect(decodeOne(bytes) == .failure(.truncated(offset: 4 + 19, needed: 0xFFFF * 8 - 16)))
    }
}
