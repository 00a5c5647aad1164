/// The numbers of one sequence space that this proxy group has committed, as a bitmap from
/// `base` up. Numbers below `base` are committed somewhere (the GC ring found their block complete
/// everywhere). A backup sequencer merges every group's bitmaps to find the holes a dead sequencer
/// left behind.
public struct ReceivedBitmap: Sendable, Equatable {
    /// Numbers per block; a multiple of 64.
    public let blockSize: UInt64
    public private(set) var base: UInt64 = 0
    /// Bit i of words[j] is number base + 64j + i.
    public private(set) var words: [UInt64]

    public init(blockSize: UInt64, initialBlocks: Int) {
        precondition(blockSize > 0 && blockSize % 64 == 0, "block size must be a positive multiple of 64")
        precondition(initialBlocks > 0, "at least one initial block")
        self.blockSize = blockSize
        words = Array(repeating: 0, count: Int(blockSize / 64) * initialBlocks)
    }

    init(blockSize: UInt64, base: UInt64, words: [UInt64]) {
        self.blockSize = blockSize
        self.base = base
        self.words = words
    }

    var wordsPerBlock: Int { Int(blockSize / 64) }
    /// Blocks held from `base` (every block is full-size).
    public var blocks: Int { (words.count + wordsPerBlock - 1) / wordsPerBlock }

    public func contains(_ number: UInt64) -> Bool {
        if number < base { return true }
        let offset = number - base
        let word = Int(offset / 64)
        return word < words.count && words[word] & (1 << (offset % 64)) != 0
    }

    /// Records `range`. Returns the first number that was already recorded, if any (the caller
    /// reports that as an anomaly: no number may be committed twice).
    public mutating func insert(_ range: SpaceRange) -> UInt64? {
        guard range.count > 0 else { return nil }
        let start = max(range.first, base)
        guard start < range.end else { return nil }
        let needed = Int((range.end - base + 63) / 64)
        if needed > words.count {
            let perBlock = wordsPerBlock
            words.append(contentsOf: repeatElement(0, count: (needed - words.count + perBlock - 1) / perBlock * perBlock))
        }
        var duplicate: UInt64?
        var n = start
        while n < range.end {
            let offset = n - base
            let word = Int(offset / 64), bit = offset % 64
            let span = min(64 - bit, range.end - n)
            let mask: UInt64 = span == 64 ? ~0 : ((1 << span) - 1) << bit
            if duplicate == nil, words[word] & mask != 0 {
                duplicate = base + UInt64(word) * 64 + UInt64((words[word] & mask).trailingZeroBitCount)
            }
            words[word] |= mask
            n += span
        }
        return duplicate
    }

    /// Numbers recorded in the block starting at `blockBase` (a multiple of the block size); a
    /// block below `base` is complete and counts whole.
    public func count(inBlockAt blockBase: UInt64) -> UInt64 {
        if blockBase < base { return blockSize }
        let first = Int((blockBase - base) / 64)
        guard first < words.count else { return 0 }
        return words[first ..< min(words.count, first + wordsPerBlock)].reduce(0) { $0 + UInt64($1.nonzeroBitCount) }
    }

    /// Drops whole blocks below `mark` (rounded down to a block boundary). Bases never decrease.
    public mutating func truncate(below mark: UInt64) {
        guard mark > base else { return }
        let dropBlocks = Int((mark - base) / blockSize)
        guard dropBlocks > 0 else { return }
        let dropWords = dropBlocks * wordsPerBlock
        if dropWords >= words.count {
            words = Array(repeating: 0, count: wordsPerBlock)
        } else {
            words.removeFirst(dropWords)
        }
        base += UInt64(dropBlocks) * blockSize
    }

    /// The words of block `index` (zeros past what is held).
    public func block(_ index: Int) -> [UInt64] {
        let start = index * wordsPerBlock
        return (start ..< start + wordsPerBlock).map { $0 < words.count ? words[$0] : 0 }
    }
}
