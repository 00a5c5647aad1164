import Foundation
import Histogram
import Lab
import Results
import TestSupport
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
        var masonlab = try lab.start(["run-figure", "mason"])
        try Polling.until("two points stored", within: 120, every: 0.05) { succeeded() >= 2 || !masonlab.isRunning }
        masonlab.signal(SIGINT)
        XCTAssertEqual(try masonlab.result(within: 60).status, .exited(130))
        try Polling.until("the interrupted run's daemons gone", within: 10, every: 0.01) { Masonlab.daemons(of: masonlab.pid).isEmpty }
        let afterInterrupt = try store().listRuns().filter { $0.status == "succeeded" }.map(\.id)
        XCTAssertGreaterThanOrEqual(afterInterrupt.count, 2)

        // Second: SIGKILL once one more point is stored; the daemons notice their controller is gone.
        masonlab = try lab.start(["run-figure", "mason"])
        try Polling.until("one more point stored", within: 120, every: 0.05) { succeeded() >= afterInterrupt.count + 1 || !masonlab.isRunning }
        masonlab.signal(SIGKILL)
        XCTAssertEqual(try masonlab.result(within: 60).status, .signalled(SIGKILL))
        try Polling.until("the killed run's daemons gone", within: 10, every: 0.01) { Masonlab.daemons(of: masonlab.pid).isEmpty }

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
        XCTAssertEqual(try RunTable.decode(finish.stdout).rows.count, 6)
    }

    /// A client that cannot start on the first attempt is retried, and both attempts are kept;
    /// the percentiles printed equal those of the clients' histograms merged here. The start is
    /// broken from outside: the test holds the UDP port client-0's first worker binds (placement
    /// is deterministic: the node's address from `masonlab plan`, its first worker on the base
    /// port) until masonlab says the first attempt failed.
    func testStartFailureIsRetriedAndPercentilesComeFromTheMergedHistogram() throws {
        let plan = try lab.run(["plan"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        let client = try XCTUnwrap(plan.stdout.split(separator: "\n").map { $0.split(separator: " ") }.first { $0.first == "client-0" },
                                   plan.stdout)
        let held = try HeldUDPPort(address: String(client[1]), port: MasonOptions().basePort)
        let masonlab = try lab.start(["run", "--duration", "1", "--json"])
        try Polling.until("masonlab saying its first attempt failed", within: 120, every: 0.002) {
            String(decoding: masonlab.outputSoFar.standardError, as: UTF8.self).contains("attempt 1 failed") || !masonlab.isRunning
        }
        held.release()  // the next attempt's client binds it
        let run = Masonlab.Output(try masonlab.result(within: 300))
        XCTAssertEqual(run.status, 0, run.stderr)
        let store = try ResultsStore(path: lab.database)
        let id = try XCTUnwrap(store.listRuns().first?.id)
        let attempts = try store.attempts(run: id)
        // Two attempts, unless the machine was so slow that the second began before the port was
        // released: then every attempt before the last failed the same way.
        XCTAssertGreaterThanOrEqual(attempts.count, 2)
        XCTAssertEqual(attempts.map(\.outcome.name), Array(repeating: "failed", count: attempts.count - 1) + ["succeeded"])
        for failed in attempts.dropLast() {
            XCTAssertTrue(failed.outcome.reason?.contains("client-0: a client failed to start") == true, failed.outcome.reason ?? "")
        }

        let export = try lab.run(["results", "export", "--json"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let stored = try XCTUnwrap(try ExportDocument.decode(export.stdout).runs.first?.attempts)
        XCTAssertEqual(stored.count, attempts.count)
        let clients = try XCTUnwrap(stored.last?.clientResults)
        XCTAssertEqual(clients.count, 4)
        var merged = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        for client in clients {
            for pair in client.latencyUs {
                XCTAssertEqual(pair.count, 2)
                _ = merged.record(pair[0], count: pair[1])
            }
        }
        let row = try XCTUnwrap(try RunTable.decode(run.stdout).rows.first)
        XCTAssertEqual(row.p50Us, Double(merged.valueAtPercentile(50)))
        XCTAssertEqual(row.p99Us, Double(merged.valueAtPercentile(99)))
        XCTAssertEqual(row.p999Us, Double(merged.valueAtPercentile(99.9)))
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

