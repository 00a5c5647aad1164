import Protocols
import Testing

/// A tiny deterministic host for a Raft group in virtual time: N RaftNodes over a message queue with
/// a fixed latency (plus optional jitter), in-order delivery otherwise, partitions, crashes, random or
/// filtered drops. Each node's host behaves like the proxy's: it proposes `leaderStart` when it
/// becomes leader of a new term, restores installed snapshots, applies committed entries to its
/// state machine (the list of applied entries) and, with `autoCompact`, compacts when asked.
///
/// The safety properties are checked as the run goes (one leader per term, leader completeness at
/// every new leader, state-machine safety at every applied entry) and by `checkSafety()`.
final class RaftCluster {
    struct Envelope {
        var at: Instant
        var seq: UInt64
        var from: Int
        var to: Int
        var message: RaftMessage
    }

    let label: String
    let peers: [Endpoint]
    let nodes: [RaftNode]
    private(set) var now: Instant = .zero
    var latencyMicros: UInt64 = 1_000
    var jitterMicros: UInt64 = 0
    var dropRate: Double = 0
    /// Drops the messages for which it returns true.
    var dropFilter: ((_ from: Int, _ to: Int, _ message: RaftMessage) -> Bool)?
    var autoCompact = false
    private(set) var crashed: [Bool]
    private var blocked: [[Bool]]
    private var queue: [Envelope] = []
    private var seq: UInt64 = 0
    private var rng: SplitMix64

    /// Each host's state machine: the entries it applied, entry k at position k - 1.
    private(set) var applied: [[LogEntry]]
    /// Snapshots each node installed from a leader, in order.
    private(set) var installed: [[(index: UInt64, term: UInt64, bytes: [UInt8])]]
    /// Messages sent, by kind ("append", "snapshot", ...).
    private(set) var sent: [String: Int] = [:]
    /// The one committed sequence every state machine follows (the longest applied so far).
    private(set) var committed: [LogEntry] = []
    /// term → the node that led it.
    private(set) var leaders: [UInt64: Int] = [:]
    private var leaderStartTerm: [UInt64]

    init(size: Int = 3, seed: UInt64, label: String = "", configure: (inout RaftConfig) -> Void = { _ in }) {
        self.label = label.isEmpty ? "seed \(seed)" : label
        peers = (0 ..< size).map { Endpoint(UInt32(100 + $0)) }
        var generator = SplitMix64(seed: seed)
        nodes = (0 ..< size).map { id in
            var config = RaftConfig(group: 7, me: UInt8(id), peers: (0 ..< size).map { Endpoint(UInt32(100 + $0)) })
            configure(&config)
            return RaftNode(config: config, generator: generator.fork())
        }
        rng = generator.fork()
        crashed = Array(repeating: false, count: size)
        blocked = Array(repeating: Array(repeating: false, count: size), count: size)
        applied = Array(repeating: [], count: size)
        installed = Array(repeating: [], count: size)
        leaderStartTerm = Array(repeating: 0, count: size)
    }

    // MARK: Driving

    /// Starts every node; `campaigner` (replica 0 by default, as the original) campaigns at once.
    func start(campaigner: Int? = 0) {
        for id in nodes.indices { call(id) { nodes[id].start(at: now, into: &$0) } }
        if let campaigner { call(campaigner) { nodes[campaigner].campaign(at: now, into: &$0) } }
    }

    /// Runs every event up to `now + micros`.
    func run(for micros: UInt64) {
        let limit = now.adding(microseconds: micros)
        while step(notAfter: limit) {}
        now = limit
    }

    /// Runs until `condition` holds (checked after every event) or `micros` pass; true if it held.
    @discardableResult
    func run(within micros: UInt64, until condition: () -> Bool) -> Bool {
        let limit = now.adding(microseconds: micros)
        if condition() { return true }
        while step(notAfter: limit) {
            if condition() { return true }
        }
        now = limit
        return condition()
    }

    /// Processes the earliest event (a delivery before a timer at the same instant), if not after `limit`.
    private func step(notAfter limit: Instant) -> Bool {
        var next: (at: Instant, message: Int?, timer: Int?)?
        if let position = queue.indices.min(by: { (queue[$0].at, queue[$0].seq) < (queue[$1].at, queue[$1].seq) }) {
            next = (queue[position].at, position, nil)
        }
        for id in nodes.indices where !crashed[id] {
            if let deadline = nodes[id].nextDeadline, next == nil || deadline < next!.at {
                next = (deadline, nil, id)
            }
        }
        guard let event = next, event.at <= limit else { return false }
        now = max(now, event.at)
        if let position = event.message {
            let envelope = queue.remove(at: position)
            if !isDropped(envelope) {
                call(envelope.to) {
                    nodes[envelope.to].handle(envelope.message, from: peers[envelope.from], at: now, into: &$0)
                }
            }
        } else if let id = event.timer {
            call(id) { nodes[id].tick(at: now, into: &$0) }
            if let deadline = nodes[id].nextDeadline, deadline <= now {
                Issue.record("\(label): node \(id) tick left its deadline \(deadline) at \(now)")
                return false
            }
        }
        return true
    }

    private func isDropped(_ envelope: Envelope) -> Bool {
        if crashed[envelope.to] || blocked[envelope.from][envelope.to] { return true }
        if let dropFilter, dropFilter(envelope.from, envelope.to, envelope.message) { return true }
        return dropRate > 0 && rng.nextUnit() < dropRate
    }

    /// Calls into node `id` as its host, then sends its outputs and does the host's chores.
    private func call(_ id: Int, _ body: (inout [Output]) -> Void) {
        var out: [Output] = []
        body(&out)
        let node = nodes[id]
        if node.role == .leader, leaderStartTerm[id] != node.term {
            leaderStartTerm[id] = node.term
            _ = node.propose(.leaderStart(leader: UInt8(id)), at: now, into: &out)
        }
        for output in out {
            guard case let .send(.raft(message), to: endpoint) = output, let to = peers.firstIndex(of: endpoint)
            else {
                Issue.record("\(label): node \(id) sent something other than a Raft message to a peer")
                continue
            }
            #expect(to != id, "\(label): node \(id) sent to itself")
            sent[Self.kind(message), default: 0] += 1
            let jitter = jitterMicros > 0 ? rng.next() % (jitterMicros + 1) : 0
            seq += 1
            queue.append(Envelope(at: now.adding(microseconds: latencyMicros + jitter), seq: seq, from: id, to: to,
                                  message: message))
        }
        applyCommitted(id)
        checkLeaders()
    }

    static func kind(_ message: RaftMessage) -> String {
        switch message {
        case .requestVote: "requestVote"
        case .vote: "vote"
        case .append: "append"
        case .appendReply: "appendReply"
        case .snapshot: "snapshot"
        case .snapshotReply: "snapshotReply"
        case .preVote: "preVote"
        case .preVoteReply: "preVoteReply"
        }
    }

    /// Makes node `id` campaign now.
    func campaign(_ id: Int) {
        call(id) { nodes[id].campaign(at: now, into: &$0) }
    }

    // MARK: Faults

    func crash(_ id: Int) { crashed[id] = true }

    /// Cuts node `id` off from every other node, both ways.
    func isolate(_ id: Int) {
        for other in nodes.indices where other != id { cut(id, other) }
    }

    func cut(_ a: Int, _ b: Int) {
        blocked[a][b] = true
        blocked[b][a] = true
    }

    func connect(_ a: Int, _ b: Int) {
        blocked[a][b] = false
        blocked[b][a] = false
    }

    func heal() {
        for a in nodes.indices { for b in nodes.indices { blocked[a][b] = false } }
    }

    // MARK: Hosts

    /// The live leader of the highest term, if any.
    var leader: Int? {
        nodes.indices.filter { !crashed[$0] && nodes[$0].role == .leader }.max { nodes[$0].term < nodes[$1].term }
    }

    var live: [Int] { nodes.indices.filter { !crashed[$0] } }

    /// Proposes a distinct test command on `node` (the current leader by default).
    @discardableResult
    func propose(_ k: Int, on node: Int? = nil) -> (node: Int, index: UInt64, entry: LogEntry)? {
        guard let id = node ?? leader else { return nil }
        var index: UInt64?
        call(id) { index = nodes[id].propose(Self.command(k), at: now, into: &$0) }
        guard let index else { return nil }
        return (id, index, LogEntry(term: nodes[id].term, command: Self.command(k)))
    }

    static func command(_ k: Int) -> GroupCommand { .useSequencer(epoch: UInt32(k)) }

    /// Whether each of `ids` applied `entry` at `index`.
    func hasApplied(_ entry: LogEntry, at index: UInt64, on ids: [Int]) -> Bool {
        ids.allSatisfy { applied[$0].count >= Int(index) && applied[$0][Int(index) - 1] == entry }
    }

    /// The host of `id` compacts its log through everything it applied.
    func compact(_ id: Int) {
        nodes[id].compact(through: UInt64(applied[id].count), snapshot: Self.encode(applied[id]))
    }

    private func applyCommitted(_ id: Int) {
        let node = nodes[id]
        if let snapshot = node.takeInstalledSnapshot() {
            installed[id].append(snapshot)
            guard let restored = Self.decode(snapshot.bytes), restored.count == Int(snapshot.index) else {
                Issue.record("\(label): node \(id) installed an unreadable snapshot through \(snapshot.index)")
                return
            }
            for (position, entry) in restored.enumerated() { record(entry, at: position + 1, by: id) }
            applied[id] = restored
        }
        for (index, entry) in node.takeCommitted() {
            if index != UInt64(applied[id].count + 1) {
                Issue.record("\(label): node \(id) handed out index \(index) after \(applied[id].count)")
            }
            record(entry, at: Int(index), by: id)
            applied[id].append(entry)
        }
        if autoCompact, node.wantsCompaction { compact(id) }
    }

    /// State-machine safety, entry by entry: whatever a node applies at an index, every node does.
    private func record(_ entry: LogEntry, at index: Int, by id: Int) {
        if index <= committed.count {
            if committed[index - 1] != entry {
                Issue.record("\(label): node \(id) applied \(entry) at \(index), another applied \(committed[index - 1])")
            }
        } else if index == committed.count + 1 {
            committed.append(entry)
        } else {
            Issue.record("\(label): node \(id) applied index \(index) past the committed \(committed.count)")
        }
    }

    /// At most one leader per term; each new leader holds every committed entry (leader completeness).
    private func checkLeaders() {
        for id in live where nodes[id].role == .leader {
            let term = nodes[id].term
            if let known = leaders[term] {
                if known != id { Issue.record("\(label): nodes \(known) and \(id) both lead term \(term)") }
                continue
            }
            leaders[term] = id
            checkHoldsCommitted(id)
        }
    }

    private func checkHoldsCommitted(_ id: Int) {
        let node = nodes[id]
        let held = node.entries(from: node.snapshotIndex + 1)
        for index in Int(node.snapshotIndex) + 1 ..< committed.count + 1 {
            let position = index - Int(node.snapshotIndex) - 1
            if position >= held.count || held[position] != committed[index - 1] {
                Issue.record("\(label): leader \(id) of term \(node.term) lacks committed entry \(index)")
                return
            }
        }
    }

    // MARK: Safety checks

    func checkSafety() {
        checkLogMatching()
        checkStateMachineSafety()
        for id in live where nodes[id].role == .leader { checkHoldsCommitted(id) }
        for id in nodes.indices where nodes[id].dropped != 0 {
            Issue.record("\(label): node \(id) dropped \(nodes[id].dropped) malformed messages")
        }
    }

    /// Log matching: if two logs hold an entry with the same index and term, they hold the same
    /// entries up to it (as far as both still hold them).
    func checkLogMatching() {
        for a in nodes.indices {
            for b in nodes.indices where a < b {
                let first = max(nodes[a].snapshotIndex, nodes[b].snapshotIndex) + 1
                let last = min(nodes[a].lastIndex, nodes[b].lastIndex)
                guard first <= last else { continue }
                let x = nodes[a].entries(from: first), y = nodes[b].entries(from: first)
                let count = Int(last - first) + 1
                guard let agreed = (0 ..< count).last(where: { x[$0].term == y[$0].term }) else { continue }
                if let differs = (0 ... agreed).first(where: { x[$0] != y[$0] }) {
                    Issue.record("\(label): nodes \(a) and \(b) agree on the term at \(first + UInt64(agreed)) but differ at \(first + UInt64(differs))")
                }
            }
        }
    }

    /// The sequences the nodes applied are prefixes of one another.
    func checkStateMachineSafety() {
        for a in nodes.indices {
            for b in nodes.indices where a < b {
                let n = min(applied[a].count, applied[b].count)
                if applied[a][..<n] != applied[b][..<n] {
                    Issue.record("\(label): nodes \(a) and \(b) applied different sequences")
                }
            }
        }
    }

    // MARK: The state machine's snapshot: the applied entries, 13 bytes each

    static func encode(_ entries: [LogEntry]) -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in entries {
            let (tag, value): (UInt8, UInt32) = switch entry.command {
            case let .leaderStart(leader): (1, UInt32(leader))
            case let .useSequencer(epoch): (2, epoch)
            default: (0, 0)
            }
            bytes += withUnsafeBytes(of: entry.term.littleEndian, Array.init)
            bytes.append(tag)
            bytes += withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [LogEntry]? {
        guard bytes.count % 13 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 13).compactMap { start in
            let term = bytes[start ..< start + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let value = bytes[start + 9 ..< start + 13].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            switch bytes[start + 8] {
            case 1: return LogEntry(term: term, command: .leaderStart(leader: UInt8(truncatingIfNeeded: value)))
            case 2: return LogEntry(term: term, command: .useSequencer(epoch: value))
            default: return nil
            }
        }
    }
}
