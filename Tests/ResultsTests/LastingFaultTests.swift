import Foundation
import Testing
@testable import Results

/// Pauses and partitions have an end: it is stored (schema 3) and read back, and the recovery plot
/// shades the time each was in force while kills keep their dashed line.
@Suite(.serialized) struct LastingFaultTests {
    let faults = [FaultEvent(kind: "pause", target: "proxy-1 (group 0 leader e3)", atSeconds: 1.02, endSeconds: 1.53),
                  FaultEvent(kind: "kill-sequencer", target: "sequencer-0", atSeconds: 2),
                  FaultEvent(kind: "partition", target: "proxy-0 cut off from the 6 other nodes", atSeconds: 2.5, endSeconds: 3.31)]

    @Test func aFaultsEndIsStoredAndReadBack() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        let run = try store.testRun()
        let curve = RecoveryCurve(intervalMillis: 10, warmupMillis: 0, highestContiguous: [[0, 1, 2]], completions: [1, 1, 1])
        try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: [5])])], recovery: curve, faults: faults), run: run)
        let found = try store.recovery(run: run)
        #expect(found.faults == faults)
        #expect(abs((found.faults[0].durationSeconds ?? 0) - 0.51) < 1e-9)
        #expect(found.faults[1].endSeconds == nil)
        #expect(try store.attempts(run: run).first?.faults == faults)
    }

    @Test func theRecoveryPlotShadesPausesAndPartitionsAndKeepsKillLines() throws {
        let curve = RecoveryCurve(intervalMillis: 10, warmupMillis: 500, highestContiguous: [Array(0 ..< 450).map(Int64.init)],
                                  completions: Array(repeating: 100, count: 450))
        let figure = RecoveryFigure(title: "r", curve: curve, faults: faults)
        let script = figure.script(format: .svg, picture: URL(fileURLWithPath: "/tmp/r.svg"))
        #expect(script.contains("set object 1 rect from first 1.02, graph 0 to first 1.53, graph 1 behind fc rgb '#f4b860'"))
        #expect(script.contains("set arrow 2 from first 2, graph 0 to first 2, graph 1 nohead"))
        #expect(script.contains("set object 3 rect from first 2.5, graph 0 to first 3.31, graph 1 behind fc rgb '#7fb2e5'"))
        #expect(!script.contains("set arrow 1 ") && !script.contains("set arrow 3 "))
        #expect(script.contains("'paused' at first 1.02,") && script.contains("'partition' at first 2.5,"))
        #expect(figure.data().contains("# fault partition at 2.5 s until 3.31 s: proxy-0 cut off from the 6 other nodes\n"))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let files = try figure.render(to: scratch.file("shaded.svg"))
        #expect(try String(contentsOf: files.picture, encoding: .utf8).contains("<svg"))
    }
}
