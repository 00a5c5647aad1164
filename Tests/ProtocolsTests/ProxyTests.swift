import Protocols
import Testing

/// The proxy leader, driven message by message: a group of one replica (it elects itself at once)
/// in front of a sequencer endpoint the test plays.
@Suite struct ProxyTests {
    let sequencer = Endpoint(0)
    let client = Endpoint(9)

    /// A proxy that has elected itself, committed its first entry, and had its claim answered.
    func servingProxy(maxBatchOps: Int = 64, maxBatchesInFlight: Int = 16) -> Proxy {
        ServingProxy.make(spaces: 2, sequencer: sequencer) { config in
            config.maxBatchOps = maxBatchOps
            config.maxBatchesInFlight = maxBatchesInFlight
            config.sequencerRetryMicros = 1_000
        }
    }

    func op(_ id: UInt64, client c: UInt32 = 1, acknowledgedBelow: UInt64 = 0) -> Message {
        .clientRequest(ClientRequest(client: c, requestID: id, group: 0, acknowledgedBelow: acknowledgedBelow,
                                     counts: SpaceCounts([1, 2])))
    }

    func sequencerRequests(_ out: [Output]) -> [SequencerRequest] {
        out.compactMap { if case let .send(.sequencerRequest(r), _) = $0 { r } else { nil } }
    }

    func clientReplies(_ out: [Output]) -> [ClientReply] {
        out.compactMap { if case let .send(.clientReply(r), _) = $0 { r } else { nil } }
    }

    /// Answers a sequencer request the way a sequencer at `next` would.
    func answer(_ r: SequencerRequest, next: [UInt64], status: SequencerReplyStatus = .allocated) -> Message {
        let ranges = r.counts.counts.enumerated().map { SpaceRange(first: next[$0.offset], count: $0.element) }
        return .sequencerReply(SequencerReply(group: r.group, batchID: r.batchID, seqRequestID: r.seqRequestID,
                                              status: status, numbers: MultiSequenceNumber(ranges)))
    }

    /// The original's proxy/test.cc scenario: ops 0, 2, 1 make one batch [0, 1, 2]; op 3 waits until
    /// that batch is sequenced, then joins the next batch.
    @Test func clientOperationsAreAdmittedInRequestIDOrder() throws {
        let p = servingProxy()
        var out: [Output] = []
        for id: UInt64 in [0, 2, 1] { p.handle(op(id), from: client, at: .zero, into: &out) }
        #expect(sequencerRequests(out).isEmpty)
        p.tick(at: .microseconds(20), into: &out)
        let first = try #require(sequencerRequests(out).first)
        #expect(first.counts == SpaceCounts([3, 6]))
        out.removeAll()

        p.handle(op(3), from: client, at: .microseconds(21), into: &out)
        p.tick(at: .microseconds(100), into: &out)
        #expect(sequencerRequests(out).isEmpty, "op 3 must wait for op 2's batch to be sequenced")

        p.handle(answer(first, next: [10, 20]), from: sequencer, at: .microseconds(101), into: &out)
        let replies = clientReplies(out)
        #expect(replies.map(\.requestID) == [0, 1, 2])
        #expect(replies.map { $0.numbers[0].first } == [10, 11, 12])
        #expect(replies.map { $0.numbers[1] } == [SpaceRange(first: 20, count: 2), SpaceRange(first: 22, count: 2),
                                                  SpaceRange(first: 24, count: 2)])
        out.removeAll()
        p.tick(at: .microseconds(121), into: &out)
        let second = try #require(sequencerRequests(out).first)
        #expect(second.counts == SpaceCounts([1, 2]))
        #expect(second.seqRequestID == first.seqRequestID + 1)
        #expect(second.durableBelow == first.seqRequestID + 1)
    }

    @Test func batchClosesAtItsSizeBoundWithoutWaitingForTheTimeout() {
        let p = servingProxy(maxBatchOps: 4)
        var out: [Output] = []
        for c: UInt32 in 1 ... 4 { p.handle(op(0, client: c), from: client, at: .zero, into: &out) }
        #expect(sequencerRequests(out).map(\.counts) == [SpaceCounts([4, 8])])
    }

    @Test func outstandingSeqRequestIDsStayWithinTheWindow() {
        let p = servingProxy(maxBatchOps: 1, maxBatchesInFlight: 2)
        var out: [Output] = []
        for c: UInt32 in 1 ... 5 { p.handle(op(0, client: c), from: client, at: .zero, into: &out) }
        #expect(sequencerRequests(out).map(\.seqRequestID) == [0, 1])
    }

    @Test func retransmittedRequestGetsTheSameAnswerUntilAcknowledged() throws {
        let p = servingProxy()
        var out: [Output] = []
        p.handle(op(0), from: client, at: .zero, into: &out)
        p.tick(at: .microseconds(20), into: &out)
        let request = try #require(sequencerRequests(out).first)
        out.removeAll()
        p.handle(answer(request, next: [0, 0]), from: sequencer, at: .microseconds(30), into: &out)
        let original = try #require(clientReplies(out).first)
        out.removeAll()

        p.handle(op(0), from: client, at: .microseconds(40), into: &out)
        #expect(clientReplies(out) == [original])
        #expect(p.state.answersHeld == 1)
        out.removeAll()

        // Request 1 acknowledges request 0; once request 1 commits, every replica frees answer 0,
        // and a late copy of request 0 gets nothing.
        p.handle(op(1, acknowledgedBelow: 1), from: client, at: .microseconds(50), into: &out)
        p.tick(at: .microseconds(70), into: &out)
        let second = try #require(sequencerRequests(out).first)
        p.handle(answer(second, next: [1, 2]), from: sequencer, at: .microseconds(80), into: &out)
        #expect(p.state.answer(1, 0) == nil)
        out.removeAll()
        p.handle(op(0), from: client, at: .microseconds(90), into: &out)
        #expect(clientReplies(out).isEmpty)
    }

    @Test func unansweredSequencerRequestIsSentAgainWithTheSameID() throws {
        let p = servingProxy()
        var out: [Output] = []
        p.handle(op(0), from: client, at: .zero, into: &out)
        p.tick(at: .microseconds(20), into: &out)
        let first = try #require(sequencerRequests(out).first)
        out.removeAll()
        p.tick(at: .microseconds(1_020), into: &out)
        #expect(sequencerRequests(out) == [first])
        out.removeAll()
        // Both copies are answered; the second answer is stale and changes nothing.
        p.handle(answer(first, next: [0, 0], status: .retransmission), from: sequencer, at: .microseconds(1_100), into: &out)
        p.handle(answer(first, next: [0, 0]), from: sequencer, at: .microseconds(1_101), into: &out)
        #expect(clientReplies(out).count == 1)
    }

    @Test func sequencerAnswerWithOtherCountsIsAnAnomalyNotAReply() throws {
        let p = servingProxy()
        var out: [Output] = []
        p.handle(op(0), from: client, at: .zero, into: &out)
        p.tick(at: .microseconds(20), into: &out)
        var request = try #require(sequencerRequests(out).first)
        out.removeAll()
        request.counts = SpaceCounts([5, 5])
        p.handle(answer(request, next: [0, 0]), from: sequencer, at: .microseconds(30), into: &out)
        #expect(clientReplies(out).isEmpty)
        #expect(out.contains { if case .report(.anomaly) = $0 { true } else { false } })
    }

    @Test func requestsFarBeyondTheClientWindowAreRefused() {
        let p = servingProxy()
        var out: [Output] = []
        p.handle(op(1_000_000), from: client, at: .zero, into: &out)
        p.tick(at: .microseconds(100), into: &out)
        #expect(sequencerRequests(out).isEmpty)
        #expect(p.drops.rejected == 1)
    }

    /// A new leader turns every allocation the sequencer lists that no committed entry holds into
    /// a noop, and numbers its own batches after all of them.
    @Test func newLeaderTurnsUnreplicatedAllocationsIntoNoops() throws {
        var config = ProxyConfig(group: 0, spaces: 2, replicas: [Endpoint(1)], me: 0, sequencers: [sequencer])
        config.maxBatchOps = 1
        let p = Proxy(config: config, generator: SplitMix64(seed: 3))
        var out: [Output] = []
        p.start(at: .zero, into: &out)
        let claim = try #require(out.compactMap { if case let .send(.recovery(.claim(c)), _) = $0 { c } else { nil } }.first)
        out.removeAll()
        let lost = Allocation(seqRequestID: 4, numbers: MultiSequenceNumber([SpaceRange(first: 7, count: 2), .empty]))
        let reply = ClaimReply(group: 0, term: claim.term, epoch: 0, status: .allocated, nextSeqRequestID: 6, allocations: [lost])
        p.handle(.recovery(.claimReply(reply)), from: sequencer, at: .zero, into: &out)
        let noops = out.compactMap { if case let .report(.batchCommitted(b)) = $0 { b } else { nil } }
        #expect(noops.map(\.seqRequestID) == [4])
        #expect(noops.first?.ops.allSatisfy(\.isNoop) == true)
        #expect(p.state.bitmaps[0].contains(7) && p.state.bitmaps[0].contains(8))
        #expect(p.state.resolvedBelow == 6)
        p.handle(op(0), from: client, at: .microseconds(1), into: &out)
        #expect(sequencerRequests(out).map(\.seqRequestID) == [6])
    }

    @Test func replicaThatDoesNotLeadPointsClientsAtTheLeader() {
        var config = ProxyConfig(group: 0, spaces: 2, replicas: [Endpoint(1), Endpoint(2), Endpoint(3)], me: 1,
                                 sequencers: [sequencer])
        config.raft.electionTimeoutMicros = 1_000_000 ... 1_000_001
        let p = Proxy(config: config, generator: SplitMix64(seed: 3))
        var out: [Output] = []
        p.start(at: .zero, into: &out)
        p.handle(op(0), from: client, at: .zero, into: &out)
        let reply = clientReplies(out).first
        #expect(reply?.status == .notLeader)
        #expect(reply?.numbers.spaceCount == 0)
    }
}
