import Protocols
import Testing

/// Single datagrams with extreme values, as an attacker or a bit flip sends them: each once
/// killed a node or wedged a group. Now counted as implausible and dropped.
@Suite struct HostileInputTests {
    let peers = [Endpoint(100), Endpoint(101), Endpoint(102)]

    func follower() -> RaftNode {
        let node = RaftNode(config: RaftConfig(group: 7, me: 2, peers: peers), generator: SplitMix64(seed: 1))
        var out: [Output] = []
        node.start(at: .zero, into: &out)
        return node
    }

    /// The first report: a vote request of term 2^64 - 2 "from" a peer was adopted, and the
    /// follower's next two elections trapped on `term += 1`.
    @Test func voteRequestWithATermNear2To64IsDroppedNotAdopted() {
        let node = follower()
        var out: [Output] = []
        for term: UInt64 in [.max - 1, .max - 2, (1 << 32) + 1] {
            node.handle(.requestVote(VoteRequest(group: 7, term: term, candidate: 1, lastLogIndex: 0, lastLogTerm: 0)),
                        from: peers[1], at: .zero, into: &out)
        }
        #expect(node.term == 0)
        #expect(node.implausible == 3)
        #expect(out.isEmpty, "no vote is cast for an implausible term")
        // Its own elections still count up from where it was: every timeout asks for pre-votes at
        // term 1 (PreVote: a replica no one answers keeps its term).
        for second: UInt64 in 1 ... 3 { node.tick(at: .milliseconds(second * 1_000), into: &out) }
        let asked = out.compactMap { if case let .send(.raft(.preVote(r)), _) = $0 { r.term } else { nil } }
        #expect(asked == Array(repeating: 1, count: 6))
        #expect(node.term == 0)
    }

    @Test func termWithinTheBoundIsStillAdopted() {
        let node = follower()
        var out: [Output] = []
        node.handle(.requestVote(VoteRequest(group: 7, term: 1 << 32, candidate: 1, lastLogIndex: 0, lastLogTerm: 0)),
                    from: peers[1], at: .zero, into: &out)
        #expect(node.term == 1 << 32)
        #expect(node.implausible == 0)
    }

    func sequencerRequest(term: UInt64, id: UInt64 = 0, durableBelow: UInt64 = 0, counts: [UInt32] = [1, 1]) -> Message {
        .sequencerRequest(SequencerRequest(group: 0, term: term, batchID: id, seqRequestID: id, durableBelow: durableBelow,
                                           counts: SpaceCounts(counts)))
    }

    func replies(_ out: [Output]) -> [SequencerReply] {
        out.compactMap { if case let .send(.sequencerReply(r), _) = $0 { r } else { nil } }
    }

    /// The second report: one request with a huge term fenced group 0 for good.
    @Test func hugeTermDoesNotFenceTheGroup() {
        let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 2, groups: 1))
        var out: [Output] = []
        sequencer.handle(sequencerRequest(term: .max - 1), from: Endpoint(5), at: .zero, into: &out)
        sequencer.handle(.recovery(.claim(Claim(group: 0, term: .max, epoch: 0, durableBelow: 0))), from: Endpoint(5),
                         at: .zero, into: &out)
        #expect(out.isEmpty)
        #expect(sequencer.drops.implausible == 2)
        sequencer.handle(sequencerRequest(term: 1), from: Endpoint(1), at: .zero, into: &out)
        #expect(replies(out).map(\.status) == [.allocated])
    }

    /// A bit-flipped durable mark would forget every live allocation of the group (its leader then
    /// sees "forgotten" for its in-flight batch and the group stops).
    @Test func hugeDurableMarkOrRequestIDDoesNotForgetLiveAllocations() {
        let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 2, groups: 1))
        var out: [Output] = []
        sequencer.handle(sequencerRequest(term: 1), from: Endpoint(1), at: .zero, into: &out)
        sequencer.handle(.heartbeat(Heartbeat(group: 0, nonce: 1, durableBelow: .max)), from: Endpoint(5), at: .zero, into: &out)
        sequencer.handle(sequencerRequest(term: 1, id: .max - 1, durableBelow: .max - 1), from: Endpoint(5), at: .zero, into: &out)
        sequencer.handle(sequencerRequest(term: 1, id: 1 << 40), from: Endpoint(5), at: .zero, into: &out)
        #expect(sequencer.drops.implausible == 3)
        out.removeAll()
        sequencer.handle(sequencerRequest(term: 1), from: Endpoint(1), at: .zero, into: &out)
        #expect(replies(out).map(\.status) == [.retransmission])
    }

    /// Counts that would run a space's counter past 2^64 are refused before `allocate` adds them.
    @Test func countsThatWouldOverflowACounterAreRefused() {
        let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 2, groups: 1))
        var out: [Output] = []
        for id: UInt64 in 0 ..< 8 {
            sequencer.handle(sequencerRequest(term: 1, id: id, counts: [.max, .max]), from: Endpoint(1), at: .zero, into: &out)
        }
        #expect(sequencer.highWater.allSatisfy { $0 <= 8 * UInt64(UInt32.max) })
    }
}
