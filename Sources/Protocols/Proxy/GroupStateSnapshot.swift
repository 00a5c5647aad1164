/// A group's state as snapshot bytes (Raft log compaction ships these to lagging followers).
/// Decoding checks every length: a corrupt snapshot is a typed error, never a trap.
extension GroupState {
    public func snapshot() -> [UInt8] {
        var w = GrowingWriter()
        w.u16(group); w.u8(UInt8(spaces)); w.u32(epoch)
        w.u64(resolvedBelow); w.u64(nextSeqRequestIDFloor)
        w.u32(UInt32(resolvedAbove.count))
        for id in resolvedAbove.sorted() { w.u64(id) }
        w.u32(UInt32(appliedFills.count))
        for fill in appliedFills.sorted() { w.u32(fill) }
        w.u32(UInt32(clients.count))
        for (id, record) in clients.sorted(by: { $0.key < $1.key }) {
            w.u32(id); w.u64(record.committedBelow); w.u64(record.acknowledgedBelow)
            w.u32(UInt32(record.answers.count))
            for (request, numbers) in record.answers.sorted(by: { $0.key < $1.key }) {
                w.u64(request)
                w.u8(UInt8(numbers.spaceCount))
                for range in numbers.ranges { w.u64(range.first); w.u32(range.count) }
            }
        }
        for bitmap in bitmaps {
            w.u64(bitmap.blockSize); w.u64(bitmap.base)
            w.u32(UInt32(bitmap.words.count))
            for word in bitmap.words { w.u64(word) }
        }
        return w.bytes
    }

    public init(snapshot bytes: [UInt8]) throws(WireError) {
        let result: Result<GroupState, WireError> = bytes.withUnsafeBytes { buffer in
            do throws(WireError) {
                var r = ByteReader(buffer)
                return .success(try GroupState(reading: &r))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    private init(reading r: inout ByteReader) throws(WireError) {
        let group = try r.u16(), spaces = Int(try r.u8()), epoch = try r.u32()
        guard (1 ... maxSequenceSpaces).contains(spaces) else { throw .tooManySpaces(spaces) }
        self.init(group: group, spaces: spaces, blockSize: 64, initialBlocks: 1)
        self.epoch = epoch
        resolvedBelow = try r.u64()
        nextSeqRequestIDFloor = try r.u64()
        for _ in 0 ..< Int(try r.count(atLeast: 8)) { resolvedAbove.insert(try r.u64()) }
        for _ in 0 ..< Int(try r.count(atLeast: 4)) { appliedFills.insert(try r.u32()) }
        for _ in 0 ..< Int(try r.count(atLeast: 24)) {
            let id = try r.u32()
            var record = ClientRecord(committedBelow: try r.u64(), acknowledgedBelow: try r.u64())
            for _ in 0 ..< Int(try r.count(atLeast: 9)) {
                let request = try r.u64()
                let n = Int(try r.u8())
                guard n == spaces else { throw .inconsistent("answer with \(n) spaces in a \(spaces)-space group") }
                var ranges = [SpaceRange]()
                for _ in 0 ..< n { ranges.append(SpaceRange(first: try r.u64(), count: try r.u32())) }
                record.answers[request] = MultiSequenceNumber(ranges)
            }
            clients[id] = record
        }
        bitmaps = []
        for _ in 0 ..< spaces {
            let blockSize = try r.u64(), base = try r.u64()
            guard blockSize > 0, blockSize % 64 == 0 else { throw .inconsistent("bitmap block size \(blockSize)") }
            var words = [UInt64]()
            for _ in 0 ..< Int(try r.count(atLeast: 8)) { words.append(try r.u64()) }
            bitmaps.append(ReceivedBitmap(blockSize: blockSize, base: base, words: words))
        }
        guard r.remaining == 0 else { throw .trailingBytes(count: r.remaining) }
    }
}

extension ByteReader {
    /// A u32 element count whose elements take at least `size` bytes each: a count the remaining
    /// bytes cannot hold is an error before any loop runs.
    mutating func count(atLeast size: Int) throws(WireError) -> UInt32 {
        let n = try u32()
        guard UInt64(n) * UInt64(size) <= UInt64(remaining) else {
            throw .truncated(offset: position, needed: Int(n) * size - remaining)
        }
        return n
    }
}
