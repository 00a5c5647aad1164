import Protocols
import Testing

/// Raft scenarios over `RaftCluster` (virtual time, 1 ms links). Every scenario ends with the safety
/// checks: one leader per term, log matching, leader completeness, state-machine safety.
@Suite struct RaftScenarioTests {
    /// Proposes `count` commands numbered from `first` on the current leader, one per millisecond.
    func proposeMany(_ cluster: RaftCluster, from first: Int, count: Int) -> [(index: UInt64, entry: LogEntry)] {
        var proposed: [(index: UInt64, entry: LogEntry)] = []
        for k in first ..< first + count {
            if let p = cluster.propose(k) { proposed.append((p.index, p.entry)) }
            cluster.run(for: 1_000)
        }
        return proposed
    }

    func allApplied(_ cluster: RaftCluster, _ proposed: [(index: UInt64, entry: LogEntry)], on ids: [Int]) -> Bool {
        proposed.allSatisfy { cluster.hasApplied($0.entry, at: $0.index, on: ids) }
    }

    /// A started three-node cluster with commands 1 ... `count` proposed on its first leader and
    /// applied on every node within 100 ms.
    func startedCluster(seed: UInt64, committing count: Int) -> (RaftCluster, [(index: UInt64, entry: LogEntry)]) {
        let cluster = RaftCluster(seed: seed)
        cluster.start()
        let proposed = proposeMany(cluster, from: 1, count: count)
        #expect(cluster.run(within: 100_000) { allApplied(cluster, proposed, on: [0, 1, 2]) })
        return (cluster, proposed)
    }

    @Test(arguments: [3, 5])
    func electsOneLeaderPerTerm(size: Int) {
        for seed: UInt64 in 1 ... 10 {
            let cluster = RaftCluster(size: size, seed: seed)
            cluster.start(campaigner: nil) // randomized timeouts decide
            let agreed = cluster.run(within: 2_000_000) {
                guard let leader = cluster.leader else { return false }
                return cluster.nodes.allSatisfy { $0.term == cluster.nodes[leader].term && $0.leader == UInt8(leader) }
            }
            #expect(agreed, "seed \(seed): every node follows one leader")
            let term = cluster.nodes[0].term
            cluster.run(for: 2_000_000)
            #expect(cluster.nodes.allSatisfy { $0.term == term }, "seed \(seed): no election while all is well")
            #expect(cluster.nodes.filter { $0.role == .leader }.count == 1)
            cluster.checkSafety()
        }
    }

    @Test func electionAfterLeaderLoss() {
        let (cluster, first) = startedCluster(seed: 11, committing: 5)
        #expect(cluster.leader == 0)
        let oldTerm = cluster.nodes[0].term

        cluster.crash(0)
        let elected = cluster.run(within: 1_000_000) { cluster.leader.map { $0 != 0 } ?? false }
        #expect(elected, "a survivor leads within a second (an election timeout is 150-300 ms)")
        let leader = cluster.leader ?? 0
        #expect(cluster.nodes[leader].term > oldTerm)

        let later = proposeMany(cluster, from: 6, count: 5)
        #expect(later.count == 5)
        #expect(cluster.run(within: 200_000) { allApplied(cluster, later, on: [1, 2]) },
                "entries of the new leader commit on both survivors")
        #expect(allApplied(cluster, first, on: [1, 2]), "and the old leader's committed entries stay")
        cluster.checkSafety()
    }

    @Test func staleLeaderCannotCommit() {
        let (cluster, _) = startedCluster(seed: 12, committing: 3)

        cluster.isolate(0)
        guard let stale = cluster.propose(100, on: 0) else {
            Issue.record("node 0 still leads right after the partition")
            return
        }
        let steppedDown = cluster.run(within: 400_000) { cluster.nodes[0].role != .leader }
        #expect(steppedDown, "CheckQuorum: a leader cut off from the majority stops leading")
        #expect(cluster.run(within: 1_000_000) { cluster.leader.map { $0 != 0 } ?? false })
        let fresh = proposeMany(cluster, from: 200, count: 3)
        #expect(cluster.run(within: 200_000) { allApplied(cluster, fresh, on: [1, 2]) },
                "the majority commits its own entries")
        #expect(cluster.nodes[0].commitIndex < stale.index, "the stale leader never commits its entry")

        cluster.heal()
        let healed = cluster.run(within: 1_000_000) {
            cluster.nodes[0].role == .follower && cluster.nodes[0].term == cluster.nodes[cluster.leader ?? 1].term
                && allApplied(cluster, fresh, on: [0])
        }
        #expect(healed, "after healing the old leader follows and catches up")
        #expect(cluster.nodes[0].entries(from: stale.index).first != stale.entry, "its uncommitted entry is replaced")
        #expect(!cluster.applied.joined().contains(stale.entry))
        let logs = cluster.nodes.map { $0.entries(from: 1) }
        #expect(logs[0] == logs[1] && logs[1] == logs[2], "all three logs match")
        cluster.checkSafety()
    }

    /// The paper's Figure 8 with three replicas and partitions: an entry of an earlier term held by a
    /// majority is not committed by counting replicas; had it been, the next leader would erase it.
    @Test func earlierTermEntryCommitsOnlyWithACurrentTermEntry() {
        let cluster = RaftCluster(seed: 15) { config in config.maxAppendBytes = 1 } // one entry per append
        cluster.start()
        #expect(cluster.run(within: 100_000) { cluster.applied.allSatisfy { $0.count == 1 } })
        // Node 0 (term 1) appends x at index 2, but nobody hears of it.
        cluster.isolate(0)
        guard let x = cluster.propose(1, on: 0) else {
            Issue.record("node 0 leads term 1")
            return
        }
        // Node 1 wins term 2 with node 2's vote, then is cut off before its leaderStart (index 2) leaves.
        cluster.campaign(1)
        #expect(cluster.run(within: 10_000) { cluster.nodes[1].role == .leader })
        cluster.cut(1, 2)
        cluster.run(for: 10_000)
        #expect(cluster.nodes[1].termAt(2) == cluster.nodes[1].term && cluster.nodes[2].lastIndex == 1)
        // Node 0 and 2 reunite; node 0 (longer log) leads a later term and copies x to node 2, but its
        // own term's entries never get through.
        cluster.connect(0, 2)
        cluster.dropFilter = { from, to, message in
            guard from == 0, to == 2, case let .append(append) = message else { return false }
            return append.entries.contains { $0.term == append.term }
        }
        #expect(cluster.run(within: 2_000_000) {
            cluster.nodes[0].role == .leader && cluster.nodes[2].termAt(2) == x.entry.term
        })
        cluster.run(for: 100_000)
        #expect(cluster.nodes[0].termAt(2) == x.entry.term && cluster.nodes[0].commitIndex == 1,
                "x is on a majority, yet of an earlier term: not committed")
        // Node 1 (its index 2 is of term 2, later than x's) wins with node 2 and overwrites x there.
        cluster.dropFilter = nil
        cluster.isolate(0)
        cluster.connect(1, 2)
        #expect(cluster.run(within: 2_000_000) {
            cluster.leader == 1 && cluster.applied[2].count >= 2 && cluster.applied[1].count >= 2
        })
        #expect(cluster.nodes[2].termAt(2) != x.entry.term)
        cluster.heal()
        #expect(cluster.run(within: 1_000_000) { cluster.applied[0].count == cluster.applied[1].count })
        #expect(!cluster.applied.joined().contains(x.entry), "x was never applied anywhere")
        cluster.checkSafety()
    }

    @Test func followerFarBehindCatchesUpBySnapshot() {
        let cluster = RaftCluster(seed: 13) { config in
            config.maxLogSize = 8
            config.snapshotChunkBytes = 64
        }
        cluster.start()
        #expect(cluster.run(within: 100_000) { cluster.applied[0].count == 1 })
        cluster.isolate(2)
        let behind = proposeMany(cluster, from: 1, count: 40)
        #expect(cluster.run(within: 200_000) { allApplied(cluster, behind, on: [0, 1]) })
        #expect(cluster.nodes[0].wantsCompaction)
        // Both up-to-date hosts compact (whichever leads after the heal must send a snapshot).
        let through = UInt64(cluster.applied[0].count)
        let bytes = RaftCluster.encode(cluster.applied[0])
        cluster.compact(0)
        cluster.compact(1)
        #expect(cluster.nodes[0].snapshotIndex == through && cluster.nodes[0].entries(from: 1).isEmpty)
        #expect(cluster.applied[2].count < 2)

        cluster.heal()
        #expect(cluster.run(within: 1_000_000) { cluster.applied[2].count >= Int(through) },
                "the follower catches up through the snapshot")
        #expect((cluster.sent["snapshot"] ?? 0) > 1, "the snapshot takes several chunks")
        let installed = cluster.installed[2]
        #expect(installed.count == 1 && installed.first?.index == through && installed.first?.bytes == bytes)

        let after = proposeMany(cluster, from: 100, count: 5)
        #expect(after.count == 5)
        #expect(cluster.run(within: 200_000) { allApplied(cluster, after, on: [0, 1, 2]) },
                "and then applies the later entries")
        #expect(cluster.applied[2] == cluster.applied[0])
        cluster.checkSafety()
    }

    @Test func lostAppendRepliesDoNotStallReplication() {
        let cluster = RaftCluster(seed: 14) { config in config.maxInflightAppends = 4 }
        cluster.start()
        #expect(cluster.run(within: 100_000) { cluster.applied[0].count == 1 })
        let term = cluster.nodes[0].term
        let commit = cluster.nodes[0].commitIndex

        cluster.dropFilter = { _, _, message in
            if case .appendReply = message { true } else { false }
        }
        // Far more appends than the window holds, every reply lost.
        let proposed = proposeMany(cluster, from: 1, count: 40)
        #expect(cluster.nodes[0].commitIndex == commit, "nothing commits without replies")
        cluster.dropFilter = nil
        #expect(cluster.run(within: 200_000) { allApplied(cluster, proposed, on: [0, 1, 2]) },
                "replication resumes once replies get through again")
        #expect(cluster.nodes.allSatisfy { $0.term == term }, "with the same leader: no slot leaked, no election")
        cluster.checkSafety()
    }

    /// 200 seeds of 3 replicas under 10% loss, jitter (so reordering), random partitions and heals,
    /// one crash, snapshots, and proposals throughout (also to stale leaders). Safety holds throughout;
    /// once the network heals, a proposal commits on every live replica within bounded virtual time.
    @Test func randomizedFaultsKeepSafetyAndLiveness() {
        for seed: UInt64 in 0 ..< 200 {
            let cluster = RaftCluster(seed: seed) { config in
                config.maxLogSize = 16
                config.snapshotChunkBytes = 40
                config.maxInflightAppends = 4
            }
            cluster.jitterMicros = 500
            cluster.dropRate = 0.1
            cluster.autoCompact = true
            cluster.start()
            var rng = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 1)
            let crashAt = Instant.microseconds(200_000 + rng.next() % 1_600_000)
            let victim = Int(rng.next() % 3)
            var k = 0
            for _ in 0 ..< 100 {
                cluster.run(for: 20_000)
                let roll = rng.nextUnit()
                if roll < 0.06 {
                    cluster.isolate(Int(rng.next() % 3))
                } else if roll < 0.10 {
                    let a = Int(rng.next() % 3)
                    cluster.cut(a, (a + 1 + Int(rng.next() % 2)) % 3)
                } else if roll < 0.25 {
                    cluster.heal()
                }
                for id in cluster.live where cluster.nodes[id].role == .leader {
                    k += 1
                    cluster.propose(k, on: id)
                }
                if cluster.now >= crashAt, !cluster.crashed.contains(true) { cluster.crash(victim) }
            }
            cluster.heal()
            cluster.dropRate = 0
            var committed = false
            let deadline = cluster.now.adding(microseconds: 3_000_000)
            while !committed, cluster.now < deadline {
                _ = cluster.run(within: 1_000_000) { cluster.leader != nil }
                k += 1
                guard let p = cluster.propose(k) else { continue }
                committed = cluster.run(within: 300_000) { cluster.hasApplied(p.entry, at: p.index, on: cluster.live) }
            }
            #expect(committed, "seed \(seed): after healing, a proposal commits on every live replica")
            cluster.checkSafety()
        }
    }
}
