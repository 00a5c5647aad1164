import Foundation
import GRDB
import Results
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// masonlab stores nothing false and loses nothing true: a window too short to measure is
/// refused, a busy local testbed is said so, and a finished attempt survives a locked database.
final class MasonlabHonestyTests: XCTestCase {
    private var lab: Masonlab!

    override func setUpWithError() throws { lab = try Masonlab() }
    override func tearDown() { lab.remove() }

    /// `--duration 0.0001` once stored a success with every figure 0.
    func testAWindowTooShortToMeasureIsRefusedBeforeAnythingStarts() throws {
        let run = try lab.run(["run", "--duration", "0.0001"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("--duration"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: lab.database))
    }

    /// A second masonlab on the local testbed used to fail on "Address already in use".
    func testASecondLocalRunIsToldTheTestbedIsBusy() throws {
        let fd = open("/tmp/masonlab-local-testbed.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        try XCTSkipUnless(flock(fd, LOCK_EX | LOCK_NB) == 0, "another local testbed is running on this machine")
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        let run = try lab.run(["run", "--duration", "1"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("the local testbed is busy: another masonlab (pid \(getpid())) is running on 127.0.1.x; wait for it or stop it."),
                      run.stderr)
        // Not a run: nothing was recorded for it (no run row waiting for attempts that never come).
        XCTAssertEqual(try ResultsStore(path: lab.database).listRuns().count, 0)
    }

    /// The database locked by another process when the attempt ends: the run prints its summary,
    /// keeps the attempt beside the database, and the next run imports it.
    func testAnAttemptFinishedWhileTheDatabaseIsLockedIsKeptAndImported() throws {
        let masonlab = try lab.start(["run", "--duration", "2", "--retries", "1"])
        // Once the run is in the database, lock it for the rest of the run.
        try Polling.until("the run recorded", within: 60, every: 0.01) {
            !masonlab.isRunning || ((try? ResultsStore(path: lab.database, mode: .existing).listRuns().count) ?? 0) >= 1
        }
        if let early = masonlab.wait(timeout: 0) {
            // It ended before its run was recorded (another local testbed on this machine, say): say why.
            return XCTFail("masonlab ended (\(early.status)) before recording its run: \(early.errorOutput)")
        }
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: lab.database, configuration: configuration)
        try holder.writeWithoutTransaction { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        let ended = try masonlab.result(within: 300)
        let (stdout, stderr) = (ended.output, ended.errorOutput)
        try holder.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }

        XCTAssertEqual(ended.status, .exited(0), stderr)
        XCTAssertTrue(stdout.contains("pending: not in the database yet"), stdout)
        XCTAssertTrue(stderr.contains("the results database stayed locked by another process; attempt 1 of run 1 is kept in "), stderr)
        let pending = lab.database + ".pending"
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: pending).filter { $0.hasSuffix(".json") }.count, 1)

        let next = try lab.run(["run", "--duration", "1"])
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stderr.contains("imported attempt 1 of run 1 (succeeded)"), next.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: pending).filter { $0.hasSuffix(".json") }.count, 0)
        let runs = try ResultsStore(path: lab.database).listRuns()
        XCTAssertEqual(runs.map(\.status), ["succeeded", "succeeded"])
    }
}
