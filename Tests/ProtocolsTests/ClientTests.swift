import Protocols
import Testing

@Suite struct ClientTests {
    let proxy = Endpoint(1)

    func makeClient(concurrency: Int = 2, demand: Demand = .all) -> Client {
        Client(endpoint: Endpoint(5),
               config: ClientConfig(client: 3, group: 0, proxies: [proxy], spaces: 4, concurrency: concurrency,
                                    demand: demand, retransmitMicros: 1_000),
               generator: SplitMix64(seed: 42))
    }

    func requests(_ out: [Output]) -> [ClientRequest] {
        out.compactMap { if case let .send(.clientRequest(r), _) = $0 { r } else { nil } }
    }

    func reply(to r: ClientRequest, first: UInt64) -> Message {
        let ranges = r.counts.counts.map { SpaceRange(first: first, count: $0) }
        return .clientReply(ClientReply(client: r.client, requestID: r.requestID, group: 0, status: .ok,
                                        numbers: MultiSequenceNumber(ranges)))
    }

    @Test func keepsItsWindowFullAndAcknowledgesCompletedRequests() {
        let c = makeClient()
        var out: [Output] = []
        c.start(at: .zero, into: &out)
        let sent = requests(out)
        #expect(sent.map(\.requestID) == [0, 1])
        out.removeAll()
        c.handle(reply(to: sent[0], first: 0), from: proxy, at: .microseconds(50), into: &out)
        let next = requests(out)
        #expect(next.map(\.requestID) == [2])
        #expect(next.first?.acknowledgedBelow == 1)
        #expect(c.latencyMicros.totalCount == 1)
        #expect(c.latencyMicros.max >= 49 && c.latencyMicros.max <= 51)
    }

    @Test func resendsUnansweredRequestsAndIgnoresDuplicateAnswers() {
        let c = makeClient(concurrency: 1)
        var out: [Output] = []
        c.start(at: .zero, into: &out)
        let first = requests(out)[0]
        out.removeAll()
        c.tick(at: .microseconds(1_000), into: &out)
        #expect(requests(out) == [first])
        out.removeAll()
        c.handle(reply(to: first, first: 7), from: proxy, at: .microseconds(1_100), into: &out)
        c.handle(reply(to: first, first: 7), from: proxy, at: .microseconds(1_101), into: &out)
        #expect(c.completed == 1)
        #expect(c.drops.stale == 1)
    }

    @Test func answerWithOtherCountsIsReportedNotAccepted() {
        let c = makeClient(concurrency: 1)
        var out: [Output] = []
        c.start(at: .zero, into: &out)
        var wrong = requests(out)[0]
        wrong.counts = SpaceCounts([2, 1, 1, 1])
        out.removeAll()
        c.handle(reply(to: wrong, first: 0), from: proxy, at: .microseconds(10), into: &out)
        #expect(c.completed == 0)
        #expect(out.contains { if case .report(.anomaly) = $0 { true } else { false } })
    }

    @Test func randomDemandAsksForExactlyKSpaces() {
        let c = makeClient(concurrency: 50, demand: .random(k: 2))
        var out: [Output] = []
        c.start(at: .zero, into: &out)
        let sent = requests(out)
        #expect(sent.count == 50)
        #expect(sent.allSatisfy { $0.counts.counts.filter { $0 == 1 }.count == 2 && $0.counts.counts.reduce(0, +) == 2 })
        #expect(Set(sent.map(\.counts)).count > 1)
    }
}
