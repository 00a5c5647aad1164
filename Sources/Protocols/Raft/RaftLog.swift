/// A replica's log: the snapshot that replaces every entry through `snapshotIndex`, then the
/// entries after it. Indexes start at 1; index 0 (term 0) is the empty log's "previous entry".
/// Terms never decrease along the log.
struct RaftLog {
    private(set) var snapshotIndex: UInt64 = 0
    private(set) var snapshotTerm: UInt64 = 0
    private(set) var snapshotBytes: [UInt8] = []
    /// `entries[k]` is the entry at index `snapshotIndex + 1 + k`.
    private(set) var entries: [LogEntry] = []

    var lastIndex: UInt64 { snapshotIndex + UInt64(entries.count) }
    var lastTerm: UInt64 { entries.last?.term ?? snapshotTerm }

    /// The term of the entry at `index`, or nil when the log does not hold it (compacted or beyond
    /// the end). The snapshot's last index counts as held.
    func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshotTerm }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[position(index)].term
    }

    func entry(at index: UInt64) -> LogEntry? {
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[position(index)]
    }

    /// Whether the log holds an entry at `index` with `term` (or `index` is the snapshot's last index
    /// of that term).
    func matches(index: UInt64, term: UInt64) -> Bool { self.term(at: index) == term }

    /// The entries from `index` on (none when `index` is not held or beyond the end).
    func entries(from index: UInt64) -> [LogEntry] {
        guard index > snapshotIndex, index <= lastIndex else { return [] }
        return Array(entries[position(index)...])
    }

    /// Consecutive entries from `index` whose estimated size fits `maxBytes` (and whose count fits the
    /// wire's u16); at least one entry when `index` is held.
    func batch(from index: UInt64, maxBytes: Int) -> [LogEntry] {
        guard index > snapshotIndex, index <= lastIndex else { return [] }
        let start = position(index)
        var end = start + 1
        var bytes = entries[start].estimatedBytes
        while end < entries.count, end - start < Int(UInt16.max) {
            bytes += entries[end].estimatedBytes
            if bytes > maxBytes { break }
            end += 1
        }
        return Array(entries[start ..< end])
    }

    /// The highest index at or below `index` whose term is at most `term` (never below the
    /// snapshot). Terms never decrease along the log, so this is a binary search.
    func lastIndex(atOrBelow index: UInt64, withTermAtMost term: UInt64) -> UInt64 {
        var low = snapshotIndex          // term(low) is known to qualify (or is the floor)
        var high = min(index, lastIndex)
        guard high > low else { return low }
        if entries[position(high)].term <= term { return high }
        // Invariant: low qualifies (or is the snapshot floor), high does not.
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if entries[position(mid)].term <= term { low = mid } else { high = mid }
        }
        return low
    }

    mutating func append(_ entry: LogEntry) {
        precondition(entry.term >= lastTerm, "terms never decrease along the log")
        entries.append(entry)
    }

    /// Drops every entry from `index` on (a follower's conflicting suffix).
    mutating func truncate(from index: UInt64) {
        precondition(index > snapshotIndex, "the snapshot is never truncated")
        guard index <= lastIndex else { return }
        entries.removeSubrange(position(index)...)
    }

    /// Replaces the entries through `index` (held, not beyond the end) by a snapshot.
    mutating func compact(through index: UInt64, bytes: [UInt8]) {
        precondition(index > snapshotIndex && index <= lastIndex, "compaction must cover held entries")
        let term = entries[position(index)].term
        entries.removeSubrange(..<(position(index) + 1))
        snapshotIndex = index
        snapshotTerm = term
        snapshotBytes = bytes
    }

    /// Installs a snapshot received from a leader: entries after it are kept only when the log
    /// holds the snapshot's last entry itself (same index and term); otherwise the log is replaced.
    mutating func install(index: UInt64, term: UInt64, bytes: [UInt8]) {
        precondition(index > snapshotIndex, "an installed snapshot is newer than the current one")
        if matches(index: index, term: term) {
            entries.removeSubrange(..<(position(index) + 1))
        } else {
            entries.removeAll()
        }
        snapshotIndex = index
        snapshotTerm = term
        snapshotBytes = bytes
    }

    private func position(_ index: UInt64) -> Int { Int(index - snapshotIndex - 1) }
}

extension LogEntry {
    /// A cheap upper bound of the entry's encoded size (its term, then its command), for sizing appends.
    var estimatedBytes: Int { 8 + command.encodedSizeEstimate }
}
