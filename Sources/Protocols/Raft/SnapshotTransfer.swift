/// The leader's side of sending one snapshot to one follower: chunks of `chunkBytes` go out with at
/// most `window` unacknowledged; the follower acknowledges the contiguous prefix it holds
/// (`SnapshotReply.nextOffset`). A repeated acknowledgement resends from it (once per offset), and a
/// window unacknowledged for a heartbeat interval is resent from the acknowledged offset.
/// Completion is by byte count, never by a count of chunks: the follower says `done` once it holds
/// `totalBytes` bytes and installed them.
struct SnapshotSender {
    /// Chunks that may be unacknowledged at once.
    static let window = 4

    let index: UInt64
    let term: UInt64
    /// The snapshot as the leader had it when the transfer began; a later compaction does not
    /// disturb a transfer under way (the follower gets the newer snapshot afterwards if it needs it).
    let bytes: [UInt8]
    /// The follower holds bytes `0 ..< acked`.
    private(set) var acked = 0
    /// Bytes `0 ..< sent` went out at least once since the last rewind.
    private(set) var sent = 0
    /// An empty snapshot still takes one (empty) chunk.
    private var sentEmpty = false
    /// The offset last resent from (on a repeated acknowledgement or a timeout).
    private var resentFrom: Int?
    private(set) var lastProgressAt: Instant

    init(index: UInt64, term: UInt64, bytes: [UInt8], at now: Instant) {
        precondition(bytes.count <= Int(UInt32.max), "a snapshot is at most 4 GiB")
        self.index = index
        self.term = term
        self.bytes = bytes
        lastProgressAt = now
    }

    /// The byte ranges to send now, advancing `sent`.
    mutating func nextChunks(chunkBytes: Int, at now: Instant) -> [Range<Int>] {
        if bytes.isEmpty {
            guard !sentEmpty else { return [] }
            sentEmpty = true
            lastProgressAt = now
            return [0 ..< 0]
        }
        var ranges: [Range<Int>] = []
        let limit = min(bytes.count, acked + Self.window * chunkBytes)
        if sent == acked && sent < limit { lastProgressAt = now }
        while sent < limit {
            let end = min(sent + chunkBytes, bytes.count)
            ranges.append(sent ..< end)
            sent = end
        }
        return ranges
    }

    /// The follower holds bytes `0 ..< nextOffset` of this snapshot.
    /// * More than acknowledged so far: the window moves on.
    /// * Offset 0 after progress: it started over (a newer transfer replaced ours there): resend from 0.
    /// * The acknowledged offset again while later chunks are out: the chunk there was lost or
    ///   overtaken (the follower takes chunks only in order), so resend from it, once per offset.
    /// * Any other lower offset is a reordered older reply: ignored (rewinding on those would
    ///   multiply chunks).
    mutating func received(nextOffset: Int, at now: Instant) {
        let offset = min(nextOffset, bytes.count)
        if offset > acked {
            acked = offset
            sent = max(sent, offset)
            lastProgressAt = now
        } else if offset == 0 && acked > 0 {
            acked = 0
            rewind(at: now)
        } else if offset == acked && sent > acked && resentFrom != acked {
            rewind(at: now)
        }
    }

    private mutating func rewind(at now: Instant) {
        sent = acked
        resentFrom = acked
        sentEmpty = false
        lastProgressAt = now
    }

    /// Nothing acknowledged for a heartbeat interval: resend the window from the acknowledged offset.
    mutating func rewindIfStalled(at now: Instant, heartbeatMicros: UInt64) -> Bool {
        guard now >= lastProgressAt.adding(microseconds: heartbeatMicros) else { return false }
        rewind(at: now)
        return true
    }
}

/// The follower's side: the contiguous prefix received so far of one leader's snapshot.
struct SnapshotReceiver {
    /// The leader's term when it sent the snapshot, and the snapshot's last index and term.
    let leaderTerm: UInt64
    let index: UInt64
    let term: UInt64
    let totalBytes: Int
    private(set) var bytes: [UInt8] = []

    init(chunk: SnapshotChunk) {
        leaderTerm = chunk.term
        index = chunk.lastIncludedIndex
        term = chunk.lastIncludedTerm
        totalBytes = Int(chunk.totalBytes)
        bytes.reserveCapacity(totalBytes)
    }

    var isComplete: Bool { bytes.count == totalBytes }

    /// Whether `chunk` belongs to this transfer.
    func isSameTransfer(_ chunk: SnapshotChunk) -> Bool {
        chunk.term == leaderTerm && chunk.lastIncludedIndex == index && chunk.lastIncludedTerm == term
            && Int(chunk.totalBytes) == totalBytes
    }

    /// Whether `chunk` belongs to a transfer that supersedes this one (a newer leader or snapshot).
    func isSupersededBy(_ chunk: SnapshotChunk) -> Bool {
        chunk.term > leaderTerm || (chunk.term == leaderTerm && chunk.lastIncludedIndex > index)
    }

    /// Takes the chunk when it continues the contiguous prefix; duplicates and gaps are ignored.
    mutating func accept(_ chunk: SnapshotChunk) {
        guard Int(chunk.offset) == bytes.count else { return }
        bytes.append(contentsOf: chunk.data)
    }
}
