import Foundation
import Testing
@testable import Results

@Suite struct RecoveryStoreTests {
    @Test func theLatestRunWithFaultsIsTheDefault() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let store = try ResultsStore(path: scratch.file("masonlab.sqlite"))
        #expect(throws: ResultsError.noRecoveryRun(path: store.path)) { try store.recovery() }

        let older = try store.testRun()
        let curve = RecoveryCurve(intervalMillis: 10, warmupMillis: 500,
                                  highestContiguous: [[-1, 0, 7, 7, 12], [3, 3, 9, 15, 20]], completions: [4, 0, 12, 6, 9])
        let faults = [FaultEvent(kind: "kill-leader", target: "proxy-2 (group 0)", atSeconds: 6),
                      FaultEvent(kind: "kill-sequencer", target: "sequencer-0", atSeconds: 16)]
        try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: [5])])], recovery: curve, faults: faults), run: older)
        // A later run with a curve but no faults, and one with neither.
        let quiet = try store.testRun()
        try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: [5])])], recovery: curve), run: quiet)
        let plain = try store.testRun()
        try store.record(attempt(1, nodes: [node([client(endpoint: 1, samples: [5])])]), run: plain)

        let found = try store.recovery()
        #expect(found.run == older)
        #expect(found.curve == curve)
        #expect(found.faults == faults)
        #expect(found.system == "mason")
        #expect(try store.recovery(run: quiet).faults.isEmpty)
        #expect(throws: ResultsError.noRecoveryCurve(plain)) { try store.recovery(run: plain) }
        #expect(throws: ResultsError.unknownRun(RunID(77))) { try store.recovery(run: RunID(77)) }
    }

    @Test func curveTimesCountFromTheStartOfMeasurement() {
        let curve = RecoveryCurve(intervalMillis: 10, warmupMillis: 500, highestContiguous: [[1]], completions: [1])
        #expect(curve.secondsFromMeasurementStart(atEndOf: 49) == 0)
        #expect(curve.secondsFromMeasurementStart(atEndOf: 149) == 1)
    }
}
