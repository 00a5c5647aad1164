/// Encodings of the failover and garbage-collection messages.
extension RecoveryMessage {
    func encodeBody(into w: inout ByteWriter) throws(WireError) {
        switch self {
        case let .claim(m):
            try w.u16(m.group); try w.u64(m.term); try w.u32(m.epoch); try w.u64(m.durableBelow)
        case let .claimReply(m):
            try w.u16(m.group); try w.u64(m.term); try w.u32(m.epoch); try w.u8(m.status.rawValue); try w.u64(m.nextSeqRequestID)
            try w.count16(m.allocations.count)
            for a in m.allocations { try w.u64(a.seqRequestID); try a.numbers.encode(into: &w) }
        case let .start(m):
            try w.u16(m.group); try w.u32(m.epoch)
        case let .poll(m):
            try w.u16(m.group); try w.u32(m.epoch)
        case let .report(m):
            try w.u16(m.group); try w.u32(m.epoch); try w.u32(m.blockSize)
            try w.count16(m.spaces.count)
            for shape in m.spaces { try w.u64(shape.base); try w.u16(shape.blocks) }
        case let .bitmapRequest(m):
            try w.u16(m.group); try w.u32(m.epoch); try w.u8(m.space); try w.u16(m.block)
        case let .bitmapBlock(m):
            try w.u16(m.group); try w.u32(m.epoch); try w.u8(m.space); try w.u64(m.base); try w.u16(m.block)
            try w.count16(m.words.count)
            for word in m.words { try w.u64(word) }
        case let .holeFill(m):
            try w.u16(m.group); try w.u32(m.epoch); try w.u32(m.fill); try w.u8(m.space)
            try w.count16(m.ranges.count)
            for range in m.ranges { try w.u64(range.first); try w.u32(range.count) }
        case let .holeFillAck(m):
            try w.u16(m.group); try w.u32(m.epoch); try w.u32(m.fill)
        }
    }

    static func decodeBody(_ type: WireType, from r: inout ByteReader) throws(WireError) -> RecoveryMessage {
        switch type {
        case .claim:
            return .claim(Claim(group: try r.u16(), term: try r.u64(), epoch: try r.u32(), durableBelow: try r.u64()))
        case .claimReply:
            let group = try r.u16(), term = try r.u64(), epoch = try r.u32()
            let raw = try r.u8()
            guard let status = SequencerReplyStatus(rawValue: raw) else { throw .inconsistent("claim reply status \(raw)") }
            let next = try r.u64()
            let count = Int(try r.u16())
            var allocations = [Allocation]()
            for _ in 0 ..< count {
                let srid = try r.u64()
                let numbers = try MultiSequenceNumber.decode(from: &r)
                guard srid < next else { throw .inconsistent("allocation \(srid) at or above next \(next)") }
                allocations.append(Allocation(seqRequestID: srid, numbers: numbers))
            }
            return .claimReply(ClaimReply(group: group, term: term, epoch: epoch, status: status, nextSeqRequestID: next,
                                          allocations: allocations))
        case .recoveryStart:
            return .start(RecoveryStart(group: try r.u16(), epoch: try r.u32()))
        case .recoveryPoll:
            return .poll(RecoveryPoll(group: try r.u16(), epoch: try r.u32()))
        case .recoveryReport:
            let group = try r.u16(), epoch = try r.u32(), blockSize = try r.u32()
            guard blockSize > 0, blockSize % 64 == 0 else { throw .inconsistent("bitmap block size \(blockSize)") }
            let count = Int(try r.u16())
            guard count <= maxSequenceSpaces else { throw .tooManySpaces(count) }
            var spaces = [BitmapShape]()
            for _ in 0 ..< count { spaces.append(BitmapShape(base: try r.u64(), blocks: try r.u16())) }
            return .report(RecoveryReport(group: group, epoch: epoch, blockSize: blockSize, spaces: spaces))
        case .bitmapRequest:
            return .bitmapRequest(BitmapRequest(group: try r.u16(), epoch: try r.u32(), space: try r.u8(), block: try r.u16()))
        case .bitmapBlock:
            let group = try r.u16(), epoch = try r.u32(), space = try r.u8(), base = try r.u64(), block = try r.u16()
            let count = Int(try r.u16())
            guard r.remaining >= count * 8 else { throw .truncated(offset: r.position, needed: count * 8 - r.remaining) }
            var words = [UInt64]()
            words.reserveCapacity(count)
            for _ in 0 ..< count { words.append(try r.u64()) }
            return .bitmapBlock(BitmapBlock(group: group, epoch: epoch, space: space, base: base, block: block, words: words))
        case .holeFill:
            let group = try r.u16(), epoch = try r.u32(), fill = try r.u32(), space = try r.u8()
            let count = Int(try r.u16())
            var ranges = [SpaceRange]()
            for _ in 0 ..< count {
                let first = try r.u64(), n = try r.u32()
                guard n > 0, first.addingReportingOverflow(UInt64(n)).overflow == false else {
                    throw .inconsistent("hole range \(first)+\(n)")
                }
                ranges.append(SpaceRange(first: first, count: n))
            }
            return .holeFill(HoleFill(group: group, epoch: epoch, fill: fill, space: space, ranges: ranges))
        case .holeFillAck:
            return .holeFillAck(HoleFillAck(group: try r.u16(), epoch: try r.u32(), fill: try r.u32()))
        default:
            throw .unknownType(type.rawValue)
        }
    }
}

extension GCMessage {
    func encodeBody(into w: inout ByteWriter) throws(WireError) {
        switch self {
        case let .token(m):
            try w.u64(m.round)
            try w.count16(m.counts.count)
            for c in m.counts { try w.u64(c.base); try w.u64(c.count) }
        case let .truncate(m):
            try w.u8(m.space); try w.u64(m.below)
        }
    }

    static func decodeBody(_ type: WireType, from r: inout ByteReader) throws(WireError) -> GCMessage {
        switch type {
        case .gcToken:
            let round = try r.u64()
            let count = Int(try r.u16())
            guard count <= maxSequenceSpaces else { throw .tooManySpaces(count) }
            var counts = [GCCount]()
            for _ in 0 ..< count { counts.append(GCCount(base: try r.u64(), count: try r.u64())) }
            return .token(GCToken(round: round, counts: counts))
        case .gcTruncate:
            return .truncate(GCTruncate(space: try r.u8(), below: try r.u64()))
        default:
            throw .unknownType(type.rawValue)
        }
    }
}

extension ByteWriter {
    /// A u16 element count; callers bound their arrays below 65536.
    mutating func count16(_ count: Int) throws(WireError) {
        precondition(count <= Int(UInt16.max), "array too long for a u16 count")
        try u16(UInt16(count))
    }
}
