import Foundation
import TestSupport
import Results
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// masonlab on an Emulab experiment faked with network namespaces, each node a real sshd (with a
/// private /etc, /usr/local, /var and /run), as a researcher types the commands: setup, a run on
/// the prepared nodes, and the failures setup must contain (an unreachable node, a changed host
/// key, a refused key, a malformed List View).
final class MasonlabEmulabTests: XCTestCase {
    private static let names = ["sequencer-0", "sequencer-1", "proxy-0", "proxy-1", "proxy-2", "client-0", "client-1"]

    func testSetupPreparesTheNodesAndARunUsesThem() throws {
        try FakeEmulab.skipUnlessAvailable()
        let hugepages = HugepageSetting()
        let lab = try FakeEmulab(nodes: Self.names, withoutSSHD: ["client-1"])
        defer {
            lab.teardown()
            hugepages.restore()
            XCTAssertEqual(hugepages.current, hugepages.original, "the machine's hugepage setting is restored")
            XCTAssertEqual(FakeEmulab.leftovers(), [], "no namespace is left")
            XCTAssertEqual(Self.liveNodeDaemons(), [], "no masond the nodes started is left")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = lab.folder.path
        environment.removeValue(forKey: "SSH_AUTH_SOCK")
        environment.removeValue(forKey: "MASONLAB_DB")
        func masonlab(_ arguments: [String], timeout: Double = 300) throws -> (status: Int32, stdout: String, stderr: String) {
            try lab.runInController(Masonlab.binary, arguments, currentDirectory: lab.folder, environment: environment, timeout: timeout)
        }
        let access = ["--list", lab.listViewPath, "--identity", lab.identityPath, "--known-hosts", lab.knownHostsPath]
        func knownHosts() -> Int {
            ((try? String(contentsOfFile: lab.knownHostsPath, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        // --dry-run contacts nobody and prints every node's commands.
        let dry = try masonlab(["setup", "--dry-run", "--hugepages", "2"] + access)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertEqual(dry.stdout.components(separatedBy: "masond prepare --hugepages 2 --experiment-net 10.0.0.0/8 --json").count - 1, 7)
        XCTAssertEqual(knownHosts(), 0)

        // Setup: six nodes ready, the unreachable one named, exit 1.
        let setup = try masonlab(["setup", "--hugepages", "2"] + access)
        XCTAssertEqual(setup.status, 1, setup.stderr)
        XCTAssertTrue(setup.stderr.contains("setup failed on 1 of 7 nodes"), setup.stderr)
        XCTAssertTrue(setup.stderr.contains("client-1: cannot reach 10.77.0.8:22"), setup.stderr)
        XCTAssertTrue(setup.stderr.contains("new host key recorded"), setup.stderr)
        XCTAssertEqual(knownHosts(), 6)
        let nodes = try MachineInfo.decode(Data(contentsOf: lab.folder.appendingPathComponent("machine_info.json"))).nodes
        XCTAssertEqual(nodes.map(\.name), ["client-0", "client-1", "proxy-0", "proxy-1", "proxy-2", "sequencer-0", "sequencer-1"])
        for node in nodes where node.name != "client-1" {
            let name = node.name
            XCTAssertEqual(node.status, "ready", "\(name): \(node.error ?? "")")
            // The control interface (eth0, 10.77.0.x, the default route) is never the experiment NIC.
            XCTAssertEqual(node.experiment?.name, "eth1", name)
            XCTAssertEqual(node.experiment?.ipv4, lab.experimentAddress(name), name)
            XCTAssertEqual(node.experiment?.boundToDPDK, false, name)
            XCTAssertNotNil(node.info, name)
            let log = try String(contentsOf: lab.folder.appendingPathComponent("setup-logs/\(name).log"), encoding: .utf8)
            XCTAssertTrue(log.contains("== ready"), log)
        }
        XCTAssertEqual(nodes.first { $0.name == "client-1" }?.status, "failed")
        for (path, value) in hugepages.current where path.contains("hugepages-2048kB") {
            XCTAssertEqual(value.trimmingCharacters(in: .whitespacesAndNewlines), "2", path)
        }
        let store = try ResultsStore(path: lab.folder.appendingPathComponent("results/masonlab.sqlite").path)
        XCTAssertEqual(try store.inventory(testbed: "emulab").count, 7)

        // Again: nothing to upload, every node still ready.
        let again = try masonlab(["setup", "--hugepages", "2"] + access)
        XCTAssertEqual(again.status, 1, again.stderr)
        let log = try String(contentsOf: lab.folder.appendingPathComponent("setup-logs/proxy-0.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("already installed"), log)

        // The plan places roles by node name on the experiment addresses.
        let sshAccess = ["--identity", lab.identityPath, "--known-hosts", lab.knownHostsPath]
        let plan = try masonlab(["plan", "--testbed", "emulab", "--nclients", "1"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        let planned = plan.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).joined(separator: " ") }
        XCTAssertEqual(Array(planned.dropFirst()), ["sequencer-0 10.1.1.2 sequencer", "sequencer-1 10.1.1.3 backup", "proxy-0 10.1.1.4 proxy",
                                                    "proxy-1 10.1.1.5 proxy", "proxy-2 10.1.1.6 proxy", "client-0 10.1.1.7 client",
                                                    "client-0 10.1.1.7 client"])
        let tooMany = try masonlab(["plan", "--testbed", "emulab", "--nclients", "2"])
        XCTAssertEqual(tooMany.status, 2)
        XCTAssertTrue(tooMany.stderr.contains("--nclients asks for 2 client nodes but the testbed has 1"), tooMany.stderr)

        // A run on the prepared nodes (the unreachable client is left out), results stored.
        let run = try masonlab(["run", "--testbed", "emulab", "--nclients", "1", "--duration", "1", "--json"] + sshAccess)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("client-1 left out"), run.stderr)
        let runs = try store.listRuns()
        XCTAssertEqual(runs.map(\.testbed), ["emulab"])
        XCTAssertEqual(runs.map(\.status), ["succeeded"])
        let rows = try store.percentiles(.run(runs[0].id))
        XCTAssertGreaterThan(rows.first?.throughputOps ?? 0, 0)

        // sequencer-0 set up again on its own (a List View of one line), its NIC driven by DPDK
        // through af_packet (veths have no PCI function to bind): the next run's sequencer runs
        // over DPDK, the others over kernel UDP, and they interoperate on the experiment LAN.
        let listView = try String(contentsOfFile: lab.listViewPath, encoding: .utf8)
        let one = lab.folder.appendingPathComponent("sequencer-0.txt").path
        try listView.split(separator: "\n").filter { $0.hasPrefix("sequencer-0\t") }.joined(separator: "\n")
            .write(toFile: one, atomically: true, encoding: .utf8)
        let dpdk = try masonlab(["setup", "--list", one, "--af-packet", "--hugepages", "0", "--identity", lab.identityPath,
                                 "--known-hosts", lab.knownHostsPath, "--json"])
        XCTAssertEqual(dpdk.status, 0, dpdk.stderr)
        XCTAssertEqual(try MachineInfo.decode(Data(dpdk.stdout.utf8)).nodes.map(\.name), ["sequencer-0"])
        let refreshed = try MachineInfo.decode(Data(contentsOf: lab.folder.appendingPathComponent("machine_info.json"))).nodes
        let sequencer = try XCTUnwrap(refreshed.first { $0.name == "sequencer-0" })
        XCTAssertEqual(sequencer.experiment?.boundToDPDK, true)
        XCTAssertEqual(sequencer.info?.dpdk?.initialised, true, "\(String(describing: sequencer.info))")
        XCTAssertEqual(refreshed.count, 7, "the other nodes' records are kept")
        let overDPDK = try masonlab(["run", "--testbed", "emulab", "--nclients", "1", "--duration", "1", "--json"] + sshAccess)
        XCTAssertEqual(overDPDK.status, 0, overDPDK.stderr)
        XCTAssertEqual(try store.listRuns().map(\.status), ["succeeded", "succeeded"])
        let second = try store.listRuns()[1].id
        XCTAssertGreaterThan(try store.percentiles(.run(second)).first?.throughputOps ?? 0, 0)

        // A node whose masond has stopped: each attempt fails saying so, and the run exits 1.
        for pid in lab.pids("client-0") where FakeEmulabProcesses.commandLine(pid).contains("masond serve") { kill(pid, SIGTERM) }
        let stopped = try masonlab(["run", "--testbed", "emulab", "--nclients", "1", "--duration", "1", "--retries", "1"] + sshAccess)
        XCTAssertEqual(stopped.status, 1, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("masond on client-0 does not answer"), stopped.stderr)
        let failed = try store.listRuns().last!
        XCTAssertEqual(failed.status, "failed")
        XCTAssertEqual(try store.attempts(run: failed.id).count, 2)

        // Setup again on that node alone (a List View of its line) starts it again.
        let clientLine = lab.folder.appendingPathComponent("client-0.txt").path
        try listView.split(separator: "\n").filter { $0.hasPrefix("client-0\t") }.joined(separator: "\n")
            .write(toFile: clientLine, atomically: true, encoding: .utf8)
        let repaired = try masonlab(["setup", "--list", clientLine, "--hugepages", "0"] + sshAccess)
        XCTAssertEqual(repaired.status, 0, repaired.stderr)

        // An ssh-agent holding the key, and no --identity: setup authenticates through the agent.
        let agentSocket = lab.directory + "/agent.sock"
        let agent = try FakeEmulabProcesses.spawn("/usr/bin/ssh-agent", ["-D", "-a", agentSocket],
                                                  stdout: lab.directory + "/agent.log", stderr: lab.directory + "/agent.log")
        defer { agent.stop(grace: 5) }
        var agentEnvironment = environment
        agentEnvironment["SSH_AUTH_SOCK"] = agentSocket
        try waitUntilAgentListens(agentSocket)
        let added = try FakeEmulabProcesses.run("/usr/bin/ssh-add", [lab.identityPath], environment: agentEnvironment)
        XCTAssertEqual(added.status, 0, added.stderr)
        let viaAgent = try lab.runInController(Masonlab.binary, ["setup", "--read-info", "--list", lab.listViewPath,
                                                                 "--known-hosts", lab.knownHostsPath],
                                               currentDirectory: lab.folder, environment: agentEnvironment, timeout: 300)
        XCTAssertEqual(viaAgent.status, 1, viaAgent.stderr)
        XCTAssertTrue(viaAgent.stderr.contains("setup failed on 1 of 7 nodes"), viaAgent.stderr)

        // A refused key: every node says so, the command exits 1.
        let refused = try masonlab(["setup", "--read-info", "--list", lab.listViewPath, "--identity", lab.wrongIdentityPath,
                                    "--known-hosts", lab.knownHostsPath])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("setup failed on 7 of 7 nodes"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("sequencer-0: permission denied for root@10.77.0.2: tried"), refused.stderr)

        // A changed host key stops that node only.
        try lab.replaceHostKey(node: "proxy-0")
        let changed = try masonlab(["setup", "--read-info"] + access)
        XCTAssertEqual(changed.status, 1)
        XCTAssertTrue(changed.stderr.contains("setup failed on 2 of 7 nodes"), changed.stderr)
        XCTAssertTrue(changed.stderr.contains("proxy-0: host key for 10.77.0.4 (10.77.0.4:22) changed"), changed.stderr)

        // A malformed List View: exit 2 naming the line, nothing contacted.
        let broken = lab.folder.appendingPathComponent("broken_list.txt").path
        try "sequencer-0\tpc1\td430\tready\tn/a\timg ssh -p 22 root@10.77.0.2\nproxy-0 pc2 d430 ready\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let malformed = try masonlab(["setup", "--list", broken, "--identity", lab.identityPath, "--known-hosts", lab.knownHostsPath])
        XCTAssertEqual(malformed.status, 2)
        XCTAssertTrue(malformed.stderr.contains("line 2"), malformed.stderr)
    }

    private func waitUntilAgentListens(_ socket: String) throws {
        try Polling.until("ssh-agent opening \(socket)", within: 10, every: 0.01) { FileManager.default.fileExists(atPath: socket) }
    }

    /// Live (not zombie) `masond serve --config` processes: the daemons setup starts on the nodes.
    private static func liveNodeDaemons() -> [pid_t] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return pids.filter {
            FakeEmulabProcesses.isAlive($0) && FakeEmulabProcesses.commandLine($0).contains("masond serve --config /etc/masond/serve.json")
        }
    }
}
