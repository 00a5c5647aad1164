import Protocols

/// Raft replication in one thread: a 3-replica group whose leader proposes batch entries (one
/// 64-operation batch, 4 spaces, as the proxies replicate) while every message goes through the
/// codec to its follower and back. Counts entries committed on the leader and applied everywhere.
public func benchmarkRaft(seconds: Double) -> BenchResult {
    let peers = [Endpoint(0), Endpoint(1), Endpoint(2)]
    let nodes = peers.indices.map { i in
        RaftNode(config: RaftConfig(group: 0, me: UInt8(i), peers: peers), generator: SplitMix64(seed: UInt64(i + 1)))
    }
    var network = WireCrossing()
    var pending: [(Message, to: Endpoint, from: Endpoint)] = []
    var out: [Output] = []


    /// Delivers every message until the group is quiet.
    func drain(from sender: Int) {
        for case let .send(message, to) in out { pending.append((message, to, peers[sender])) }
        out.removeAll(keepingCapacity: true)
        while let (message, to, from) = pending.popLast() {
            guard case let .raft(m) = network.cross(message) else { continue }
            let node = nodes[Int(to.id)]
            node.handle(m, from: from, at: .zero, into: &out)
            for case let .send(reply, replyTo) in out { pending.append((reply, replyTo, to)) }
            out.removeAll(keepingCapacity: true)
        }
    }

    nodes[0].start(at: .zero, into: &out)
    nodes[0].campaign(at: .zero, into: &out)
    drain(from: 0)
    precondition(nodes[0].role == .leader, "the benchmark's replica 0 did not win its election")

    let ops = (0 ..< 64).map { i in
        CommittedOperation(client: UInt32(i), requestID: 0,
                           numbers: MultiSequenceNumber((0 ..< 4).map { _ in SpaceRange(first: UInt64(i), count: 1) }))
    }
    var srid: UInt64 = 0
    var committed: UInt64 = 0
    return measure("raft", unit: "entries committed/s (64-op batches)", target: nil, seconds: seconds) {
        let before = committed
        for _ in 0 ..< 100 {
            // Eight proposals in flight at once, as a busy leader pipelines them.
            for _ in 0 ..< 8 {
                srid += 1
                let batch = CommittedBatch(group: 0, seqRequestID: srid, batchID: srid, ops: ops)
                _ = nodes[0].propose(.batch(batch), at: .zero, into: &out)
            }
            drain(from: 0)
            for node in nodes {
                let applied = node.takeCommitted().count
                if node === nodes[0] { committed += UInt64(applied) }
            }
            if nodes[0].wantsCompaction { for node in nodes { node.compact(through: node.commitIndex, snapshot: []) } }
        }
        return committed - before
    }
}
