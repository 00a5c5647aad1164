import Protocols
import Testing

/// The proxy leader, driven message by message (groups of one replica).
@Suite struct ProxyTests {
    let sequencer = Endpoint(0)
    let client = Endpoint(9)

    func makeProxy(maxBatchOps: Int = 64, maxBatchesInFlight: Int = 16) -> Proxy<SingleReplica> {
        Proxy(endpoint: Endpoint(1),
              config: ProxyConfig(group: 0, spaces: 2, sequencer: sequencer, batchTimeoutMicros: 20,
                                  maxBatchOps: maxBatchOps, maxBatchesInFlight: maxBatchesInFlight, sequencerRetryMicros: 1_000),
              replication: SingleReplica())
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
        let p = makeProxy()
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
        let p = makeProxy(maxBatchOps: 4)
        var out: [Output] = []
        for c: UInt32 in 1 ... 4 { p.handle(op(0, client: c), from: client, at: .zero, into: &out) }
        #expect(sequencerRequests(out).map(\.counts) == [SpaceCounts([4, 8])])
    }

    @Test func closedBatchesAreBoundedUntilTheSequencerAnswers() {
        let p = makeProxy(maxBatchOps: 1, maxBatchesInFlight: 2)
        var out: [Output] = []
        for c: UInt32 in 1 ... 5 { p.handle(op(0, client: c), from: client, at: .zero, into: &out) }
        #expect(sequencerRequests(out).count == 2)
        #expect(p.batchesInFlight == 2)
    }

    @Test func retransmittedRequestGetsTheSameAnswerUntilAcknowledged() throws {
        let p = makeProxy()
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
        #expect(p.answersHeld == 1)
        out.removeAll()

        // Request 1 acknowledges request 0: its answer is freed, and a late copy of 0 gets nothing.
        p.handle(op(1, acknowledgedBelow: 1), from: client, at: .microseconds(50), into: &out)
        #expect(p.answersHeld == 0)
        p.handle(op(0), from: client, at: .microseconds(51), into: &out)
        #expect(clientReplies(out).isEmpty)
    }

    @Test func unansweredSequencerRequestIsSentAgainWithTheSameID() throws {
        let p = makeProxy()
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
        #expect(p.drops.stale == 1)
    }

    @Test func sequencerAnswerWithOtherCountsIsAnAnomalyNotAReply() throws {
        let p = makeProxy()
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
        let p = makeProxy()
        var out: [Output] = []
        p.handle(op(1_000_000), from: client, at: .zero, into: &out)
        p.tick(at: .microseconds(100), into: &out)
        #expect(sequencerRequests(out).isEmpty)
        #expect(p.drops.rejected == 1)
    }
}
