import Control
import Lab
import Testing

@Suite struct PlacementTests {
    /// The orchestration spec's worked example (§3.3): 6 proxy machines × 8 threads, 4 clients.
    @Test func workedExampleOfTheOriginal() throws {
        var o = MasonOptions()
        o.proxies = 6
        o.proxyThreads = 8
        o.clients = 4
        o.clientThreads = 1
        let slots = ["sequencer-0", "sequencer-1"].map { NodeSlot(name: $0, address: "10.0.0.\($0.last!)") }
            + (0 ..< 10).map { NodeSlot(name: "proxy-\($0)", address: "10.0.1.\($0)") }
            + (0 ..< 4).map { NodeSlot(name: "client-\($0)", address: "10.0.2.\($0)") }
        let plan = try MasonPlacement(o, nodes: slots)
        #expect(plan.cluster.groups.count == 16)
        // Group g = triple·8 + thread; replica r on proxy machine 3·triple + r, worker `thread`.
        for g in 0 ..< 16 {
            for r in 0 ..< 3 {
                let e = MasonPlacement.endpoint(group: g, replica: r)
                let row = try #require(plan.rows.first { $0.endpoint == e })
                #expect(row.node == "proxy-\(3 * (g / 8) + r)")
                #expect(row.worker == g % 8)
                #expect(row.raftID == r)
                #expect(row.detail == "GC next: group \((g + 1) % 16)")
            }
        }
        // client-0 → group 0 (proxy-0,1,2), client-1 → group 8 (proxy-3,4,5), client-2 → 0, client-3 → 8.
        #expect(plan.cluster.clients.map(\.group) == [0, 8, 0, 8])
        #expect(plan.rows.filter { $0.role == .sequencer }.map(\.node) == ["sequencer-0"])
        #expect(plan.rows.filter { $0.role == .backup }.map(\.node) == ["sequencer-1"])
    }

    /// Natural order: with 72 proxies, --nproxies 18 takes proxy-0 ... proxy-17 (the original
    /// took proxy-0, proxy-1, proxy-10 ... proxy-19, proxy-2, ..., lexicographically).
    @Test func proxiesAreTakenInNaturalOrder() throws {
        var o = MasonOptions()
        o.proxies = 18
        o.clients = 1
        let slots = ["sequencer-1", "sequencer-0"].map { NodeSlot(name: $0, address: "1.1.1.1") }
            + (0 ..< 72).reversed().map { NodeSlot(name: "proxy-\($0)", address: "1.1.2.\($0)") }
            + [NodeSlot(name: "client-0", address: "1.1.3.1")]
        let plan = try MasonPlacement(o, nodes: slots)
        let proxies = plan.nodes.map(\.slot.name).filter { $0.hasPrefix("proxy") }
        #expect(proxies == (0 ..< 18).map { "proxy-\($0)" })
        #expect(plan.nodes[0].slot.name == "sequencer-0")
        #expect(plan.rows.first { $0.endpoint == MasonPlacement.endpoint(group: 0, replica: 2) }?.node == "proxy-2")
    }

    @Test func naturalOrderComparesNumbersAsNumbers() {
        #expect(NaturalOrder.sorted(["proxy-10", "proxy-2", "proxy-1", "client-0", "proxy-02"])
            == ["client-0", "proxy-1", "proxy-2", "proxy-02", "proxy-10"])
        #expect(NaturalOrder.less("a9", "a10"))
        #expect(!NaturalOrder.less("a10", "a9"))
        #expect(NaturalOrder.less("node", "node-1"))
    }

    @Test func impossiblePlacementsAreRefusedWithTheOption() {
        var o = MasonOptions()
        o.proxies = 4
        #expect(throws: PlacementError("--nproxies must be a positive multiple of 3 (groups of 3 replicas); got 4.")) {
            try MasonPlacement(o, nodes: LocalTestbed.slots(for: o))
        }
        o.proxies = 6
        #expect(throws: PlacementError("--nproxies asks for 6 proxy nodes but the testbed has 3.")) {
            var small = o
            small.proxies = 3
            return try MasonPlacement(o, nodes: LocalTestbed.slots(for: small))
        }
    }

    @Test func localTestbedGivesEveryNodeItsOwnLoopbackAddress() throws {
        let o = MasonOptions()
        let plan = try MasonPlacement(o, nodes: LocalTestbed.slots(for: o))
        #expect(plan.nodes.map(\.slot.address) == (1 ... 7).map { "127.0.1.\($0)" })
        #expect(Set(plan.addressBook.map(\.endpoint)).count == plan.addressBook.count)
        #expect(plan.cluster.clients.count == 4)
    }
}

@Suite struct FrameSizedPlacementTests {
    private func slots(proxyTransport: WorkerTransport?) throws -> [NodeSlot] {
        var slots = try LocalTestbed.slots(for: MasonOptions())
        for i in slots.indices where slots[i].role == .proxy { slots[i].transport = proxyTransport }
        return slots
    }

    @Test func proxiesOverDPDKGetAppendsBatchesAndChunksThatFitOneFrame() throws {
        for spaces in [1, 4, 8, 64] {
            var o = MasonOptions()
            o.spaces = spaces
            let proxy = try MasonPlacement(o, nodes: slots(proxyTransport: .dpdk)).cluster.proxy!
            let ops = try #require(proxy.maxBatchOps)
            #expect(proxy.maxAppendBytes == MasonPlacement.frameSizedAppendBytes && proxy.snapshotChunkBytes == 1_200)
            // ProxyConfig's rule: a whole batch (24 + ops × (22 + 12 × spaces) bytes) fits one append, with 64 to spare.
            #expect(ops >= 1 && 24 + ops * (22 + 12 * spaces) + 64 <= MasonPlacement.frameSizedAppendBytes, "spaces \(spaces): \(ops) ops")
            #expect(ops == 1 || 24 + (ops + 1) * (22 + 12 * spaces) + 64 > MasonPlacement.frameSizedAppendBytes, "as many as fit")
        }
    }

    @Test func proxiesOverUDPKeepTheDefaults() throws {
        let proxy = try MasonPlacement(MasonOptions(), nodes: slots(proxyTransport: .udp)).cluster.proxy!
        #expect(proxy.maxAppendBytes == nil && proxy.maxBatchOps == nil && proxy.snapshotChunkBytes == nil)
        let workers = try MasonPlacement(MasonOptions(), nodes: slots(proxyTransport: .dpdk)).nodes.flatMap(\.workers)
        #expect(workers.filter { $0.transport == .dpdk }.count == 3)
    }
}
