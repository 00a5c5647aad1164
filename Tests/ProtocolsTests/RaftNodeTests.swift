import Protocols
import Testing

/// One RaftNode driven message by message.
@Suite struct RaftNodeTests {
    let peers = [Endpoint(100), Endpoint(101), Endpoint(102)]

    func makeNode(_ me: UInt8, configure: (inout RaftConfig) -> Void = { _ in }) -> RaftNode {
        var config = RaftConfig(group: 7, me: me, peers: peers)
        configure(&config)
        let node = RaftNode(config: config, generator: SplitMix64(seed: 1))
        var out: [Output] = []
        node.start(at: .zero, into: &out)
        return node
    }

    func entry(_ term: UInt64, _ k: UInt32) -> LogEntry { LogEntry(term: term, command: .useSequencer(epoch: k)) }

    func append(term: UInt64, leader: UInt8 = 0, prev: UInt64 = 0, prevTerm: UInt64 = 0, commit: UInt64 = 0,
                _ entries: [LogEntry] = []) -> RaftMessage {
        .append(AppendEntries(group: 7, term: term, leader: leader, prevLogIndex: prev, prevLogTerm: prevTerm,
                              leaderCommit: commit, entries: entries))
    }

    func sent(_ out: [Output]) -> [(to: Endpoint, message: RaftMessage)] {
        out.compactMap { if case let .send(.raft(m), to) = $0 { (to, m) } else { nil } }
    }

    func appendReplies(_ out: [Output]) -> [AppendReply] {
        sent(out).compactMap { if case let .appendReply(r) = $0.message { r } else { nil } }
    }

    func appends(_ out: [Output], to peer: Endpoint) -> [AppendEntries] {
        sent(out).compactMap { if case let .append(a) = $0.message, $0.to == peer { a } else { nil } }
    }

    /// Node 0 of three, elected in term 1 with node 1's vote, its probes acknowledged.
    func makeLeader(configure: (inout RaftConfig) -> Void = { _ in }) -> RaftNode {
        let node = makeNode(0, configure: configure)
        var out: [Output] = []
        node.campaign(at: .zero, into: &out)
        node.handle(.vote(VoteReply(group: 7, term: 1, voter: 1, granted: true)), from: peers[1], at: .zero, into: &out)
        #expect(node.role == .leader)
        for id: UInt8 in 1 ... 2 {
            node.handle(.appendReply(AppendReply(group: 7, term: 1, follower: id, success: true, index: 0)),
                        from: peers[Int(id)], at: .zero, into: &out)
        }
        return node
    }

    @Test func malformedInputIsCountedAndIgnored() {
        let node = makeNode(1)
        var out: [Output] = []
        let bad: [(RaftMessage, Endpoint)] = [
            (.append(AppendEntries(group: 8, term: 1, leader: 0, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0,
                                   entries: [])), peers[0]),                           // another group
            (append(term: 1, leader: 9), peers[0]),                                    // unknown raft id
            (append(term: 1, leader: 0), peers[2]),                                    // id and endpoint disagree
            (append(term: 1, leader: 1), peers[1]),                                    // claims to be me
            (append(term: .max), peers[0]),                                            // a term with no successor
            (append(term: 2, [entry(2, 1), entry(1, 2)]), peers[0]),                   // terms going back
            (append(term: 2, [entry(3, 1)]), peers[0]),                                // entry beyond its term
            (append(term: 2, prev: .max, prevTerm: 1, [entry(2, 1)]), peers[0]),       // index overflow
            (append(term: 2, prev: 0, prevTerm: 1), peers[0]),                         // index 0 has term 0
            (.snapshot(SnapshotChunk(group: 7, term: 2, leader: 0, lastIncludedIndex: 5, lastIncludedTerm: 1,
                                     offset: 10, totalBytes: 12, data: [1, 2, 3])), peers[0]), // past its end
            (.snapshot(SnapshotChunk(group: 7, term: 2, leader: 0, lastIncludedIndex: 0, lastIncludedTerm: 0,
                                     offset: 0, totalBytes: 1, data: [1])), peers[0]),          // index 0
        ]
        for (message, sender) in bad { node.handle(message, from: sender, at: .zero, into: &out) }
        #expect(node.dropped == UInt64(bad.count))
        #expect(node.term == 0 && node.lastIndex == 0 && node.commitIndex == 0 && node.role == .follower)
        #expect(out.isEmpty)

        // A second leader for a term this node already follows someone in.
        node.handle(append(term: 3, leader: 0), from: peers[0], at: .zero, into: &out)
        node.handle(append(term: 3, leader: 2), from: peers[2], at: .zero, into: &out)
        #expect(node.leader == 0 && node.dropped == UInt64(bad.count) + 1)
    }

    @Test func leaderDropsAcknowledgementsBeyondItsLog() {
        let leader = makeLeader()
        var out: [Output] = []
        leader.handle(.appendReply(AppendReply(group: 7, term: 1, follower: 1, success: true, index: 99)),
                      from: peers[1], at: .zero, into: &out)
        #expect(leader.dropped == 1 && leader.commitIndex == 0)
    }

    @Test func followerCommitsOnlyWhatMatchesTheLeader() {
        let node = makeNode(1)
        var out: [Output] = []
        node.handle(append(term: 1, commit: 1, [entry(1, 1), entry(1, 2), entry(1, 3)]), from: peers[0], at: .zero,
                    into: &out)
        #expect(appendReplies(out).last == AppendReply(group: 7, term: 1, follower: 1, success: true, index: 3))
        #expect(node.commitIndex == 1)
        // A leader of term 2 knows of commits up to 5, but only index 1 is known to match its log.
        node.handle(append(term: 2, leader: 2, prev: 1, prevTerm: 1, commit: 5), from: peers[2], at: .zero,
                    into: &out)
        #expect(node.commitIndex == 1)
        node.handle(append(term: 2, leader: 2, prev: 1, prevTerm: 1, commit: 5, [entry(2, 9)]), from: peers[2],
                    at: .zero, into: &out)
        #expect(node.lastIndex == 2 && node.commitIndex == 2, "the conflicting suffix is replaced")
        #expect(node.takeCommitted().map(\.entry) == [entry(1, 1), entry(2, 9)])
        #expect(node.takeCommitted().isEmpty, "each entry is handed out once")
    }

    @Test func rejectionHintSkipsAConflictingTerm() {
        let node = makeNode(1)
        var out: [Output] = []
        node.handle(append(term: 3, [entry(1, 1), entry(1, 2), entry(3, 3), entry(3, 4), entry(3, 5), entry(3, 6)]),
                    from: peers[0], at: .zero, into: &out)
        out.removeAll()
        // The term-4 leader's entry 6 is of term 2: nothing of term 3 can match, so back up to index 2.
        node.handle(append(term: 4, leader: 2, prev: 6, prevTerm: 2), from: peers[2], at: .zero, into: &out)
        #expect(appendReplies(out) == [AppendReply(group: 7, term: 4, follower: 1, success: false, index: 2)])
        // Missing entries: the hint is the end of the log.
        out.removeAll()
        node.handle(append(term: 4, leader: 2, prev: 9, prevTerm: 4), from: peers[2], at: .zero, into: &out)
        #expect(appendReplies(out).first?.index == 6)
    }

    @Test func votesOncePerTermAndOnlyForUpToDateLogs() {
        let node = makeNode(2)
        var out: [Output] = []
        func ask(_ term: UInt64, _ candidate: UInt8, lastIndex: UInt64, lastTerm: UInt64) -> Bool? {
            out.removeAll()
            node.handle(.requestVote(VoteRequest(group: 7, term: term, candidate: candidate, lastLogIndex: lastIndex,
                                                 lastLogTerm: lastTerm)),
                        from: peers[Int(candidate)], at: .zero, into: &out)
            return sent(out).compactMap { if case let .vote(v) = $0.message { v.granted } else { nil } }.first
        }
        #expect(ask(1, 0, lastIndex: 0, lastTerm: 0) == true)
        #expect(ask(1, 1, lastIndex: 0, lastTerm: 0) == false, "one vote per term")
        #expect(ask(1, 0, lastIndex: 0, lastTerm: 0) == true, "the same candidate may ask again")
        node.handle(append(term: 2, leader: 1, [entry(2, 1), entry(2, 2)]), from: peers[1], at: .zero, into: &out)
        #expect(ask(3, 0, lastIndex: 5, lastTerm: 1) == false, "an older last term loses to a longer log")
        #expect(ask(4, 0, lastIndex: 1, lastTerm: 2) == false, "same last term, shorter log")
        #expect(ask(5, 0, lastIndex: 2, lastTerm: 2) == true)
        #expect(node.term == 5)
    }

    @Test func singleReplicaCommitsAloneAndCompacts() {
        var config = RaftConfig(group: 7, me: 0, peers: [Endpoint(1)])
        config.maxLogSize = 3
        let node = RaftNode(config: config, generator: SplitMix64(seed: 2))
        var out: [Output] = []
        node.start(at: .zero, into: &out)
        node.campaign(at: .zero, into: &out)
        #expect(node.role == .leader && node.leader == 0)
        for k in 1 ... 5 { #expect(node.propose(.useSequencer(epoch: UInt32(k)), at: .zero, into: &out) == UInt64(k)) }
        #expect(node.commitIndex == 5 && out.isEmpty)
        #expect(node.takeCommitted().map(\.index) == [1, 2, 3, 4, 5])
        #expect(node.wantsCompaction)
        node.compact(through: 4, snapshot: [4])
        #expect(node.snapshotIndex == 4 && node.termAt(4) == 1 && node.termAt(3) == nil)
        #expect(node.entries(from: 5).count == 1 && !node.wantsCompaction)
    }

    @Test func appendsAreBatchedWithinABoundedWindow() {
        // A useSequencer entry takes 13 bytes (8 of term, 5 of command): two fit an append of 30.
        let leader = makeLeader { config in
            config.maxInflightAppends = 2
            config.maxAppendBytes = 30
        }
        var out: [Output] = []
        for k in 1 ... 7 { _ = leader.propose(.useSequencer(epoch: UInt32(k)), at: .zero, into: &out) }
        #expect(appends(out, to: peers[1]).map(\.entries.count) == [1, 1], "two appends out, then the window is full")
        out.removeAll()
        leader.handle(.appendReply(AppendReply(group: 7, term: 1, follower: 1, success: true, index: 2)),
                      from: peers[1], at: .zero, into: &out)
        let next = appends(out, to: peers[1])
        #expect(next.map(\.prevLogIndex) == [2, 4] && next.map(\.entries.count) == [2, 2])
        #expect(leader.commitIndex == 2)
    }

    @Test func unacknowledgedWindowIsResentAfterAHeartbeat() {
        let leader = makeLeader { config in config.maxInflightAppends = 2 }
        var out: [Output] = []
        for k in 1 ... 4 {
            _ = leader.propose(.useSequencer(epoch: UInt32(k)), at: .microseconds(UInt64(k)), into: &out)
        }
        #expect(appends(out, to: peers[1]).count == 2)
        // Every reply is lost. After a heartbeat interval the window is given up and resent from match + 1.
        out.removeAll()
        leader.tick(at: .microseconds(50_010), into: &out)
        let resent = appends(out, to: peers[1])
        #expect(resent.count == 1 && resent[0].prevLogIndex == 0 && resent[0].entries.count == 4)
        out.removeAll()
        leader.handle(.appendReply(AppendReply(group: 7, term: 1, follower: 1, success: true, index: 4)),
                      from: peers[1], at: .microseconds(50_020), into: &out)
        #expect(leader.commitIndex == 4)
    }

    @Test func snapshotChunksInstallInOrderAndByByteCount() {
        let node = makeNode(1)
        var out: [Output] = []
        func chunk(index: UInt64, offset: UInt32, _ data: [UInt8], term: UInt64 = 2) -> SnapshotReply? {
            out.removeAll()
            node.handle(.snapshot(SnapshotChunk(group: 7, term: term, leader: 0, lastIncludedIndex: index,
                                                lastIncludedTerm: 1, offset: offset, totalBytes: 6, data: data)),
                        from: peers[0], at: .zero, into: &out)
            return sent(out).compactMap { if case let .snapshotReply(r) = $0.message { r } else { nil } }.first
        }
        #expect(chunk(index: 5, offset: 0, [1, 2, 3])?.nextOffset == 3)
        #expect(chunk(index: 5, offset: 0, [1, 2, 3])?.nextOffset == 3, "a duplicate changes nothing")
        #expect(chunk(index: 4, offset: 0, [9, 9]) == nil, "an older snapshot's chunk is ignored")
        #expect(chunk(index: 7, offset: 3, [9]).map { ($0.lastIncludedIndex, $0.nextOffset) } ?? (0, 9) == (7, 0),
                "a newer snapshot's chunk past offset 0 asks for a restart")
        #expect(node.takeInstalledSnapshot() == nil)
        let last = chunk(index: 5, offset: 3, [4, 5, 6])
        #expect(last?.done == true && last?.nextOffset == 6, "complete once all 6 bytes arrived")
        #expect(node.commitIndex == 5 && node.snapshotIndex == 5 && node.lastIndex == 5)
        #expect(node.takeCommitted().isEmpty)
        let installed = node.takeInstalledSnapshot()
        #expect(installed?.index == 5 && installed?.term == 1 && installed?.bytes == [1, 2, 3, 4, 5, 6])
        #expect(node.takeInstalledSnapshot() == nil, "handed out once")
        #expect(chunk(index: 5, offset: 3, [4, 5, 6])?.done == true, "a late chunk is answered as done")
        // A newer leader's transfer of a newer snapshot replaces a partial one.
        #expect(chunk(index: 9, offset: 0, [1, 1, 1])?.nextOffset == 3)
        #expect(chunk(index: 12, offset: 0, [2, 2], term: 3)?.nextOffset == 2)
        #expect(chunk(index: 12, offset: 2, [2, 2, 2, 2], term: 3)?.done == true)
        #expect(node.takeInstalledSnapshot()?.bytes == [2, 2, 2, 2, 2, 2] && node.commitIndex == 12)
    }

    /// Real traffic among three replicas mixed with random (well-typed, often nonsensical) messages,
    /// while hosts apply and compact: nothing traps, and state stays within the invariants' bounds.
    @Test func randomInputNeverTraps() {
        var rng = SplitMix64(seed: 99)
        func pick(_ n: UInt64) -> UInt64 { rng.next() % n }
        let nodes = (0 ..< 3).map { id in
            RaftNode(config: RaftConfig(group: 7, me: UInt8(id), peers: peers, maxLogSize: 4),
                     generator: SplitMix64(seed: UInt64(id)))
        }
        var queue: [(to: Int, from: Int, message: RaftMessage)] = []
        var now = Instant.zero
        var out: [Output] = []
        for node in nodes { node.start(at: now, into: &out) }
        for step in 0 ..< 20_000 {
            now = now.adding(microseconds: pick(3_000))
            let id = Int(pick(3))
            out.removeAll()
            switch pick(10) {
            case 0 ..< 4 where !queue.isEmpty:
                let m = queue.remove(at: Int(pick(UInt64(queue.count))))
                nodes[m.to].handle(m.message, from: peers[m.from], at: now, into: &out)
            case 4:
                let from = Int(pick(3))
                nodes[id].handle(randomMessage(&rng, from: UInt8(from)), from: peers[from], at: now, into: &out)
            case 5:
                _ = nodes[id].propose(.useSequencer(epoch: UInt32(step)), at: now, into: &out)
            default:
                nodes[id].tick(at: now, into: &out)
            }
            for (to, message) in sent(out) {
                queue.append((peers.firstIndex(of: to)!, id, message))
            }
            for node in nodes {
                _ = node.takeInstalledSnapshot()
                let applied = node.takeCommitted()
                if node.wantsCompaction, let last = applied.last { node.compact(through: last.index, snapshot: [1, 2]) }
                #expect(node.commitIndex <= node.lastIndex && node.snapshotIndex <= node.commitIndex)
            }
            if queue.count > 200 { queue.removeFirst(100) }
        }
        #expect(nodes.contains { $0.dropped > 0 })
        #expect(nodes.allSatisfy { $0.commitIndex > 100 && $0.snapshotIndex > 0 }, "the group kept committing and compacting")
    }

    func randomMessage(_ rng: inout SplitMix64, from: UInt8) -> RaftMessage {
        func pick(_ n: UInt64) -> UInt64 { rng.next() % n }
        let term = pick(6), index = pick(12)
        switch pick(8) {
        case 6:
            return .preVote(VoteRequest(group: 7, term: term, candidate: from, lastLogIndex: index, lastLogTerm: pick(6)))
        case 7:
            return .preVoteReply(VoteReply(group: 7, term: term, voter: from, granted: pick(2) == 0))
        case 0:
            return .requestVote(VoteRequest(group: 7, term: term, candidate: from, lastLogIndex: index,
                                            lastLogTerm: pick(6)))
        case 1:
            return .vote(VoteReply(group: 7, term: term, voter: from, granted: pick(2) == 0))
        case 2:
            var entryTerm = pick(term + 1)
            let entries = (0 ..< pick(4)).map { k in
                entryTerm = min(term, entryTerm + pick(2))
                return LogEntry(term: entryTerm, command: .useSequencer(epoch: UInt32(k)))
            }
            return .append(AppendEntries(group: 7, term: term, leader: from, prevLogIndex: index,
                                         prevLogTerm: index == 0 ? 0 : pick(term + 1), leaderCommit: pick(14),
                                         entries: entries))
        case 3:
            return .appendReply(AppendReply(group: 7, term: term, follower: from, success: pick(2) == 0, index: index))
        case 4:
            let total = UInt32(pick(8)), offset = UInt32(pick(UInt64(total) + 1))
            return .snapshot(SnapshotChunk(group: pick(8) == 0 ? 8 : 7, term: term, leader: from,
                                           lastIncludedIndex: index, lastIncludedTerm: pick(term + 1), offset: offset,
                                           totalBytes: total, data: Array(repeating: 1, count: Int(pick(UInt64(total - offset) + 2)))))
        default:
            return .snapshotReply(SnapshotReply(group: 7, term: term, follower: from, lastIncludedIndex: index,
                                                nextOffset: UInt32(pick(8)), done: pick(2) == 0))
        }
    }
}
