import Control
import Foundation
import Results
#if canImport(Glibc)
import Glibc
#endif

/// Runs attempts of one Mason run on started daemons: servers first, readiness from masond's own
/// reports (no fixed sleeps), then clients; faults at their times against the current leader;
/// clients drained, every node's results collected and checked, the nodes reset.
public struct MasonRunner {
    /// One per placed node, in placement order.
    public let controls: [ControlClient]
    public let placement: MasonPlacement
    public let spec: RunSpec
    /// Pauses and partitions (`runFaults`, NemesisSchedule.swift): the testbed's, healed by its `stop` too.
    public var nemesis: Nemesis = NoNemesis(testbed: "this")

    public init(controls: [ControlClient], placement: MasonPlacement, spec: RunSpec) {
        precondition(controls.count == placement.nodes.count, "one control client per placed node")
        self.controls = controls
        self.placement = placement
        self.spec = spec
    }

    private func control(_ node: Int) -> ControlClient { controls[node] }

    private func request(_ node: Int, origin: UInt64? = nil) -> StartRolesRequest {
        StartRolesRequest(system: "mason", run: "run", cluster: placement.cluster, workers: placement.nodes[node].workers,
                          addressBook: placement.addressBook, originUnixNanos: origin,
                          warmupMillis: UInt64(spec.warmup * 1_000), durationMillis: UInt64(spec.duration * 1_000),
                          intervalMillis: 10, recordRanges: spec.recordRanges)
    }

    /// One attempt; never throws: a failure is the record's outcome, with its reason.
    public func attempt(_ number: Int) -> AttemptRecord {
        let started = Date()
        var faults: [FaultEvent] = []
        var nodes: [RunResults] = []
        var failure: String?
        do {
            (nodes, faults) = try execute(number)
            failure = check(nodes)
        } catch {
            failure = "\(error)"
        }
        reset()
        var recovery: RecoveryCurve?
        if spec.recordRanges, failure == nil {
            let curve = RecoveryCurveBuilder.build(nodes, spaces: spec.options.spaces)
            recovery = RecoveryCurve(intervalMillis: 10, warmupMillis: UInt64(spec.warmup * 1_000), highestContiguous: curve.highest,
                                     completions: curve.completions)
        }
        return AttemptRecord(number: number, startedAt: started, endedAt: Date(),
                             outcome: failure.map { .failed(reason: $0) } ?? .succeeded, measuredSeconds: spec.duration,
                             intervalMillis: 10, nodes: failure == nil ? nodes : [], recovery: recovery, faults: faults)
    }

    private func execute(_ number: Int) throws -> ([RunResults], [FaultEvent]) {
        // Replica 0 of each group campaigns as soon as it starts: start it after its peers, so its
        // first vote requests find them (else the group waits out an election timeout).
        let order = placement.serverNodes.filter { placement.nodes[$0].slot.role == "sequencer" }
            + placement.serverNodes.filter { placement.nodes[$0].slot.role == "proxy" }.reversed()
        for node in order {
            do {
                let _: StartRolesResult = try control(node).call("roles.start", params: request(node))
            } catch {
                throw LabError("\(placement.nodes[node].slot.name): roles.start failed: \(error)")
            }
        }
        try waitForServers()
        let originDate = Date().addingTimeInterval(0.05)
        let origin = UInt64(originDate.timeIntervalSince1970 * 1e9)
        // Fault injection for tests: hold the first client's port so its daemon cannot bind it.
        let blocker = number <= spec.injectClientStartFailures ? try holdFirstClientPort() : nil
        defer { if let blocker { close(blocker) } }
        for node in placement.clientNodes {
            do {
                let _: StartRolesResult = try control(node).call("roles.start", params: request(node, origin: origin))
            } catch {
                throw LabError("\(placement.nodes[node].slot.name): a client failed to start: \(error)")
            }
        }
        let measureStart = originDate.addingTimeInterval(spec.warmup)
        let events = try runFaults(measureStart: measureStart)
        sleep(until: measureStart.addingTimeInterval(spec.duration + spec.cooldown))
        for node in placement.clientNodes {
            let _: RolesStatus = try control(node).call("roles.stop", params: EndpointsRequest(drainMillis: 5_000))
        }
        let results: [RunResults] = try placement.nodes.indices.map { try control($0).call("run.results", params: EndpointsRequest()) }
        return (results, events)
    }

    /// The primary serving and every group with a serving leader, as masond reports them.
    private func waitForServers() throws {
        let deadline = Date().addingTimeInterval(20)
        var missing = ""
        while Date() < deadline {
            var ready = Set<Int>()
            var primary = false
            for node in placement.serverNodes {
                let status: RolesStatus = try control(node).call("roles.status", params: EndpointsRequest())
                for role in status.roles {
                    if role.kind == "sequencer", role.ready { primary = true }
                    if role.kind == "proxy", role.leader == true, role.ready, let g = role.group { ready.insert(g) }
                }
            }
            let groups = Set(0 ..< placement.cluster.groups.count)
            if primary, ready == groups { return }
            missing = primary ? "groups \(groups.subtracting(ready).sorted()) have no serving leader" : "the sequencer is not ready"
            usleep(5_000)
        }
        throw LabError("servers not ready within 20 s: \(missing).")
    }

    private func inject(_ fault: ScheduledFault, measureStart: Date) throws -> FaultEvent {
        switch fault {
        case .killLeader:
            for e in placement.cluster.groups[0] {
                guard let node = placement.node(of: e) else { continue }
                let status: RolesStatus = try control(node).call("roles.status", params: EndpointsRequest())
                if status.roles.contains(where: { $0.endpoint == e && $0.leader == true && $0.state == "running" }) {
                    let _: RolesStatus = try control(node).call("roles.crash", params: EndpointsRequest(endpoints: [e]))
                    return FaultEvent(kind: fault.kind, target: "proxy e\(e) on \(placement.nodes[node].slot.name) (group 0 leader)",
                                      atSeconds: Date().timeIntervalSince(measureStart))
                }
            }
            throw LabError("kill-leader at \(fault.at) s: group 0 has no running leader to kill.")
        case .killSequencer:
            let node = placement.sequencerNode
            let _: RolesStatus = try control(node).call("roles.crash", params: EndpointsRequest(endpoints: [placement.cluster.sequencer]))
            return FaultEvent(kind: fault.kind, target: "sequencer e\(placement.cluster.sequencer) on \(placement.nodes[node].slot.name)",
                              atSeconds: Date().timeIntervalSince(measureStart))
        }
    }

    /// A finished attempt is good when every client completed operations and contiguity held.
    private func check(_ nodes: [RunResults]) -> String? {
        let clients = nodes.flatMap(\.clients)
        if clients.count != placement.cluster.clients.count {
            return "\(clients.count) of \(placement.cluster.clients.count) clients reported results."
        }
        if let idle = clients.first(where: { $0.completed == 0 }) { return "client e\(idle.endpoint) completed no operations." }
        let contiguity = ContiguityCheck(nodes, spaces: spec.options.spaces)
        if !contiguity.ok { return "contiguity broken: \(contiguity.summary)" }
        return nil
    }

    /// Every node forgets the attempt (roles stopped), so the next attempt starts clean.
    private func reset() {
        for node in placement.nodes.indices {
            _ = try? control(node).call("node.reset", params: EndpointsRequest()) as RolesStatus
        }
    }

    private func holdFirstClientPort() throws -> Int32 {
        let node = placement.clientNodes[0]
        let spec = placement.nodes[node].workers[0]
        let port = UInt16(spec.address.split(separator: ":").last!)!
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(placement.nodes[node].slot.address)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw LabError("could not hold \(placement.nodes[node].slot.address):\(port) for the injected start failure.")
        }
        return fd
    }

    private func sleep(until date: Date) {
        let wait = date.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }
}
