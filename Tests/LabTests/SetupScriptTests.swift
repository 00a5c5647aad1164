import Control
import Foundation
@testable import Lab
import Testing

@Suite struct SetupScriptTests {
    private var options: SetupOptions {
        var o = SetupOptions(masond: "/build/masond", masondSHA256: String(repeating: "ab", count: 32))
        o.hugepages = 4
        o.experimentNet = "10.1.0.0/16"
        return o
    }

    @Test func aNonRootUserGetsSudoAndRootDoesNot() {
        let user = SetupScript.steps(options, node: "proxy-0", user: "alice")
        let root = SetupScript.steps(options, node: "proxy-0", user: "root")
        #expect(user.map(\.title) == ["install masond", "runtime libraries", "prepare (hugepages, DPDK, experiment NIC)",
                                      "install the systemd unit", "start masond", "check masond"])
        #expect(user[2].action == .prepare("sudo -n /usr/local/bin/masond prepare --hugepages 4 --experiment-net 10.1.0.0/16 --json"))
        #expect(root[2].action == .prepare("/usr/local/bin/masond prepare --hugepages 4 --experiment-net 10.1.0.0/16 --json"))
        #expect(!root.flatMap(\.described).joined().contains("sudo"))
        #expect(user[5].action == .checkDaemon("sudo -n /usr/local/bin/masond dial-stdio"))
    }

    @Test func theUploadIsNamedByTheDigestAndSkippedWhenInstalled() {
        let step = SetupScript.steps(options, node: "proxy-0", user: "root")[0]
        #expect(step.action == .installMasond(local: "/build/masond", remote: "/tmp/masond-abababababab-proxy-0", sha256: options.masondSHA256,
                                              install: "install -m 0755 /tmp/masond-abababababab-proxy-0 /usr/local/bin/masond && rm -f /tmp/masond-abababababab-proxy-0"))
        #expect(step.described[0].contains("unless `sha256sum /usr/local/bin/masond` is \(options.masondSHA256)"))
    }

    @Test func theDaemonStartsUnderSystemdOrStartStopDaemonWithTheConfig() throws {
        let start = SetupScript.steps(options, node: "proxy-0", user: "root")[4]
        guard case let .command(command, nil) = start.action else {
            Issue.record("start is \(start.action)")
            return
        }
        #expect(command.hasPrefix("if [ -d /run/systemd/system ]; then systemctl daemon-reload && systemctl enable --quiet masond && systemctl restart masond; else "))
        #expect(command.contains("--pidfile /run/masond.pid --name masond --remove-pidfile"))
        #expect(command.hasSuffix("--exec /usr/local/bin/masond -- serve --config /etc/masond/serve.json; fi"))
    }

    @Test func readInfoOnlyReadsTheNode() {
        var o = options
        o.readInfo = true
        let steps = SetupScript.steps(o, node: "proxy-0", user: "alice")
        #expect(steps.map(\.action) == [.prepare("sudo -n /usr/local/bin/masond prepare --hugepages 4 --experiment-net 10.1.0.0/16 --json --dry-run"),
                                        .checkDaemon("sudo -n /usr/local/bin/masond dial-stdio")])
    }

    @Test func aMasondThatCannotLoadItsLibrariesGetsAHint() {
        let loader = "/usr/local/bin/masond: error while loading shared libraries: librte_eal.so.23: cannot open shared object file"
        #expect(SetupScript.hint(for: loader)?.contains("Debian 12") == true)
        #expect(SetupScript.hint(for: "/usr/local/bin/masond: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.35' not found") != nil)
        #expect(SetupScript.hint(for: "sudo: a password is required") == nil)
    }

    @Test func theUnitInstalledIsTheOneInTheRepository() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(contentsOf: repository.appendingPathComponent("systemd/masond.service"), encoding: .utf8)
        #expect(shipped == MasondUnit.text)
        #expect(MasondUnit.text.contains("ExecStart=/usr/local/bin/masond serve --config \(MasondUnit.configPath)\n"))
    }

    @Test func dryRunListsEveryNodesCommandsWithoutContactingIt() throws {
        let view = try ListView.parse("""
            sequencer-0\tpc1\td430\tready\tn/a\temulab-ops/UBUNTU22-64-STD ssh -p 22 alice@pc1.emulab.net
            client-0\tpc2\td430\tready\tn/a\temulab-ops/UBUNTU22-64-STD ssh -p 2222 alice@pc2.emulab.net
            """)
        let setup = EmulabSetup(listView: view, options: options, ssh: SSHSettings(), logDirectory: URL(fileURLWithPath: "/nonexistent"),
                                progress: { _ in })
        let lines = setup.dryRun()
        #expect(lines.contains("sequencer-0 (alice@pc1.emulab.net:22):"))
        #expect(lines.contains("client-0 (alice@pc2.emulab.net:2222):"))
        #expect(lines.contains("     sudo -n /usr/local/bin/masond prepare --hugepages 4 --experiment-net 10.1.0.0/16 --json"))
        #expect(lines.contains("       sudo -n install -m 0755 /tmp/masond-abababababab-client-0 /usr/local/bin/masond && rm -f /tmp/masond-abababababab-client-0"))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent"))
    }
}

@Suite struct InventoryTests {
    private func node(_ name: String, _ status: InventoryNode.Status, ip: String? = "10.1.1.2", dpdk: Bool = false) -> InventoryNode {
        InventoryNode(name: name, host: "pc-\(name)", port: 22, user: "alice", hardwareType: "d430", status: status,
                      error: status == .failed ? "cannot reach pc-\(name):22: connection refused" : nil,
                      updated: Date(timeIntervalSince1970: 1_700_000_000),
                      experiment: ip.map { ExperimentInterface(name: "eth1", mac: "02:00:00:00:00:01", ipv4: $0, pciAddress: nil,
                                                               numaNode: nil, boundToDPDK: dpdk) })
    }

    @Test func aFailedRefreshKeepsWhatWasKnownAndRecordsTheFailure() {
        let before = Inventory(nodes: [node("proxy-10", .ready), node("proxy-2", .ready, ip: "10.1.1.3")])
        let failed = node("proxy-2", .failed, ip: nil)
        let after = before.merged(with: [failed, node("client-0", .ready, ip: "10.1.1.9")])
        #expect(after.nodes.map(\.name) == ["client-0", "proxy-2", "proxy-10"])
        let kept = after.nodes[1]
        #expect(kept.status == .failed && kept.error == failed.error && kept.experiment?.ipv4 == "10.1.1.3")
        #expect(after.slots.map(\.name) == ["client-0", "proxy-10"])
    }

    @Test func slotsUseTheExperimentAddressAndDPDKWhereBound() {
        let slots = Inventory(nodes: [node("sequencer-0", .ready, dpdk: true), node("client-0", .ready, ip: "10.1.1.4")]).slots
        #expect(slots == [NodeSlot(name: "sequencer-0", address: "10.1.1.2", mac: "02:00:00:00:00:01", transport: .dpdk),
                          NodeSlot(name: "client-0", address: "10.1.1.4", mac: "02:00:00:00:00:01", transport: .udp)])
    }

    @Test func savedInventoriesLoadBackAndBadOnesAreNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("machine_info.json").path
        let inventory = Inventory(nodes: [node("sequencer-0", .ready)])
        try inventory.save(path: path)
        #expect(try Inventory.load(path: path) == inventory)

        try Data(#"{"nodes":[{"name":"x"}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: LabError.self) { try Inventory.load(path: path) }
        do {
            _ = try Inventory.load(path: path)
        } catch {
            #expect("\(error)".hasSuffix("machine_info.json is not a masonlab inventory: nodes[0].host: required but missing"))
        }
        #expect((try? Inventory.load(path: folder.appendingPathComponent("none.json").path)) == nil)
    }
}
