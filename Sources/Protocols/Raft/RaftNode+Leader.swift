/// The leader's side: proposals, replication to each follower, commitment, snapshot transfer.
extension RaftNode {
    /// Leader only: appends a command and starts replicating it; returns its index, or nil when not
    /// leader. The index is a promise of nothing: if leadership is lost the entry may be replaced, so
    /// the host recognizes its entry when it commits by index and term (or content).
    public func propose(_ command: GroupCommand, at now: Instant, into out: inout [Output]) -> UInt64? {
        guard role == .leader else { return nil }
        log.append(LogEntry(term: term, command: command))
        for id in config.peers.indices where id != me {
            replicate(to: id, allowEmpty: false, at: now, into: &out)
        }
        advanceCommit(at: now, into: &out)
        return log.lastIndex
    }

    /// Sends follower `id` what its window allows: appends of consecutive entries from `next` (an
    /// empty one when `allowEmpty` and nothing is pending), or snapshot chunks.
    func replicate(to id: Int, allowEmpty: Bool, at now: Instant, into out: inout [Output]) {
        var p = progress[id]!
        progress[id] = nil // no second reference: `p`'s buffers mutate in place
        defer { progress[id] = p }
        replicate(to: id, &p, allowEmpty: allowEmpty, at: now, into: &out)
    }

    private func replicate(to id: Int, _ p: inout Progress, allowEmpty: Bool, at now: Instant,
                           into out: inout [Output]) {
        var allowEmpty = allowEmpty
        while p.snapshot == nil {
            if p.next <= log.snapshotIndex {
                p.snapshot = SnapshotSender(index: log.snapshotIndex, term: log.snapshotTerm,
                                            bytes: log.snapshotBytes, at: now)
                break
            }
            guard p.canSend(maxInflight: config.maxInflightAppends), p.next <= log.lastIndex || allowEmpty
            else { return }
            let prev = p.next - 1
            guard let prevTerm = log.term(at: prev) else {
                preconditionFailure("next is past the snapshot and at most one past the log's end")
            }
            let entries = log.batch(from: p.next, maxBytes: config.maxAppendBytes)
            send(.append(AppendEntries(group: config.group, term: term, leader: config.me, prevLogIndex: prev,
                                       prevLogTerm: prevTerm, leaderCommit: commitIndex, entries: entries)),
                 to: id, into: &out)
            p.sent(prev: prev, last: prev + UInt64(entries.count), at: now)
            p.sentCommit = commitIndex
            allowEmpty = false
        }
        sendChunks(to: id, &p, at: now, into: &out)
    }

    private func sendChunks(to id: Int, _ p: inout Progress, at now: Instant, into out: inout [Output]) {
        guard var sender = p.snapshot else { return }
        for range in sender.nextChunks(chunkBytes: config.snapshotChunkBytes, at: now) {
            let chunk = SnapshotChunk(group: config.group, term: term, leader: config.me,
                                      lastIncludedIndex: sender.index, lastIncludedTerm: sender.term,
                                      offset: UInt32(range.lowerBound), totalBytes: UInt32(sender.bytes.count),
                                      data: Array(sender.bytes[range]))
            send(.snapshot(chunk), to: id, into: &out)
        }
        p.snapshot = sender
    }

    /// Every heartbeat interval, per follower: resend a stalled window (appends or snapshot chunks),
    /// else an empty append that proves leadership and carries the commit index.
    func sendHeartbeats(at now: Instant, into out: inout [Output]) {
        for id in config.peers.indices where id != me {
            var p = progress[id]!
            progress[id] = nil
            defer { progress[id] = p }
            if var sender = p.snapshot {
                if sender.rewindIfStalled(at: now, heartbeatMicros: config.heartbeatMicros) {
                    p.snapshot = sender
                    sendChunks(to: id, &p, at: now, into: &out)
                }
                continue
            }
            if p.isStalled(at: now, heartbeatMicros: config.heartbeatMicros) {
                p.restartWindow()
                replicate(to: id, &p, allowEmpty: true, at: now, into: &out)
                continue
            }
            // prevLogIndex is an entry the follower is known to hold (or the snapshot's last, which a
            // follower lacking it rejects: it needs the snapshot then). Not counted in the window.
            let prev = max(p.match, log.snapshotIndex)
            send(.append(AppendEntries(group: config.group, term: term, leader: config.me, prevLogIndex: prev,
                                       prevLogTerm: log.term(at: prev)!, leaderCommit: commitIndex, entries: [])),
                 to: id, into: &out)
            p.sentCommit = commitIndex
            replicate(to: id, &p, allowEmpty: false, at: now, into: &out)
        }
    }

    func receive(_ reply: AppendReply, at now: Instant, into out: inout [Output]) {
        let id = Int(reply.follower)
        guard role == .leader, var p = progress[id] else {
            stale += 1
            return
        }
        guard !reply.success || reply.index <= log.lastIndex else {
            dropped += 1
            impossible += 1 // a follower acknowledges only what this leader sent it, this term
            return
        }
        progress[id] = nil
        p.recentlyActive = true
        if reply.success {
            p.acknowledged(reply.index, at: now)
            if let sender = p.snapshot, p.match >= sender.index {
                p.snapshotInstalled(through: p.match, at: now) // it caught up another way
            }
            replicate(to: id, &p, allowEmpty: false, at: now, into: &out)
        } else if p.isCurrentRejection(hint: reply.index) {
            p.rejected(hint: reply.index, snapshotIndex: log.snapshotIndex, lastIndex: log.lastIndex)
            replicate(to: id, &p, allowEmpty: true, at: now, into: &out)
        } else {
            stale += 1
        }
        progress[id] = p
        advanceCommit(at: now, into: &out)
    }

    func receive(_ reply: SnapshotReply, at now: Instant, into out: inout [Output]) {
        let id = Int(reply.follower)
        guard role == .leader, var p = progress[id] else {
            stale += 1
            return
        }
        guard reply.lastIncludedIndex <= log.lastIndex else {
            dropped += 1
            impossible += 1
            return
        }
        progress[id] = nil
        p.recentlyActive = true
        if reply.done {
            // The follower holds everything through lastIncludedIndex.
            if let sender = p.snapshot, sender.index <= reply.lastIncludedIndex {
                p.snapshotInstalled(through: reply.lastIncludedIndex, at: now)
            } else {
                p.acknowledged(reply.lastIncludedIndex, at: now)
            }
            replicate(to: id, &p, allowEmpty: false, at: now, into: &out)
        } else if var sender = p.snapshot, sender.index == reply.lastIncludedIndex {
            guard reply.nextOffset == 0 || Int(reply.nextOffset) < sender.bytes.count else {
                dropped += 1 // holding every byte means installed, which a follower reports as done
                progress[id] = p
                return
            }
            sender.received(nextOffset: Int(reply.nextOffset), at: now)
            p.snapshot = sender
            sendChunks(to: id, &p, at: now, into: &out)
        } else {
            stale += 1
        }
        progress[id] = p
        advanceCommit(at: now, into: &out)
    }

    /// Commits the highest index a majority holds, if it is of the current term (§5.4.2: entries of
    /// earlier terms commit only with it). A follower with nothing in flight and nothing to send gets
    /// an empty append when it has not been told the commit index yet.
    func advanceCommit(at now: Instant, into out: inout [Output]) {
        guard role == .leader else { return }
        var matches = config.peers.indices.map { $0 == me ? log.lastIndex : progress[$0]!.match }
        matches.sort(by: >)
        let candidate = matches[config.quorum - 1]
        if candidate > commitIndex, log.term(at: candidate) == term { setCommit(candidate) }
        for id in config.peers.indices where id != me {
            let p = progress[id]!
            if p.sentCommit < commitIndex, p.snapshot == nil, !p.hasInflight, p.next > log.lastIndex,
               p.canSend(maxInflight: config.maxInflightAppends) {
                replicate(to: id, allowEmpty: true, at: now, into: &out)
            }
        }
    }
}
