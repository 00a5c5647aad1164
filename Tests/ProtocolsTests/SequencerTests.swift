import Protocols
import Testing

@Suite struct SequencerTests {
    let proxy = Endpoint(7)

    func request(group: UInt16 = 0, id: UInt64, counts: [UInt32], durableBelow: UInt64 = 0) -> Message {
        .sequencerRequest(SequencerRequest(group: group, batchID: id, seqRequestID: id, durableBelow: durableBelow,
                                           counts: SpaceCounts(counts)))
    }

    func reply(_ sequencer: Sequencer, _ message: Message) -> SequencerReply? {
        var out: [Output] = []
        sequencer.handle(message, from: proxy, at: .zero, into: &out)
        guard out.count == 1, case let .send(.sequencerReply(reply), to) = out[0], to == proxy else { return nil }
        return reply
    }

    @Test func allocationAdvancesEverySpaceTogether() throws {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 3, groups: 2))
        let a = try #require(reply(s, request(id: 0, counts: [2, 0, 5])))
        #expect(a.status == .allocated)
        #expect(a.numbers == MultiSequenceNumber([SpaceRange(first: 0, count: 2), .empty, SpaceRange(first: 0, count: 5)]))
        let b = try #require(reply(s, request(group: 1, id: 0, counts: [1, 1, 1])))
        #expect(b.numbers == MultiSequenceNumber([SpaceRange(first: 2, count: 1), SpaceRange(first: 0, count: 1), SpaceRange(first: 5, count: 1)]))
        #expect(s.highWater == [3, 1, 6])
    }

    @Test func retransmittedRequestGetsItsFirstRangeBack() throws {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 2, groups: 1))
        let first = try #require(reply(s, request(id: 4, counts: [3, 3])))
        let again = try #require(reply(s, request(id: 4, counts: [9, 9])))
        #expect(again.status == .retransmission)
        #expect(again.numbers == first.numbers)
        #expect(s.highWater == [3, 3])
    }

    @Test func tableIsTrimmedAsGroupsReportDurableRequests() throws {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 1, groups: 1))
        for id in 0 ..< 1_000 as Range<UInt64> {
            _ = reply(s, request(id: id, counts: [1], durableBelow: id >= 10 ? id - 10 : 0))
        }
        // Only the last ten requests, which are not yet durable, are remembered.
        #expect(s.table.pending(group: 0) == 11)
        let late = try #require(reply(s, request(id: 5, counts: [1], durableBelow: 0)))
        #expect(late.status == .forgotten)
        #expect(late.numbers.spaceCount == 0)
        #expect(s.highWater == [1_000])
    }

    @Test func heartbeatTrimsAndIsEchoed() {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 1, groups: 1))
        for id in 0 ..< 5 as Range<UInt64> { _ = reply(s, request(id: id, counts: [1])) }
        var out: [Output] = []
        let beat = Heartbeat(group: 0, nonce: 9, durableBelow: 5)
        s.handle(.heartbeat(beat), from: proxy, at: .zero, into: &out)
        #expect(s.table.pending(group: 0) == 0)
        guard case .send(.heartbeatReply(beat), proxy)? = out.first else {
            Issue.record("no heartbeat echo: \(out)")
            return
        }
    }

    @Test func fullGroupIsToldBusyAndNothingIsAllocated() throws {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 1, groups: 1, maxPendingPerGroup: 2))
        _ = reply(s, request(id: 0, counts: [1]))
        _ = reply(s, request(id: 1, counts: [1]))
        let busy = try #require(reply(s, request(id: 2, counts: [1])))
        #expect(busy.status == .busy)
        #expect(s.highWater == [2])
    }

    @Test func foreignInputIsCountedAndDropped() {
        let s = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 2, groups: 1))
        var out: [Output] = []
        s.handle(request(group: 3, id: 0, counts: [1, 1]), from: proxy, at: .zero, into: &out) // unknown group
        s.handle(request(id: 0, counts: [1]), from: proxy, at: .zero, into: &out) // wrong space count
        s.handle(.clientRequest(ClientRequest(client: 1, requestID: 0, group: 0, acknowledgedBelow: 0,
                                              counts: SpaceCounts([1, 1]))), from: proxy, at: .zero, into: &out)
        #expect(out.isEmpty)
        #expect(s.drops.rejected == 3)
        #expect(s.highWater == [0, 0])
    }
}
