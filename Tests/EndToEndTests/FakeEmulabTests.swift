import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The FakeEmulab fixture itself: its nodes answer real ssh on the control network with private
/// file systems, talk over the experiment network, and leave nothing behind.
final class FakeEmulabTests: XCTestCase {
    override func setUpWithError() throws {
        try FakeEmulab.skipUnlessAvailable()
        try TestPrerequisites.skipUnless(access(Self.ssh, X_OK) == 0, "FakeEmulabTests need \(Self.ssh), which is missing")
    }

    static let ssh = "/usr/bin/ssh"

    func testNodesServeSSHOnTheirNetworksWithPrivateFileSystems() throws {
        let probes = ["/etc/mlf-probe", "/usr/local/mlf-probe", "/var/mlf-probe", "/run/mlf-probe"]
        XCTAssertEqual(probes.filter { FileManager.default.fileExists(atPath: $0) }, [], "probe files left over from an earlier run")
        let linksBefore = try rootLinks()
        let emulab = try FakeEmulab(nodes: ["sequencer-0", "proxy-0", "client-0"], withoutSSHD: ["client-0"])
        defer { emulab.teardown() }

        // The List View names every node with its control address.
        let rows = try String(contentsOfFile: emulab.listViewPath, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 4)
        XCTAssertTrue(rows.first?.hasPrefix("ID\t") ?? false)
        XCTAssertEqual(rows.dropFirst().map { $0.split(separator: "\t").first.map(String.init) }, ["sequencer-0", "proxy-0", "client-0"])
        XCTAssertTrue(rows[1].hasSuffix("\temulab-ops/UBUNTU22-64-STD ssh -p 22 root@10.77.0.2"), String(rows[1]))

        let probe = "test -e /etc/mlf-probe && echo seen-before; cat /proc/net/route; ip -4 -o addr; touch \(probes.joined(separator: " ")); echo ok"
        for (node, number) in [("sequencer-0", 2), ("proxy-0", 3)] {
            let result = try ssh(emulab, node, probe)
            XCTAssertEqual(result.status, 0, "\(node): \(result.stderr)\n\(emulab.sshdLog(node))")
            XCTAssertTrue(result.stdout.hasSuffix("ok\n"), result.stdout)
            XCTAssertFalse(result.stdout.contains("seen-before"), "\(node) sees another node's /etc")
            let lines = result.stdout.split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
            XCTAssertEqual(lines.filter { $0.count > 2 && $0[1] == "00000000" }.map { $0[0] }, ["eth0"], "\(node): default route")
            XCTAssertTrue(lines.contains { $0.count > 3 && $0[1] == "eth0" && $0[3] == "10.77.0.\(number)/24" }, result.stdout)
            XCTAssertTrue(lines.contains { $0.count > 3 && $0[1] == "eth1" && $0[3] == "10.1.1.\(number)/24" }, result.stdout)
            XCTAssertEqual(emulab.controlAddress(node), "10.77.0.\(number)")
            XCTAssertEqual(emulab.experimentAddress(node), "10.1.1.\(number)")
        }
        // A node keeps its own writes across sessions; the host never sees them.
        let again = try ssh(emulab, "sequencer-0", "cat /etc/mlf-probe && echo kept")
        XCTAssertEqual(again.stdout, "kept\n", again.stderr)
        XCTAssertEqual(probes.filter { FileManager.default.fileExists(atPath: $0) }, [], "a node's write reached the host")

        // An unauthorized key is refused.
        let stranger = try ssh(emulab, "proxy-0", "true", identity: emulab.wrongIdentityPath)
        XCTAssertEqual(stranger.status, 255)
        XCTAssertTrue(stranger.stderr.contains("Permission denied"), stranger.stderr)

        // Node to node over the experiment network; the controller is on the control network only.
        XCTAssertEqual(emulab.tcpConnect(to: emulab.experimentAddress("proxy-0"), fromNode: "sequencer-0"), 0)
        XCTAssertEqual(emulab.tcpConnect(to: emulab.experimentAddress("sequencer-0"), fromNode: "proxy-0"), 0)
        XCTAssertEqual(emulab.tcpConnect(to: emulab.experimentAddress("proxy-0")), ENETUNREACH)
        if let ping = (["/usr/bin/ping", "/bin/ping"] as [String]).first(where: { access($0, X_OK) == 0 }) {
            let pinged = try emulab.runInNode("sequencer-0", ping, ["-c1", "-W1", emulab.experimentAddress("proxy-0")])
            XCTAssertEqual(pinged.status, 0, pinged.stdout + pinged.stderr)
        }

        // The node without sshd is up but refuses port 22.
        XCTAssertEqual(emulab.tcpConnect(to: emulab.controlAddress("client-0")), ECONNREFUSED)
        XCTAssertEqual(emulab.pids("client-0"), [])
        XCTAssertFalse(emulab.pids("sequencer-0").isEmpty)

        try assertTornDown(emulab, linksBefore: linksBefore)
    }

    func testReplacedHostKeyIsRejectedByTheOldKnownHosts() throws {
        let linksBefore = try rootLinks()
        let emulab = try FakeEmulab(nodes: ["sequencer-0"])
        defer { emulab.teardown() }
        let first = try ssh(emulab, "sequencer-0", "true")
        XCTAssertEqual(first.status, 0, first.stderr)
        let known = try FakeEmulabProcesses.run(FakeEmulab.sshKeygen, ["-l", "-E", "sha256", "-f", emulab.knownHostsPath])
        XCTAssertTrue(known.stdout.contains(emulab.hostKeyFingerprint("sequencer-0")), known.stdout)

        let old = emulab.hostKeyFingerprint("sequencer-0")
        try emulab.replaceHostKey(node: "sequencer-0")
        XCTAssertNotEqual(emulab.hostKeyFingerprint("sequencer-0"), old)
        let changed = try ssh(emulab, "sequencer-0", "true")
        XCTAssertEqual(changed.status, 255)
        XCTAssertTrue(changed.stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), changed.stderr)

        // The restarted sshd serves anyone who accepts its new key.
        let fresh = try ssh(emulab, "sequencer-0", "echo ok", knownHosts: "/dev/null")
        XCTAssertEqual(fresh.stdout, "ok\n", fresh.stderr)

        try assertTornDown(emulab, linksBefore: linksBefore)
    }

    /// runInController returns when its child ends even if a grandchild keeps its output open,
    /// and kills a child that outlives its timeout.
    func testRunInControllerDoesNotWaitForDaemonsAndEnforcesItsTimeout() throws {
        let linksBefore = try rootLinks()
        let emulab = try FakeEmulab(nodes: [])
        defer { emulab.teardown() }
        let started = Date()
        let detached = try emulab.runInController(URL(fileURLWithPath: "/bin/sh"), ["-c", "sleep 60 & echo started; pwd; echo $MLF_PROBE"],
                                                  currentDirectory: emulab.folder, environment: ["MLF_PROBE": "passed"])
        XCTAssertEqual(detached.status, 0, detached.stderr)
        XCTAssertEqual(detached.stdout, "started\n\(emulab.folder.path)\npassed\n")
        XCTAssertEqual(emulab.pids(inNamespace: emulab.controllerNamespace).count, 1, "the detached sleep runs on in the controller")
        XCTAssertThrowsError(try emulab.runInController(URL(fileURLWithPath: "/bin/sleep"), ["60"], currentDirectory: emulab.folder,
                                                        timeout: 0.5)) { error in
            XCTAssertTrue("\(error)".contains("did not end within"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        try assertTornDown(emulab, linksBefore: linksBefore)
    }

    // MARK: - Helpers

    /// `ssh root@<control address> command` from the controller, as masonlab would run it.
    private func ssh(_ emulab: FakeEmulab, _ node: String, _ command: String, identity: String? = nil,
                     knownHosts: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try emulab.runInController(
            URL(fileURLWithPath: Self.ssh),
            ["-i", identity ?? emulab.identityPath, "-o", "IdentitiesOnly=yes",
             "-o", "UserKnownHostsFile=\(knownHosts ?? emulab.knownHostsPath)",
             "-o", "StrictHostKeyChecking=\(knownHosts == "/dev/null" ? "no" : "accept-new")",
             "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "root@" + emulab.controlAddress(node), command],
            currentDirectory: emulab.folder, timeout: 30)
    }

    /// Interface names in this (the root) network namespace.
    private func rootLinks() throws -> Set<String> {
        let text = try FakeEmulabProcesses.ip(["-o", "link", "show"])
        return Set(text.split(separator: "\n").compactMap { line in
            line.split(separator: ":").dropFirst().first.map { String($0.trimmingCharacters(in: .whitespaces).split(separator: "@")[0]) }
        })
    }

    /// Tears the fixture down (twice: it is idempotent) and checks that nothing of it is left.
    private func assertTornDown(_ emulab: FakeEmulab, linksBefore: Set<String>,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let started = Date()
        emulab.teardown()
        emulab.teardown()
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "teardown took too long", file: file, line: line)
        XCTAssertEqual(FakeEmulab.leftovers(), [], file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: emulab.directory), file: file, line: line)
        let alive = FakeEmulabProcesses.allPids().filter {
            FakeEmulabProcesses.commandLine($0).contains(emulab.directory) && FakeEmulabProcesses.isAlive($0)
        }
        XCTAssertEqual(alive, [], "processes of the fixture outlived it: \(alive.map(FakeEmulabProcesses.commandLine))",
                       file: file, line: line)
        let added = try rootLinks().subtracting(linksBefore)
        XCTAssertEqual(added, [], "new interfaces in the root namespace", file: file, line: line)
    }
}
