import Control
import Foundation
import Results

/// The runner's faults on a timeline against the measurement origin, as Jepsen's nemesis runs
/// them: each fault starts at its time and a lasting one (a pause, a partition) is healed at its
/// end while other faults fire in between. Each event records when the fault actually started and
/// ended. Whatever happens, nothing is left paused or cut off when this returns or throws.
extension MasonRunner {
    /// One step of the timeline: a fault starts, or a lasting one is healed.
    private enum Step {
        case start(Int)
        case heal(Int)
    }

    /// Runs `spec.faults` against `measureStart`; the events in the order the faults started.
    func runFaults(measureStart: Date) throws -> [FaultEvent] {
        defer { nemesis.healAll() }
        let faults = spec.faults
        var steps: [(at: Double, step: Step)] = faults.indices.map { (faults[$0].at, .start($0)) }
        steps += faults.indices.compactMap { i in faults[i].end.map { ($0, .heal(i)) } }
        // At equal times a heal goes first: a partition healed at 2 s and another starting at 2 s.
        steps.sort { a, b in
            if a.at != b.at { return a.at < b.at }
            if case .heal = a.step, case .start = b.step { return true }
            return false
        }
        var state = NemesisState()
        var started: [Int: FaultEvent] = [:]
        var order: [Int] = []
        for (at, step) in steps {
            wait(until: measureStart.addingTimeInterval(at))
            switch step {
            case let .start(i):
                started[i] = try start(i, measureStart: measureStart, state: &state)
                order.append(i)
            case let .heal(i):
                try heal(i, state: &state)
                if var event = started[i] {
                    event.endSeconds = max(Date().timeIntervalSince(measureStart), event.atSeconds)
                    started[i] = event
                }
            }
        }
        return order.compactMap { started[$0] }
    }

    /// What is in force: paused nodes (a count per node: two pauses may hit one node), the node
    /// each pause (by fault index) stopped, and the cut.
    struct NemesisState {
        var paused: [Int: Int] = [:]
        var pauseNode: [Int: Int] = [:]
        var cut: [Int] = []
        /// Nodes whose control socket answers now (a stopped daemon's does not).
        func answers(_ node: Int) -> Bool { (paused[node] ?? 0) == 0 }
    }

    private func start(_ index: Int, measureStart: Date, state: inout NemesisState) throws -> FaultEvent {
        let fault = spec.faults[index]
        switch fault {
        case .killLeader, .killSequencer:
            return try inject(fault, measureStart: measureStart, state: state)
        case let .pause(role, _, _):
            let (node, words) = try node(of: role, at: fault.at, state: state)
            if state.answers(node) { try nemesis.pause(placement.nodes[node].slot) }
            state.paused[node, default: 0] += 1
            state.pauseNode[index] = node
            return FaultEvent(kind: fault.kind, target: "\(placement.nodes[node].slot.name) (\(words))",
                              atSeconds: Date().timeIntervalSince(measureStart))
        case .partition:
            precondition(state.cut.isEmpty, "partitions do not overlap (RunArguments refuses them)")
            let cut = try minority(state: state)
            let others = placement.nodes.indices.filter { !cut.nodes.contains($0) }
            try nemesis.partition(cut.nodes.map { placement.nodes[$0].slot }, from: others.map { placement.nodes[$0].slot })
            state.cut = cut.nodes
            return FaultEvent(kind: fault.kind, target: "\(cut.words) cut off from the \(others.count) other nodes",
                              atSeconds: Date().timeIntervalSince(measureStart))
        }
    }

    private func heal(_ index: Int, state: inout NemesisState) throws {
        switch spec.faults[index] {
        case .killLeader, .killSequencer:
            preconditionFailure("a kill is an instant: nothing to heal")
        case .pause:
            guard let node = state.pauseNode.removeValue(forKey: index) else { preconditionFailure("a pause is healed after it started") }
            state.paused[node, default: 1] -= 1
            if state.paused[node] == 0 {
                state.paused[node] = nil
                try nemesis.resume(placement.nodes[node].slot)
            }
        case .partition:
            try nemesis.heal()
            state.cut = []
        }
    }

    /// The node hosting `role` and words for it; `leader` asks group 0's answering nodes who leads now.
    private func node(of role: PauseTarget, at t: Double, state: NemesisState) throws -> (Int, String) {
        if case .leader = role {
            guard let (node, e) = try leader(group: 0, state: state) else {
                throw LabError("pause leader at \(t) s: group 0 has no running leader to pause.")
            }
            return (node, "group 0 leader e\(e)")
        }
        return (try fixedNode(of: role), "\(role)")
    }

    private func fixedNode(of role: PauseTarget) throws -> Int {
        let cluster = placement.cluster
        let endpoint: UInt32
        switch role {
        case .sequencer: endpoint = cluster.sequencer
        case .backup:
            guard let backup = cluster.backup else { throw LabError("this run has no backup sequencer to pause.") }
            endpoint = backup
        case .leader: throw LabError("group 0's leader is found when the pause fires.")
        case let .proxy(g, r):
            guard g < cluster.groups.count, r < cluster.groups[g].count else { throw LabError("there is no \(role) in this run.") }
            endpoint = cluster.groups[g][r]
        case let .client(k):
            guard k < cluster.clients.count else { throw LabError("there is no \(role) in this run.") }
            endpoint = cluster.clients[k].endpoint
        }
        guard let node = placement.node(of: endpoint) else { throw LabError("no node hosts \(role).") }
        return node
    }

    /// The running leader of `group` (its node and endpoint), asked of the nodes that answer.
    private func leader(group: Int, state: NemesisState) throws -> (Int, UInt32)? {
        for e in placement.cluster.groups[group] {
            guard let node = placement.node(of: e), state.answers(node) else { continue }
            let status: RolesStatus = try controls[node].call("roles.status", params: EndpointsRequest())
            if status.roles.contains(where: { $0.endpoint == e && $0.leader == true && $0.state == .running }) { return (node, e) }
        }
        return nil
    }

    /// The minority a partition cuts off: one proxy node of every triple, the one hosting the
    /// current leader of the triple's first group (else its replica 0), so every group loses one
    /// replica of three (its leader: an election) and keeps a majority, and the sequencers and
    /// clients stay on the majority side. P/3 of 2 + P server nodes: always a minority.
    private func minority(state: NemesisState) throws -> (nodes: [Int], words: String) {
        let proxies = placement.serverNodes.filter { placement.nodes[$0].slot.role == .proxy }
        let threads = placement.cluster.groups.count / max(1, proxies.count / 3)
        var nodes: [Int] = []
        var words: [String] = []
        for triple in 0 ..< proxies.count / 3 {
            let group = triple * threads
            if let (node, e) = try leader(group: group, state: state) {
                nodes.append(node)
                words.append("\(placement.nodes[node].slot.name) (group \(group) leader e\(e))")
            } else {
                let node = proxies[triple * 3]
                nodes.append(node)
                words.append(placement.nodes[node].slot.name)
            }
        }
        assert(nodes.count * 2 < placement.serverNodes.count, "a partition cuts off a minority of the server nodes")
        return (nodes, words.joined(separator: ", "))
    }

    /// A kill: the current leader of group 0 (asked of the nodes that answer) or the primary sequencer.
    private func inject(_ fault: ScheduledFault, measureStart: Date, state: NemesisState) throws -> FaultEvent {
        switch fault {
        case .killLeader:
            guard let (node, e) = try leader(group: 0, state: state) else {
                throw LabError("kill-leader at \(fault.at) s: group 0 has no running leader to kill.")
            }
            let _: RolesStatus = try controls[node].call("roles.crash", params: EndpointsRequest(endpoints: [e]))
            return FaultEvent(kind: fault.kind, target: "proxy e\(e) on \(placement.nodes[node].slot.name) (group 0 leader)",
                              atSeconds: Date().timeIntervalSince(measureStart))
        case .killSequencer:
            let node = placement.sequencerNode
            guard state.answers(node) else {
                throw LabError("kill-sequencer at \(fault.at) s: \(placement.nodes[node].slot.name) is paused and cannot be told to crash.")
            }
            let _: RolesStatus = try controls[node].call("roles.crash", params: EndpointsRequest(endpoints: [placement.cluster.sequencer]))
            return FaultEvent(kind: fault.kind, target: "sequencer e\(placement.cluster.sequencer) on \(placement.nodes[node].slot.name)",
                              atSeconds: Date().timeIntervalSince(measureStart))
        case .pause, .partition:
            preconditionFailure("pauses and partitions are started by start(_:)")
        }
    }

    private func wait(until date: Date) {
        let wait = date.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }
}
