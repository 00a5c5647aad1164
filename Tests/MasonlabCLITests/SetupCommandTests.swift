import Foundation
import Testing

/// `masonlab setup` and `--testbed emulab` refuse bad input with exit 2 and one sentence, before
/// contacting any node.
@Suite struct SetupCommandTests {
    @Test(arguments: [
        (["setup", "--hugepages", "-1"], "--hugepages"),
        (["setup", "--experiment-net", "10.0.0/8"], "--experiment-net"),
        (["setup", "--parallel", "0"], "--parallel"),
        (["setup", "--testbed", "local"], "--testbed local"),
        (["setup", "--testbed", "cloud"], "--testbed"),
        (["setup", "--read-info", "--dry-run"], "--read-info"),
        (["setup", "--identity", "/nonexistent/key"], "/nonexistent/key"),
        (["setup", "--list", "/nonexistent/machine_list.txt"], "/nonexistent/machine_list.txt"),
        (["run", "--testbed", "emulab", "--inventory", "/nonexistent/machine_info.json"], "/nonexistent/machine_info.json"),
        (["plan", "--testbed", "emulab", "--inventory", "/nonexistent/machine_info.json"], "masonlab setup"),
    ])
    func badInputExitsTwoNamingIt(arguments: [String], names: String) throws {
        let result = try SimulateCommandTests.masonlab(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(names), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one sentence: \(result.stderr)")
    }

    @Test func aMalformedListViewNamesItsLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("listview-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "sequencer-0\tpc1\td430\tready\tn/a\timg ssh -p 22 alice@pc1.emulab.net\nrouter-3 pc2 d430 ready n/a img ssh alice@pc2\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try SimulateCommandTests.masonlab(["setup", "--list", path, "--dry-run"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 2"), "\(result.stderr)")
    }

    @Test func aBrokenInventoryIsRefusedBeforeAnyNodeIsContacted() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("setup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let list = folder.appendingPathComponent("machine_list.txt").path
        let inventory = folder.appendingPathComponent("machine_info.json").path
        try "sequencer-0\tpc1\td430\tready\tn/a\timg ssh -p 22 alice@192.0.2.1\n".write(toFile: list, atomically: true, encoding: .utf8)
        try #"{"nodes": [{"name": "sequencer-0"}]}"#.write(toFile: inventory, atomically: true, encoding: .utf8)
        let result = try SimulateCommandTests.masonlab(["setup", "--list", list, "--inventory", inventory,
                                                        "--db", folder.appendingPathComponent("r.sqlite").path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("machine_info.json is not a masonlab inventory: nodes[0].host: required but missing"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.sqlite").path))
        #expect(try String(contentsOfFile: inventory, encoding: .utf8) == #"{"nodes": [{"name": "sequencer-0"}]}"#)
    }
}
