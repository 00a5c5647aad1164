import Foundation
import Results
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Pauses and partitions on the local testbed, as Jepsen's nemesis does them: real SIGSTOP/SIGCONT
/// of a masond and real nftables rules on loopback, recorded with their start and end, shaded on
/// the recovery plot, contiguity held through them, and nothing left stopped or cut off afterwards.
final class MasonlabFaultTests: XCTestCase {
    private var lab: Masonlab!
    /// The nftables tables of the masonlab processes this test started.
    private var tables: [String] = []

    override func setUpWithError() throws {
        var missing: [String] = []
        if geteuid() != 0 { missing.append("root") }
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft") { missing.append("nft (apt-get install nftables)") }
        try TestPrerequisites.skipUnless(missing.isEmpty, "MasonlabFaultTests need \(missing.joined(separator: " and "))")
        lab = try Masonlab()
    }

    override func tearDown() {
        lab?.remove()
        XCTAssertEqual(Self.masonlabTables().filter(tables.contains), [], "an nftables table of masonlab was left")
    }

    /// A pause of group 0's leader and a partition, seen happening (a daemon in state T, the table
    /// in the ruleset) while masonlab runs, stored with their times, and shaded on the plot.
    func testPauseAndPartitionAreInjectedRecordedShadedAndUndone() throws {
        let masonlab = try lab.start(["run", "--duration", "4", "--pause", "leader:1:0.5", "--partition", "2.5:0.8", "--json"])
        var lastStopped: Date?, lastTable: Date?
        let table = "masonlab_\(masonlab.pid)"
        tables.append(table)
        while masonlab.isRunning {
            if Masonlab.daemons(of: masonlab.pid).contains(where: { Self.state($0) == "T" }) { lastStopped = Date() }
            if Self.masonlabTables().contains(table) { lastTable = Date() }
            usleep(50_000)
        }
        let exited = Date()
        let ended = try masonlab.result(within: 60)
        XCTAssertEqual(ended.status, .exited(0), ended.errorOutput)
        // Seen in force, and undone well before the end of the run (the pause ends 2.5 s, the
        // partition 0.7 s before the end of measurement).
        XCTAssertGreaterThan(exited.timeIntervalSince(try XCTUnwrap(lastStopped, "no masond was seen stopped during the pause")), 1.5)
        XCTAssertGreaterThan(exited.timeIntervalSince(try XCTUnwrap(lastTable, "the partition's table was never seen in the ruleset")), 0.5)

        let store = try ResultsStore(path: lab.database)
        let run = try XCTUnwrap(store.listRuns().first)
        XCTAssertEqual(try store.attempts(run: run.id).map(\.outcome.name), ["succeeded"], "the faults needed no retry")
        let recovery = try store.recovery()
        XCTAssertEqual(recovery.faults.map(\.kind), ["pause", "partition"])
        let (pause, partition) = (recovery.faults[0], recovery.faults[1])
        // Started at T (late by what injecting it took on a loaded machine), healed at T + DURATION.
        XCTAssertTrue((1 ..< 1.5).contains(pause.atSeconds), "\(pause)")
        XCTAssertEqual(try XCTUnwrap(pause.endSeconds), 1.5, accuracy: 0.3)
        XCTAssertTrue(pause.target.contains("group 0 leader"), pause.target)
        XCTAssertTrue((2.5 ..< 3.3).contains(partition.atSeconds), "\(partition)")
        XCTAssertEqual(try XCTUnwrap(partition.endSeconds), 3.3, accuracy: 0.3)
        XCTAssertTrue(partition.target.contains("cut off from the 6 other nodes"), partition.target)
        XCTAssertGreaterThan(recovery.curve.highestContiguous[0].last ?? -1, 1_000)

        let plot = try lab.run(["recovery-plot", "--out", "r.svg"])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        let script = try String(contentsOf: lab.folder.appendingPathComponent("r.gp"), encoding: .utf8)
        XCTAssertEqual(script.components(separatedBy: " rect from first ").count - 1, 2, script)
        XCTAssertTrue(FileManager.default.fileExists(atPath: lab.folder.appendingPathComponent("r.svg").path))
    }

    /// The primary paused past the failover timeout: the backup takes over, and when the old
    /// primary continues the run still passes its checks (contiguity, every client measured).
    func testSequencerPausedPastFailoverIsTakenOverByTheBackup() throws {
        let masonlab = try lab.start(["run", "--duration", "4", "--nsequence-spaces", "2", "--pause", "sequencer:1:1.2"])
        var lastStopped: Date?
        while masonlab.isRunning {
            if Masonlab.daemons(of: masonlab.pid).contains(where: { Self.state($0) == "T" }) { lastStopped = Date() }
            usleep(50_000)
        }
        let exited = Date()
        let ended = try masonlab.result(within: 60)
        XCTAssertEqual(ended.status, .exited(0), ended.errorOutput)
        XCTAssertGreaterThan(exited.timeIntervalSince(try XCTUnwrap(lastStopped, "the primary was never seen stopped")), 1.2)
        let store = try ResultsStore(path: lab.database)
        let id = try XCTUnwrap(store.listRuns().first?.id)
        let attempts = try store.attempts(run: id)
        XCTAssertEqual(attempts.map(\.outcome.name), ["succeeded"], attempts.compactMap(\.outcome.reason).joined(separator: "; "))
        let fault = try XCTUnwrap(store.recovery().faults.first)
        XCTAssertEqual(fault.kind, "pause")
        XCTAssertTrue(fault.target.hasPrefix("sequencer-0"), fault.target)
        // The backup took over: it allocated in an epoch of its own, and the clients failed over.
        let export = try lab.run(["results", "export", "--json"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let attempt = try XCTUnwrap(try ExportDocument.decode(export.stdout).runs.first?.attempts.first)
        let sequencers = (attempt.nodes ?? []).flatMap { $0.sequencers ?? [] }
        let backup = try XCTUnwrap(sequencers.first { $0.endpoint == 1 })
        XCTAssertGreaterThanOrEqual(backup.epoch ?? 0, 1, "\(backup)")
        XCTAssertGreaterThan(backup.allocations ?? 0, 0, "\(backup)")
        let failovers = attempt.clientResults.map { $0.failovers ?? 0 }
        XCTAssertFalse(failovers.isEmpty)
        XCTAssertTrue(failovers.allSatisfy { $0 > 0 }, "\(failovers)")
        let stored = try XCTUnwrap(attempt.faults?.first)
        XCTAssertEqual(stored.endSeconds ?? 0, 2.2, accuracy: 0.3)
    }

    /// Ctrl-C while a daemon is paused and a partition is in force: masonlab exits 130 and leaves
    /// neither a stopped daemon nor its table behind.
    func testInterruptDuringPauseAndPartitionUndoesBoth() throws {
        let masonlab = try lab.start(["run", "--duration", "5", "--pause", "backup:0.5:4", "--partition", "0.5:4"])
        let table = "masonlab_\(masonlab.pid)"
        tables.append(table)
        var daemons: [Int32] = []
        try Polling.until("a paused daemon and the partition's table", within: 30, every: 0.01) {
            daemons = Masonlab.daemons(of: masonlab.pid)
            return !masonlab.isRunning || (daemons.contains { Self.state($0) == "T" } && Self.masonlabTables().contains(table))
        }
        XCTAssertTrue(masonlab.isRunning, "masonlab ended before the pause and the partition were both in force")
        masonlab.signal(SIGINT)
        XCTAssertEqual(try masonlab.result(within: 60).status, .exited(130))
        XCTAssertFalse(Self.masonlabTables().contains(table), "the partition's table was left behind")
        try Polling.until("the paused daemons gone", within: 10, every: 0.01) { daemons.allSatisfy { Self.state($0) == nil } }
    }

    /// Bad pauses and partitions exit 2 with one sentence, before anything runs.
    func testBadPausesAndPartitionsExitTwo() throws {
        let cases: [([String], String)] = [
            (["run", "--pause", "chief:1:1"], "'chief' is not a role"),
            (["run", "--pause", "leader:1"], "expected ROLE:T:DURATION"),
            (["run", "--duration", "2", "--pause", "leader:1.5:1"], "after the measurement"),
            (["run", "--pause", "proxy-1-0:1:1"], "there is no group 1"),
            (["run", "--partition", "1:1", "--partition", "1.5:0.2"], "overlap"),
            (["run", "--partition", "1:-1"], "DURATION must be a positive"),
        ]
        for (arguments, expected) in cases {
            let out = try lab.run(arguments)
            XCTAssertEqual(out.status, 2, "\(arguments): \(out.stderr)")
            XCTAssertTrue(out.stderr.contains(expected), "\(arguments): \(out.stderr)")
        }
    }

    /// The one-letter state of a process (`T` stopped), nil when it is gone.
    static func state(_ pid: Int32) -> String? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("State:") }?.split(separator: "\t").last.map { String($0.prefix(1)) }
    }

    /// The masonlab_* tables in the ruleset.
    static func masonlabTables() -> [String] {
        let text = (try? ChildProcess.run(ChildCommand("/usr/sbin/nft", ["list", "tables"], standardError: .discard), timeout: 30))?.output ?? ""
        return text.split(separator: "\n").compactMap { line in line.split(separator: " ").last.map(String.init) }.filter { $0.hasPrefix("masonlab_") }
    }
}
