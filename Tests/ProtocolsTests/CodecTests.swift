// Tests of the versioned binary wire codec (Sources/Protocols/Wire), through the public API only:
// exact round trips of random valid messages of every wire type (client, sequencer, heartbeat,
// Raft with every group command, recovery, GC), multi-frame packets, fuzzing of random and mutated
// byte strings (every input must decode or fail with a typed `WireError`, never trap, and whatever
// decodes must be canonical), targeted typed errors, and the exact little-endian byte layout.
import Protocols
import Testing

@Suite struct CodecTests {

    // MARK: 1. Round trips

    @Test func randomValidMessagesRoundTripExactly() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0001)
        var failures = FailureLog()
        var perType = [Int](repeating: 0, count: kindCount + 1)
        var features = Set<Feature>()
        for i in 0 ..< kindCount * 600 {
            let m = randomValidMessage(&rng, kind: i % kindCount)
            let bytes = m.encoded()
            perType[Int(wireTypeCode(m))] += 1
            features.formUnion(Feature.of(m))
            checkSizeEstimates(m, &failures)
            let lengthField = bytes.count >= 4 ? Int(bytes[2]) | Int(bytes[3]) << 8 : -1
            if bytes.count != expectedEncodedSize(m) {
                failures.record("size \(bytes.count), expected \(expectedEncodedSize(m)) for \(m)")
            } else if bytes.count > WireFormat.maxMessageSize {
                failures.record("size \(bytes.count) above maxMessageSize for \(m)")
            } else if bytes[0] != WireFormat.version || bytes[1] != wireTypeCode(m) {
                failures.record("header \(bytes.prefix(2)) for \(m)")
            } else if lengthField != bytes.count - WireFormat.frameHeaderSize {
                failures.record("length field \(lengthField) for a \(bytes.count)-byte frame: \(m)")
            }
            let decoded = decodeOne(bytes)
            if decoded != .success(m) {
                failures.record("round trip of \(m) gave \(decoded); bytes \(hex(bytes.prefix(200)))")
            }
        }
        #expect(perType[1...].allSatisfy { $0 == 600 }, "every message case is exercised: \(perType)")
        let missing = Feature.allCases.filter { !features.contains($0) }
        #expect(missing.isEmpty, "the generator never produced \(missing)")
        failures.expectNone()
    }

    @Test func concatenatedFramesDecodeInOrder() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0002)
        var failures = FailureLog()
        let sentinel = Message.heartbeat(Heartbeat(group: 9, epoch: 9, nonce: 9, durableBelow: 9))
        for _ in 0 ..< 2_000 {
            let messages = (0 ..< rng.int(1 ... 8)).map { _ in
                randomValidMessage(&rng, kind: rng.int(0 ... kindCount - 1), small: rng.chance(0.7))
            }
            let frames = messages.map { $0.encoded() }
            let packet = frames.flatMap { $0 }
            // decodePacket appends to what the array already holds.
            var out = [sentinel]
            let result: Result<Void, WireError> = packet.withUnsafeBytes { buf in
                do throws(WireError) {
                    try Message.decodePacket(buf, into: &out)
                    return .success(())
                } catch { return .failure(error) }
            }
            if case let .failure(error) = result {
                failures.record("packet of \(messages.count) frames failed: \(error); bytes \(hex(packet.prefix(200)))")
            } else if out != [sentinel] + messages {
                failures.record("packet decoded to \(out.dropFirst()), expected \(messages)")
            }
            // A buffer of several frames is not one message: the single-frame decoder reports the
            // bytes after the first frame.
            if messages.count > 1 {
                let single = decodeOne(packet)
                let expected: Result<Message, WireError> = .failure(.trailingBytes(count: packet.count - frames[0].count))
                if single != expected { failures.record("single decode of a packet gave \(single), expected \(expected)") }
            }
        }
        failures.expectNone()
    }

    @Test func encodingIntoAnExactBufferMatchesAndOneByteLessIsBufferTooSmall() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0003)
        var failures = FailureLog()
        for i in 0 ..< kindCount * 30 {
            let m = randomValidMessage(&rng, kind: i % kindCount, small: i % 2 == 0)
            let expected = m.encoded()
            let n = expected.count
            let exact = encodeIntoBuffer(m, capacity: n)
            if exact != .success(expected) { failures.record("exact-size encode of \(m) gave \(exact)") }
            let short = encodeIntoBuffer(m, capacity: n - 1)
            if short != .failure(.bufferTooSmall(needed: n, available: n - 1)) {
                failures.record("encode of \(m) into \(n - 1) bytes gave \(short)")
            }
        }
        failures.expectNone()
    }

    // MARK: 2. Fuzzing

    @Test func randomByteStringsDecodeOrFailWithTypedErrorAndDecodedOnesAreCanonical() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0004)
        var stats = FuzzStats()
        for i in 0 ..< 24_000 {
            let bytes = i % 4 == 0 ? randomBytes(&rng) : randomFrameLikeBytes(&rng)
            checkFuzzInput(bytes, &stats)
        }
        stats.failures.expectNone()
        #expect(stats.inputs == 24_000)
        // Not vacuous: a fair share of the frame-like inputs are valid messages, of every type, and
        // some are appends carrying every kind of group command.
        #expect(stats.singleOK > 3_000, "only \(stats.singleOK) random inputs decoded")
        #expect(stats.packetOK > stats.singleOK, "some random inputs are valid multi-frame packets")
        let missing = (1 ... UInt8(kindCount)).filter { !stats.typesDecoded.contains($0) }
        #expect(missing.isEmpty, "no random input decoded as type \(missing)")
        #expect(stats.commandTagsDecoded == Set(1 ... 6), "group commands decoded: \(stats.commandTagsDecoded.sorted())")
    }

    @Test func mutatedValidEncodingsDecodeOrFailWithTypedErrorAndDecodedOnesAreCanonical() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0005)
        // A pool of valid packets (1 to 3 frames) of every type, with each frame's start offset.
        var pool: [(bytes: [UInt8], frameStarts: [Int])] = []
        for i in 0 ..< kindCount * 20 {
            var bytes: [UInt8] = []
            var starts: [Int] = []
            for j in 0 ..< (i % 4 == 0 ? rng.int(2 ... 3) : 1) {
                starts.append(bytes.count)
                bytes += randomValidMessage(&rng, kind: (i + j) % kindCount, small: true).encoded()
            }
            pool.append((bytes, starts))
        }
        var stats = FuzzStats()
        var decodedChanged = Set<UInt8>()
        for _ in 0 ..< 36_000 {
            let (original, starts) = pool[rng.int(0 ... pool.count - 1)]
            var bytes = original
            for _ in 0 ..< (rng.chance(0.2) ? 2 : 1) {
                mutate(&bytes, frameStarts: starts, &rng)
            }
            checkFuzzInput(bytes, &stats)
            if bytes != original, case let .success(m) = decodeOne(bytes) { decodedChanged.insert(wireTypeCode(m)) }
        }
        stats.failures.expectNone()
        #expect(stats.inputs == 36_000)
        #expect(stats.commandTagsDecoded == Set(1 ... 6), "group commands decoded: \(stats.commandTagsDecoded.sorted())")
        #expect(stats.singleOK > 3_000, "only \(stats.singleOK) mutated inputs decoded as one frame")
        #expect(stats.inputs - stats.packetOK > stats.inputs / 2, "most mutations are rejected")
        // Mutations of every type's encoding were accepted as (other) valid messages: the mutated
        // Raft, recovery and GC encodings reached deep into their decoders.
        let missing = (1 ... UInt8(kindCount)).filter { !decodedChanged.contains($0) }
        #expect(missing.isEmpty, "no mutated input decoded as type \(missing)")
    }

    // MARK: 3. Targeted typed errors

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

    // MARK: 4. Layout

    @Test func heartbeatEncodingIsVersionedLittleEndian() {
        let beat = Heartbeat(group: 0x0102, epoch: 0x0A0B_0C0D, nonce: 0x1122_3344_5566_7788,
                             durableBelow: 0x99AA_BBCC_DDEE_FF00)
        let expected: [UInt8] = [
            0x01, // version 1
            0x05, // type: heartbeat
            0x16, 0x00, // body length 22, u16 little-endian
            0x02, 0x01, // group u16
            0x0D, 0x0C, 0x0B, 0x0A, // epoch u32
            0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // nonce u64
            0x00, 0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA, 0x99, // durableBelow u64
        ]
        #expect(Message.heartbeat(beat).encoded() == expected)
        #expect(decodeOne(expected) == .success(.heartbeat(beat)))
        // The echo differs only in its type byte.
        var reply = expected
        reply[1] = 0x06
        #expect(Message.heartbeatReply(beat).encoded() == reply)
        #expect(decodeOne(reply) == .success(.heartbeatReply(beat)))
    }

    @Test func requestAndReplyEncodingsAreLittleEndianWithSpaceArraysLast() {
        let request = Message.clientRequest(ClientRequest(client: 0x0A0B_0C0D, requestID: 7, group: 3,
                                                          acknowledgedBelow: 5, counts: SpaceCounts([2, 0x0100])))
        #expect(request.encoded() == [
            0x01, 0x01, 31, 0x00,
            0x0D, 0x0C, 0x0B, 0x0A, // client u32
            7, 0, 0, 0, 0, 0, 0, 0, // requestID u64
            3, 0, // group u16
            5, 0, 0, 0, 0, 0, 0, 0, // acknowledgedBelow u64
            2, // spaces u8
            2, 0, 0, 0, 0x00, 0x01, 0, 0, // counts u32 each
        ])
        // A not-leader reply: status 1, a hint flag u8 and the hint u32, no spaces.
        let notLeader = ClientReply(client: 1, requestID: 2, group: 3, status: .notLeader, leaderHint: Endpoint(9),
                                    numbers: MultiSequenceNumber([]))
        #expect(Message.clientReply(notLeader).encoded() == [
            0x01, 0x02, 21, 0x00, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 1, 9, 0, 0, 0, 0,
        ])
        var noHint = notLeader
        noHint.leaderHint = nil
        #expect(Message.clientReply(noHint).encoded() == [
            0x01, 0x02, 21, 0x00, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0, 0, 0,
        ])
        // A range is first u64 then count u32; the epoch u32 follows the group.
        let reply = Message.sequencerReply(SequencerReply(group: 4, epoch: 1, batchID: 5, seqRequestID: 6,
                                                          status: .retransmission,
                                                          numbers: MultiSequenceNumber([SpaceRange(first: 0x0102, count: 3)])))
        #expect(reply.encoded() == [
            0x01, 0x04, 36, 0x00,
            4, 0, // group u16
            1, 0, 0, 0, // epoch u32
            5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, // batchID, seqRequestID
            1, // status: retransmission
            1, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, // 1 space: first, count
        ])
        // A sequencer request: group, term u64, epoch u32, batchID, seqRequestID, durableBelow, counts.
        #expect(Message.sequencerRequest(SequencerRequest(group: 1, term: 0x0909, epoch: 1, batchID: 2, seqRequestID: 3,
                                                          durableBelow: 4, counts: SpaceCounts([5]))).encoded()
            == [0x01, 0x03, 43, 0x00] + le(UInt16(1)) + le(UInt64(0x0909)) + le(UInt32(1)) + le(UInt64(2)) + le(UInt64(3))
            + le(UInt64(4)) + [1] + le(UInt32(5)))
        // The new statuses' codes.
        #expect([SequencerReplyStatus.fenced, .notReady, .wrongEpoch].map(\.rawValue) == [4, 5, 6])
    }

    @Test func voteRequestEncodingIsPinned() {
        let vote = Message.raft(.requestVote(VoteRequest(group: 0x0102, term: 0x1122_3344_5566_7788, candidate: 3,
                                                         lastLogIndex: 0x0105, lastLogTerm: 0x0A0B_0C0D_0E0F)))
        let expected: [UInt8] = [
            0x01, // version 1
            0x07, // type: requestVote
            0x1B, 0x00, // body length 27
            0x02, 0x01, // group u16
            0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // term u64
            0x03, // candidate u8
            0x05, 0x01, 0, 0, 0, 0, 0, 0, // lastLogIndex u64
            0x0F, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 0, 0, // lastLogTerm u64
        ]
        #expect(vote.encoded() == expected)
        #expect(decodeOne(expected) == .success(vote))
        // Its reply: group, term, voter u8, granted u8.
        let granted = Message.raft(.vote(VoteReply(group: 0x0102, term: 9, voter: 2, granted: true)))
        #expect(granted.encoded() == [0x01, 0x08, 12, 0x00, 0x02, 0x01, 9, 0, 0, 0, 0, 0, 0, 0, 2, 1])
    }

    @Test func recoveryStartEncodingIsPinned() {
        let start = Message.recovery(.start(RecoveryStart(group: 0x0A0B, epoch: 0x0102_0304)))
        let expected: [UInt8] = [
            0x01, // version 1
            0x0F, // type: recoveryStart
            0x06, 0x00, // body length 6
            0x0B, 0x0A, // group u16
            0x04, 0x03, 0x02, 0x01, // epoch u32
        ]
        #expect(start.encoded() == expected)
        #expect(decodeOne(expected) == .success(start))
        // A poll has the same body under the next type code.
        var poll = expected
        poll[1] = 0x10
        #expect(Message.recovery(.poll(RecoveryPoll(group: 0x0A0B, epoch: 0x0102_0304))).encoded() == poll)
        #expect(decodeOne(poll) == .success(.recovery(.poll(RecoveryPoll(group: 0x0A0B, epoch: 0x0102_0304)))))
    }

    @Test func appendWithABatchEncodingIsPinned() {
        let op = CommittedOperation(client: 10, requestID: 11, numbers: MultiSequenceNumber([SpaceRange(first: 12, count: 13)]),
                                    isNoop: true, acknowledgedBelow: 14)
        let append = Message.raft(.append(AppendEntries(
            group: 1, term: 2, leader: 3, prevLogIndex: 4, prevLogTerm: 5, leaderCommit: 6,
            entries: [LogEntry(term: 7, command: .batch(CommittedBatch(group: 1, seqRequestID: 8, batchID: 9, epoch: 1,
                                                                       ops: [op]))),
                      LogEntry(term: 7, command: .leaderStart(leader: 3))])))
        let body: [UInt8] = le(UInt16(1)) + le(UInt64(2)) + [3] + le(UInt64(4)) + le(UInt64(5)) + le(UInt64(6))
            + le(UInt16(2)) // entries
            + le(UInt64(7)) + [2] // entry term, tag batch
            + le(UInt16(1)) + le(UInt64(8)) + le(UInt64(9)) + le(UInt32(1)) + le(UInt16(1)) // batch: group, srid, id, epoch, ops
            + le(UInt32(10)) + le(UInt64(11)) + [1] + le(UInt64(14)) // op: client, requestID, isNoop, acknowledgedBelow
            + [1] + le(UInt64(12)) + le(UInt32(13)) // op numbers
            + le(UInt64(7)) + [1, 3] // entry term, tag leaderStart, leader
        #expect(append.encoded() == frame(type: 9, body))
        #expect(decodeOne(frame(type: 9, body)) == .success(append))
    }
}

// MARK: - Decoding and encoding helpers

private func decodeOne(_ bytes: [UInt8]) -> Result<Message, WireError> {
    do throws(WireError) { return .success(try Message(decoding: bytes)) } catch { return .failure(error) }
}

private func decodePacket(_ bytes: [UInt8]) -> Result<[Message], WireError> {
    bytes.withUnsafeBytes { buf in
        var out: [Message] = []
        do throws(WireError) {
            try Message.decodePacket(buf, into: &out)
            return .success(out)
        } catch { return .failure(error) }
    }
}

/// Encodes through `ByteWriter` into a buffer of exactly `capacity` bytes.
private func encodeIntoBuffer(_ m: Message, capacity: Int) -> Result<[UInt8], WireError> {
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
    defer { buf.deallocate() }
    var w = ByteWriter(buf)
    do throws(WireError) {
        try m.encode(into: &w)
        return .success(Array(buf.prefix(w.count)))
    } catch { return .failure(error) }
}

private func expectInconsistent<T>(_ result: Result<T, WireError>, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .failure(.inconsistent) = result else {
        Issue.record("expected .inconsistent, got \(result)", sourceLocation: sourceLocation)
        return
    }
}

private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

private func frame(version: UInt8 = 1, type: UInt8, _ body: [UInt8]) -> [UInt8] {
    [version, type] + le(UInt16(body.count)) + body
}

private func hex<C: Collection<UInt8>>(_ bytes: C) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

/// How many wire types there are; `randomValidMessage`'s kind k is wire type k + 1.
private let kindCount = 23

private func wireTypeCode(_ m: Message) -> UInt8 {
    switch m {
    case .clientRequest: 1
    case .clientReply: 2
    case .sequencerRequest: 3
    case .sequencerReply: 4
    case .heartbeat: 5
    case .heartbeatReply: 6
    case let .raft(r):
        switch r {
        case .requestVote: 7
        case .vote: 8
        case .append: 9
        case .appendReply: 10
        case .snapshot: 11
        case .snapshotReply: 12
        }
    case let .recovery(r):
        switch r {
        case .claim: 13
        case .claimReply: 14
        case .start: 15
        case .poll: 16
        case .report: 17
        case .bitmapRequest: 18
        case .bitmapBlock: 19
        case .holeFill: 20
        case .holeFillAck: 21
        }
    case let .gc(g):
        switch g {
        case .token: 22
        case .truncate: 23
        }
    }
}

/// The frame size the wire format specifies for `m`.
private func expectedEncodedSize(_ m: Message) -> Int { WireFormat.frameHeaderSize + expectedBodySize(m) }

private func expectedBodySize(_ m: Message) -> Int {
    switch m {
    case let .clientRequest(r): 22 + 1 + 4 * r.counts.spaceCount
    case let .clientReply(r): 20 + 1 + 12 * r.numbers.spaceCount
    case let .sequencerRequest(r): 38 + 1 + 4 * r.counts.spaceCount
    case let .sequencerReply(r): 23 + 1 + 12 * r.numbers.spaceCount
    case .heartbeat, .heartbeatReply: 22
    case let .raft(r):
        switch r {
        case .requestVote: 27
        case .vote: 12
        case let .append(a): 37 + a.entries.reduce(0) { $0 + 8 + commandSize($1.command) }
        case .appendReply: 20
        case let .snapshot(s): 37 + s.data.count
        case .snapshotReply: 24
        }
    case let .recovery(r):
        switch r {
        case .claim: 22
        case let .claimReply(c): 25 + c.allocations.reduce(0) { $0 + 8 + 1 + 12 * $1.numbers.spaceCount }
        case .start, .poll: 6
        case let .report(p): 12 + 10 * p.spaces.count
        case .bitmapRequest: 9
        case let .bitmapBlock(b): 19 + 8 * b.words.count
        case let .holeFill(h): holeFillSize(h)
        case .holeFillAck: 10
        }
    case let .gc(g):
        switch g {
        case let .token(t): 10 + 16 * t.counts.count
        case .truncate: 9
        }
    }
}

private func holeFillSize(_ h: HoleFill) -> Int { 13 + 12 * h.ranges.count }

private func batchSize(_ b: CommittedBatch) -> Int { 24 + b.ops.reduce(0) { $0 + 22 + 12 * $1.numbers.spaceCount } }

private func commandSize(_ c: GroupCommand) -> Int {
    switch c {
    case .leaderStart: 2
    case let .batch(b): 1 + batchSize(b)
    case let .takeover(_, noops): 11 + noops.reduce(0) { $0 + batchSize($1) }
    case .useSequencer: 5
    case .truncate: 10
    case let .fillHoles(h): 1 + holeFillSize(h)
    }
}

/// A group command's tag on the wire.
private func commandTag(_ c: GroupCommand) -> UInt8 {
    switch c {
    case .leaderStart: 1
    case .batch: 2
    case .takeover: 3
    case .useSequencer: 4
    case .truncate: 5
    case .fillHoles: 6
    }
}

/// The public size estimates of group commands: exact for batches, an upper bound for commands.
private func checkSizeEstimates(_ m: Message, _ failures: inout FailureLog) {
    guard case let .raft(.append(a)) = m else { return }
    for entry in a.entries {
        let command = entry.command
        if command.encodedSizeEstimate < commandSize(command) {
            failures.record("estimate \(command.encodedSizeEstimate) below the size \(commandSize(command)) of \(command)")
        }
        var batches: [CommittedBatch] = []
        if case let .batch(b) = command { batches = [b] }
        if case let .takeover(_, noops) = command { batches = noops }
        for b in batches where b.encodedSizeEstimate != batchSize(b) {
            failures.record("batch estimate \(b.encodedSizeEstimate), size \(batchSize(b)): \(b)")
        }
    }
}

/// Collects failures of a long loop; records only the first few as issues.
private struct FailureLog {
    var count = 0
    var firstFew: [String] = []

    mutating func record(_ what: String) {
        count += 1
        if firstFew.count < 5 { firstFew.append(String(what.prefix(2_000))) }
    }

    func expectNone(sourceLocation: SourceLocation = #_sourceLocation) {
        for what in firstFew { Issue.record(Comment(rawValue: what), sourceLocation: sourceLocation) }
        #expect(count == 0, "\(count) failures", sourceLocation: sourceLocation)
    }
}

// MARK: - Random valid messages

private extension SplitMix64 {
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

private func randomCounts(_ rng: inout SplitMix64, small: Bool, nonEmpty: Bool) -> SpaceCounts {
    var counts = (0 ..< rng.spaces(small: small)).map { _ in rng.count() }
    if nonEmpty, counts.allSatisfy({ $0 == 0 }) {
        counts[rng.int(0 ... counts.count - 1)] = max(1, rng.count())
    }
    return SpaceCounts(counts)
}

/// A non-empty range that does not wrap past 2^64, often at the edges.
private func randomRange(_ rng: inout SplitMix64, count: UInt32) -> SpaceRange {
    let maxFirst = UInt64.max - UInt64(count) // first + count must not overflow
    let first: UInt64 = switch rng.next() % 4 {
    case 0: 0
    case 1: maxFirst
    default: UInt64.random(in: 0 ... maxFirst, using: &rng)
    }
    return SpaceRange(first: first, count: count)
}

private func randomNumbers(_ rng: inout SplitMix64, small: Bool) -> MultiSequenceNumber {
    MultiSequenceNumber((0 ..< rng.spaces(small: small)).map { _ in
        let count = rng.count()
        return count == 0 ? .empty : randomRange(&rng, count: count)
    })
}

private func randomStatus(_ rng: inout SplitMix64) -> SequencerReplyStatus {
    SequencerReplyStatus(rawValue: UInt8(rng.next() % 7))!
}

/// A committed batch of operations, several of them noops (all of them for `allNoops`).
private func randomBatch(_ rng: inout SplitMix64, small: Bool, allNoops: Bool = false) -> CommittedBatch {
    let ops = (0 ..< rng.length(small: small, usual: 4, rare: 12, huge: 12)).map { _ in
        let narrow = small || rng.chance(0.7)
        return CommittedOperation(client: rng.u32(), requestID: rng.u64(), numbers: randomNumbers(&rng, small: narrow),
                                  isNoop: allNoops || rng.chance(0.3), acknowledgedBelow: rng.u64())
    }
    return CommittedBatch(group: rng.u16(), seqRequestID: rng.u64(), batchID: rng.u64(), epoch: rng.u32(), ops: ops)
}

/// `maxRanges` bounds the count so that the message stays in one frame.
private func randomHoleFill(_ rng: inout SplitMix64, small: Bool, huge: Int) -> HoleFill {
    let ranges = (0 ..< rng.length(small: small, usual: 6, rare: 100, huge: huge)).map { _ in
        randomRange(&rng, count: max(1, rng.count()))
    }
    return HoleFill(group: rng.u16(), epoch: rng.u32(), fill: rng.u32(), space: rng.u8(), ranges: ranges)
}

/// A group command of any of the six cases, equally likely.
private func randomCommand(_ rng: inout SplitMix64, small: Bool) -> GroupCommand {
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
private func randomEntries(_ rng: inout SplitMix64, small: Bool) -> [LogEntry] {
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
private func randomValidMessage(_ rng: inout SplitMix64, kind: Int, small: Bool = false) -> Message {
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
    default:
        return .gc(.truncate(GCTruncate(space: rng.u8(), below: rng.u64())))
    }
}

/// Shapes the random generator must produce at least once in the round-trip test.
private enum Feature: CaseIterable {
    case emptyAppend, longAppend, appendNearFrameLimit
    case leaderStart, emptyBatch, mixedBatch, batchOf64Spaces, takeoverWithoutNoops, takeoverWithNoops, useSequencer
    case truncateCommand, fillHolesCommand
    case snapshotNearFrameLimit, snapshotEndingAtTotal, bitmapBlockNearFrameLimit, holeFillNearFrameLimit
    case claimReplyWithAllocations, allocationWithoutSpaces, reportOf64Spaces, gcTokenOf64Counts
    case fenced, notReady, wrongEpoch

    static func of(_ m: Message) -> [Feature] {
        let body = expectedBodySize(m)
        switch m {
        case let .sequencerReply(r):
            return switch r.status {
            case .fenced: [.fenced]
            case .notReady: [.notReady]
            case .wrongEpoch: [.wrongEpoch]
            default: []
            }
        case let .raft(.append(a)):
            var out: [Feature] = a.entries.isEmpty ? [.emptyAppend] : a.entries.count >= 20 ? [.longAppend] : []
            if body > 60_000 { out.append(.appendNearFrameLimit) }
            for entry in a.entries {
                switch entry.command {
                case .leaderStart: out.append(.leaderStart)
                case let .batch(b):
                    if b.ops.isEmpty { out.append(.emptyBatch) }
                    if b.ops.contains(where: \.isNoop), b.ops.contains(where: { !$0.isNoop }) { out.append(.mixedBatch) }
                    if b.ops.contains(where: { $0.numbers.spaceCount == maxSequenceSpaces }) { out.append(.batchOf64Spaces) }
                case let .takeover(_, noops):
                    out.append(noops.isEmpty ? .takeoverWithoutNoops : .takeoverWithNoops)
                case .useSequencer: out.append(.useSequencer)
                case .truncate: out.append(.truncateCommand)
                case .fillHoles: out.append(.fillHolesCommand)
                }
            }
            return out
        case let .raft(.snapshot(s)):
            var out: [Feature] = body > 60_000 ? [.snapshotNearFrameLimit] : []
            if UInt64(s.offset) + UInt64(s.data.count) == UInt64(s.totalBytes), !s.data.isEmpty { out.append(.snapshotEndingAtTotal) }
            return out
        case .recovery(.bitmapBlock): return body > 60_000 ? [.bitmapBlockNearFrameLimit] : []
        case .recovery(.holeFill): return body > 60_000 ? [.holeFillNearFrameLimit] : []
        case let .recovery(.claimReply(c)):
            var out: [Feature] = c.allocations.isEmpty ? [] : [.claimReplyWithAllocations]
            if c.allocations.contains(where: { $0.numbers.spaceCount == 0 }) { out.append(.allocationWithoutSpaces) }
            return out
        case let .recovery(.report(r)): return r.spaces.count == maxSequenceSpaces ? [.reportOf64Spaces] : []
        case let .gc(.token(t)): return t.counts.count == maxSequenceSpaces ? [.gcTokenOf64Counts] : []
        default: return []
        }
    }
}

// MARK: - Fuzzing

private struct FuzzStats {
    var inputs = 0
    /// Inputs `Message(decoding:)` accepted.
    var singleOK = 0
    /// Inputs `decodePacket` accepted.
    var packetOK = 0
    /// The wire types of the single frames that decoded.
    var typesDecoded = Set<UInt8>()
    /// The tags of the group commands in the appends that decoded.
    var commandTagsDecoded = Set<UInt8>()
    var failures = FailureLog()
}

/// Feeds one input to both decoders. Each must return a message or a typed, plausible `WireError`;
/// accepted inputs must be canonical: re-encoding gives back the same bytes, which decode to the
/// same messages. And the two decoders must agree: one frame decodes alone iff it is a packet of one.
private func checkFuzzInput(_ bytes: [UInt8], _ stats: inout FuzzStats) {
    stats.inputs += 1
    let single = decodeOne(bytes)
    let packet = decodePacket(bytes)
    switch single {
    case let .success(m):
        stats.singleOK += 1
        stats.typesDecoded.insert(wireTypeCode(m))
        if case let .raft(.append(a)) = m { stats.commandTagsDecoded.formUnion(a.entries.map { commandTag($0.command) }) }
        let again = m.encoded()
        if again != bytes { stats.failures.record("\(hex(bytes)) decoded to \(m), which re-encodes to \(hex(again))") }
        let twice = decodeOne(again)
        if twice != .success(m) { stats.failures.record("\(m) re-decoded to \(twice)") }
        if packet != .success([m]) { stats.failures.record("\(hex(bytes)): single frame \(m) but packet \(packet)") }
    case let .failure(error):
        if let why = implausible(error) { stats.failures.record("\(hex(bytes)): \(error): \(why)") }
    }
    switch packet {
    case let .success(messages):
        stats.packetOK += 1
        if messages.isEmpty { stats.failures.record("\(hex(bytes)): packet decoded to no messages") }
        let again = messages.flatMap { $0.encoded() }
        if again != bytes {
            stats.failures.record("\(hex(bytes)) decoded to \(messages), which re-encode to \(hex(again))")
        }
        let twice = decodePacket(again)
        if twice != .success(messages) { stats.failures.record("\(messages) re-decoded to \(twice)") }
        if messages.count == 1, single != .success(messages[0]) {
            stats.failures.record("\(hex(bytes)): packet of one \(messages[0]) but single decode \(single)")
        }
    case let .failure(error):
        if let why = implausible(error) { stats.failures.record("\(hex(bytes)): packet \(error): \(why)") }
    }
}

/// Why a decoding error is not one decoding could produce, or nil.
private func implausible(_ error: WireError) -> String? {
    switch error {
    case let .truncated(offset, needed): offset >= 0 && needed > 0 ? nil : "bad truncation"
    case let .trailingBytes(count): count > 0 ? nil : "no trailing bytes"
    case let .unsupportedVersion(v): v != WireFormat.version ? nil : "the supported version"
    case let .unknownType(t): (1 ... UInt8(kindCount)).contains(t) ? "a known type" : nil
    // Per-space arrays count in a u8 (numbers, counts) or a u16 (report shapes, GC counts).
    case let .tooManySpaces(n): n > maxSequenceSpaces && n <= Int(UInt16.max) ? nil : "not too many"
    case .inconsistent: nil
    case .bufferTooSmall: "decoding has no output buffer"
    case .frameTooLarge: "decoding reads frames that fit"
    }
}

/// Uniformly random bytes, 0 to 80 of them.
private func randomBytes(_ rng: inout SplitMix64) -> [UInt8] {
    rng.bytes(rng.int(0 ... 80))
}

/// Random bytes shaped like frames: mostly version 1, a known type, a body length that usually
/// matches, and plausible booleans, statuses, counts and array entries at their offsets; sometimes
/// several such frames in a row.
private func randomFrameLikeBytes(_ rng: inout SplitMix64) -> [UInt8] {
    var out: [UInt8] = []
    for _ in 0 ..< (rng.chance(0.15) ? rng.int(2 ... 3) : 1) {
        let type = rng.chance(0.9) ? UInt8(rng.int(1 ... kindCount)) : rng.byte()
        var body = frameLikeBody(type: type, &rng)
        if rng.chance(0.1) { body += rng.bytes(rng.int(1 ... 4)) }
        if rng.chance(0.1) { body.removeLast(min(body.count, rng.int(1 ... 4))) }
        var length = body.count
        if rng.chance(0.1) { length = max(0, length + rng.int(-3 ... 3)) }
        let version: UInt8 = rng.chance(0.95) ? 1 : rng.byte()
        out += [version, type] + le(UInt16(truncatingIfNeeded: length)) + body
    }
    if rng.chance(0.1) { out.removeLast(min(out.count, rng.int(1 ... 8))) }
    return out
}

private extension SplitMix64 {
    /// A boolean byte: mostly 0 or 1.
    mutating func boolLike() -> UInt8 { chance(0.85) ? UInt8(int(0 ... 1)) : byte() }
    /// A status byte: mostly a known one.
    mutating func statusLike(known: Int) -> UInt8 { chance(0.85) ? UInt8(int(0 ... known - 1)) : byte() }
    /// A per-space count byte: mostly 0 to 3, sometimes around 64.
    mutating func spacesLike() -> Int { chance(0.3) ? 0 : chance(0.95) ? int(1 ... 3) : int(60 ... 70) }
    /// A u16 element count: mostly 0 to 3, sometimes around 64, rarely anything.
    mutating func count16Like() -> Int {
        let roll = next() % 100
        return roll < 85 ? int(0 ... 3) : roll < 97 ? int(60 ... 70) : Int(byte()) << 8 | Int(byte())
    }
}

/// A per-space array of counts (`entry` 4) or ranges (`entry` 12), starting with its u8 count.
private func spaceArrayLike(_ rng: inout SplitMix64, entry: Int) -> [UInt8] {
    let spaces = rng.spacesLike()
    var out: [UInt8] = [UInt8(spaces)]
    for _ in 0 ..< spaces {
        if entry == 12 {
            // A range: often empty (first 0) or small, so that some decode.
            let count = rng.chance(0.3) ? 0 : UInt32(rng.next() % 5)
            let first = count == 0 && rng.chance(0.8) ? 0 : rng.chance(0.8) ? rng.next() % 1_000 : rng.next()
            out += le(first) + le(count)
        } else {
            out += le(rng.chance(0.5) ? UInt32(rng.next() % 4) : UInt32(truncatingIfNeeded: rng.next()))
        }
    }
    return out
}

/// A batch's bytes: header, u16 op count, ops (client, requestID, isNoop, acked, numbers).
private func batchLike(_ rng: inout SplitMix64) -> [UInt8] {
    let ops = rng.chance(0.9) ? rng.int(0 ... 2) : rng.count16Like()
    var out = rng.bytes(22) + le(UInt16(truncatingIfNeeded: ops))
    for _ in 0 ..< min(ops, 3) {
        out += rng.bytes(12) + [rng.boolLike()] + rng.bytes(8) + spaceArrayLike(&rng, entry: 12)
    }
    return out
}

/// A hole fill's body: group, epoch, fill, space, u16 range count, ranges (mostly non-empty).
private func holeFillLike(_ rng: inout SplitMix64) -> [UInt8] {
    let n = rng.count16Like()
    var out = rng.bytes(11) + le(UInt16(truncatingIfNeeded: n))
    for _ in 0 ..< min(n, 70) {
        let count = rng.chance(0.1) ? 0 : UInt32(rng.int(1 ... 9))
        out += le(rng.chance(0.9) ? rng.next() % 1_000 : rng.next()) + le(count)
    }
    return out
}

/// A group command's bytes: a tag (mostly known) and a plausible body.
private func commandLike(_ rng: inout SplitMix64) -> [UInt8] {
    let tag: UInt8 = rng.chance(0.9) ? UInt8(rng.int(1 ... 6)) : rng.byte()
    switch tag {
    case 1: return [tag, rng.byte()]
    case 2: return [tag] + batchLike(&rng)
    case 3:
        let n = rng.int(0 ... 2)
        return [tag] + rng.bytes(8) + le(UInt16(n)) + (0 ..< n).flatMap { _ in batchLike(&rng) }
    case 4: return [tag] + rng.bytes(4)
    case 5: return [tag, rng.chance(0.8) ? UInt8(rng.int(0 ... 63)) : rng.byte()] + rng.bytes(8)
    case 6: return [tag] + holeFillLike(&rng)
    default: return [tag] + rng.bytes(rng.int(0 ... 8))
    }
}

/// A body shaped like the given type's.
private func frameLikeBody(type: UInt8, _ rng: inout SplitMix64) -> [UInt8] {
    switch type {
    case 1: return rng.bytes(22) + spaceArrayLike(&rng, entry: 4)
    case 2:
        // Status at 14, hint flag at 15, hint u32 (0 without a flag).
        let flag = rng.boolLike()
        return rng.bytes(14) + [rng.statusLike(known: 2), flag] + (flag == 0 && rng.chance(0.8) ? le(UInt32(0)) : rng.bytes(4))
            + spaceArrayLike(&rng, entry: 12)
    case 3: return rng.bytes(38) + spaceArrayLike(&rng, entry: 4)
    case 4: return rng.bytes(22) + [rng.statusLike(known: 7)] + spaceArrayLike(&rng, entry: 12)
    case 5, 6, 13: return rng.bytes(22)
    case 7: return rng.bytes(27)
    case 8: return rng.bytes(11) + [rng.boolLike()]
    case 9:
        let n = rng.chance(0.9) ? rng.int(0 ... 3) : rng.count16Like()
        return rng.bytes(35) + le(UInt16(truncatingIfNeeded: n))
            + (0 ..< min(n, 4)).flatMap { _ in rng.bytes(8) + commandLike(&rng) }
    case 10: return rng.bytes(11) + [rng.boolLike()] + rng.bytes(8)
    case 11:
        let length = rng.int(0 ... 8)
        let total = rng.chance(0.8) ? UInt32(rng.int(0 ... 20)) : UInt32(truncatingIfNeeded: rng.next())
        let offset = rng.chance(0.8) ? UInt32(rng.int(0 ... 12)) : UInt32(truncatingIfNeeded: rng.next())
        return rng.bytes(27) + le(offset) + le(total) + le(UInt16(length)) + rng.bytes(length)
    case 12: return rng.bytes(23) + [rng.boolLike()]
    case 14:
        let n = rng.chance(0.9) ? rng.int(0 ... 3) : rng.count16Like()
        let next: UInt64 = rng.chance(0.8) ? UInt64(rng.int(0 ... 6)) : rng.next()
        var out = rng.bytes(14) + [rng.statusLike(known: 7)] + le(next) + le(UInt16(truncatingIfNeeded: n))
        for _ in 0 ..< min(n, 4) {
            out += le(rng.chance(0.8) ? UInt64(rng.int(0 ... 6)) : rng.next()) + spaceArrayLike(&rng, entry: 12)
        }
        return out
    case 15, 16: return rng.bytes(6)
    case 17:
        let n = rng.count16Like()
        let blockSize: UInt32 = rng.chance(0.8) ? 64 * UInt32(rng.int(0 ... 4)) : UInt32(truncatingIfNeeded: rng.next())
        return rng.bytes(6) + le(blockSize) + le(UInt16(truncatingIfNeeded: n)) + rng.bytes(10 * min(n, 70))
    case 18: return rng.bytes(9)
    case 19:
        let n = rng.count16Like()
        return rng.bytes(17) + le(UInt16(truncatingIfNeeded: n)) + rng.bytes(8 * min(n, 70))
    case 20: return holeFillLike(&rng)
    case 21: return rng.bytes(10)
    case 22:
        let n = rng.count16Like()
        return rng.bytes(8) + le(UInt16(truncatingIfNeeded: n)) + rng.bytes(16 * min(n, 70))
    case 23: return rng.bytes(9)
    default: return rng.bytes(rng.int(0 ... 30))
    }
}

/// Applies one random mutation to a valid packet.
private func mutate(_ bytes: inout [UInt8], frameStarts: [Int], _ rng: inout SplitMix64) {
    func position() -> Int { rng.int(0 ... max(0, bytes.count - 1)) }
    switch rng.next() % 12 {
    case 0: // flip 1 to 3 bits
        guard !bytes.isEmpty else { return }
        for _ in 0 ..< rng.int(1 ... 3) { bytes[position()] ^= 1 << UInt8(rng.int(0 ... 7)) }
    case 1: // truncate
        guard !bytes.isEmpty else { return }
        bytes.removeLast(rng.int(1 ... max(1, bytes.count)))
    case 2: // extend with junk (sometimes a header-looking start)
        var junk = rng.bytes(rng.int(1 ... 24))
        if rng.chance(0.5) { junk[0] = 1 }
        bytes += junk
    case 3: // insert 1 to 4 bytes
        let junk = rng.bytes(rng.int(1 ... 4))
        bytes.insert(contentsOf: junk, at: rng.int(0 ... bytes.count))
    case 4: // delete 1 to 4 bytes
        guard !bytes.isEmpty else { return }
        let at = position()
        bytes.removeSubrange(at ..< min(bytes.count, at + rng.int(1 ... 4)))
    case 5: // change a frame's body length field
        let start = frameStarts[rng.int(0 ... frameStarts.count - 1)]
        guard start + 4 <= bytes.count else { return }
        let old = Int(bytes[start + 2]) | Int(bytes[start + 3]) << 8
        let new: Int = switch rng.next() % 4 {
        case 0: old + rng.int(-4 ... 4)
        case 1: 0
        case 2: 0xFFFF
        default: rng.int(0 ... 0xFFFF)
        }
        let l = le(UInt16(truncatingIfNeeded: new))
        bytes[start + 2] = l[0]
        bytes[start + 3] = l[1]
    case 6: // retype a frame: reinterpret its body as another message
        let start = frameStarts[rng.int(0 ... frameStarts.count - 1)]
        guard start + 1 < bytes.count else { return }
        bytes[start + 1] = UInt8(rng.int(0 ... kindCount + 1))
    case 7: // overwrite one byte with an edge value (booleans, statuses, tags, spaces 0/64/65, 0xFF)
        guard !bytes.isEmpty else { return }
        let edges: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 63, 64, 65, 0xFF]
        bytes[position()] = edges[rng.int(0 ... edges.count - 1)]
    case 8: // overwrite 8 bytes with an edge u64 (wrapping ranges, huge counts)
        guard bytes.count >= 8 else { return }
        let at = rng.int(0 ... bytes.count - 8)
        let v: UInt64 = [0, 1, .max, .max - 1, UInt64(UInt32.max)][rng.int(0 ... 4)]
        bytes.replaceSubrange(at ..< at + 8, with: le(v))
    case 9: // overwrite 2 bytes with an edge u16 (entry, op, range and word counts)
        guard bytes.count >= 2 else { return }
        let at = rng.int(0 ... bytes.count - 2)
        let v: UInt16 = [0, 1, 2, 64, 65, .max][rng.int(0 ... 5)]
        bytes.replaceSubrange(at ..< at + 2, with: le(v))
    case 10: // overwrite 4 bytes with an edge u32 (block sizes, snapshot offsets and totals, counts)
        guard bytes.count >= 4 else { return }
        let at = rng.int(0 ... bytes.count - 4)
        let v: UInt32 = [0, 1, 63, 64, 128, .max][rng.int(0 ... 5)]
        bytes.replaceSubrange(at ..< at + 4, with: le(v))
    default: // set a frame's version byte to 0...3
        let start = frameStarts[rng.int(0 ... frameStarts.count - 1)]
        guard start < bytes.count else { return }
        bytes[start] = UInt8(truncatingIfNeeded: rng.next() % 4)
    }
}
