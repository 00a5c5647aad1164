import Foundation
import Protocols
import Testing
@testable import Results

@Suite struct AttemptRecordingTests {
    @Test func anAttemptThatFailsMidWriteLeavesNothingBehind() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let run = try store.testRun()
        // The second node repeats endpoint 101: the attempt row, node 0 and its clients are already
        // written when the unique constraint fires on node 1.
        let broken = attempt(1, nodes: [node([client(endpoint: 100, samples: [10, 20]), client(endpoint: 101, samples: [30])]),
                                        node([client(endpoint: 101, samples: [40])])],
                             recovery: RecoveryCurve(intervalMillis: 10, warmupMillis: 0, highestContiguous: [[1, 2]], completions: [1, 1]),
                             faults: [FaultEvent(kind: "kill-leader", target: "proxy-2", atSeconds: 1)])
        #expect(throws: ResultsError.duplicateClient(run: run, endpoint: 101)) { try store.record(broken, run: run) }

        #expect(try store.attempts(run: run).isEmpty)
        #expect(try store.listRuns().first?.status == "pending")
        let tables = try store.exportCSV()
        #expect(tables.attempts.rows.isEmpty)
        #expect(tables.clients.rows.isEmpty)
        #expect(throws: ResultsError.noRecoveryRun(path: store.path)) { try store.recovery() }

        // Attempt number 1 is still free, and the same data without the duplicate is recorded whole.
        let fixed = attempt(1, nodes: [node([client(endpoint: 100, samples: [10, 20]), client(endpoint: 101, samples: [30])]),
                                       node([client(endpoint: 102, samples: [40])])])
        try store.record(fixed, run: run)
        #expect(try store.attempts(run: run).map(\.clients) == [3])
        #expect(try store.exportCSV().clients.rows.count == 3)
    }

    @Test func theRunStatusFollowsItsLatestAttempt() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let run = try store.testRun()
        #expect(try store.listRuns().first?.status == "pending")

        try store.record(attempt(1, .failed(reason: "proxy 3 did not start"), nodes: []), run: run)
        #expect(try store.listRuns().first?.status == "failed")
        #expect(try store.percentiles(.run(run)).isEmpty)

        try store.record(attempt(2, nodes: [node([client(endpoint: 100, samples: [5, 6, 7])])]), run: run)
        let listed = try #require(try store.listRuns().first)
        #expect(listed.status == "succeeded")
        #expect(listed.attempts == 2)
        #expect(listed.throughputOps == 1.5)

        let attempts = try store.attempts(run: run)
        #expect(attempts.map(\.number) == [1, 2])
        #expect(attempts.map(\.outcome) == [.failed(reason: "proxy 3 did not start"), .succeeded])
        #expect(attempts[0].startedAt == Date(timeIntervalSince1970: 1_700_000_010))

        #expect(throws: ResultsError.runAlreadySucceeded(run)) {
            try store.record(attempt(3, nodes: [node([client(endpoint: 100, samples: [5])])]), run: run)
        }
    }

    @Test func aRepeatedAttemptNumberIsRefused() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let run = try store.testRun()
        try store.record(attempt(1, .failed(reason: "timeout"), nodes: []), run: run)
        #expect(throws: ResultsError.duplicateAttempt(run: run, number: 1)) {
            try store.record(attempt(1, .failed(reason: "again"), nodes: []), run: run)
        }
        #expect(try store.attempts(run: run).count == 1)
    }

    @Test func inconsistentAttemptsAreRefusedBeforeWriting() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let run = try store.testRun()
        var malformed = client(endpoint: 100, samples: [5])
        malformed.latencyMicros.append([7])
        #expect(throws: ResultsError.malformedHistogram(run: run, endpoint: 100)) {
            try store.record(attempt(1, nodes: [node([malformed])]), run: run)
        }
        #expect(throws: ResultsError.self) { try store.record(attempt(1, nodes: []), run: run) }
        #expect(throws: ResultsError.self) { try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: [1])])], seconds: 0), run: run) }
        #expect(throws: ResultsError.unknownRun(RunID(999))) { try store.record(attempt(1, .failed(reason: "x"), nodes: []), run: RunID(999)) }
        #expect(try store.attempts(run: run).isEmpty)
    }

    @Test func storedHistogramsDecodeToTheSamePairs() throws {
        var generator = SplitMix64(seed: 7)
        let samples = (0 ..< 5_000).map { _ in UInt64.random(in: 1 ... 5_000_000, using: &generator) }
        let pairs = client(endpoint: 1, samples: samples).latencyMicros
        let blob = LatencyHistogram.encode(pairs)
        #expect(LatencyHistogram.decode(blob) == pairs)
        // Compact: well under the 16 bytes per pair of two raw integers.
        #expect(blob.count < pairs.count * 6)
        // Unsorted and repeated values come back sorted and summed.
        #expect(LatencyHistogram.decode(LatencyHistogram.encode([[9, 1], [3, 2], [9, 4], [5, 0]])) == [[3, 2], [9, 5]])
        #expect(LatencyHistogram.decode(Data([2, 1, 1])) == nil)
        #expect(LatencyHistogram.decode(Data([1, 0x80])) == nil)
    }
}
