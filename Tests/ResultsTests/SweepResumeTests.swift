import Foundation
import Testing
@testable import Results

@Suite struct SweepResumeTests {
    @Test func anUnfinishedSweepIsResumedWithItsRunsAndSuccesses() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("masonlab.sqlite")
        let store = try ResultsStore(path: path)
        let sweep = try store.beginSweep(figure: "fig4", mode: "appends", scale: "local", trials: 2)
        func point(_ key: String, _ trial: Int, in store: ResultsStore) throws -> RunID {
            try store.run(sweep: sweep, pointKey: key, trial: trial, system: .corfumason, parameters: ["nproxies": 3],
                          configuration: testConfiguration, testbed: "local", masonlabVersion: "test")
        }
        let first = try point("p=3", 1, in: store)
        try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: [9])])]), run: first)
        let second = try point("p=3", 2, in: store)
        try store.record(attempt(1, .failed(reason: "client 101 sent no results"), nodes: []), run: second)

        // Ctrl-C, then `run-figure` again: same sweep, same runs, only trial 1 is done.
        let reopened = try ResultsStore(path: path)
        let resumed = try reopened.beginSweep(figure: "fig4", mode: "appends", scale: "local", trials: 3)
        #expect(resumed == sweep)
        #expect(try reopened.listSweeps().first?.trials == 3)
        #expect(try reopened.succeededRuns(sweep: sweep) == [PointTrial(pointKey: "p=3", trial: 1)])
        #expect(try point("p=3", 2, in: reopened) == second)
        #expect(try reopened.attempts(run: second).count == 1)
        try reopened.record(attempt(2, nodes: [node([client(endpoint: 1, samples: [9])])]), run: second)
        #expect(try reopened.succeededRuns(sweep: sweep) == [PointTrial(pointKey: "p=3", trial: 1), PointTrial(pointKey: "p=3", trial: 2)])

        let listing = try #require(try reopened.listSweeps().first)
        #expect(listing.status == "running")
        #expect(listing.succeededRuns == 2 && listing.failedRuns == 0 && listing.pendingRuns == 0)

        // A finished sweep is not resumed: the same figure starts a new one.
        try reopened.finishSweep(sweep)
        #expect(try reopened.listSweeps().first?.status == "finished")
        #expect(try reopened.listSweeps().first?.finished != nil)
        let again = try reopened.beginSweep(figure: "fig4", mode: "appends", scale: "local", trials: 3)
        #expect(again != sweep)
        #expect(try reopened.succeededRuns(sweep: again).isEmpty)
    }

    @Test func sweepsDifferingInModeOrScaleAreDistinct() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let appends = try store.beginSweep(figure: "fig4", mode: "appends", scale: "local", trials: 1)
        let reads = try store.beginSweep(figure: "fig4", mode: "reads", scale: "local", trials: 1)
        let paper = try store.beginSweep(figure: "fig4", mode: "appends", scale: "paper", trials: 5)
        let modeless = try store.beginSweep(figure: "fig3", mode: nil, scale: "local", trials: 1)
        #expect(Set([appends, reads, paper, modeless]).count == 4)
        #expect(try store.beginSweep(figure: "fig3", mode: nil, scale: "local", trials: 1) == modeless)
        #expect(try store.listSweeps().map(\.mode) == ["appends", "reads", "appends", nil])
        #expect(throws: ResultsError.unknownSweep(SweepID(99))) { try store.finishSweep(SweepID(99)) }
        #expect(throws: ResultsError.unknownSweep(SweepID(99))) {
            try store.run(sweep: SweepID(99), pointKey: "x", system: .mason, parameters: [:], configuration: testConfiguration,
                          testbed: "local", masonlabVersion: "test")
        }
    }

    @Test func standaloneRunsAreAlwaysNew() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let a = try store.testRun()
        let b = try store.testRun()
        #expect(a != b)
        #expect(try store.listRuns().map(\.sweep) == [nil, nil])
        #expect(try store.listRuns().map(\.pointKey) == [nil, nil])
        #expect(throws: ResultsError.invalidConfiguration("placement: node-0")) {
            try store.run(sweep: nil, pointKey: nil, system: .mason, parameters: [:], configuration: "placement: node-0",
                          testbed: "local", masonlabVersion: "test")
        }
        #expect(RunParameters(parsing: ["nproxies": "6", "batch_timeout_us": "2.5", "mode": "appends", "gc": "true"])
            == ["nproxies": 6, "batch_timeout_us": 2.5, "mode": "appends", "gc": true])
    }
}
