/// Encodings of Raft messages and of the group commands their entries carry.
extension RaftMessage {
    func encodeBody(into w: inout ByteWriter) throws(WireError) {
        switch self {
        case let .requestVote(m), let .preVote(m):
            try w.u16(m.group); try w.u64(m.term); try w.u8(m.candidate); try w.u64(m.lastLogIndex); try w.u64(m.lastLogTerm)
        case let .vote(m), let .preVoteReply(m):
            try w.u16(m.group); try w.u64(m.term); try w.u8(m.voter); try w.u8(m.granted ? 1 : 0)
        case let .append(m):
            try w.u16(m.group); try w.u64(m.term); try w.u8(m.leader); try w.u64(m.prevLogIndex); try w.u64(m.prevLogTerm)
            try w.u64(m.leaderCommit)
            precondition(m.entries.count <= Int(UInt16.max), "too many entries in one append")
            try w.u16(UInt16(m.entries.count))
            for entry in m.entries {
                try w.u64(entry.term)
                try entry.command.encode(into: &w)
            }
        case let .appendReply(m):
            try w.u16(m.group); try w.u64(m.term); try w.u8(m.follower); try w.u8(m.success ? 1 : 0); try w.u64(m.index)
        case let .snapshot(m):
            try w.u16(m.group); try w.u64(m.term); try w.u8(m.leader); try w.u64(m.lastIncludedIndex); try w.u64(m.lastIncludedTerm)
            try w.u32(m.offset); try w.u32(m.totalBytes)
            precondition(m.data.count <= Int(UInt16.max), "snapshot chunk too large")
            try w.u16(UInt16(m.data.count))
            for byte in m.data { try w.u8(byte) }
        case let .snapshotReply(m):
            try w.u16(m.group); try w.u64(m.term); try w.u8(m.follower); try w.u64(m.lastIncludedIndex); try w.u32(m.nextOffset)
            try w.u8(m.done ? 1 : 0)
        }
    }

    static func decodeBody(_ type: WireType, from r: inout ByteReader) throws(WireError) -> RaftMessage {
        switch type {
        case .requestVote, .preVote:
            let request = VoteRequest(group: try r.u16(), term: try r.u64(), candidate: try r.u8(),
                                      lastLogIndex: try r.u64(), lastLogTerm: try r.u64())
            return type == .preVote ? .preVote(request) : .requestVote(request)
        case .vote, .preVoteReply:
            let reply = VoteReply(group: try r.u16(), term: try r.u64(), voter: try r.u8(), granted: try r.bool())
            return type == .preVoteReply ? .preVoteReply(reply) : .vote(reply)
        case .append:
            let group = try r.u16(), term = try r.u64(), leader = try r.u8(), prevIndex = try r.u64(), prevTerm = try r.u64()
            let commit = try r.u64()
            let count = Int(try r.u16())
            var entries = [LogEntry]()
            entries.reserveCapacity(min(count, r.remaining / 9))
            for _ in 0 ..< count {
                let entryTerm = try r.u64()
                entries.append(LogEntry(term: entryTerm, command: try GroupCommand.decode(from: &r)))
            }
            return .append(AppendEntries(group: group, term: term, leader: leader, prevLogIndex: prevIndex,
                                         prevLogTerm: prevTerm, leaderCommit: commit, entries: entries))
        case .appendReply:
            return .appendReply(AppendReply(group: try r.u16(), term: try r.u64(), follower: try r.u8(),
                                            success: try r.bool(), index: try r.u64()))
        case .snapshot:
            let group = try r.u16(), term = try r.u64(), leader = try r.u8(), index = try r.u64(), indexTerm = try r.u64()
            let offset = try r.u32(), total = try r.u32()
            let length = Int(try r.u16())
            guard UInt64(offset) + UInt64(length) <= UInt64(total) else {
                throw .inconsistent("snapshot chunk \(offset)+\(length) beyond its \(total) bytes")
            }
            var data = try r.slice(length)
            var bytes = [UInt8]()
            bytes.reserveCapacity(length)
            for _ in 0 ..< length { bytes.append(try data.u8()) }
            return .snapshot(SnapshotChunk(group: group, term: term, leader: leader, lastIncludedIndex: index,
                                           lastIncludedTerm: indexTerm, offset: offset, totalBytes: total, data: bytes))
        case .snapshotReply:
            return .snapshotReply(SnapshotReply(group: try r.u16(), term: try r.u64(), follower: try r.u8(),
                                                lastIncludedIndex: try r.u64(), nextOffset: try r.u32(), done: try r.bool()))
        default:
            throw .unknownType(type.rawValue)
        }
    }
}

extension ByteReader {
    /// A boolean byte: 0 or 1, anything else is inconsistent.
    mutating func bool() throws(WireError) -> Bool {
        let byte = try u8()
        guard byte <= 1 else { throw .inconsistent("boolean byte \(byte)") }
        return byte == 1
    }
}

enum GroupCommandTag: UInt8 {
    case leaderStart = 1, batch, takeover, useSequencer, truncate, fillHoles
}

extension GroupCommand {
    public func encode(into w: inout ByteWriter) throws(WireError) {
        switch self {
        case let .leaderStart(leader):
            try w.u8(GroupCommandTag.leaderStart.rawValue); try w.u8(leader)
        case let .batch(batch):
            try w.u8(GroupCommandTag.batch.rawValue)
            try batch.encode(into: &w)
        case let .takeover(next, noops):
            try w.u8(GroupCommandTag.takeover.rawValue); try w.u64(next)
            precondition(noops.count <= Int(UInt16.max), "too many noop batches")
            try w.u16(UInt16(noops.count))
            for batch in noops { try batch.encode(into: &w) }
        case let .useSequencer(epoch):
            try w.u8(GroupCommandTag.useSequencer.rawValue); try w.u32(epoch)
        case let .truncate(space, below):
            try w.u8(GroupCommandTag.truncate.rawValue); try w.u8(space); try w.u64(below)
        case let .fillHoles(fill):
            try w.u8(GroupCommandTag.fillHoles.rawValue)
            try RecoveryMessage.holeFill(fill).encodeBody(into: &w)
        }
    }

    static func decode(from r: inout ByteReader) throws(WireError) -> GroupCommand {
        let raw = try r.u8()
        guard let tag = GroupCommandTag(rawValue: raw) else { throw .inconsistent("group command \(raw)") }
        switch tag {
        case .leaderStart:
            return .leaderStart(leader: try r.u8())
        case .batch:
            return .batch(try CommittedBatch.decode(from: &r))
        case .takeover:
            let next = try r.u64()
            let count = Int(try r.u16())
            var noops = [CommittedBatch]()
            for _ in 0 ..< count { noops.append(try CommittedBatch.decode(from: &r)) }
            return .takeover(nextSeqRequestID: next, noops: noops)
        case .useSequencer:
            return .useSequencer(epoch: try r.u32())
        case .truncate:
            let space = try r.u8()
            guard Int(space) < maxSequenceSpaces else { throw .inconsistent("truncate of space \(space)") }
            return .truncate(space: space, below: try r.u64())
        case .fillHoles:
            guard case let .holeFill(fill) = try RecoveryMessage.decodeBody(.holeFill, from: &r) else {
                throw .inconsistent("hole fill command")
            }
            return .fillHoles(fill)
        }
    }

    /// A cheap upper bound of the encoded size, for sizing appends.
    public var encodedSizeEstimate: Int {
        switch self {
        case .leaderStart: 2
        case let .batch(b): 1 + b.encodedSizeEstimate
        case let .takeover(_, noops): 11 + noops.reduce(0) { $0 + $1.encodedSizeEstimate }
        case .useSequencer: 5
        case .truncate: 10
        case let .fillHoles(fill): 20 + 12 * fill.ranges.count
        }
    }
}

extension CommittedBatch {
    func encode(into w: inout ByteWriter) throws(WireError) {
        try w.u16(group); try w.u64(seqRequestID); try w.u64(batchID); try w.u32(epoch)
        precondition(ops.count <= Int(UInt16.max), "too many operations in one batch")
        try w.u16(UInt16(ops.count))
        for op in ops {
            try w.u32(op.client); try w.u64(op.requestID); try w.u8(op.isNoop ? 1 : 0); try w.u64(op.acknowledgedBelow)
            try op.numbers.encode(into: &w)
        }
    }

    static func decode(from r: inout ByteReader) throws(WireError) -> CommittedBatch {
        let group = try r.u16(), srid = try r.u64(), batchID = try r.u64(), epoch = try r.u32()
        let count = Int(try r.u16())
        var ops = [CommittedOperation]()
        ops.reserveCapacity(min(count, r.remaining / 14))
        for _ in 0 ..< count {
            let client = try r.u32(), requestID = try r.u64(), noop = try r.bool(), acked = try r.u64()
            let numbers = try MultiSequenceNumber.decode(from: &r)
            guard numbers.spaceCount > 0 else { throw .inconsistent("committed operation with no spaces") }
            ops.append(CommittedOperation(client: client, requestID: requestID, numbers: numbers, isNoop: noop,
                                          acknowledgedBelow: acked))
        }
        return CommittedBatch(group: group, seqRequestID: srid, batchID: batchID, epoch: epoch, ops: ops)
    }

    /// Bytes this batch takes on the wire (exact).
    public var encodedSizeEstimate: Int {
        24 + ops.reduce(0) { $0 + 22 + 12 * $1.numbers.spaceCount }
    }
}
