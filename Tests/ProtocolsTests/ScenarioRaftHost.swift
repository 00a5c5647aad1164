import Protocols

/// One Raft replica with the chores its host does (as `RaftCluster` and the proxy do them), as a
/// `Role` so a scenario network hosts it like any other: it proposes `leaderStart` on becoming
/// leader of a new term, restores installed snapshots, applies committed entries to its state
/// machine (the list of applied entries) and compacts when the script says so.
final class ScenarioRaftHost: Role {
    let node: RaftNode
    let endpoint: Endpoint
    /// The state machine: entry k applied at position k - 1.
    private(set) var applied: [LogEntry] = []
    /// Input that was not a Raft message.
    private(set) var rejected: UInt64 = 0
    private var leaderStartTerm: UInt64 = 0

    init(config: RaftConfig, generator: SplitMix64) {
        node = RaftNode(config: config, generator: generator)
        endpoint = config.peers[Int(config.me)]
    }

    var nextDeadline: Instant? { node.nextDeadline }

    func start(at now: Instant, into out: inout [Output]) {
        node.start(at: now, into: &out)
        chores(at: now, into: &out)
    }

    func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard case let .raft(m) = message else {
            rejected += 1
            return
        }
        node.handle(m, from: sender, at: now, into: &out)
        chores(at: now, into: &out)
    }

    func tick(at now: Instant, into out: inout [Output]) {
        node.tick(at: now, into: &out)
        chores(at: now, into: &out)
    }

    func campaign(at now: Instant, into out: inout [Output]) {
        node.campaign(at: now, into: &out)
        chores(at: now, into: &out)
    }

    /// Proposes the scenario's command `k` (`RaftCluster.command`); its index, or nil when not leader.
    func propose(_ k: Int, at now: Instant, into out: inout [Output]) -> UInt64? {
        let index = node.propose(RaftCluster.command(k), at: now, into: &out)
        chores(at: now, into: &out)
        return index
    }

    /// Compacts the log through everything applied, with the state machine as the snapshot.
    func compact() {
        node.compact(through: UInt64(applied.count), snapshot: RaftCluster.encode(applied))
    }

    private func chores(at now: Instant, into out: inout [Output]) {
        if node.role == .leader, leaderStartTerm != node.term {
            leaderStartTerm = node.term
            _ = node.propose(.leaderStart(leader: node.config.me), at: now, into: &out)
        }
        if let snapshot = node.takeInstalledSnapshot() {
            if let restored = RaftCluster.decode(snapshot.bytes), restored.count == Int(snapshot.index) {
                applied = restored
                out.append(.report(.note(role: endpoint, description: "installed snapshot through \(snapshot.index) (term \(snapshot.term))")))
            } else {
                out.append(.report(.anomaly(role: endpoint, description: "snapshot through \(snapshot.index) does not decode")))
            }
        }
        for (index, entry) in node.takeCommitted() {
            guard index == UInt64(applied.count + 1) else {
                out.append(.report(.anomaly(role: endpoint, description: "handed index \(index) after \(applied.count)")))
                continue
            }
            applied.append(entry)
        }
    }
}
