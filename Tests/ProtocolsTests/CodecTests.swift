// Tests of the versioned binary wire codec (Sources/Protocols/Wire), through the public API only:
// exact round trips of random valid messages, multi-frame packets, fuzzing of random and mutated
// byte strings (every input must decode or fail with a typed `WireError`, never trap, and whatever
// decodes must be canonical), targeted typed errors, and the exact little-endian byte layout.
import Protocols
import Testing

@Suite struct CodecTests {

    // MARK: 1. Round trips

    @Test func randomValidMessagesRoundTripExactly() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0001)
        var failures = FailureLog()
        var perType = [Int](repeating: 0, count: 7)
        for i in 0 ..< 24_000 {
            let m = randomValidMessage(&rng, kind: i % 6)
            let bytes = m.encoded()
            perType[Int(wireTypeCode(m))] += 1
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
                failures.record("round trip of \(m) gave \(decoded); bytes \(hex(bytes))")
            }
        }
        #expect(perType[1 ... 6].allSatisfy { $0 == 4_000 }, "every message case is exercised")
        failures.expectNone()
    }

    @Test func concatenatedFramesDecodeInOrder() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0002)
        var failures = FailureLog()
        let sentinel = Message.heartbeat(Heartbeat(group: 9, nonce: 9, durableBelow: 9))
        for _ in 0 ..< 3_000 {
            let messages = (0 ..< rng.int(1 ... 8)).map { _ in randomValidMessage(&rng, kind: rng.int(0 ... 5)) }
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
                failures.record("packet of \(messages.count) frames failed: \(error); bytes \(hex(packet))")
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
        for i in 0 ..< 600 {
            let m = randomValidMessage(&rng, kind: i % 6)
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
        for i in 0 ..< 40_000 {
            let bytes = i % 3 == 0 ? randomBytes(&rng) : randomFrameLikeBytes(&rng)
            checkFuzzInput(bytes, &stats)
        }
        stats.failures.expectNone()
        #expect(stats.inputs == 40_000)
        // Not vacuous: a fair share of the frame-like inputs are valid messages.
        #expect(stats.singleOK > 2_000, "only \(stats.singleOK) random inputs decoded")
        #expect(stats.packetOK > stats.singleOK, "some random inputs are valid multi-frame packets")
    }

    @Test func mutatedValidEncodingsDecodeOrFailWithTypedErrorAndDecodedOnesAreCanonical() {
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0005)
        // A pool of valid packets (1 to 3 frames), with each frame's start offset.
        var pool: [(bytes: [UInt8], frameStarts: [Int])] = []
        for i in 0 ..< 400 {
            var bytes: [UInt8] = []
            var starts: [Int] = []
            for j in 0 ..< (i % 4 == 0 ? rng.int(2 ... 3) : 1) {
                starts.append(bytes.count)
                bytes += randomValidMessage(&rng, kind: (i + j) % 6, smallSpaces: true).encoded()
            }
            pool.append((bytes, starts))
        }
        var stats = FuzzStats()
        for _ in 0 ..< 60_000 {
            let (original, starts) = pool[rng.int(0 ... pool.count - 1)]
            var bytes = original
            for _ in 0 ..< (rng.chance(0.2) ? 2 : 1) {
                mutate(&bytes, frameStarts: starts, &rng)
            }
            checkFuzzInput(bytes, &stats)
        }
        stats.failures.expectNone()
        #expect(stats.inputs == 60_000)
        #expect(stats.singleOK > 3_000, "only \(stats.singleOK) mutated inputs decoded as one frame")
        #expect(stats.inputs - stats.packetOK > stats.inputs / 2, "most mutations are rejected")
    }

    // MARK: 3. Targeted typed errors

    @Test func shortPacketIsTruncated() {
        // Cut inside the frame header: the u16 body length needs 1 more byte at offset 2.
        #expect(decodeOne([1, 5, 18]) == .failure(.truncated(offset: 2, needed: 1)))
        #expect(decodePacket([1, 5, 18]) == .failure(.truncated(offset: 2, needed: 1)))
        #expect(decodeOne([1]) == .failure(.truncated(offset: 1, needed: 1)))
        // Cut inside the body: the header declares 18 body bytes and only 6 follow.
        let beat = Message.heartbeat(Heartbeat(group: 1, nonce: 2, durableBelow: 3)).encoded()
        #expect(beat.count == 22)
        #expect(decodeOne(Array(beat.prefix(10))) == .failure(.truncated(offset: 4, needed: 12)))
        #expect(decodePacket(Array(beat.prefix(21))) == .failure(.truncated(offset: 4, needed: 1)))
        // Every strict prefix of every valid frame is truncated, never something else.
        var rng = SplitMix64(seed: 0xC0DE_C0DE_0006)
        for i in 0 ..< 60 {
            let frame = randomValidMessage(&rng, kind: i % 6).encoded()
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
        // A heartbeat whose body length says 19 (one more than its fields) and carries that byte.
        let body: [UInt8] = le(UInt16(1)) + le(UInt64(2)) + le(UInt64(3)) + [0xAB]
        #expect(decodeOne(frame(type: 5, body)) == .failure(.trailingBytes(count: 1)))
        #expect(decodePacket(frame(type: 5, body)) == .failure(.trailingBytes(count: 1)))
        // The same for a sequencer reply with spaces: 3 junk bytes after its last range.
        let reply = Message.sequencerReply(SequencerReply(group: 1, batchID: 2, seqRequestID: 3, status: .allocated,
                                                          numbers: MultiSequenceNumber([SpaceRange(first: 10, count: 4)])))
        var bytes = reply.encoded() + [7, 7, 7]
        bytes[2] &+= 3
        #expect(decodeOne(bytes) == .failure(.trailingBytes(count: 3)))
        // Bytes after a complete frame, outside its body, are a second frame to decodePacket but
        // trailing bytes to the single-frame decoder.
        let beat = Message.heartbeat(Heartbeat(group: 1, nonce: 2, durableBelow: 3)).encoded()
        #expect(decodeOne(beat + [1, 2]) == .failure(.trailingBytes(count: 2)))
    }

    @Test func unknownVersionIsUnsupportedVersion() {
        let beat = Message.heartbeat(Heartbeat(group: 1, nonce: 2, durableBelow: 3)).encoded()
        for version: UInt8 in [0, 2, 3, 0x7F, 0xFF] {
            var bytes = beat
            bytes[0] = version
            #expect(decodeOne(bytes) == .failure(.unsupportedVersion(version)))
            #expect(decodePacket(bytes) == .failure(.unsupportedVersion(version)))
        }
        // The version is checked before anything else: before the type, before the length.
        #expect(decodeOne([9, 99]) == .failure(.unsupportedVersion(9)))
        #expect(decodeOne([2]) == .failure(.unsupportedVersion(2)))
    }

    @Test func unknownTypeIsUnknownType() {
        for type: UInt8 in [0, 7, 8, 0x80, 0xFF] {
            #expect(decodeOne([1, type, 0, 0]) == .failure(.unknownType(type)))
            #expect(decodePacket([1, type, 0, 0]) == .failure(.unknownType(type)))
        }
        // The type is checked before the length is read.
        #expect(decodeOne([1, 0]) == .failure(.unknownType(0)))
    }

    @Test func sixtyFiveSpacesAreTooManySpaces() {
        let clientFixed = le(UInt32(1)) + le(UInt64(5)) + le(UInt16(2)) + le(UInt64(4))
        let replyFixed = le(UInt32(1)) + le(UInt64(5)) + le(UInt16(2)) + [0] + [0] + le(UInt32(0))
        let seqRequestFixed = le(UInt16(2)) + le(UInt64(1)) + le(UInt64(5)) + le(UInt64(4))
        let seqReplyFixed = le(UInt16(2)) + le(UInt64(1)) + le(UInt64(5)) + [0]
        func counts(_ n: Int) -> [UInt8] { [UInt8(n)] + (0 ..< n).flatMap { _ in le(UInt32(1)) } }
        func ranges(_ n: Int) -> [UInt8] {
            [UInt8(n)] + (0 ..< n).flatMap { i in le(UInt64(100 * i)) + le(UInt32(1)) }
        }
        let cases: [(type: UInt8, fixed: [UInt8], array: (Int) -> [UInt8])] = [
            (1, clientFixed, counts), (2, replyFixed, ranges), (3, seqRequestFixed, counts), (4, seqReplyFixed, ranges),
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
                group: 1, batchID: 2, seqRequestID: 3, status: status, numbers: MultiSequenceNumber([]))).encoded()))
        }
        for status in [SequencerReplyStatus.forgotten, .busy] {
            expectInconsistent(decodeOne(Message.sequencerReply(SequencerReply(
                group: 1, batchID: 2, seqRequestID: 3, status: status, numbers: someNumbers)).encoded()))
        }
        // Unknown status bytes.
        var badStatus = Message.clientReply(ClientReply(client: 1, requestID: 2, group: 3, status: .notLeader,
                                                        numbers: MultiSequenceNumber([]))).encoded()
        badStatus[4 + 14] = 2
        expectInconsistent(decodeOne(badStatus))
        var badSeqStatus = Message.sequencerReply(SequencerReply(group: 1, batchID: 2, seqRequestID: 3, status: .busy,
                                                                 numbers: MultiSequenceNumber([]))).encoded()
        badSeqStatus[4 + 18] = 4
        expectInconsistent(decodeOne(badSeqStatus))
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
            group: 1, batchID: 1, seqRequestID: 1, durableBelow: 0, counts: SpaceCounts([]))).encoded()))
        let zeroCounts = Message.sequencerRequest(SequencerRequest(group: 1, batchID: 1, seqRequestID: 1,
                                                                   durableBelow: 0, counts: SpaceCounts([0])))
        #expect(decodeOne(zeroCounts.encoded()) == .success(zeroCounts))
    }

    @Test func rangeThatWrapsPast2To64IsInconsistent() {
        func reply(_ range: SpaceRange) -> [UInt8] {
            Message.sequencerReply(SequencerReply(group: 1, batchID: 2, seqRequestID: 3, status: .allocated,
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
        emptyAt7[4 + 19 + 1 + 12] = 7
        expectInconsistent(decodeOne(emptyAt7))
    }

    @Test func emptyPacketIsTruncated() {
        #expect(decodePacket([]) == .failure(.truncated(offset: 0, needed: WireFormat.frameHeaderSize)))
        #expect(decodeOne([]) == .failure(.truncated(offset: 0, needed: 1)))
    }

    @Test func encodingIntoATooSmallBufferIsBufferTooSmall() {
        let beat = Message.heartbeat(Heartbeat(group: 1, nonce: 2, durableBelow: 3))
        // Header (4) and group (2) fit in 10 bytes; the u64 nonce at offset 6 needs 14.
        #expect(encodeIntoBuffer(beat, capacity: 10) == .failure(.bufferTooSmall(needed: 14, available: 10)))
        #expect(encodeIntoBuffer(beat, capacity: 0) == .failure(.bufferTooSmall(needed: 1, available: 0)))
        #expect(encodeIntoBuffer(beat, capacity: 21) == .failure(.bufferTooSmall(needed: 22, available: 21)))
        #expect(encodeIntoBuffer(beat, capacity: 22) == .success(beat.encoded()))
        // The largest message (a client reply with 64 spaces) fits in maxMessageSize.
        let largest = Message.clientReply(ClientReply(
            client: .max, requestID: .max, group: .max, status: .ok, leaderHint: Endpoint(1),
            numbers: MultiSequenceNumber((0 ..< maxSequenceSpaces).map { _ in SpaceRange(first: 1, count: 1) })))
        let encoded = encodeIntoBuffer(largest, capacity: WireFormat.maxMessageSize)
        #expect(encoded == .success(largest.encoded()))
        #expect(largest.encoded().count == 4 + 20 + 1 + 64 * 12)
    }

    // MARK: 4. Layout

    @Test func heartbeatEncodingIsVersionedLittleEndian() {
        let beat = Heartbeat(group: 0x0102, nonce: 0x1122_3344_5566_7788, durableBelow: 0x99AA_BBCC_DDEE_FF00)
        let expected: [UInt8] = [
            0x01, // version 1
            0x05, // type: heartbeat
            0x12, 0x00, // body length 18, u16 little-endian
            0x02, 0x01, // group u16
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
        // A range is first u64 then count u32.
        let reply = Message.sequencerReply(SequencerReply(group: 4, batchID: 5, seqRequestID: 6, status: .retransmission,
                                                          numbers: MultiSequenceNumber([SpaceRange(first: 0x0102, count: 3)])))
        #expect(reply.encoded() == [
            0x01, 0x04, 32, 0x00,
            4, 0, 5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, // group, batchID, seqRequestID
            1, // status: retransmission
            1, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, // 1 space: first, count
        ])
        #expect(Message.sequencerRequest(SequencerRequest(group: 1, batchID: 2, seqRequestID: 3, durableBelow: 4,
                                                          counts: SpaceCounts([5]))).encoded()
            == [0x01, 0x03, 31, 0x00] + le(UInt16(1)) + le(UInt64(2)) + le(UInt64(3)) + le(UInt64(4)) + [1] + le(UInt32(5)))
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

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

private func wireTypeCode(_ m: Message) -> UInt8 {
    switch m {
    case .clientRequest: 1
    case .clientReply: 2
    case .sequencerRequest: 3
    case .sequencerReply: 4
    case .heartbeat: 5
    case .heartbeatReply: 6
    }
}

/// The frame size the wire format specifies for `m`.
private func expectedEncodedSize(_ m: Message) -> Int {
    switch m {
    case let .clientRequest(r): 4 + 22 + 1 + 4 * r.counts.spaceCount
    case let .clientReply(r): 4 + 20 + 1 + 12 * r.numbers.spaceCount
    case let .sequencerRequest(r): 4 + 26 + 1 + 4 * r.counts.spaceCount
    case let .sequencerReply(r): 4 + 19 + 1 + 12 * r.numbers.spaceCount
    case .heartbeat, .heartbeatReply: 4 + 18
    }
}

/// Collects failures of a long loop; records only the first few as issues.
private struct FailureLog {
    var count = 0
    var firstFew: [String] = []

    mutating func record(_ what: String) {
        count += 1
        if firstFew.count < 5 { firstFew.append(what) }
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
}

private func randomCounts(_ rng: inout SplitMix64, small: Bool, nonEmpty: Bool) -> SpaceCounts {
    var counts = (0 ..< rng.spaces(small: small)).map { _ in rng.count() }
    if nonEmpty, counts.allSatisfy({ $0 == 0 }) {
        counts[rng.int(0 ... counts.count - 1)] = max(1, rng.count())
    }
    return SpaceCounts(counts)
}

private func randomNumbers(_ rng: inout SplitMix64, small: Bool) -> MultiSequenceNumber {
    MultiSequenceNumber((0 ..< rng.spaces(small: small)).map { _ in
        let count = rng.count()
        guard count > 0 else { return .empty }
        let maxFirst = UInt64.max - UInt64(count) // first + count must not overflow
        let first: UInt64 = switch rng.next() % 4 {
        case 0: 0
        case 1: maxFirst
        default: UInt64.random(in: 0 ... maxFirst, using: &rng)
        }
        return SpaceRange(first: first, count: count)
    })
}

/// A random message the decoder must accept; `kind` 0...5 picks the case in wire type order.
private func randomValidMessage(_ rng: inout SplitMix64, kind: Int, smallSpaces: Bool = false) -> Message {
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
                                            counts: randomCounts(&rng, small: smallSpaces, nonEmpty: true)))
    case 1:
        let status: ClientReplyStatus = rng.chance(0.5) ? .ok : .notLeader
        let hint: Endpoint? = rng.chance(0.3) ? nil : Endpoint(rng.chance(0.2) ? .max : UInt32(rng.next() % 1_000))
        return .clientReply(ClientReply(client: rng.u32(), requestID: rng.u64(), group: rng.u16(), status: status,
                                        leaderHint: hint,
                                        numbers: status == .ok ? randomNumbers(&rng, small: smallSpaces)
                                            : MultiSequenceNumber([])))
    case 2:
        return .sequencerRequest(SequencerRequest(group: rng.u16(), batchID: rng.u64(), seqRequestID: rng.u64(),
                                                  durableBelow: rng.u64(),
                                                  counts: randomCounts(&rng, small: smallSpaces, nonEmpty: false)))
    case 3:
        let status = SequencerReplyStatus(rawValue: UInt8(rng.next() % 4))!
        let carries = status == .allocated || status == .retransmission
        return .sequencerReply(SequencerReply(group: rng.u16(), batchID: rng.u64(), seqRequestID: rng.u64(),
                                              status: status,
                                              numbers: carries ? randomNumbers(&rng, small: smallSpaces)
                                                  : MultiSequenceNumber([])))
    case 4:
        return .heartbeat(Heartbeat(group: rng.u16(), nonce: rng.u64(), durableBelow: rng.u64()))
    default:
        return .heartbeatReply(Heartbeat(group: rng.u16(), nonce: rng.u64(), durableBelow: rng.u64()))
    }
}

// MARK: - Fuzzing

private struct FuzzStats {
    var inputs = 0
    /// Inputs `Message(decoding:)` accepted.
    var singleOK = 0
    /// Inputs `decodePacket` accepted.
    var packetOK = 0
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
    case let .unknownType(t): (1 ... 6).contains(t) ? "a known type" : nil
    case let .tooManySpaces(n): n > maxSequenceSpaces && n <= 255 ? nil : "not too many"
    case .inconsistent: nil
    case .bufferTooSmall: "decoding has no output buffer"
    }
}

/// Uniformly random bytes, 0 to 80 of them.
private func randomBytes(_ rng: inout SplitMix64) -> [UInt8] {
    (0 ..< rng.int(0 ... 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
}

/// Random bytes shaped like frames: mostly version 1, a type near 1...6, a body length that
/// usually matches, and plausible space counts and status bytes at their offsets; sometimes
/// several such frames in a row.
private func randomFrameLikeBytes(_ rng: inout SplitMix64) -> [UInt8] {
    var out: [UInt8] = []
    for _ in 0 ..< (rng.chance(0.15) ? rng.int(2 ... 3) : 1) {
        let type = rng.chance(0.9) ? UInt8(rng.int(1 ... 6)) : UInt8(truncatingIfNeeded: rng.next())
        // Fixed body bytes before the status byte (if any) and the space array.
        let (fixed, statusAt, entry): (Int, Int?, Int) = switch type {
        case 1: (22, nil, 4)
        case 2: (19, 14, 12)
        case 3: (26, nil, 4)
        case 4: (19, 18, 12)
        default: (18, nil, 0)
        }
        var body = (0 ..< fixed).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        if let statusAt { body[statusAt] = UInt8(rng.int(0 ... 4)) }
        if entry > 0 {
            let spaces = rng.chance(0.3) ? 0 : rng.chance(0.95) ? rng.int(1 ... 3) : rng.int(60 ... 70)
            body.append(UInt8(spaces))
            for _ in 0 ..< spaces {
                if entry == 12 {
                    // A range: often empty (first 0) or small, so that some decode.
                    let count = rng.chance(0.3) ? 0 : UInt32(rng.next() % 5)
                    let first = count == 0 && rng.chance(0.8) ? 0 : rng.chance(0.8) ? rng.next() % 1_000 : rng.next()
                    body += le(first) + le(count)
                } else {
                    body += le(rng.chance(0.5) ? UInt32(rng.next() % 4) : UInt32(truncatingIfNeeded: rng.next()))
                }
            }
        }
        if rng.chance(0.1) { body += (0 ..< rng.int(1 ... 4)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        if rng.chance(0.1) { body.removeLast(min(body.count, rng.int(1 ... 4))) }
        var length = body.count
        if rng.chance(0.1) { length = max(0, length + rng.int(-3 ... 3)) }
        let version: UInt8 = rng.chance(0.95) ? 1 : UInt8(truncatingIfNeeded: rng.next())
        out += [version, type] + le(UInt16(truncatingIfNeeded: length)) + body
    }
    if rng.chance(0.1) { out.removeLast(min(out.count, rng.int(1 ... 8))) }
    return out
}

/// Applies one random mutation to a valid packet.
private func mutate(_ bytes: inout [UInt8], frameStarts: [Int], _ rng: inout SplitMix64) {
    func position() -> Int { rng.int(0 ... max(0, bytes.count - 1)) }
    switch rng.next() % 10 {
    case 0: // flip 1 to 3 bits
        guard !bytes.isEmpty else { return }
        for _ in 0 ..< rng.int(1 ... 3) { bytes[position()] ^= 1 << UInt8(rng.int(0 ... 7)) }
    case 1: // truncate
        guard !bytes.isEmpty else { return }
        bytes.removeLast(rng.int(1 ... max(1, bytes.count)))
    case 2: // extend with junk (sometimes a header-looking start)
        var junk = (0 ..< rng.int(1 ... 24)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        if rng.chance(0.5) { junk[0] = 1 }
        bytes += junk
    case 3: // insert 1 to 4 bytes
        let junk = (0 ..< rng.int(1 ... 4)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
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
        bytes[start + 1] = UInt8(rng.int(0 ... 7))
    case 7: // overwrite one byte with an edge value (spaces 0/64/65, statuses, 0xFF)
        guard !bytes.isEmpty else { return }
        bytes[position()] = [0, 1, 2, 3, 4, 64, 65, 0xFF][rng.int(0 ... 7)]
    case 8: // overwrite 8 bytes with an edge u64 (wrapping ranges, huge counts)
        guard bytes.count >= 8 else { return }
        let at = rng.int(0 ... bytes.count - 8)
        let v: UInt64 = [0, 1, .max, .max - 1, UInt64(UInt32.max)][rng.int(0 ... 4)]
        bytes.replaceSubrange(at ..< at + 8, with: le(v))
    default: // set a frame's version byte to 0...3
        let start = frameStarts[rng.int(0 ... frameStarts.count - 1)]
        guard start < bytes.count else { return }
        bytes[start] = UInt8(truncatingIfNeeded: rng.next() % 4)
    }
}
