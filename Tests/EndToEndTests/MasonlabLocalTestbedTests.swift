import Foundation
import Histogram
import Results
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// masonlab on the local testbed, as a researcher types it: runs, sweeps that survive being
/// killed, retries, percentiles, recovery runs and their plot, and bad input.
final class MasonlabLocalTestbedTests: XCTestCase {
    private var lab: Masonlab!

    override func setUpWithError() throws { lab = try Masonlab() }
    override func tearDown() { lab.remove() }

    /// A sweep interrupted by SIGINT and then by SIGKILL resumes without re-running finished
    /// points, leaves no daemon behind, and ends with every point stored once.
    func testInterruptedSweepResumesAndFinishes() throws {
        let store = { try ResultsStore(path: self.lab.database) }
        func succeeded() -> Int { (try? store().listRuns().filter { $0.status == "succeeded" }.count) ?? 0 }

        // First: SIGINT once two points are stored.
        var (process, _, _) = try lab.start(["run-figure", "mason"])
        try waitUntil(seconds: 120) { succeeded() >= 2 || !process.isRunning }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        try waitUntil(seconds: 10) { Masonlab.daemons(of: process.processIdentifier).isEmpty }
        let afterInterrupt = try store().listRuns().filter { $0.status == "succeeded" }.map(\.id)
        XCTAssertGreaterThanOrEqual(afterInterrupt.count, 2)

        // Second: SIGKILL once one more point is stored; the daemons notice their controller is gone.
        (process, _, _) = try lab.start(["run-figure", "mason"])
        try waitUntil(seconds: 120) { succeeded() >= afterInterrupt.count + 1 || !process.isRunning }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try waitUntil(seconds: 10) { Masonlab.daemons(of: process.processIdentifier).isEmpty }

        // Third: to the end.
        let finish = try lab.run(["run-figure", "mason", "--json"])
        XCTAssertEqual(finish.status, 0, finish.stderr)
        let runs = try store().listRuns()
        XCTAssertEqual(runs.count, 6, "one run per point of the local mason figure")
        XCTAssertTrue(runs.allSatisfy { $0.status == "succeeded" })
        for id in afterInterrupt {
            XCTAssertEqual(try store().attempts(run: id).count, 1, "run \(id) finished before the interrupt and was not run again")
        }
        // No half-written attempt: every stored attempt has its outcome and, when it succeeded, its clients.
        for run in runs {
            for attempt in try store().attempts(run: run.id) where attempt.outcome == .succeeded {
                XCTAssertEqual(attempt.clients, 4)
            }
        }
        let table = try JSONSerialization.jsonObject(with: Data(finish.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((table?["rows"] as? [Any])?.count, 6)
    }

    /// A client that cannot start on the first attempt is retried, and both attempts are kept;
    /// the percentiles printed equal those of the clients' histograms merged here.
    func testStartFailureIsRetriedAndPercentilesComeFromTheMergedHistogram() throws {
        let run = try lab.run(["run", "--duration", "1", "--inject-client-start-failures", "1", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let store = try ResultsStore(path: lab.database)
        let id = try XCTUnwrap(store.listRuns().first?.id)
        let attempts = try store.attempts(run: id)
        XCTAssertEqual(attempts.map(\.outcome.name), ["failed", "succeeded"])
        XCTAssertTrue(attempts[0].outcome.reason?.contains("failed to start") == true, attempts[0].outcome.reason ?? "")

        let export = try lab.run(["results", "export", "--json"])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        let stored = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first?["attempts"] as? [[String: Any]])
        let clients = try XCTUnwrap(stored.last?["client_results"] as? [[String: Any]])
        var merged = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for client in clients {
            for pair in try XCTUnwrap(client["latency_us"] as? [[NSNumber]]) { _ = merged.record(pair[0].uint64Value, count: pair[1].uint64Value) }
        }
        let row = try XCTUnwrap(((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["rows"] as? [[String: Any]])?.first)
        XCTAssertEqual((row["p50_us"] as? NSNumber)?.uint64Value, merged.valueAtPercentile(50))
        XCTAssertEqual((row["p99_us"] as? NSNumber)?.uint64Value, merged.valueAtPercentile(99))
        XCTAssertEqual((row["p999_us"] as? NSNumber)?.uint64Value, merged.valueAtPercentile(99.9))
    }

    /// A run with a leader kill and a sequencer kill keeps contiguity (the runner checks it on
    /// every attempt), records both kills, and its recovery plot is drawn.
    func testRecoveryRunRecordsTheKillsAndPlots() throws {
        let run = try lab.run(["run", "--duration", "3", "--nsequence-spaces", "2", "--kill-leader", "1", "--kill-sequencer", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let recovery = try ResultsStore(path: lab.database).recovery()
        XCTAssertEqual(recovery.faults.map(\.kind), ["kill-leader", "kill-sequencer"])
        XCTAssertEqual(recovery.curve.highestContiguous.count, 2)
        XCTAssertGreaterThan(recovery.curve.highestContiguous[0].last ?? -1, 1_000)
        let plot = try lab.run(["recovery-plot", "--out", "r.png"])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        for file in ["r.png", "r.dat", "r.gp"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: lab.folder.appendingPathComponent(file).path), file)
        }
    }

    /// Bad input exits 2 with one sentence.
    func testBadInputExitsTwo() throws {
        let cases: [([String], String)] = [
            (["run-figure", "nosuch"], "'nosuch' is not a figure"),
            (["run", "--system", "cassandra"], "cassandra"),
            (["run", "--nproxies", "4"], "multiple of 3"),
            (["plan", "--nproxies", "5"], "multiple of 3"),
            (["run-figure", "mason", "--appends"], "no --appends mode"),
        ]
        for (arguments, expected) in cases {
            let out = try lab.run(arguments)
            XCTAssertEqual(out.status, 2, "\(arguments): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains(expected), "\(arguments): \(out.stderr)")
        }
        try Data("not a database".utf8).write(to: lab.folder.appendingPathComponent("junk.sqlite"))
        let junk = try lab.run(["results", "list", "--db", "junk.sqlite"])
        XCTAssertEqual(junk.status, 2, junk.stderr)
        XCTAssertTrue(junk.stderr.contains("not"), junk.stderr)
    }
}
