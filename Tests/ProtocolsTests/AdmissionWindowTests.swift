import Protocols
import Testing

/// A client keeping its whole concurrency outstanding against a proxy's admission window:
/// `masonlab run --concurrency 4096` once completed 4,096 operations per client and then
/// retransmitted forever. (`SimulationTests` runs the whole cluster at concurrency 4096.)
@Suite struct AdmissionWindowTests {
    let sequencer = Endpoint(0)
    let client = Endpoint(9)

    func servingProxy(window: UInt64) -> Proxy {
        ServingProxy.make(spaces: 1, sequencer: sequencer) { config in
            config.maxClientWindow = window
            config.maxBatchOps = 64
        }
    }

    func op(_ id: UInt64, acknowledgedBelow: UInt64) -> Message {
        .clientRequest(ClientRequest(client: 1, requestID: id, group: 0, acknowledgedBelow: acknowledgedBelow,
                                     counts: SpaceCounts([1])))
    }

    /// Sends every open batch to the sequencer and answers it; returns the request ids answered.
    func sequenceEverything(_ p: Proxy, at micros: UInt64, next: inout UInt64) -> [UInt64] {
        var out: [Output] = []
        p.tick(at: .microseconds(micros), into: &out)
        var answered: [UInt64] = []
        for case let .send(.sequencerRequest(r), _) in out {
            let numbers = MultiSequenceNumber([SpaceRange(first: next, count: r.counts[0])])
            next += UInt64(r.counts[0])
            var replies: [Output] = []
            p.handle(.sequencerReply(SequencerReply(group: 0, batchID: r.batchID, seqRequestID: r.seqRequestID,
                                                    status: .allocated, numbers: numbers)),
                     from: sequencer, at: .microseconds(micros + 1), into: &replies)
            for case let .send(.clientReply(reply), _) in replies { answered.append(reply.requestID) }
        }
        return answered
    }

    /// The window's whole worth outstanding (ids 0..<4, all acknowledging nothing), answered; the
    /// client's next request (id 4, acknowledging 0) is within its own mark plus the window. It was
    /// refused: the group's recorded mark was still 0 and only a later commit could raise it.
    @Test func clientKeepingTheWholeWindowOutstandingIsStillAdmitted() {
        let p = servingProxy(window: 4)
        var out: [Output] = []
        var next: UInt64 = 0
        for id: UInt64 in 0 ..< 4 { p.handle(op(id, acknowledgedBelow: 0), from: client, at: .zero, into: &out) }
        #expect(sequenceEverything(p, at: 100, next: &next) == [0, 1, 2, 3])
        // The client completed 0 and issued 4; then the rest, one at a time.
        for id: UInt64 in 4 ..< 12 {
            p.handle(op(id, acknowledgedBelow: id - 3), from: client, at: .microseconds(200 * id), into: &out)
            #expect(sequenceEverything(p, at: 200 * id + 100, next: &next) == [id], "request \(id) refused")
        }
        #expect(p.drops.rejected == 0)
    }

    /// A forged acknowledged mark cannot widen the window: the mark counts only up to what the
    /// group committed for that client.
    @Test func aForgedAcknowledgedMarkDoesNotWidenTheWindow() {
        let p = servingProxy(window: 4)
        var out: [Output] = []
        p.handle(op(10, acknowledgedBelow: .max), from: client, at: .zero, into: &out)
        p.handle(op(.max, acknowledgedBelow: .max), from: client, at: .zero, into: &out)
        #expect(p.drops.rejected == 2)
    }

    /// The rule every configuration checks: at most the window's worth of operations per client.
    @Test func concurrencyAboveTheWindowIsRefusedAtConfiguration() {
        #expect(ProxyConfig.concurrencyError(1) == nil)
        #expect(ProxyConfig.concurrencyError(ProxyConfig.maxClientConcurrency) == nil)
        #expect(ProxyConfig.concurrencyError(ProxyConfig.maxClientConcurrency + 1)?.contains("4096") == true)
        #expect(ProxyConfig.concurrencyError(0) != nil)
        #expect(ProxyConfig.concurrencyError(.max) != nil)
        #expect(ProxyConfig.concurrencyError(.min) != nil)
        let config = ProxyConfig(group: 0, spaces: 1, replicas: [Endpoint(1)], me: 0, sequencers: [Endpoint(0)])
        #expect(config.maxClientWindow == UInt64(ProxyConfig.maxClientConcurrency))
    }
}
