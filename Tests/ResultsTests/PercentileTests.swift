import Foundation
import Protocols
import Testing
@testable import Results

@Suite struct PercentileTests {
    @Test func percentilesComeFromOneHistogramOfAllClients() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let run = try store.testRun(["nclients": 4])
        var generator = SplitMix64(seed: 42)
        // Four clients with different latency distributions and sample counts.
        let samples: [[UInt64]] = (0 ..< 4).map { index in
            (0 ..< (500 + index * 700)).map { _ in UInt64.random(in: 20 ... (200 + UInt64(index) * 3_000), using: &generator) }
        }
        let clients = samples.enumerated().map { client(endpoint: UInt32(100 + $0.offset), samples: $0.element) }
        try store.record(attempt(1, nodes: [node(Array(clients[0 ..< 2])), node(Array(clients[2...]))], seconds: 4), run: run)

        // Expected, computed here: the clients' reported pairs recorded into one fresh histogram ...
        var fromPairs = LatencyHistogram.empty()
        for pair in clients.flatMap(\.latencyMicros) { _ = fromPairs.record(pair[0], count: pair[1]) }
        // ... and every raw sample recorded into one. Clients report each bucket by its highest
        // equivalent value, so the two agree to the bucket (the raw one knows the exact maximum).
        var fromSamples = LatencyHistogram.empty()
        for sample in samples.joined() { _ = fromSamples.record(sample) }
        let row = try #require(try store.percentiles(.run(run)).first)
        #expect(row.run == run)
        #expect(row.system == "mason")
        #expect(row.parameters == ["nclients": 4])
        #expect(row.throughputOps == Double(samples.joined().count) / 4)
        let stored = [row.p50Micros, row.p99Micros, row.p999Micros, row.p9999Micros]
        for (percentile, value) in zip([50, 99, 99.9, 99.99], stored) {
            #expect(value == Double(fromPairs.valueAtPercentile(percentile)), "p\(percentile)")
            #expect(fromSamples.valuesAreEquivalent(UInt64(value), fromSamples.valueAtPercentile(percentile)), "p\(percentile)")
        }
        // Not a per-client figure: the fastest client's median is below the merged one, the slowest's above.
        let medians = clients.map { LatencyHistogram.merged([$0.latencyMicros]).valueAtPercentile(50) }
        #expect(Double(medians.min()!) < row.p50Micros && row.p50Micros < Double(medians.max()!))
        #expect(try store.percentiles(.all) == [row])
    }

    @Test func mergedPercentilesAreNotTheAverageOfPerClientPercentiles() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let run = try store.testRun()
        // A fast busy client and a slow idle one: 1,000 operations at 100 µs, 10 at 10 ms.
        let fast = client(endpoint: 100, samples: Array(repeating: 100, count: 1_000))
        let slow = client(endpoint: 101, samples: Array(repeating: 10_000, count: 10))
        try store.record(attempt(1, nodes: [node([fast, slow])], seconds: 1), run: run)
        let row = try #require(try store.percentiles(.run(run)).first)
        #expect(row.p50Micros == 100)
        #expect(row.p99Micros == 100)  // the 1,000th of 1,010 operations is still a fast one
        #expect(row.p999Micros == 10_007)  // the slow client's 10,000 µs, at 3 significant digits
        // What the original scripts did: the mean of each client's median.
        let averagedMedian = (LatencyHistogram.merged([fast.latencyMicros]).valueAtPercentile(50)
            + LatencyHistogram.merged([slow.latencyMicros]).valueAtPercentile(50)) / 2
        #expect(averagedMedian > 5_000)
        #expect(row.p50Micros != Double(averagedMedian))
        #expect(row.throughputOps == 1_010)
    }

    @Test func sweepRowsAreMediansOverTrialsInPointOrder() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let sweep = try store.beginSweep(figure: "fig3", mode: nil, scale: "local", trials: 3)
        // Point "c=8" first, then "c=1": the table keeps the sweep's order, not the key order.
        var runs: [String: [RunID]] = [:]
        for key in ["c=8", "c=1"] {
            for trial in 1 ... 3 {
                let id = try store.run(sweep: sweep, pointKey: key, trial: trial, system: .mason,
                                       parameters: ["concurrency": key == "c=8" ? 8 : 1], configuration: testConfiguration,
                                       testbed: "local", masonlabVersion: "test")
                runs[key, default: []].append(id)
            }
        }
        // Trial throughputs 100, 300, 200 ops/s (2 s windows) and medians 10, 30, 20 µs.
        for (trial, ops) in [UInt64(200), 600, 400].enumerated() {
            let latency = UInt64(trial == 0 ? 10 : trial == 1 ? 30 : 20)
            try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: Array(repeating: latency, count: Int(ops)))])]),
                             run: runs["c=8"]![trial])
        }
        // Point c=1: two trials succeed (an even count: the mean of the two middle values), one fails.
        try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: Array(repeating: 50, count: 20))])]), run: runs["c=1"]![0])
        try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: Array(repeating: 70, count: 40))])]), run: runs["c=1"]![1])
        try store.record(attempt(1, .failed(reason: "no leader"), nodes: []), run: runs["c=1"]![2])

        let rows = try store.percentiles(.sweep(sweep))
        #expect(rows.map(\.pointKey) == ["c=8", "c=1"])
        #expect(rows[0].throughputOps == 200)
        #expect(rows[0].p50Micros == 20)
        #expect(rows[0].runs == runs["c=8"]!)
        #expect(rows[0].run == runs["c=8"]![0])
        #expect(rows[1].throughputOps == 15)
        #expect(rows[1].p50Micros == 60)
        #expect(rows[1].trials == 2)
        #expect(try store.percentiles(.figure("fig3")) == rows)
        #expect(try store.percentiles(.all).count == 5)
    }

    @Test func unknownScopesAreNamed() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        #expect(throws: ResultsError.unknownRun(RunID(4))) { try store.percentiles(.run(RunID(4))) }
        #expect(throws: ResultsError.unknownSweep(SweepID(2))) { try store.percentiles(.sweep(SweepID(2))) }
        #expect(throws: ResultsError.unknownFigure("fig9")) { try store.percentiles(.figure("fig9")) }
        #expect(try store.percentiles(.all).isEmpty)
        #expect("\(ResultsError.unknownRun(RunID(4)))" == "no run 4 in the results database (see masonlab results list)")
    }
}
