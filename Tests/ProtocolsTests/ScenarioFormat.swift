import Protocols

/// The stable one-line forms a scenario prints: `from->to Type field=value ...` for a message, a
/// node's state, a role's report. Field names follow the wire types'; endpoints print as the
/// scenario's node names. Changing a form changes every scenario's expected output: regenerate
/// them and read the diff.
struct ScenarioFormat {
    /// The scenario's node names by endpoint.
    var names: [Endpoint: String] = [:]

    func name(_ endpoint: Endpoint) -> String { names[endpoint] ?? endpoint.description }

    func send(_ message: Message, from: Endpoint, to: Endpoint) -> String {
        "\(name(from))->\(name(to)) \(describe(message))"
    }

    func describe(_ message: Message) -> String {
        switch message {
        case let .raft(m): describe(m)
        case let .clientRequest(r):
            "ClientRequest client=\(r.client) id=\(r.requestID) ack=\(r.acknowledgedBelow) counts=\(r.counts)"
        case let .clientReply(r):
            switch r.status {
            case .ok: "ClientReply client=\(r.client) id=\(r.requestID) ok numbers=\(r.numbers)"
            case .notLeader: "ClientReply client=\(r.client) id=\(r.requestID) notLeader hint=\(r.leaderHint.map(name) ?? "none")"
            }
        case let .sequencerRequest(r):
            "SequencerRequest term=\(r.term) epoch=\(r.epoch) batch=\(r.batchID) seqReq=\(r.seqRequestID) durableBelow=\(r.durableBelow) counts=\(r.counts)"
        case let .sequencerReply(r):
            "SequencerReply epoch=\(r.epoch) batch=\(r.batchID) seqReq=\(r.seqRequestID) \(r.status) numbers=\(r.numbers)"
        case let .heartbeat(b): "Heartbeat epoch=\(b.epoch) nonce=\(b.nonce) durableBelow=\(b.durableBelow)"
        case let .heartbeatReply(b): "HeartbeatReply epoch=\(b.epoch) nonce=\(b.nonce) durableBelow=\(b.durableBelow)"
        case let .recovery(m): describe(m)
        case let .gc(.token(t)): "GCToken round=\(t.round) counts=[\(t.counts.map { "\($0.base):\($0.count)" }.joined(separator: " "))]"
        case let .gc(.truncate(t)): "GCTruncate space=\(t.space) below=\(t.below)"
        }
    }

    func describe(_ message: RaftMessage) -> String {
        switch message {
        case let .requestVote(r): "RequestVote term=\(r.term) lastIndex=\(r.lastLogIndex) lastTerm=\(r.lastLogTerm)"
        case let .vote(v): "Vote term=\(v.term) granted=\(v.granted)"
        case let .preVote(r): "PreVote term=\(r.term) lastIndex=\(r.lastLogIndex) lastTerm=\(r.lastLogTerm)"
        case let .preVoteReply(v): "PreVoteReply term=\(v.term) granted=\(v.granted)"
        case let .append(a):
            "Append term=\(a.term) prevIndex=\(a.prevLogIndex) prevTerm=\(a.prevLogTerm) commit=\(a.leaderCommit) "
                + "entries=[\(a.entries.enumerated().map { entry(a.prevLogIndex + UInt64($0.offset) + 1, $0.element) }.joined(separator: ", "))]"
        case let .appendReply(r): "AppendReply term=\(r.term) success=\(r.success) index=\(r.index)"
        case let .snapshot(c):
            "Snapshot term=\(c.term) lastIndex=\(c.lastIncludedIndex) lastTerm=\(c.lastIncludedTerm) offset=\(c.offset) bytes=\(c.data.count)/\(c.totalBytes)"
        case let .snapshotReply(r):
            "SnapshotReply term=\(r.term) lastIndex=\(r.lastIncludedIndex) nextOffset=\(r.nextOffset) done=\(r.done)"
        }
    }

    func describe(_ message: RecoveryMessage) -> String {
        switch message {
        case let .claim(c): "Claim term=\(c.term) epoch=\(c.epoch) durableBelow=\(c.durableBelow)"
        case let .claimReply(r):
            "ClaimReply term=\(r.term) epoch=\(r.epoch) \(r.status) next=\(r.nextSeqRequestID) "
                + "allocations=[\(r.allocations.map { "\($0.seqRequestID):\($0.numbers)" }.joined(separator: " "))]"
        case let .start(s): "RecoveryStart epoch=\(s.epoch)"
        case let .poll(p): "RecoveryPoll epoch=\(p.epoch)"
        case let .report(r):
            "RecoveryReport epoch=\(r.epoch) blockSize=\(r.blockSize) spaces=[\(r.spaces.map { "\($0.base)+\($0.blocks)blocks" }.joined(separator: " "))]"
        case let .bitmapRequest(r): "BitmapRequest epoch=\(r.epoch) space=\(r.space) block=\(r.block)"
        case let .bitmapBlock(b):
            "BitmapBlock epoch=\(b.epoch) space=\(b.space) base=\(b.base) block=\(b.block) set=\(Self.setBits(b.words))"
        case let .holeFill(f): "HoleFill epoch=\(f.epoch) fill=\(f.fill) space=\(f.space) ranges=\(Self.ranges(f.ranges))"
        case let .holeFillAck(a): "HoleFillAck epoch=\(a.epoch) fill=\(a.fill)"
        }
    }

    /// A log entry as `index@term command`.
    func entry(_ index: UInt64, _ entry: LogEntry) -> String { "\(index)@\(entry.term) \(describe(entry.command))" }

    func describe(_ command: GroupCommand) -> String {
        switch command {
        case let .leaderStart(leader): "leaderStart(\(leader))"
        case let .batch(b): "batch(\(batch(b)))"
        case let .takeover(next, noops): "takeover(next=\(next) noops=[\(noops.map(batch).joined(separator: ", "))])"
        case let .useSequencer(epoch): "useSequencer(\(epoch))"
        case let .truncate(space, below): "truncate(space=\(space) below=\(below))"
        case let .fillHoles(f): "fillHoles(fill=\(f.fill) space=\(f.space) ranges=\(Self.ranges(f.ranges)))"
        }
    }

    func batch(_ b: CommittedBatch) -> String {
        "seqReq=\(b.seqRequestID) epoch=\(b.epoch) ops=[\(b.ops.map(operation).joined(separator: " "))]"
    }

    func operation(_ op: CommittedOperation) -> String {
        op.isNoop ? "noop\(op.numbers)" : "c\(op.client)#\(op.requestID)\(op.numbers)"
    }

    func describe(_ event: Event) -> String {
        switch event {
        case let .operationCompleted(op): "completed client=\(op.client) id=\(op.requestID) numbers=\(op.numbers)"
        case let .batchCommitted(b): "applied batch \(batch(b))"
        case let .leaderElected(group, term, _): "leads group \(group) in term \(term)"
        case let .holesFilled(f): "filled holes fill=\(f.fill) space=\(f.space) ranges=\(Self.ranges(f.ranges))"
        case let .note(_, description): "note: \(description)"
        case let .anomaly(_, description): "ANOMALY: \(description)"
        }
    }

    static func ranges(_ ranges: [SpaceRange]) -> String { "[" + ranges.map(\.description).joined(separator: " ") + "]" }

    /// The set bits of a bitmap block, as offsets from the block's start, in runs (`0-2,5`).
    static func setBits(_ words: [UInt64]) -> String {
        var runs: [(UInt64, UInt64)] = []
        for (w, word) in words.enumerated() where word != 0 {
            for bit in 0 ..< 64 where word & (1 << UInt64(bit)) != 0 {
                let n = UInt64(w * 64 + bit)
                if let last = runs.last, last.1 + 1 == n { runs[runs.count - 1].1 = n } else { runs.append((n, n)) }
            }
        }
        return "{" + runs.map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }.joined(separator: ",") + "}"
    }

    // MARK: State

    func role(_ role: RaftRole) -> String {
        switch role {
        case .follower: "follower"
        case .preCandidate: "preCandidate"
        case .candidate: "candidate"
        case .leader: "leader"
        }
    }

    /// What a scenario watches of a Raft replica: a line is printed whenever this changes.
    func state(of node: RaftNode) -> String {
        let leader = node.leader.map { name(node.config.peers[Int($0)]) } ?? "none"
        var text = "\(role(node.role)) term=\(node.term) leader=\(leader) commit=\(node.commitIndex) last=\(node.lastIndex)"
        if node.snapshotIndex > 0 { text += " snapshot=\(node.snapshotIndex)" }
        return text
    }

    func state(of proxy: Proxy) -> String {
        var text = state(of: proxy.raft)
        if proxy.isLeader { text += proxy.isServing ? " serving" : " starting" }
        if proxy.state.epoch > 0 { text += " epoch=\(proxy.state.epoch)" }
        return text
    }

    func state(of sequencer: Sequencer) -> String {
        "epoch=\(sequencer.config.epoch) " + (sequencer.isReady ? "ready" : "not ready")
    }

    func drops(_ d: DropCounters) -> String { "rejected=\(d.rejected) stale=\(d.stale) implausible=\(d.implausible)" }
}
