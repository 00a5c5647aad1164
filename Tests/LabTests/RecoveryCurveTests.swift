import Control
import Lab
import Testing

@Suite struct RecoveryCurveTests {
    private func client(_ ranges: [[[UInt64]]], completions: [UInt64]) -> ClientResults {
        ClientResults(endpoint: 9, group: 0, crashed: false, completed: 0, completedInWindow: 0, retransmissions: 0, failovers: 0,
                      latencyMicros: [], completions: completions, highest: [], numbers: [], rangesByInterval: ranges)
    }

    /// The curve rises only as far as the numbers from 0 are all in: a hole holds it until the
    /// noop that fills it arrives.
    @Test func holesHoldTheCurveUntilFilled() {
        let a = client([[[0, 0, 5]], [[0, 8, 4]], []], completions: [5, 4, 0])
        let proxy = ProxyResults(endpoint: 2, group: 0, replica: 0, crashed: false, committedBatches: 0, committed: nil,
                                 committedCount: [], noops: [], duplicates: 0, leaderTerms: [], noopsByInterval: [[], [], [[0, 5, 3]]])
        let nodes = [RunResults(run: nil, intervalMillis: 10, originUnixNanos: 0, clients: [a], proxies: [proxy], sequencers: [])]
        let curve = RecoveryCurveBuilder.build(nodes, spaces: 1)
        #expect(curve.highest == [[4, 4, 11]])
        #expect(curve.completions == [5, 4, 0])
    }
}
