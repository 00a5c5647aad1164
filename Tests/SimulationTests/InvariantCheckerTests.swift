import Protocols
import Simulation
import Testing

/// The checkers must catch what they claim to: each test feeds a history with one violation.
@Suite struct InvariantCheckerTests {
    func numbers(_ firsts: [UInt64], count: UInt32 = 1) -> MultiSequenceNumber {
        MultiSequenceNumber(firsts.map { SpaceRange(first: $0, count: count) })
    }

    func history(_ ops: [(client: UInt32, id: UInt64, n: MultiSequenceNumber)], highWater: [UInt64]) -> RunHistory {
        var h = RunHistory()
        h.highWater = highWater
        h.committed = ops.enumerated().map { index, op in
            CommittedBatch(group: 0, seqRequestID: UInt64(index), batchID: UInt64(index),
                           ops: [CommittedOperation(client: op.client, requestID: op.id, numbers: op.n)])
        }
        h.completed = ops.map {
            CompletedOperation(client: $0.client, requestID: $0.id, group: 0, requested: $0.n.counts, numbers: $0.n,
                               issuedAt: .zero, completedAt: .zero)
        }
        return h
    }

    func failed(_ h: RunHistory) -> Set<String> {
        Set(InvariantChecker.check(h, codecFailures: []).filter { !$0.held }.map(\.name))
    }

    @Test func aCleanHistoryPasses() {
        #expect(failed(history([(1, 0, numbers([0, 0])), (1, 1, numbers([1, 1])), (2, 0, numbers([2, 2]))],
                               highWater: [3, 3])).isEmpty)
    }

    @Test func aGapBreaksContiguity() {
        #expect(failed(history([(1, 0, numbers([0])), (1, 1, numbers([2]))], highWater: [3])) == ["contiguity"])
    }

    @Test func numbersBeyondTheAssignedOnesBreakContiguity() {
        #expect(failed(history([(1, 0, numbers([0]))], highWater: [2])) == ["contiguity"])
    }

    @Test func anOverlapIsANumberGivenTwice() {
        let h = history([(1, 0, numbers([0], count: 2)), (2, 0, numbers([1]))], highWater: [2])
        #expect(failed(h).contains("noNumberTwice"))
    }

    @Test func aLaterRequestWithLowerNumbersBreaksClientOrder() {
        let h = history([(1, 0, numbers([1])), (1, 1, numbers([0]))], highWater: [2])
        #expect(failed(h) == ["clientOrder"])
    }

    @Test func oppositeOrdersInTwoSpacesBreakCrossSpaceOrder() {
        let h = history([(1, 0, numbers([0, 1])), (2, 0, numbers([1, 0]))], highWater: [2, 2])
        #expect(failed(h) == ["crossSpaceOrder"])
    }

    @Test func aCycleThroughThreeSpacesBreaksCrossSpaceOrder() {
        // a<b in space 0, b<c in space 1, c<a in space 2: no pair disagrees, yet no total order exists.
        let e = SpaceRange.empty
        let a = MultiSequenceNumber([SpaceRange(first: 0, count: 1), e, SpaceRange(first: 1, count: 1)])
        let b = MultiSequenceNumber([SpaceRange(first: 1, count: 1), SpaceRange(first: 0, count: 1), e])
        let c = MultiSequenceNumber([e, SpaceRange(first: 1, count: 1), SpaceRange(first: 0, count: 1)])
        let h = history([(1, 0, a), (2, 0, b), (3, 0, c)], highWater: [2, 2, 2])
        #expect(failed(h) == ["crossSpaceOrder"])
    }

    @Test func anAnswerOtherThanTheCommittedOneIsCaught() {
        var h = history([(1, 0, numbers([0])), (1, 1, numbers([1]))], highWater: [2])
        h.completed[1].numbers = numbers([5])
        h.completed[1].requested = numbers([5]).counts
        #expect(failed(h).contains("answersMatchCommitted"))
    }

    @Test func wrongCountsAreCaught() {
        var h = history([(1, 0, numbers([0]))], highWater: [1])
        h.completed[0].requested = SpaceCounts([2])
        #expect(failed(h) == ["exactCounts"])
    }

    @Test func twoDifferentBatchesUnderOneIDAreCaught() {
        var h = history([(1, 0, numbers([0]))], highWater: [1])
        var other = h.committed[0]
        other.ops[0].numbers = numbers([7])
        h.committed.append(other)
        #expect(failed(h).contains("stateMachineSafety"))
    }

    @Test func outstandingOperationsAndAnomaliesFailTheRun() {
        var h = history([], highWater: [0])
        h.outstandingAtEnd = 3
        h.anomalies = ["e1: something odd"]
        #expect(failed(h) == ["liveness", "noAnomalies"])
    }

    /// A role's counter of input no correct peer sends (Raft's second leader in one term, say) is
    /// an invariant, like an anomaly: not a number nobody reads.
    @Test func anImpossibleInputCounterFailsNoAnomalies() {
        var h = history([(1, 0, numbers([0]))], highWater: [1])
        h.impossibleInputs = ["proxy e3 (group 0): 1 Raft inputs no correct peer sends"]
        let results = InvariantChecker.check(h, codecFailures: [])
        #expect(failed(h) == ["noAnomalies"])
        #expect(results.first { $0.name == "noAnomalies" }?.detail == h.impossibleInputs[0])
    }

    @Test func aFaultThatNeverHitFailsTheSeed() {
        var h = history([(1, 0, numbers([0]))], highWater: [1])
        h.missedFaults = ["--kill-leader 0.25 never hit: group 0 had no live leader from 0.25 s until the load ended at 1.25 s."]
        #expect(failed(h) == ["faultsHit"])
    }

    /// Requests are keyed by (client, request) whole: client 0's request 2^40 is not client 1's
    /// request 0 (as it was when the two were packed into `client << 40 | requestID`).
    @Test func requestsOfDifferentClientsNeverCollide() {
        #expect(failed(history([(0, 1 << 40, numbers([0])), (1, 0, numbers([1]))], highWater: [2])).isEmpty)
    }
}
