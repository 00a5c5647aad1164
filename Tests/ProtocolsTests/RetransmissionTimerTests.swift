import Protocols
import Testing

/// RFC 6298's estimator: the first sample, the smoothing that follows, the bounds, the backoff, and
/// a client that stops resending once it has learned its round trip (Karn's rule for the samples).
@Suite struct RetransmissionTimerTests {
    func timer(initial: UInt64 = 5_000) -> RetransmissionTimer {
        RetransmissionTimer(initialMicros: initial, floorMicros: 1_000, ceilingMicros: 40_000)
    }

    @Test func theFirstSampleSetsSRTTAndHalfOfItAsVariation() {
        var t = timer()
        #expect(t.rtoMicros == 5_000)
        t.sample(2_000)
        #expect(t.smoothedMicros == 2_000 && t.variationMicros == 1_000)
        #expect(t.rtoMicros == 2_000 + 4 * 1_000)
    }

    @Test func laterSamplesAreSmoothedWithAnEighthAndAQuarter() {
        var t = timer()
        t.sample(2_000)
        t.sample(4_000)  // deviation 2000: rttvar = (3·1000 + 2000)/4 = 1250; srtt = (7·2000 + 4000)/8 = 2250
        #expect(t.variationMicros == 1_250 && t.smoothedMicros == 2_250)
        #expect(t.rtoMicros == 2_250 + 5_000)
    }

    @Test func aSteadyRoundTripConvergesAndTheFloorHolds() {
        var t = timer()
        for _ in 0 ..< 200 { t.sample(100) }
        #expect(t.smoothedMicros == 100)
        #expect(t.rtoMicros == 1_000)
    }

    @Test(arguments: [UInt64(0), 1, UInt64.max / 2, UInt64.max])
    func extremeSamplesStayWithinTheBounds(sample: UInt64) {
        var t = timer()
        for _ in 0 ..< 3 { t.sample(sample) }
        #expect((1_000 ... 40_000).contains(t.rtoMicros))
    }

    @Test func expiryDoublesUpToTheCeiling() {
        var t = timer()
        t.backOff()
        #expect(t.rtoMicros == 10_000)
        for _ in 0 ..< 10 { t.backOff() }
        #expect(t.rtoMicros == 40_000)
        t.sample(1_000)  // a fresh sample recomputes it from the estimate
        #expect(t.rtoMicros == 3_000)
    }

    @Test func anInitialTimeoutOutsideTheBoundsIsClamped() {
        #expect(timer(initial: 0).rtoMicros == 1_000)
        #expect(timer(initial: .max).rtoMicros == 40_000)
    }

    /// Answers take 8 ms, beyond the initial 5 ms: the first operation is resent once, its timer
    /// backs off, and once answers arrive unresent the timeout rises above the round trip, so no
    /// operation is resent again (the fixed 5 ms resent every one of them).
    @Test func aClientLearnsASlowRoundTripAndStopsResending() {
        let proxy = Endpoint(1)
        let c = Client(endpoint: Endpoint(5), config: ClientConfig(client: 3, group: 0, proxies: [proxy], spaces: 1, concurrency: 1),
                       generator: SplitMix64(seed: 1))
        var out: [Output] = []
        var now = Instant.zero
        c.start(at: now, into: &out)
        var inFlight: [(due: Instant, request: ClientRequest)] = []
        func collect() {
            for case let .send(.clientRequest(r), _) in out { inFlight.append((now.adding(microseconds: 8_000), r)) }
            out.removeAll()
        }
        collect()
        var resentAfterLearning: UInt64 = 0
        for step in 0 ..< 20_000 {  // 100 ms in 5 µs steps
            now = now.adding(microseconds: 5)
            if let deadline = c.nextDeadline, now >= deadline { c.tick(at: now, into: &out) }
            collect()
            while let i = inFlight.firstIndex(where: { $0.due <= now }) {
                let r = inFlight.remove(at: i).request
                let ranges = r.counts.counts.map { SpaceRange(first: 0, count: $0) }
                c.handle(.clientReply(ClientReply(client: 3, requestID: r.requestID, group: 0, status: .ok,
                                                  numbers: MultiSequenceNumber(ranges))), from: proxy, at: now, into: &out)
                collect()
            }
            if step == 10_000 { resentAfterLearning = c.retransmissions }
        }
        #expect(c.retransmissions >= 1)
        #expect(c.retransmissions == resentAfterLearning)
        #expect(c.retransmission.rtoMicros > 8_000)
        #expect(c.completed > 5)
    }
}
