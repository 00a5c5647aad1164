import Foundation
@testable import Lab
import Testing

/// Node names and numbers a person writes: one node per role and number, and no more nodes than
/// the local testbed has addresses for.
@Suite struct NodeNumberTests {
    @Test func leadingZerosDoNotMakeANewName() {
        #expect(NaturalOrder.canonical("client-00") == "client-0")
        #expect(NaturalOrder.canonical("client-007") == "client-7")
        #expect(NaturalOrder.canonical("client-10") == "client-10")
        #expect(NaturalOrder.canonical("pc0600-010") == "pc600-10")
        #expect(NaturalOrder.canonical("proxy") == "proxy")
        #expect(NaturalOrder.canonical("client-99999999999999999999") == "client-99999999999999999999")
    }

    /// `client-0` and `client-00` were two nodes of the same number: placement order between them
    /// was undefined (neither sorts first).
    @Test func aListViewWithClient0AndClient00IsRefusedNamingBothLines() {
        let text = "client-0 ssh a@h0\nproxy-0 ssh a@h1\nclient-00 ssh a@h2"
        #expect(throws: ListViewError.sameNumber(first: "client-0", firstLine: 1, second: "client-00", secondLine: 3)) {
            try ListView.parse(text)
        }
        #expect(ListViewError.sameNumber(first: "client-0", firstLine: 1, second: "client-00", secondLine: 3).description
            == "lines 1 and 3: 'client-0' and 'client-00' are the same node number (leading zeros do not count); rename one of them")
    }

    @Test func anInventoryWithClient0AndClient00IsRefusedNamingBoth() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("machine_info.json").path
        let nodes = ["client-0", "client-00"].map { InventoryNode(name: $0, host: "h", port: 22, user: "u", hardwareType: nil, status: .ready) }
        try Inventory(nodes: nodes).save(path: path)
        #expect {
            try Inventory.load(path: path)
        } throws: { error in
            "\(error)" == "\(path): nodes client-0 and client-00 are the same node number (leading zeros do not count); rename one of them."
        }
    }

    @Test func anInventoryPortOutsideOneTo65535IsRefusedNamingTheNode() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("machine_info.json").path
        for port in [0, -1, 65_536, Int.max] {
            try Inventory(nodes: [InventoryNode(name: "proxy-0", host: "h", port: port, user: "u", hardwareType: nil, status: .ready)])
                .save(path: path)
            #expect {
                try Inventory.load(path: path)
            } throws: { error in
                "\(error)" == "\(path): node proxy-0 has SSH port \(port); a port is 1...65535, so fix it or run masonlab setup again."
            }
        }
    }

    @Test func nodeNumbersPastIntNeitherTrapNorPass() throws {
        #expect(throws: ListViewError.indexTooLarge(line: 1, name: "client-99999999999999999999")) {
            try ListView.parse("client-99999999999999999999 ssh a@h")
        }
        let names = ["client-99999999999999999999", "client-2", "client-099999999999999999999"]
        #expect(NaturalOrder.sorted(names) == ["client-2", "client-99999999999999999999", "client-099999999999999999999"])
        let nodes = names.map { InventoryNode(name: $0, host: "h", port: 22, user: "u", hardwareType: nil, status: .ready) }
        #expect(Inventory(nodes: []).merged(with: nodes).nodes.count == 3)
    }

    /// `plan --nproxies 300` printed 127.0.1.256 and beyond: the local address plan holds 254 nodes.
    @Test func theLocalTestbedRefusesMoreNodesThanItHasAddresses() throws {
        var o = MasonOptions()
        o.proxies = 300
        #expect(throws: PlacementError("the local testbed has addresses for 254 nodes (127.0.1.1-127.0.1.254): 2 sequencers + --nproxies 300 + --nclients 2 do not fit; run fewer, or on --testbed emulab.")) {
            try LocalTestbed.slots(for: o)
        }
        o.proxies = 249
        o.clients = 3
        #expect(try LocalTestbed.slots(for: o).last?.address == "127.0.1.254")
        o.clients = 4
        #expect(throws: PlacementError.self) { try LocalTestbed.slots(for: o) }
        o.proxies = Int.max
        #expect(throws: PlacementError.self) { try LocalTestbed.slots(for: o) }
        o.proxies = -3
        o.clients = Int.min
        #expect(try LocalTestbed.slots(for: o).count == 2)
    }
}
