import Protocols

/// One invariant and whether it held, with the first counterexample when it did not.
public struct InvariantResult: Sendable, Equatable {
    public var name: String
    public var held: Bool
    public var detail: String?

    public init(_ name: String, held: Bool, detail: String? = nil) {
        self.name = name
        self.held = held
        self.detail = held ? nil : detail
    }
}

/// Everything a run's checkers look at: what the roles reported, and the sequencer's counters.
public struct RunHistory {
    public var committed: [CommittedBatch] = []
    public var fills: [HoleFill] = []
    public var completed: [CompletedOperation] = []
    public var leaders: [(group: UInt16, term: UInt64, replica: UInt8)] = []
    public var anomalies: [String] = []
    /// Roles whose counters of input no correct peer sends are not zero (`ImpossibleInputs`).
    public var impossibleInputs: [String] = []
    /// Scheduled faults that never hit their target, each with why.
    public var missedFaults: [String] = []
    public var highWater: [UInt64] = []
    /// Operations still outstanding at clients once the run ended.
    public var outstandingAtEnd = 0
    /// Live clients that completed nothing once the faults stopped.
    public var stalledClients = 0
    /// Each group's live replicas as the run ended.
    public var groups: [[GroupSnapshot]] = []

    public init() {}
}

/// One proxy replica's Raft log and applied state, for the Raft safety checks.
public struct GroupSnapshot {
    public var replica: UInt8
    public var appliedIndex: UInt64
    public var state: GroupState
    public var snapshotIndex: UInt64
    /// Entries after `snapshotIndex`.
    public var entries: [LogEntry]

    public init(_ proxy: Proxy) {
        replica = proxy.config.me
        appliedIndex = proxy.appliedIndex
        state = proxy.state
        snapshotIndex = proxy.raft.snapshotIndex
        entries = proxy.raft.entries(from: proxy.raft.snapshotIndex + 1)
    }

    init(replica: UInt8, appliedIndex: UInt64, state: GroupState, snapshotIndex: UInt64, entries: [LogEntry]) {
        self.replica = replica
        self.appliedIndex = appliedIndex
        self.state = state
        self.snapshotIndex = snapshotIndex
        self.entries = entries
    }
}

/// The checkers run at the end of every simulation, after the network quiesces.
public enum InvariantChecker {
    public static func check(_ h: RunHistory, codecFailures: [String]) -> [InvariantResult] {
        let (batches, batchConflict) = uniqueBatches(h.committed)
        let ops = batches.flatMap(\.ops) + fillOperations(h.fills, spaces: h.highWater.count)
        let chains = SpaceChains(ops, spaces: h.highWater.count)
        return [
            contiguity(chains, highWater: h.highWater),
            noNumberTwice(ops, chains),
            exactCounts(h.completed),
            answersMatchCommitted(h.completed, ops),
            clientOrder(h.completed),
            crossSpaceOrder(ops, chains),
            InvariantResult("liveness", held: h.outstandingAtEnd == 0 && h.stalledClients == 0, detail:
                "\(h.outstandingAtEnd) operations outstanding and \(h.stalledClients) clients stalled after the faults stopped"),
            RaftChecks.oneLeaderPerTerm(h.leaders),
            RaftChecks.logMatching(h.groups),
            RaftChecks.stateMachineSafety(h.groups, batchConflict: batchConflict),
            RaftChecks.leaderCompleteness(h.groups, committed: batches),
            InvariantResult("noAnomalies", held: h.anomalies.isEmpty && h.impossibleInputs.isEmpty,
                            detail: h.anomalies.first ?? h.impossibleInputs.first),
            InvariantResult("faultsHit", held: h.missedFaults.isEmpty, detail: h.missedFaults.first),
            InvariantResult("codecRoundTrip", held: codecFailures.isEmpty, detail: codecFailures.first),
        ]
    }

    /// A backup's hole fills as noop operations (each replica reports a fill; keep one).
    static func fillOperations(_ fills: [HoleFill], spaces: Int) -> [CommittedOperation] {
        var seen = Set<UInt64>()
        var ops: [CommittedOperation] = []
        for fill in fills where seen.insert(UInt64(fill.epoch) << 32 | UInt64(fill.fill)).inserted {
            for range in fill.ranges where Int(fill.space) < spaces {
                var ranges = [SpaceRange](repeating: .empty, count: spaces)
                ranges[Int(fill.space)] = range
                ops.append(CommittedOperation(client: .max, requestID: .max, numbers: MultiSequenceNumber(ranges), isNoop: true))
            }
        }
        return ops
    }

    /// Replicas report the same batch; keep one, and flag two different batches under one id.
    static func uniqueBatches(_ reports: [CommittedBatch]) -> ([CommittedBatch], String?) {
        var seen: [GroupBatchKey: CommittedBatch] = [:]
        var unique: [CommittedBatch] = []
        var conflict: String?
        for batch in reports {
            let key = GroupBatchKey(group: batch.group, seqRequestID: batch.seqRequestID)
            if let earlier = seen[key] {
                if earlier != batch, conflict == nil {
                    conflict = "group \(batch.group) seqRequestID \(batch.seqRequestID) committed twice with different contents"
                }
            } else {
                seen[key] = batch
                unique.append(batch)
            }
        }
        return (unique, conflict)
    }

    /// In every space, the committed ranges (operations and noops) tile 0..<highWater exactly.
    static func contiguity(_ chains: SpaceChains, highWater: [UInt64]) -> InvariantResult {
        for space in highWater.indices {
            var next: UInt64 = 0
            for link in chains.links[space] {
                if link.range.first > next {
                    return InvariantResult("contiguity", held: false, detail: "space \(space): numbers \(next)..<\(link.range.first) never assigned")
                }
                next = max(next, link.range.end)
            }
            if next != highWater[space] {
                return InvariantResult("contiguity", held: false,
                                       detail: "space \(space): assigned up to \(next), sequencer handed out \(highWater[space])")
            }
        }
        return InvariantResult("contiguity", held: true)
    }

    /// No number is assigned to two operations, and no operation is numbered twice.
    static func noNumberTwice(_ ops: [CommittedOperation], _ chains: SpaceChains) -> InvariantResult {
        for (space, chain) in chains.links.enumerated() {
            for (a, b) in zip(chain, chain.dropFirst()) where b.range.first < a.range.end {
                return InvariantResult("noNumberTwice", held: false, detail: "space \(space): \(a.range) and \(b.range) overlap")
            }
        }
        var numbered = Set<ClientRequestKey>()
        for op in ops where !op.isNoop {
            if !numbered.insert(ClientRequestKey(client: op.client, requestID: op.requestID)).inserted {
                return InvariantResult("noNumberTwice", held: false, detail: "client \(op.client) request \(op.requestID) committed twice")
            }
        }
        return InvariantResult("noNumberTwice", held: true)
    }

    /// Every completed operation got exactly the counts it asked for, in every space.
    static func exactCounts(_ completed: [CompletedOperation]) -> InvariantResult {
        for op in completed where op.numbers.counts != op.requested {
            return InvariantResult("exactCounts", held: false,
                                   detail: "client \(op.client) request \(op.requestID) asked \(op.requested), got \(op.numbers)")
        }
        return InvariantResult("exactCounts", held: true)
    }

    /// What a client was told is what its group committed (an answer is never renumbered).
    static func answersMatchCommitted(_ completed: [CompletedOperation], _ ops: [CommittedOperation]) -> InvariantResult {
        var committed: [ClientRequestKey: MultiSequenceNumber] = [:]
        for op in ops where !op.isNoop { committed[ClientRequestKey(client: op.client, requestID: op.requestID)] = op.numbers }
        var seen: [ClientRequestKey: MultiSequenceNumber] = [:]
        for op in completed {
            let key = ClientRequestKey(client: op.client, requestID: op.requestID)
            if let earlier = seen.updateValue(op.numbers, forKey: key), earlier != op.numbers {
                return InvariantResult("answersMatchCommitted", held: false,
                                       detail: "client \(op.client) request \(op.requestID) answered \(earlier) then \(op.numbers)")
            }
            guard committed[key] == op.numbers else {
                return InvariantResult("answersMatchCommitted", held: false, detail:
                    "client \(op.client) request \(op.requestID) was told \(op.numbers), group committed \(committed[key].map(\.description) ?? "nothing")")
            }
        }
        return InvariantResult("answersMatchCommitted", held: true)
    }

    /// Per client: a later request has higher numbers than an earlier one in every space both use.
    static func clientOrder(_ completed: [CompletedOperation]) -> InvariantResult {
        let byClient = Dictionary(grouping: completed, by: \.client)
        for (client, ops) in byClient.sorted(by: { $0.key < $1.key }) {
            let sorted = ops.sorted { $0.requestID < $1.requestID }
            let spaces = sorted.first?.numbers.spaceCount ?? 0
            for space in 0 ..< spaces {
                var previous: (id: UInt64, range: SpaceRange)?
                for op in sorted where op.numbers[space].count > 0 {
                    if let p = previous, op.numbers[space].first < p.range.end {
                        return InvariantResult("clientOrder", held: false, detail:
                            "client \(client): request \(op.requestID) got \(op.numbers[space]) in space \(space), below request \(p.id)'s \(p.range)")
                    }
                    previous = (op.requestID, op.numbers[space])
                }
            }
        }
        return InvariantResult("clientOrder", held: true)
    }

    /// The per-space orders agree: one total order of all operations is consistent with every space
    /// (so any two operations sharing spaces are ordered the same way in each). Checked as
    /// acyclicity of the union of the per-space chains.
    static func crossSpaceOrder(_ ops: [CommittedOperation], _ chains: SpaceChains) -> InvariantResult {
        var successors = [[Int32]](repeating: [], count: ops.count)
        var indegree = [Int](repeating: 0, count: ops.count)
        for chain in chains.links {
            for (a, b) in zip(chain, chain.dropFirst()) {
                successors[Int(a.op)].append(b.op)
                indegree[Int(b.op)] += 1
            }
        }
        var ready = ops.indices.filter { indegree[$0] == 0 }
        var ordered = 0
        while let node = ready.popLast() {
            ordered += 1
            for next in successors[node] {
                indegree[Int(next)] -= 1
                if indegree[Int(next)] == 0 { ready.append(Int(next)) }
            }
        }
        guard ordered == ops.count else {
            let stuck = ops.indices.first { indegree[$0] > 0 }.map { ops[$0] }
            return InvariantResult("crossSpaceOrder", held: false, detail:
                "\(ops.count - ordered) operations are ordered differently in different spaces, e.g. client \(stuck?.client ?? 0) request \(stuck?.requestID ?? 0) \(stuck?.numbers.description ?? "")")
        }
        return InvariantResult("crossSpaceOrder", held: true)
    }
}

/// Per space, every committed operation's range there, sorted by first number: the chains the
/// contiguity, overlap and cross-space checks walk. Built once per run.
struct SpaceChains {
    struct Link {
        var range: SpaceRange
        var op: Int32
    }

    var links: [[Link]]

    init(_ ops: [CommittedOperation], spaces: Int) {
        links = Array(repeating: [], count: spaces)
        for (index, op) in ops.enumerated() {
            for (space, range) in op.numbers.ranges.enumerated() where range.count > 0 && space < spaces {
                links[space].append(Link(range: range, op: Int32(index)))
            }
        }
        for space in links.indices { links[space].sort { $0.range.first < $1.range.first } }
    }
}
