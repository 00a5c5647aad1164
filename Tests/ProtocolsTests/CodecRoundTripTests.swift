// Round trips of the versioned binary wire codec (Sources/Protocols/Wire), through the public API
// only: random valid messages of every wire type (client, sequencer, heartbeat, Raft with every
// group command, recovery, GC) encode to the specified size and decode back exactly; multi-frame
// packets decode in order; encoding into an exact buffer matches, one byte less is too small.
import Protocols
import Testing

@Suite struct CodecRoundTripTests {

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
