import Protocols

/// The scenario language: each command drives a `ScenarioNetwork` and returns the lines it prints.
///
/// Clusters (each starts a fresh network, so one file may hold several):
///   `raft n=3 seed=1 prevote=true chunk=16000`: Raft replicas r0..r(n-1), started, none campaigning.
///   `mason seed=1 spaces=1 backup=false clients=1`: sequencer `seq` (and `backup`), proxy group
///   p0 p1 p2 of one Raft group, clients c1...; started, so p0 campaigns at once as in the original.
/// Driving: `campaign X`, `propose X [k=N]` (Raft only), `request cN to=pX id=N counts=1,2 [ack=N]`,
///   `deliver [from=X] [to=Y] [n=N]` (the messages pending now, in send order), `drop` (same
///   filters), `stabilize` (deliver until nothing is pending), `pending`, `tick 50ms` (fire the
///   timers due, deliver nothing), `run 300ms` (timers and deliveries interleaved; prints only state
///   changes, reports and client replies, with their instant).
/// Faults: `crash X`, `isolate X`, `cut X Y` (the link between two nodes, both ways), `heal` (ends
///   isolations and cuts), `compact X` (Raft only: snapshot everything applied).
/// Looking: `status [X ...]`, `log X`.
final class ScenarioInterpreter {
    static let commands = ["raft", "mason", "campaign", "propose", "request", "deliver", "drop", "stabilize", "pending",
                           "tick", "run", "crash", "isolate", "cut", "heal", "compact", "status", "log"]
    /// `stabilize` gives up after this many deliveries (a livelock is a finding, not a hang).
    static let maxStabilizeDeliveries = 10_000
    /// `tick` and `run` give up after this many timers (a timer that keeps itself due is a finding).
    static let maxTimers = 100_000

    let label: String
    private var network: ScenarioNetwork?
    private var nextCommand = 1

    init(label: String) { self.label = label }

    func run(_ command: ScenarioCommand) throws(ScenarioError) -> [String] {
        let lines: [String]
        switch command.name {
        case "raft": lines = try raft(command)
        case "mason": lines = try mason(command)
        default:
            guard Self.commands.contains(command.name) else { throw .unknownCommand(line: command.line, command: command.name) }
            guard let network else { throw .noCluster(line: command.line, command: command.name) }
            lines = try drive(command, network)
        }
        return lines.isEmpty ? ["ok"] : lines
    }

    private func drive(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        switch command.name {
        case "campaign": return try campaign(command, network)
        case "propose": return try propose(command, network)
        case "request": return try request(command, network)
        case "deliver", "drop": return try deliverOrDrop(command, network)
        case "stabilize": return try stabilize(command, network)
        case "pending":
            try command.allow(positional: 0 ... 0, keys: [])
            return network.pending.map { network.format.send($0.message, from: $0.from, to: $0.to) }
        case "tick": return try tick(command, network)
        case "run": return try runFor(command, network)
        case "crash", "isolate":
            try command.allow(positional: 1 ... 1, keys: [])
            let node = try self.node(command.positional[0], command, network)
            if command.name == "crash" { network.crash(node) } else { network.isolate(node) }
            return []
        case "cut":
            try command.allow(positional: 2 ... 2, keys: [])
            let a = try self.node(command.positional[0], command, network), b = try self.node(command.positional[1], command, network)
            guard a !== b else {
                throw .badArgument(line: command.line, argument: command.text, expected: "two different nodes")
            }
            network.cut(a, b)
            return []
        case "heal":
            try command.allow(positional: 0 ... 0, keys: [])
            network.heal()
            return []
        case "compact": return try compact(command, network)
        case "status": return try status(command, network)
        default: return try log(command, network)
        }
    }

    // MARK: Clusters

    private func raft(_ command: ScenarioCommand) throws(ScenarioError) -> [String] {
        try command.allow(positional: 0 ... 0, keys: ["n", "seed", "prevote", "chunk"])
        let n = try command.integer("n", default: 3)
        guard (1 ... 7).contains(n) else { throw .badArgument(line: command.line, argument: "n=\(n)", expected: "1...7 replicas") }
        let chunk = try command.integer("chunk", default: 16_000)
        guard (1 ... 65_535).contains(chunk) else {
            throw .badArgument(line: command.line, argument: "chunk=\(chunk)", expected: "1...65535 bytes")
        }
        let preVote = try command.flag("prevote", default: true)
        var generator = SplitMix64(seed: try command.integer("seed", default: 1))
        let peers = (0 ..< Int(n)).map { Endpoint(UInt32(100 + $0)) }
        let network = ScenarioNetwork(label: label)
        for id in peers.indices {
            let config = RaftConfig(group: 7, me: UInt8(id), peers: peers, snapshotChunkBytes: Int(chunk), preVote: preVote)
            network.add("r\(id)", ScenarioRaftHost(config: config, generator: generator.fork()))
        }
        self.network = network
        nextCommand = 1
        return network.nodes.flatMap { node in network.call(node) { node.role.start(at: network.now, into: &$0) }.map(\.line) }
    }

    private func mason(_ command: ScenarioCommand) throws(ScenarioError) -> [String] {
        try command.allow(positional: 0 ... 0, keys: ["seed", "spaces", "backup", "clients"])
        let spaces = try command.integer("spaces", default: 1)
        guard (1 ... 8).contains(spaces) else {
            throw .badArgument(line: command.line, argument: "spaces=\(spaces)", expected: "1...8 sequence spaces")
        }
        let clients = try command.integer("clients", default: 1)
        guard (1 ... 9).contains(clients) else {
            throw .badArgument(line: command.line, argument: "clients=\(clients)", expected: "1...9 clients")
        }
        let backup = try command.flag("backup", default: false)
        var generator = SplitMix64(seed: try command.integer("seed", default: 1))
        let replicas = (0 ..< 3).map { Endpoint(UInt32(10 + $0)) }
        let sequencers = backup ? [Endpoint(1), Endpoint(2)] : [Endpoint(1)]
        let network = ScenarioNetwork(label: label)
        var primary = SequencerConfig(spaces: Int(spaces), groups: 1)
        primary.groupReplicas = [replicas]
        network.add("seq", Sequencer(endpoint: sequencers[0], config: primary))
        if backup {
            var config = SequencerConfig(spaces: Int(spaces), groups: 1, epoch: 1)
            config.groupReplicas = [replicas]
            network.add("backup", Sequencer(endpoint: sequencers[1], config: config))
        }
        for id in replicas.indices {
            let config = ProxyConfig(group: 0, spaces: Int(spaces), replicas: replicas, me: UInt8(id), sequencers: sequencers)
            network.add("p\(id)", Proxy(config: config, generator: generator.fork()))
        }
        for k in 1 ... clients {
            network.add("c\(k)", ScenarioClient(endpoint: Endpoint(UInt32(50 + k)), client: UInt32(k)))
        }
        self.network = network
        return network.nodes.flatMap { node in network.call(node) { node.role.start(at: network.now, into: &$0) }.map(\.line) }
    }

    // MARK: Driving

    private func campaign(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 1 ... 1, keys: [])
        let node = try live(command.positional[0], command, network)
        let effects: [ScenarioNetwork.Effect]
        switch node.role {
        case let host as ScenarioRaftHost:
            effects = network.call(node) { host.campaign(at: network.now, into: &$0) }
        case let proxy as Proxy:
            // The proxy has no campaign input of its own: its replica campaigns, and the proxy
            // follows the outcome on its next input, as it does after a timeout.
            effects = network.call(node) { proxy.raft.campaign(at: network.now, into: &$0) }
        default:
            throw .wrongCluster(line: command.line, command: command.text, needs: "Raft replicas and proxies")
        }
        return effects.map(\.line)
    }

    private func propose(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 1 ... 1, keys: ["k"])
        let node = try live(command.positional[0], command, network)
        guard let host = node.role as? ScenarioRaftHost else {
            throw .wrongCluster(line: command.line, command: command.text, needs: "Raft replicas (use `request` for proxies)")
        }
        let k = Int(try command.integer("k", default: UInt64(nextCommand)))
        nextCommand = k + 1
        var index: UInt64?
        let effects = network.call(node) { index = host.propose(k, at: network.now, into: &$0) }
        guard let index else { return ["\(node.name) refused \(network.format.describe(RaftCluster.command(k))): not leader"] }
        let entry = network.format.entry(index, LogEntry(term: host.node.term, command: RaftCluster.command(k)))
        return ["\(node.name) appended \(entry)"] + effects.map(\.line)
    }

    private func request(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 1 ... 1, keys: ["to", "id", "counts", "ack"])
        let node = try live(command.positional[0], command, network)
        guard let client = node.role as? ScenarioClient else {
            throw .wrongCluster(line: command.line, command: command.text, needs: "clients (c1, c2, ...)")
        }
        guard let toName = command.value("to") else {
            throw .badArgument(line: command.line, argument: command.text, expected: "to=pN naming the proxy to ask")
        }
        let to = try self.node(toName, command, network)
        let spaces = network.nodes.compactMap { ($0.role as? Proxy)?.config.spaces }.first ?? 1
        let counts = try command.integers("counts") ?? Array(repeating: 1, count: spaces)
        guard counts.count == spaces, counts.allSatisfy({ $0 <= UInt64(UInt32.max) }) else {
            throw .badArgument(line: command.line, argument: "counts=\(command.value("counts") ?? "")",
                               expected: "\(spaces) counts, one per sequence space")
        }
        let request = ClientRequest(client: client.client, requestID: try command.integer("id", default: 0), group: 0,
                                    acknowledgedBelow: try command.integer("ack", default: 0),
                                    counts: SpaceCounts(counts.map { UInt32($0) }))
        let effects = network.call(node) { $0.append(.send(.clientRequest(request), to: to.role.endpoint)) }
        return effects.map(\.line)
    }

    private func deliverOrDrop(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 0 ... 0, keys: ["from", "to", "n"])
        let from = try command.value("from").map { name throws(ScenarioError) in try node(name, command, network).role.endpoint }
        let to = try command.value("to").map { name throws(ScenarioError) in try node(name, command, network).role.endpoint }
        var remaining = try command.integer("n", default: .max)
        // Only what is pending now: replies sent on the way wait for the next command.
        var candidates = network.pending.count
        var position = 0
        var lines: [String] = []
        while position < candidates, remaining > 0 {
            let envelope = network.pending[position]
            guard from == nil || envelope.from == from, to == nil || envelope.to == to else {
                position += 1
                continue
            }
            remaining -= 1
            candidates -= 1
            if command.name == "drop" {
                lines.append(network.drop(at: position))
            } else {
                let (line, effects) = network.deliver(at: position)
                lines.append(line)
                lines += effects.map { "  " + $0.line }
            }
        }
        return lines
    }

    private func stabilize(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 0 ... 0, keys: [])
        var lines: [String] = []
        var deliveries = 0
        while !network.pending.isEmpty {
            guard deliveries < Self.maxStabilizeDeliveries else {
                return lines + ["did not stabilize within \(Self.maxStabilizeDeliveries) deliveries"]
            }
            deliveries += 1
            let (line, effects) = network.deliver(at: 0)
            lines.append(line)
            lines += effects.map { "  " + $0.line }
        }
        return lines
    }

    private func tick(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 1 ... 1, keys: [])
        let limit = network.now.adding(microseconds: try ScenarioCommand.micros(command.positional[0], line: command.line))
        var lines: [String] = []
        var timers = 0
        while let node = network.nextTimer(notAfter: limit) {
            timers += 1
            guard timers <= Self.maxTimers else { return lines + ["timers did not settle by \(network.now)"] }
            let effects = network.fire(node)
            lines.append("@\(network.now) \(node.name) timer")
            lines += effects.map { "  " + $0.line }
        }
        network.advance(to: limit)
        return lines + ["now \(network.now)"]
    }

    /// Virtual time with a network that delivers at once: after each timer, everything pending is
    /// delivered before the next timer fires.
    private func runFor(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 1 ... 1, keys: [])
        let limit = network.now.adding(microseconds: try ScenarioCommand.micros(command.positional[0], line: command.line))
        let (delivered, lost, timers) = (network.delivered, network.lost, network.timersFired)
        var lines: [String] = []
        func show(_ effects: [ScenarioNetwork.Effect]) {
            for effect in effects {
                if case .send = effect { continue }
                lines.append("@\(network.now) \(effect.line)")
            }
        }
        repeat {
            var deliveries = 0
            while !network.pending.isEmpty, deliveries < Self.maxStabilizeDeliveries {
                deliveries += 1
                let toClient = network.node(at: network.pending[0].to)?.role is ScenarioClient
                let (line, effects) = network.deliver(at: 0)
                if toClient { lines.append("@\(network.now) \(line)") }
                show(effects)
            }
            guard network.pending.isEmpty else { return lines + ["did not stabilize at \(network.now)"] }
            guard let node = network.nextTimer(notAfter: limit) else { break }
            guard network.timersFired - timers < Self.maxTimers else { return lines + ["timers did not settle by \(network.now)"] }
            show(network.fire(node))
        } while true
        network.advance(to: limit)
        return lines + ["now \(network.now): delivered \(network.delivered - delivered), lost \(network.lost - lost), timers \(network.timersFired - timers)"]
    }

    private func compact(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 1 ... 1, keys: [])
        let node = try live(command.positional[0], command, network)
        guard let host = node.role as? ScenarioRaftHost else {
            throw .wrongCluster(line: command.line, command: command.text, needs: "Raft replicas")
        }
        host.compact()
        return network.call(node) { _ in }.map(\.line)
    }

    // MARK: Looking

    private func status(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 0 ... 9, keys: [])
        var chosen: [ScenarioNetwork.Node] = []
        for name in command.positional { chosen.append(try node(name, command, network)) }
        let format = network.format
        return (chosen.isEmpty ? network.nodes : chosen).map { node in
            var line = "\(node.name)"
            switch node.role {
            case let host as ScenarioRaftHost:
                line += " \(format.state(of: host.node)) applied=\(host.applied.count) dropped=\(host.node.dropped) stale=\(host.node.stale)"
            case let proxy as Proxy:
                line += " \(format.state(of: proxy)) applied=\(proxy.appliedIndex) resolvedBelow=\(proxy.state.resolvedBelow)"
                    + " raftDropped=\(proxy.raft.dropped) \(format.drops(proxy.drops))"
            case let sequencer as Sequencer:
                line += " \(format.state(of: sequencer)) highWater=\(sequencer.highWater) allocations=\(sequencer.allocations)"
                    + " retransmissions=\(sequencer.retransmissions) \(format.drops(sequencer.drops))"
            case let client as ScenarioClient:
                let replies = client.replies.map { reply in
                    reply.status == .ok ? "\(reply.requestID):\(reply.numbers)" : "\(reply.requestID):notLeader"
                }
                line += " replies=[\(replies.joined(separator: " "))]"
            default:
                break
            }
            if node.crashed { line += " CRASHED" }
            if node.isolated { line += " ISOLATED" }
            return line
        }
    }

    private func log(_ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError) -> [String] {
        try command.allow(positional: 1 ... 1, keys: [])
        let node = try self.node(command.positional[0], command, network)
        guard let raft = ScenarioNetwork.raftNode(of: node.role) else {
            throw .wrongCluster(line: command.line, command: command.text, needs: "Raft replicas and proxies")
        }
        var lines: [String] = []
        if raft.snapshotIndex > 0 {
            lines.append("snapshot through \(raft.snapshotIndex)@\(raft.termAt(raft.snapshotIndex) ?? 0)")
        }
        for (offset, entry) in raft.entries(from: raft.snapshotIndex + 1).enumerated() {
            lines.append(network.format.entry(raft.snapshotIndex + 1 + UInt64(offset), entry))
        }
        return lines.isEmpty ? ["empty"] : lines
    }

    // MARK: Invariants

    /// Counters that must stay zero whatever the script did, one sentence per violation: a Raft
    /// replica's `dropped` (a second leader in one term, a committed entry that differs, malformed
    /// input), and every role's implausible input (no correct peer sends it).
    func invariantViolations() -> [String] {
        guard let network else { return [] }
        return network.nodes.compactMap { node in
            var counters: [(String, UInt64)] = []
            if let raft = ScenarioNetwork.raftNode(of: node.role) { counters.append(("Raft dropped", raft.dropped)) }
            switch node.role {
            case let proxy as Proxy: counters.append(("implausible", proxy.drops.implausible))
            case let sequencer as Sequencer: counters.append(("implausible", sequencer.drops.implausible))
            case let host as ScenarioRaftHost: counters.append(("non-Raft input", host.rejected))
            default: break
            }
            let nonzero = counters.filter { $0.1 != 0 }.map { "\($0.0)=\($0.1)" }
            return nonzero.isEmpty ? nil : "\(label): \(node.name) counted what must never happen: \(nonzero.joined(separator: ", "))"
        }
    }

    // MARK: Names

    private func node(_ name: String, _ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError)
        -> ScenarioNetwork.Node {
        guard let node = network.node(named: name) else {
            throw .unknownNode(line: command.line, node: name, known: network.nodes.map(\.name))
        }
        return node
    }

    /// A node that can take input now (a crashed one cannot).
    private func live(_ name: String, _ command: ScenarioCommand, _ network: ScenarioNetwork) throws(ScenarioError)
        -> ScenarioNetwork.Node {
        let node = try node(name, command, network)
        guard !node.crashed else {
            throw .badArgument(line: command.line, argument: name, expected: "a node that has not crashed")
        }
        return node
    }
}
