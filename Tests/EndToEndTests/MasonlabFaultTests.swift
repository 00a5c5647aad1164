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

    override func setUpWithError() throws {
        var missing: [String] = []
        if geteuid() != 0 { missing.append("root") }
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft") { missing.append("nft (apt-get install nftables)") }
        if !missing.isEmpty {
            let what = "MasonlabFaultTests need \(missing.joined(separator: " and "))"
            if TestPrerequisites.required { throw TestPrerequisites.Missing(what) }
            throw XCTSkip(what)
        }
        lab = try Masonlab()
    }

    override func tearDown() {
        lab?.remove()
        XCTAssertEqual(Self.stoppedDaemons(), [], "a masond was left stopped")
        XCTAssertEqual(Self.masonlabTables(), [], "an nftables table of masonlab was left")
    }

    /// A pause of group 0's leader and a partition, seen happening (a daemon in state T, the table
    /// in the ruleset) while masonlab runs, stored with their times, and shaded on the plot.
    func testPauseAndPartitionAreInjectedRecordedShadedAndUndone() throws {
        let (process, out, err) = try lab.start(["run", "--duration", "4", "--pause", "leader:1:0.5", "--partition", "2.5:0.8", "--json"])
        var sawStopped = false, sawTable = false
        while process.isRunning {
            let daemons = Masonlab.daemons(of: process.processIdentifier)
            if daemons.contains(where: { Self.state($0) == "T" }) { sawStopped = true }
            if Self.masonlabTables().contains("masonlab_\(process.processIdentifier)") { sawTable = true }
            usleep(20_000)
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        XCTAssertEqual(process.terminationStatus, 0, stderr)
        XCTAssertTrue(sawStopped, "no masond was seen stopped during the pause")
        XCTAssertTrue(sawTable, "the partition's table was never seen in the ruleset")

        let store = try ResultsStore(path: lab.database)
        let run = try XCTUnwrap(store.listRuns().first)
        XCTAssertEqual(try store.attempts(run: run.id).map(\.outcome.name), ["succeeded"], "the faults needed no retry")
        let recovery = try store.recovery()
        XCTAssertEqual(recovery.faults.map(\.kind), ["pause", "partition"])
        let (pause, partition) = (recovery.faults[0], recovery.faults[1])
        XCTAssertEqual(pause.atSeconds, 1, accuracy: 0.3)
        XCTAssertEqual(try XCTUnwrap(pause.durationSeconds), 0.5, accuracy: 0.3)
        XCTAssertTrue(pause.target.contains("group 0 leader"), pause.target)
        XCTAssertEqual(partition.atSeconds, 2.5, accuracy: 0.3)
        XCTAssertEqual(try XCTUnwrap(partition.durationSeconds), 0.8, accuracy: 0.3)
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
        let run = try lab.run(["run", "--duration", "4", "--nsequence-spaces", "2", "--pause", "sequencer:1:1.2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let store = try ResultsStore(path: lab.database)
        let id = try XCTUnwrap(store.listRuns().first?.id)
        let attempts = try store.attempts(run: id)
        XCTAssertEqual(attempts.map(\.outcome.name), ["succeeded"], attempts.compactMap(\.outcome.reason).joined(separator: "; "))
        let fault = try XCTUnwrap(store.recovery().faults.first)
        XCTAssertEqual(fault.kind, "pause")
        XCTAssertTrue(fault.target.hasPrefix("sequencer-0"), fault.target)
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

    /// Every masond on the machine that is stopped.
    static func stoppedDaemons() -> [Int32] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { pid in
            guard let command = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return false }
            return command.hasPrefix("masond") && state(pid) == "T"
        }
    }

    /// The masonlab_* tables in the ruleset.
    static func masonlabTables() -> [String] {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nft")
        process.arguments = ["list", "tables"]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").compactMap { line in line.split(separator: " ").last.map(String.init) }.filter { $0.hasPrefix("masonlab_") }
    }
}
