import Foundation
import Testing
@testable import Control
@testable import Daemon

/// The serve config file, how `serve` combines it with its flags, the report's JSON, and the
/// NIC's NUMA node in the inventory.
@Suite struct ServeConfigTests {
    static let interface = ExperimentInterface(name: "eth1", mac: "a0:36:9f:00:00:02", ipv4: "10.10.1.2", pciAddress: "0000:03:00.0",
                                               numaNode: 1, boundToDPDK: true)

    @Test func roundTripsThroughItsFile() throws {
        let node = try FakeNode()
        let config = ServeConfig(interface: Self.interface)
        #expect(config.address == "10.10.1.2" && config.dpdkArguments == "-a 0000:03:00.0 --file-prefix masond")
        try node.system.writeFile("/etc/masond/serve.json", try config.fileText())
        #expect(try ServeConfig.load(path: node.root + "/etc/masond/serve.json") == config)
        var unbound = Self.interface
        unbound.boundToDPDK = false
        #expect(ServeConfig(interface: unbound).dpdkArguments == nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: node.root + "/etc/masond")
        #expect((attributes[.posixPermissions] as? Int) == 0o755)
    }

    @Test func errorsNameThePathAndTheField() throws {
        #expect(throws: DaemonError.self) { try ServeConfig.load(path: "/nonexistent/serve.json") }
        do {
            _ = try ServeConfig.load(path: "/nonexistent/serve.json")
        } catch {
            #expect("\(error)".hasPrefix("cannot read the serve config /nonexistent/serve.json"))
        }
        let cases: [(String, String)] = [
            (#"{"experimentInterface": {"name": "eth1", "mac": "", "ipv4": "10.0.0.1", "boundToDPDK": true}}"#,
             "the serve config /c.json is malformed: address: required but missing"),
            (#"{"address": "10.0.0.1", "experimentInterface": {"name": "eth1", "mac": "", "ipv4": "10.0.0.1", "boundToDPDK": "yes"}}"#,
             "the serve config /c.json is malformed: experimentInterface.boundToDPDK: Expected to decode Bool but found a string instead."),
            (#"{"address": "10.0.0", "experimentInterface": {"name": "eth1", "mac": "", "ipv4": "10.0.0.1", "boundToDPDK": false}}"#,
             "the serve config /c.json is malformed: address: '10.0.0' is not an IPv4 address (a.b.c.d)"),
            ("{", "the serve config /c.json is malformed: the document: The given data was not valid JSON."),
        ]
        for (text, message) in cases {
            #expect(throws: DaemonError.self) { try ServeConfig.decode(Data(text.utf8), path: "/c.json") }
            do {
                _ = try ServeConfig.decode(Data(text.utf8), path: "/c.json")
            } catch {
                #expect("\(error)" == message)
            }
        }
    }

    @Test func flagsGivenOnTheCommandLineWinOverTheConfig() {
        let config = ServeConfig(interface: Self.interface)
        #expect(ServeSettings(config: config, address: nil, dpdkArguments: nil)
            == ServeSettings(config: nil, address: "10.10.1.2", dpdkArguments: "-a 0000:03:00.0 --file-prefix masond"))
        let explicit = ServeSettings(config: config, address: "10.0.0.9", dpdkArguments: "--no-huge --no-pci")
        #expect(explicit.address == "10.0.0.9" && explicit.dpdkArguments == "--no-huge --no-pci")
        let defaults = ServeSettings(config: nil, address: nil, dpdkArguments: nil)
        #expect(defaults.address == "127.0.0.1" && defaults.dpdkArguments == nil)
    }

    @Test func theReportIsSortedJSONThatDecodes() throws {
        let report = PrepareReport(hostname: "node-1", steps: [.init(name: "hugepages node0", action: .changed, detail: "0 → 2048 pages of 2048 kB"),
                                                               .init(name: "dpdk binding", action: .failed, detail: "no")],
                                   experimentInterface: Self.interface, hugepages: [.init(numaNode: 0, sizeKiB: 2048, requested: 2048, actual: 2048)],
                                   dpdkBound: false, dpdkReason: "no", configPath: "/etc/masond/serve.json")
        #expect(!report.ok)
        let json = try report.jsonString()
        #expect(json.hasPrefix(#"{"configPath":"/etc/masond/serve.json","dpdkBound":false,"dpdkReason":"no","experimentInterface":{"#))
        #expect(!json.contains("\n"))
        #expect(try JSONDecoder().decode(PrepareReport.self, from: Data(json.utf8)) == report)
        #expect(report.text.hasPrefix("changed    hugepages node0: 0 → 2048 pages of 2048 kB\nfailed     dpdk binding: no\n"))
    }

    @Test func nicsCarryTheirNUMANodeAndOldInventoriesStillDecode() throws {
        let old = #"{"name":"eth1","mac":"a0:36:9f:00:00:02","mtu":1500,"operState":"up","pciAddress":"0000:03:00.0","driver":"ixgbe","ipv4Addresses":[]}"#
        #expect(try JSONDecoder().decode(NodeInfo.NIC.self, from: Data(old.utf8)).numaNode == nil)

        let node = try FakeNode()
        try node.write("/sys/devices/pci0000:00/0000:03:00.0/numa_node", "-1\n")
        try node.write("/sys/devices/pci0000:00/0000:05:00.0/numa_node", "1\n")
        try FileManager.default.removeItem(atPath: node.root + "/sys/class/net")
        try node.directory("/sys/class/net")
        try node.link("/sys/class/net/eth1", to: "../../devices/pci0000:00/0000:03:00.0/net/eth1")
        try node.link("/sys/class/net/eth2", to: "../../devices/pci0000:00/0000:05:00.0/net/eth2")
        for (name, pci) in [("eth1", "0000:03:00.0"), ("eth2", "0000:05:00.0")] {
            try node.write("/sys/devices/pci0000:00/\(pci)/net/\(name)/address", "a0:36:9f:00:00:02\n")
            try node.link("/sys/devices/pci0000:00/\(pci)/net/\(name)/device", to: "../../../\(pci)")
        }
        let info = NodeInfo.gather(dpdk: nil, version: "v", root: node.root)
        #expect(info.nics.map(\.name) == ["eth1", "eth2"])
        #expect(info.nics.map(\.numaNode) == [nil, 1])
        #expect(info.nics.map(\.pciAddress) == ["0000:03:00.0", "0000:05:00.0"])
    }

    @Test func theLiveRunnerFindsAndRunsCommands() throws {
        let result = try PreparationSystem.runProcess(["echo", "hugepages"])
        #expect(result.status == 0 && result.output == "hugepages")
        #expect(try PreparationSystem.runProcess(["false"]).status != 0)
        #expect(throws: DaemonError.self) { try PreparationSystem.runProcess(["no-such-command-masond"]) }
    }
}
