import Protocols
import Testing

/// The host a scenario drives: named roles over a network that holds every sent message until the
/// script delivers or drops it, and a virtual clock that moves only when the script says. Nothing
/// happens on its own, so a script's output is the protocol's behaviour, step by step.
///
/// Faults: a crashed node takes no more input and its timers stop (crash-stop, as the protocols
/// assume); an isolated node's messages, both ways, and those over a cut link are lost when
/// delivered (so a message sent before the partition is lost too, as it would be in flight). One leader per term
/// is checked at every step.
final class ScenarioNetwork {
    struct Envelope {
        var from: Endpoint
        var to: Endpoint
        var message: Message
    }

    final class Node {
        let name: String
        let role: any Role
        var crashed = false
        var isolated = false
        /// The state last printed, to print only changes.
        var shownState: String?

        init(name: String, role: any Role) {
            self.name = name
            self.role = role
        }
    }

    /// What one step into a node did, in order.
    enum Effect {
        case state(String)
        case event(String)
        case send(String)

        var line: String {
            switch self {
            case let .state(s), let .event(s), let .send(s): s
            }
        }
    }

    let label: String
    private(set) var format = ScenarioFormat()
    private(set) var nodes: [Node] = []
    private(set) var now: Instant = .zero
    private(set) var pending: [Envelope] = []
    private(set) var delivered = 0
    private(set) var lost = 0
    private(set) var timersFired = 0
    /// term → the node that led it (one Raft group per scenario).
    private var leaders: [UInt64: String] = [:]
    /// Links cut both ways, by node name pair (smaller name first).
    private var cuts: Set<[String]> = []

    init(label: String) { self.label = label }

    func add(_ name: String, _ role: any Role) {
        precondition(node(named: name) == nil && format.names[role.endpoint] == nil, "node names and endpoints are unique")
        nodes.append(Node(name: name, role: role))
        format.names[role.endpoint] = name
    }

    func node(named name: String) -> Node? { nodes.first { $0.name == name } }

    func node(at endpoint: Endpoint) -> Node? { nodes.first { $0.role.endpoint == endpoint } }

    // MARK: Stepping

    /// Calls into `node` as its host; queues what it sent and returns what it did.
    func call(_ node: Node, _ body: (inout [Output]) -> Void) -> [Effect] {
        precondition(!node.crashed, "a crashed node takes no input")
        var out: [Output] = []
        body(&out)
        var effects: [Effect] = []
        if let state = state(of: node.role), state != node.shownState {
            node.shownState = state
            effects.append(.state("\(node.name): \(state)"))
        }
        for output in out {
            switch output {
            case let .send(message, to):
                pending.append(Envelope(from: node.role.endpoint, to: to, message: message))
                effects.append(.send(format.send(message, from: node.role.endpoint, to: to)))
            case let .report(event):
                if case let .anomaly(_, description) = event {
                    Issue.record("\(label): \(node.name) reported an anomaly: \(description)")
                }
                effects.append(.event("\(node.name) \(format.describe(event))"))
            }
        }
        checkLeaders()
        return effects
    }

    /// Delivers pending message `position`; the line saying so, and what the receiver did.
    func deliver(at position: Int) -> (line: String, effects: [Effect]) {
        let envelope = pending.remove(at: position)
        let line = format.send(envelope.message, from: envelope.from, to: envelope.to)
        let sender = node(at: envelope.from), receiver = node(at: envelope.to)
        guard let receiver else {
            lost += 1
            return (line + " (lost: no such node)", [])
        }
        if receiver.crashed {
            lost += 1
            return (line + " (lost: \(receiver.name) crashed)", [])
        }
        if receiver.isolated || sender?.isolated == true || sender.map({ isCut($0, receiver) }) == true {
            lost += 1
            return (line + " (lost: partition)", [])
        }
        delivered += 1
        let effects = call(receiver) { receiver.role.handle(envelope.message, from: envelope.from, at: now, into: &$0) }
        return (line, effects)
    }

    func drop(at position: Int) -> String {
        let envelope = pending.remove(at: position)
        lost += 1
        return format.send(envelope.message, from: envelope.from, to: envelope.to) + " (dropped)"
    }

    /// The live node whose timer is due first, not after `limit` (ties: the first added).
    func nextTimer(notAfter limit: Instant) -> Node? {
        var best: (node: Node, at: Instant)?
        for node in nodes where !node.crashed {
            guard let deadline = node.role.nextDeadline, deadline <= limit else { continue }
            if best == nil || deadline < best!.at { best = (node, deadline) }
        }
        return best?.node
    }

    /// Fires `node`'s timer at its deadline (or now, if that passed).
    func fire(_ node: Node) -> [Effect] {
        if let deadline = node.role.nextDeadline { now = max(now, deadline) }
        timersFired += 1
        let effects = call(node) { node.role.tick(at: now, into: &$0) }
        if let deadline = node.role.nextDeadline, deadline <= now {
            Issue.record("\(label): \(node.name)'s tick left its deadline \(deadline) at \(now)")
        }
        return effects
    }

    func advance(to instant: Instant) {
        precondition(instant >= now, "time never goes back")
        now = instant
    }

    // MARK: Faults

    func crash(_ node: Node) {
        node.crashed = true
    }

    func isolate(_ node: Node) { node.isolated = true }

    /// Cuts the link between `a` and `b`, both ways; each still reaches everyone else.
    func cut(_ a: Node, _ b: Node) { cuts.insert([a.name, b.name].sorted()) }

    func isCut(_ a: Node, _ b: Node) -> Bool { cuts.contains([a.name, b.name].sorted()) }

    /// Ends every isolation and cut.
    func heal() {
        for node in nodes { node.isolated = false }
        cuts.removeAll()
    }

    // MARK: State

    func state(of role: any Role) -> String? {
        switch role {
        case let host as ScenarioRaftHost: format.state(of: host.node)
        case let proxy as Proxy: format.state(of: proxy)
        case let sequencer as Sequencer: format.state(of: sequencer)
        default: nil
        }
    }

    static func raftNode(of role: any Role) -> RaftNode? {
        switch role {
        case let host as ScenarioRaftHost: host.node
        case let proxy as Proxy: proxy.raft
        default: nil
        }
    }

    /// At most one leader per term, among the nodes still running.
    private func checkLeaders() {
        for node in nodes where !node.crashed {
            guard let raft = Self.raftNode(of: node.role), raft.role == .leader else { continue }
            if let known = leaders[raft.term], known != node.name {
                Issue.record("\(label): \(known) and \(node.name) both lead term \(raft.term)")
            }
            leaders[raft.term] = node.name
        }
    }
}
