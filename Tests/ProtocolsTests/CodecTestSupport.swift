// Helpers shared by the Codec*Tests suites: decoding and encoding through the public API, frame
// building, the wire types and sizes the format specifies, a failure log for long loops, and the
// check every fuzz input must pass.
import Protocols
import Testing

// MARK: - Decoding and encoding helpers

func decodeOne(_ bytes: [UInt8]) -> Result<Message, WireError> {
    do throws(WireError) { return .success(try Message(decoding: bytes)) } catch { return .failure(error) }
}

func decodePacket(_ bytes: [UInt8]) -> Result<[Message], WireError> {
    bytes.withUnsafeBytes { buf in
        var out: [Message] = []
        do throws(WireError) {
            try Message.decodePacket(buf, into: &out)
            return .success(out)
        } catch { return .failure(error) }
    }
}

/// Encodes through `ByteWriter` into a buffer of exactly `capacity` bytes.
func encodeIntoBuffer(_ m: Message, capacity: Int) -> Result<[UInt8], WireError> {
    let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
    defer { buf.deallocate() }
    var w = ByteWriter(buf)
    do throws(WireError) {
        try m.encode(into: &w)
        return .success(Array(buf.prefix(w.count)))
    } catch { return .failure(error) }
}

func expectInconsistent<T>(_ result: Result<T, WireError>, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .failure(.inconsistent) = result else {
        Issue.record("expected .inconsistent, got \(result)", sourceLocation: sourceLocation)
        return
    }
}

func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

func frame(version: UInt8 = 1, type: UInt8, _ body: [UInt8]) -> [UInt8] {
    [version, type] + le(UInt16(body.count)) + body
}

func hex<C: Collection<UInt8>>(_ bytes: C) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

/// How many wire types there are; `randomValidMessage`'s kind k is wire type k + 1.
let kindCount = 25

func wireTypeCode(_ m: Message) -> UInt8 {
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
        case .preVote: 24
        case .preVoteReply: 25
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
func expectedEncodedSize(_ m: Message) -> Int { WireFormat.frameHeaderSize + expectedBodySize(m) }

func expectedBodySize(_ m: Message) -> Int {
    switch m {
    case let .clientRequest(r): 22 + 1 + 4 * r.counts.spaceCount
    case let .clientReply(r): 20 + 1 + 12 * r.numbers.spaceCount
    case let .sequencerRequest(r): 38 + 1 + 4 * r.counts.spaceCount
    case let .sequencerReply(r): 23 + 1 + 12 * r.numbers.spaceCount
    case .heartbeat, .heartbeatReply: 22
    case let .raft(r):
        switch r {
        case .requestVote, .preVote: 27
        case .vote, .preVoteReply: 12
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

func holeFillSize(_ h: HoleFill) -> Int { 13 + 12 * h.ranges.count }

func batchSize(_ b: CommittedBatch) -> Int { 24 + b.ops.reduce(0) { $0 + 22 + 12 * $1.numbers.spaceCount } }

func commandSize(_ c: GroupCommand) -> Int {
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
func commandTag(_ c: GroupCommand) -> UInt8 {
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
func checkSizeEstimates(_ m: Message, _ failures: inout FailureLog) {
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
struct FailureLog {
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

// MARK: - Checking fuzz inputs

struct FuzzStats {
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
func checkFuzzInput(_ bytes: [UInt8], _ stats: inout FuzzStats) {
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
func implausible(_ error: WireError) -> String? {
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
