import Foundation
import TestSupport
import Testing

/// `masonlab simulate` shows each seed when it finishes, and an interrupted sweep keeps what it found.
@Suite struct SimulateStreamingTests {
    @Test func jsonLinesPrintsOneRecordPerSeed() throws {
        let result = try SimulateCommandTests.masonlab(["simulate", "--seeds", "3", "--duration", "0.05", "--json-lines"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(whereSeparator: \.isNewline)
        #expect(lines.count == 3)
        var seeds: [Int] = []
        for line in lines {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record["ok"] as? Bool == true)
            #expect(record["replay"] == nil)
            seeds.append(try #require(record["seed"] as? Int))
        }
        #expect(seeds.sorted() == [1, 2, 3])
    }

    @Test func jsonAndJsonLinesAreExclusive() throws {
        let result = try SimulateCommandTests.masonlab(["simulate", "--json", "--json-lines"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--json-lines"))
    }

    /// Ctrl-C in the middle of a long sweep: the rows already printed stay, the summary counts the
    /// finished seeds, and the exit is 130.
    @Test func interruptedSweepPrintsWhatFinished() throws {
        let simulate = try RunningChild(ChildCommand(SimulateCommandTests.binaryURL.path, ["simulate", "--seeds", "100000", "--duration", "0.05"]))
        // Wait until three seeds have finished (a header and three rows), then interrupt.
        try Polling.until("three seeds finished", within: 120, every: 0.01) {
            String(decoding: simulate.outputSoFar.standardOutput, as: UTF8.self).split(whereSeparator: \.isNewline).count >= 4
                || !simulate.isRunning
        }
        simulate.signal(SIGINT)
        let ended = try simulate.result(within: 60)
        #expect(ended.status == .exited(130))
        let text = ended.output
        let lines = text.split(whereSeparator: \.isNewline)
        #expect(lines.first?.hasPrefix("seed") == true)
        let rows = lines.dropFirst().filter { $0.first?.isNumber == true }
        #expect(rows.count >= 3)
        let summary = try #require(lines.last.map(String.init))
        #expect(summary.hasPrefix("Interrupted: \(rows.count) of 100000 seeds finished: \(rows.count) passed"), "\(summary)")
    }
}
