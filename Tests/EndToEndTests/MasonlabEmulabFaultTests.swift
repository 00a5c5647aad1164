import Foundation
import Results
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Pauses and partitions on an Emulab experiment faked with network namespaces (each node a real
/// sshd): the nemesis reaches the nodes over SSH, stops and continues masond (no systemd there:
/// the pid in /run/masond.pid), loads the partition's nftables table on the cut node's experiment
/// address, and removes it; the run passes and nothing is left in any node.
final class MasonlabEmulabFaultTests: XCTestCase {
    private static let names = ["sequencer-0", "sequencer-1", "proxy-0", "proxy-1", "proxy-2", "client-0"]

    func testPauseAndPartitionOverSSH() throws {
        try FakeEmulab.skipUnlessAvailable()
        let lab = try FakeEmulab(nodes: Self.names)
        defer { lab.teardown() }
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = lab.folder.path
        environment.removeValue(forKey: "SSH_AUTH_SOCK")
        environment.removeValue(forKey: "MASONLAB_DB")
        func masonlab(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try lab.runInController(Masonlab.binary, arguments, currentDirectory: lab.folder, environment: environment, timeout: 300)
        }
        let access = ["--identity", lab.identityPath, "--known-hosts", lab.knownHostsPath]
        let setup = try masonlab(["setup", "--list", lab.listViewPath, "--hugepages", "0"] + access)
        XCTAssertEqual(setup.status, 0, setup.stderr)

        let run = try masonlab(["run", "--testbed", "emulab", "--nclients", "1", "--duration", "3",
                                "--pause", "leader:0.5:0.6", "--partition", "1.6:0.6"] + access)
        XCTAssertEqual(run.status, 0, run.stderr)
        let store = try ResultsStore(path: lab.folder.appendingPathComponent("results/masonlab.sqlite").path)
        let faults = try store.recovery().faults
        XCTAssertEqual(faults.map(\.kind), ["pause", "partition"])
        XCTAssertTrue(faults.allSatisfy { $0.endSeconds != nil }, "\(faults)")
        XCTAssertTrue(faults[1].target.contains("cut off from the 5 other nodes"), faults[1].target)

        for node in Self.names {
            let tables = try lab.runInNode(node, "/usr/sbin/nft", ["list", "tables"])
            XCTAssertFalse(tables.stdout.contains("masonlab_"), "\(node): \(tables.stdout)")
            for pid in lab.pids(node) where FakeEmulabProcesses.commandLine(pid).contains("masond serve") {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                XCTAssertFalse(status.contains("State:\tT"), "\(node): masond \(pid) left stopped")
            }
        }
    }
}
