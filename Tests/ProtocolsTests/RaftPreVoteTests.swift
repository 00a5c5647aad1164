import Protocols
import Testing

/// PreVote (Raft thesis §9.6, etcd-io/raft's `MsgPreVote` and `inLease`): a replica whose election
/// timer fires asks first whether it could win at term + 1, without changing its term or vote, and
/// peers that heard from a current leader within the minimum election timeout say no. So a replica
/// cut off by a partition does not raise its term, and on healing does not depose a healthy leader.
@Suite struct RaftPreVoteTests {
    let peers = [Endpoint(100), Endpoint(101), Endpoint(102)]

    func sent(_ out: [Output]) -> [(to: Endpoint, message: RaftMessage)] {
        out.compactMap { if case let .send(.raft(m), to) = $0 { (to, m) } else { nil } }
    }

    @Test func preVoteIsRefusedWithinTheLeaseGrantedAfterAndNeverChangesTermOrVote() {
        let node = RaftNode(config: RaftConfig(group: 7, me: 1, peers: peers), generator: SplitMix64(seed: 1))
        var out: [Output] = []
        node.start(at: .zero, into: &out)
        // Node 0 leads term 1: node 1 hears from it at t = 0; the lease lasts the minimum election
        // timeout (150 ms).
        node.handle(.append(AppendEntries(group: 7, term: 1, leader: 0, prevLogIndex: 0, prevLogTerm: 0,
                                          leaderCommit: 0, entries: [])),
                    from: peers[0], at: .zero, into: &out)
        #expect(node.term == 1 && node.leader == 0)

        func preVote(at micros: UInt64) -> VoteReply? {
            out.removeAll()
            node.handle(.preVote(VoteRequest(group: 7, term: 2, candidate: 2, lastLogIndex: 0, lastLogTerm: 0)),
                        from: peers[2], at: Instant.zero.adding(microseconds: micros), into: &out)
            return sent(out).compactMap { if case let .preVoteReply(r) = $0.message, $0.to == peers[2] { r } else { nil } }
                .first
        }
        let early = preVote(at: 10_000)
        #expect(early?.granted == false, "refused while the leader's lease holds")
        #expect(early?.term == 1, "a refusal carries the receiver's own term")
        #expect(node.term == 1 && node.leader == 0, "a pre-vote never changes the receiver's term")

        let late = preVote(at: 200_000)
        #expect(late?.granted == true, "granted once the leader has been silent for the minimum election timeout")
        #expect(late?.term == 2, "a grant carries the term it grants")
        #expect(node.term == 1, "a pre-vote never changes the receiver's term")

        // The grant bound nothing: node 1 still has its vote of term 2 for any up-to-date candidate.
        out.removeAll()
        node.handle(.requestVote(VoteRequest(group: 7, term: 2, candidate: 0, lastLogIndex: 0, lastLogTerm: 0)),
                    from: peers[0], at: Instant.zero.adding(microseconds: 200_000), into: &out)
        let vote = sent(out).compactMap { if case let .vote(v) = $0.message { v } else { nil } }.first
        #expect(vote?.granted == true && vote?.term == 2, "a pre-vote grant does not spend the real vote")
    }

    @Test func timedOutReplicaAsksForPreVotesWithoutRaisingItsTerm() {
        let node = RaftNode(config: RaftConfig(group: 7, me: 2, peers: peers), generator: SplitMix64(seed: 3))
        var out: [Output] = []
        node.start(at: .zero, into: &out)
        for _ in 0 ..< 5 {
            out.removeAll()
            node.tick(at: node.nextDeadline!, into: &out)
            let requests = sent(out).compactMap { if case let .preVote(r) = $0.message { r } else { nil } }
            #expect(requests.count == 2 && requests.allSatisfy { $0.term == 1 }, "pre-votes ask for term + 1")
            #expect(!sent(out).contains { if case .requestVote = $0.message { true } else { false } })
            #expect(node.term == 0, "a pre-candidate keeps its term")
        }
        // A grant from one peer makes a majority of three: now the real election, at term 1.
        out.removeAll()
        node.handle(.preVoteReply(VoteReply(group: 7, term: 1, voter: 0, granted: true)), from: peers[0],
                    at: node.nextDeadline!, into: &out)
        #expect(node.term == 1 && node.role == .candidate)
        #expect(sent(out).filter { if case .requestVote = $0.message { true } else { false } }.count == 2)
    }

    @Test func rejoiningFollowerDoesNotDeposeTheLeader() {
        let cluster = RaftCluster(seed: 31)
        cluster.start()
        for k in 1 ... 5 {
            cluster.propose(k)
            cluster.run(for: 1_000)
        }
        #expect(cluster.run(within: 200_000) { cluster.leader == 0 && cluster.nodes[2].commitIndex == cluster.nodes[0].commitIndex })
        let term = cluster.nodes[0].term

        cluster.isolate(2)
        cluster.run(for: 1_500_000) // five or more election timeouts
        #expect(cluster.nodes[2].term == term, "a cut-off replica cannot win pre-votes, so its term stays")
        var proposed: [(index: UInt64, entry: LogEntry)] = []
        for k in 100 ..< 110 {
            if let p = cluster.propose(k) { proposed.append((p.index, p.entry)) }
            cluster.run(for: 1_000)
        }
        cluster.heal()
        cluster.run(for: 1_000_000)
        #expect(cluster.leader == 0, "the healthy leader keeps leading")
        #expect(cluster.nodes[0].term == term, "and its term is unchanged")
        #expect(cluster.nodes.allSatisfy { $0.term == term }, "no replica moved to a later term")
        #expect(proposed.count == 10)
        #expect(proposed.allSatisfy { cluster.hasApplied($0.entry, at: $0.index, on: [0, 1, 2]) },
                "the rejoined follower caught up")
        cluster.checkSafety()
    }
}
