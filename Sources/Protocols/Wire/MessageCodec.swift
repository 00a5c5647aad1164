/// The binary codec. A packet holds one or more frames; a frame is
///
///     version u8 | type u8 | body length u16 | body
///
/// with every integer little-endian. Bodies are fixed fields followed by per-space arrays
/// (`spaces u8`, then one entry per space). Decoding checks every length and value and throws a
/// `WireError` for anything short, long, unknown or inconsistent.
public enum WireFormat {
    public static let version: UInt8 = 1
    public static let frameHeaderSize = 4
    /// No encoded message is larger than this: a frame's body length is a u16.
    public static let maxMessageSize = frameHeaderSize + Int(UInt16.max)
}

enum WireType: UInt8 {
    case clientRequest = 1, clientReply, sequencerRequest, sequencerReply, heartbeat, heartbeatReply
    case requestVote, vote, append, appendReply, snapshot, snapshotReply
    case claim, claimReply, recoveryStart, recoveryPoll, recoveryReport, bitmapRequest, bitmapBlock, holeFill, holeFillAck
    case gcToken, gcTruncate
    /// Added after the others so every earlier type keeps its number.
    case preVote, preVoteReply
}

extension Message {
    var wireType: WireType {
        switch self {
        case .clientRequest: .clientRequest
        case .clientReply: .clientReply
        case .sequencerRequest: .sequencerRequest
        case .sequencerReply: .sequencerReply
        case .heartbeat: .heartbeat
        case .heartbeatReply: .heartbeatReply
        case let .raft(m):
            switch m {
            case .requestVote: .requestVote
            case .vote: .vote
            case .append: .append
            case .appendReply: .appendReply
            case .snapshot: .snapshot
            case .snapshotReply: .snapshotReply
            case .preVote: .preVote
            case .preVoteReply: .preVoteReply
            }
        case let .recovery(m):
            switch m {
            case .claim: .claim
            case .claimReply: .claimReply
            case .start: .recoveryStart
            case .poll: .recoveryPoll
            case .report: .recoveryReport
            case .bitmapRequest: .bitmapRequest
            case .bitmapBlock: .bitmapBlock
            case .holeFill: .holeFill
            case .holeFillAck: .holeFillAck
            }
        case let .gc(m):
            switch m {
            case .token: .gcToken
            case .truncate: .gcTruncate
            }
        }
    }

    /// Appends this message as one frame.
    public func encode(into w: inout ByteWriter) throws(WireError) {
        let start = w.count
        try w.u8(WireFormat.version)
        try w.u8(wireType.rawValue)
        try w.u16(0)
        switch self {
        case let .clientRequest(m):
            try w.u32(m.client); try w.u64(m.requestID); try w.u16(m.group); try w.u64(m.acknowledgedBelow)
            try m.counts.encode(into: &w)
        case let .clientReply(m):
            try w.u32(m.client); try w.u64(m.requestID); try w.u16(m.group); try w.u8(m.status.rawValue)
            try w.u8(m.leaderHint == nil ? 0 : 1)
            try w.u32(m.leaderHint?.id ?? 0)
            try m.numbers.encode(into: &w)
        case let .sequencerRequest(m):
            try w.u16(m.group); try w.u64(m.term); try w.u32(m.epoch); try w.u64(m.batchID); try w.u64(m.seqRequestID); try w.u64(m.durableBelow)
            try m.counts.encode(into: &w)
        case let .sequencerReply(m):
            try w.u16(m.group); try w.u32(m.epoch); try w.u64(m.batchID); try w.u64(m.seqRequestID); try w.u8(m.status.rawValue)
            try m.numbers.encode(into: &w)
        case let .heartbeat(m), let .heartbeatReply(m):
            try w.u16(m.group); try w.u32(m.epoch); try w.u64(m.nonce); try w.u64(m.durableBelow)
        case let .raft(m):
            try m.encodeBody(into: &w)
        case let .recovery(m):
            try m.encodeBody(into: &w)
        case let .gc(m):
            try m.encodeBody(into: &w)
        }
        let bodyLength = w.count - start - WireFormat.frameHeaderSize
        guard bodyLength <= Int(UInt16.max) else { throw .frameTooLarge(bodyBytes: bodyLength) }
        w.patch(UInt16(bodyLength), at: start + 2)
    }

    /// Reads exactly one frame.
    public static func decode(from r: inout ByteReader) throws(WireError) -> Message {
        let version = try r.u8()
        guard version == WireFormat.version else { throw .unsupportedVersion(version) }
        let rawType = try r.u8()
        guard let type = WireType(rawValue: rawType) else { throw .unknownType(rawType) }
        let length = Int(try r.u16())
        var b = try r.slice(length)
        let message: Message
        switch type {
        case .clientRequest:
            let client = try b.u32(), requestID = try b.u64(), group = try b.u16(), acked = try b.u64()
            let counts = try SpaceCounts.decode(from: &b)
            guard counts.spaceCount > 0 else { throw .inconsistent("client request with no spaces") }
            guard !counts.isEmpty else { throw .inconsistent("client request asks for no numbers") }
            guard acked <= requestID else { throw .inconsistent("acknowledged \(acked) beyond request \(requestID)") }
            message = .clientRequest(ClientRequest(client: client, requestID: requestID, group: group,
                                                   acknowledgedBelow: acked, counts: counts))
        case .clientReply:
            let client = try b.u32(), requestID = try b.u64(), group = try b.u16()
            let rawStatus = try b.u8()
            guard let status = ClientReplyStatus(rawValue: rawStatus) else { throw .inconsistent("client reply status \(rawStatus)") }
            let hasHint = try b.u8(), hint = try b.u32()
            guard hasHint <= 1, hasHint == 1 || hint == 0 else { throw .inconsistent("leader hint flag \(hasHint) with hint \(hint)") }
            let numbers = try MultiSequenceNumber.decode(from: &b)
            guard (status == .ok) == (numbers.spaceCount > 0) else {
                throw .inconsistent("client reply \(status) with \(numbers.spaceCount) spaces")
            }
            message = .clientReply(ClientReply(client: client, requestID: requestID, group: group, status: status,
                                               leaderHint: hasHint == 1 ? Endpoint(hint) : nil, numbers: numbers))
        case .sequencerRequest:
            let group = try b.u16(), term = try b.u64(), epoch = try b.u32()
            let batchID = try b.u64(), srid = try b.u64(), durable = try b.u64()
            let counts = try SpaceCounts.decode(from: &b)
            guard counts.spaceCount > 0 else { throw .inconsistent("sequencer request with no spaces") }
            message = .sequencerRequest(SequencerRequest(group: group, term: term, epoch: epoch, batchID: batchID,
                                                         seqRequestID: srid, durableBelow: durable, counts: counts))
        case .sequencerReply:
            let group = try b.u16(), epoch = try b.u32(), batchID = try b.u64(), srid = try b.u64()
            let rawStatus = try b.u8()
            guard let status = SequencerReplyStatus(rawValue: rawStatus) else { throw .inconsistent("sequencer reply status \(rawStatus)") }
            let numbers = try MultiSequenceNumber.decode(from: &b)
            let carriesNumbers = status == .allocated || status == .retransmission
            guard carriesNumbers == (numbers.spaceCount > 0) else {
                throw .inconsistent("sequencer reply \(status) with \(numbers.spaceCount) spaces")
            }
            message = .sequencerReply(SequencerReply(group: group, epoch: epoch, batchID: batchID, seqRequestID: srid,
                                                     status: status, numbers: numbers))
        case .heartbeat, .heartbeatReply:
            let beat = Heartbeat(group: try b.u16(), epoch: try b.u32(), nonce: try b.u64(), durableBelow: try b.u64())
            message = type == .heartbeat ? .heartbeat(beat) : .heartbeatReply(beat)
        case .requestVote, .vote, .append, .appendReply, .snapshot, .snapshotReply, .preVote, .preVoteReply:
            message = .raft(try RaftMessage.decodeBody(type, from: &b))
        case .claim, .claimReply, .recoveryStart, .recoveryPoll, .recoveryReport, .bitmapRequest, .bitmapBlock, .holeFill,
             .holeFillAck:
            message = .recovery(try RecoveryMessage.decodeBody(type, from: &b))
        case .gcToken, .gcTruncate:
            message = .gc(try GCMessage.decodeBody(type, from: &b))
        }
        guard b.remaining == 0 else { throw .trailingBytes(count: b.remaining) }
        return message
    }

    /// This message as one frame in a new array (for tests and tools; hosts encode in place).
    /// Precondition: the message fits one frame (roles never build larger ones: batches and
    /// appends are bounded by configuration); a larger one is a programming error and traps.
    public func encoded() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: WireFormat.maxMessageSize)
        let n = out.withUnsafeMutableBytes { buf in
            var w = ByteWriter(buf)
            do {
                try encode(into: &w)
            } catch {
                preconditionFailure("a message larger than one frame was built: \(error)")
            }
            return w.count
        }
        out.removeSubrange(n...)
        return out
    }

    /// Decodes a buffer that must hold exactly one frame.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(WireError) {
        var r = ByteReader(bytes)
        self = try Message.decode(from: &r)
        guard r.remaining == 0 else { throw .trailingBytes(count: r.remaining) }
    }

    public init(decoding bytes: [UInt8]) throws(WireError) {
        let result: Result<Message, WireError> = bytes.withUnsafeBytes { buf in
            do throws(WireError) { return .success(try Message(decoding: buf)) } catch { return .failure(error) }
        }
        self = try result.get()
    }

    /// Decodes every frame of a packet, in order. One bad frame rejects the rest of the packet.
    public static func decodePacket(_ bytes: UnsafeRawBufferPointer, into messages: inout [Message]) throws(WireError) {
        var r = ByteReader(bytes)
        guard r.remaining > 0 else { throw .truncated(offset: 0, needed: WireFormat.frameHeaderSize) }
        while r.remaining > 0 { messages.append(try decode(from: &r)) }
    }
}

extension ByteReader {
    /// A per-space list: its length in one byte (at most `maxSequenceSpaces`), then that many
    /// `entrySize`-byte entries, each read by `entry` with its space's index.
    mutating func perSpace<Entry>(entrySize: Int, _ entry: (inout ByteReader, Int) throws(WireError) -> Entry) throws(WireError) -> [Entry] {
        let n = Int(try u8())
        guard n <= maxSequenceSpaces else { throw .tooManySpaces(n) }
        guard remaining >= n * entrySize else { throw .truncated(offset: position, needed: n * entrySize - remaining) }
        var entries = [Entry]()
        entries.reserveCapacity(n)
        for space in 0 ..< n { entries.append(try entry(&self, space)) }
        return entries
    }
}

extension SpaceCounts {
    func encode(into w: inout ByteWriter) throws(WireError) {
        precondition(counts.count <= maxSequenceSpaces, "too many sequence spaces")
        try w.u8(UInt8(counts.count))
        for c in counts { try w.u32(c) }
    }

    static func decode(from r: inout ByteReader) throws(WireError) -> SpaceCounts {
        SpaceCounts(try r.perSpace(entrySize: 4) { (r, _) throws(WireError) in try r.u32() })
    }
}

extension MultiSequenceNumber {
    func encode(into w: inout ByteWriter) throws(WireError) {
        precondition(ranges.count <= maxSequenceSpaces, "too many sequence spaces")
        try w.u8(UInt8(ranges.count))
        for range in ranges { try w.u64(range.first); try w.u32(range.count) }
    }

    static func decode(from r: inout ByteReader) throws(WireError) -> MultiSequenceNumber {
        MultiSequenceNumber(try r.perSpace(entrySize: 12) { (r, space) throws(WireError) in
            let first = try r.u64(), count = try r.u32()
            guard count > 0 || first == 0 else { throw .inconsistent("empty range in space \(space) starts at \(first)") }
            guard first.addingReportingOverflow(UInt64(count)).overflow == false else {
                throw .inconsistent("range in space \(space) wraps past 2^64")
            }
            return SpaceRange(first: first, count: count)
        })
    }
}
