/// The follower's side: AppendEntries (consistency check, conflict truncation, commit) and snapshot
/// chunks from the leader of the current term.
extension RaftNode {
    /// Accepts `from` as the leader of the current term: false (and dropped) when another leader of
    /// this term is already known, which a correct group never produces.
    private func acceptLeader(_ from: UInt8, at now: Instant) -> Bool {
        if role == .leader || (leader != nil && leader != from) {
            dropped += 1
            impossible += 1
            return false
        }
        if role == .candidate || role == .preCandidate { becomeFollower(term: term, leader: from, at: now) }
        leader = from
        leaderContact = now
        resetElectionTimer(at: now)
        return true
    }

    func receive(_ append: AppendEntries, at now: Instant, into out: inout [Output]) {
        guard acceptLeader(append.leader, at: now) else { return }
        var prev = append.prevLogIndex
        var prevTerm = append.prevLogTerm
        var entries = append.entries[...]
        if prev < log.snapshotIndex {
            // Entries through the snapshot are committed, so they match the leader's: skip them.
            let covered = log.snapshotIndex - prev
            entries = covered >= UInt64(entries.count) ? [] : entries.dropFirst(Int(covered))
            prev = log.snapshotIndex
            prevTerm = log.snapshotTerm
            guard (entries.first?.term ?? prevTerm) >= prevTerm else {
                dropped += 1
                impossible += 1 // the leader's entries after a committed one have terms no lower
                return
            }
        }
        guard log.matches(index: prev, term: prevTerm) else {
            guard prev > commitIndex else {
                dropped += 1 // a committed entry cannot differ from the leader's
                impossible += 1
                return
            }
            let hint = log.lastIndex(atOrBelow: prev - 1, withTermAtMost: prevTerm)
            reply(to: append, success: false, index: hint, into: &out)
            return
        }
        var index = prev
        for entry in entries {
            index += 1
            if let existing = log.term(at: index) {
                if existing == entry.term { continue }
                guard index > commitIndex else {
                    dropped += 1 // a committed entry cannot differ from the leader's
                    return
                }
                precondition(role != .leader, "a leader never overwrites its own entries")
                log.truncate(from: index)
            }
            log.append(entry)
        }
        let matched = prev + UInt64(entries.count)
        let commit = min(append.leaderCommit, matched)
        if commit > commitIndex { setCommit(commit) }
        reply(to: append, success: true, index: matched, into: &out)
    }

    /// Whether a leader's message could come from a correct leader (checked before its term counts):
    /// appends with prevLogTerm ≤ entry terms, non-decreasing, ≤ the leader's term, and indexes that do
    /// not overflow; chunks within their snapshot, of a real index.
    static func isWellFormed(_ message: RaftMessage) -> Bool {
        switch message {
        case let .append(append):
            guard append.prevLogIndex <= UInt64.max - UInt64(append.entries.count),
                  append.prevLogTerm <= append.term,
                  append.prevLogIndex > 0 || append.prevLogTerm == 0
            else { return false }
            var last = append.prevLogTerm
            for entry in append.entries {
                guard entry.term >= last, entry.term <= append.term else { return false }
                last = entry.term
            }
            return true
        case let .snapshot(chunk):
            return chunk.lastIncludedIndex > 0 && chunk.lastIncludedTerm <= chunk.term
                && UInt64(chunk.offset) + UInt64(chunk.data.count) <= UInt64(chunk.totalBytes)
        default:
            return true
        }
    }

    private func reply(to append: AppendEntries, success: Bool, index: UInt64, into out: inout [Output]) {
        send(.appendReply(AppendReply(group: config.group, term: term, follower: config.me, success: success,
                                      index: index)),
             to: Int(append.leader), into: &out)
    }

    func receive(_ chunk: SnapshotChunk, at now: Instant, into out: inout [Output]) {
        guard acceptLeader(chunk.leader, at: now) else { return }
        if chunk.lastIncludedIndex <= commitIndex {
            // Already holds (and committed) everything the snapshot covers.
            reply(to: chunk, nextOffset: chunk.totalBytes, done: true, into: &out)
            return
        }
        if receiver?.isSameTransfer(chunk) != true {
            guard receiver.map({ $0.isSupersededBy(chunk) }) ?? true else {
                stale += 1 // a late chunk of an older transfer
                return
            }
            guard chunk.offset == 0 else {
                reply(to: chunk, nextOffset: 0, done: false, into: &out) // start over from offset 0
                return
            }
            receiver = SnapshotReceiver(chunk: chunk)
        }
        receiver!.accept(chunk)
        let current = receiver!
        guard current.isComplete else {
            reply(to: chunk, nextOffset: UInt32(current.bytes.count), done: false, into: &out)
            return
        }
        receiver = nil
        log.install(index: current.index, term: current.term, bytes: current.bytes)
        setCommit(current.index)
        appliedIndex = current.index
        installedSnapshot = (current.index, current.term, current.bytes)
        reply(to: chunk, nextOffset: chunk.totalBytes, done: true, into: &out)
    }

    private func reply(to chunk: SnapshotChunk, nextOffset: UInt32, done: Bool, into out: inout [Output]) {
        send(.snapshotReply(SnapshotReply(group: config.group, term: term, follower: config.me,
                                          lastIncludedIndex: chunk.lastIncludedIndex, nextOffset: nextOffset,
                                          done: done)),
             to: Int(chunk.leader), into: &out)
    }
}
