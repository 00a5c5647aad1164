import Control
import Protocols
import Foundation
import Polling
import Results

/// Runs attempts of one run on started daemons: servers first (in the order the system's
/// definition gives), readiness from masond's own reports judged by the definition (no fixed
/// sleeps), then clients; faults at their times against the current leader; clients drained,
/// every node's results collected and checked (the measurement rule, then the definition's run
/// check), the nodes reset.
public struct MasonRunner {
    /// The system run: its start order, readiness rule and run check.
    public let definition: SystemDefinition
    /// One per placed node, in placement order.
    public let controls: [ControlClient]
    public let placement: MasonPlacement
    public let spec: RunSpec
    /// Pauses and partitions (`runFaults`, NemesisSchedule.swift): the testbed's, healed by its `stop` too.
    public var nemesis: Nemesis = NoNemesis(testbed: "this")

    public init(definition: SystemDefinition, controls: [ControlClient], placement: MasonPlacement, spec: RunSpec) {
        precondition(controls.count == placement.nodes.count, "one control client per placed node")
        precondition(definition.system == spec.system, "the runner runs the spec's own system")
        self.definition = definition
        self.controls = controls
        self.placement = placement
        self.spec = spec
    }

    private func control(_ node: Int) -> ControlClient { controls[node] }

    /// A run name of its own for each attempt: masond tags the attempt's datagrams with it, so
    /// traffic from an earlier attempt (or another experiment on a reused port) is dropped.
    public static func runName(system: System, attempt number: Int) -> String {
        "\(system.rawValue)-\(UUID().uuidString.prefix(8).lowercased())-a\(number)"
    }

    private func request(_ node: Int, run: String, origin: UInt64? = nil) -> StartRolesRequest {
        StartRolesRequest(system: spec.system, run: run, cluster: placement.cluster, workers: placement.nodes[node].workers,
                          addressBook: placement.addressBook, originUnixNanos: origin,
                          warmupMillis: UInt64(spec.warmup * 1_000), durationMillis: UInt64(spec.duration * 1_000),
                          intervalMillis: 10, recordRanges: spec.recordRanges)
    }

    /// One attempt. A failure is the record's outcome, with its reason; only parameters a daemon
    /// refuses as invalid (which every attempt would repeat) are thrown, as `RunRefused`, after
    /// the nodes are reset.
    public func attempt(_ number: Int) throws(RunRefused) -> AttemptRecord {
        let started = Date()
        var faults: [FaultEvent] = []
        var nodes: [RunResults] = []
        var failure: String?
        var refused: (node: String, message: String)?
        do {
            (nodes, faults) = try execute(run: Self.runName(system: spec.system, attempt: number))
            failure = check(nodes, faults: faults)
        } catch let error as InvalidParameters {
            refused = (error.node, error.message)
            failure = "\(error.node): roles.start refused the run: \(error.message)"
        } catch {
            failure = describe(error)
        }
        reset()
        if let refused {
            throw RunRefused(node: refused.node, message: refused.message,
                             attempt: AttemptRecord(number: number, startedAt: started, endedAt: Date(), outcome: .failed(reason: failure!),
                                                    measuredSeconds: spec.duration, intervalMillis: 10, nodes: [], faults: faults))
        }
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

    /// A node that did not answer is named by its node name, not its socket path.
    private func describe(_ error: any Error) -> String {
        if let error = error as? ControlError, case let .noAnswer(peer, method, seconds) = error,
           let node = controls.firstIndex(where: { $0.peer == peer })
        {
            return ControlError.noAnswer(peer: placement.nodes[node].slot.name, method: method, seconds: seconds).description
        }
        return "\(error)"
    }

    private func execute(run: String) throws -> ([RunResults], [FaultEvent]) {
        let order = definition.startOrder(placement)
        assert(Set(order) == Set(placement.serverNodes) && order.count == placement.serverNodes.count,
               "the start order starts every server node once")
        for node in order {
            do {
                let _: StartRolesResult = try control(node).call("roles.start", params: request(node, run: run))
            } catch let error as RPCError where error.code == RPCError.Code.invalidParams {
                throw InvalidParameters(node: placement.nodes[node].slot.name, message: error.message)
            } catch {
                throw LabError("\(placement.nodes[node].slot.name): roles.start failed: \(error)")
            }
        }
        try waitForServers()
        let originDate = Date().addingTimeInterval(0.05)
        let origin = UInt64(originDate.timeIntervalSince1970 * 1e9)
        for node in placement.clientNodes {
            do {
                let _: StartRolesResult = try control(node).call("roles.start", params: request(node, run: run, origin: origin))
            } catch let error as RPCError where error.code == RPCError.Code.invalidParams {
                throw InvalidParameters(node: placement.nodes[node].slot.name, message: error.message)
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

    /// Polls the server nodes' `roles.status` until the definition's readiness rule holds.
    private func waitForServers() throws {
        var missing = ""
        do {
            try Polling.until("the servers serving", within: 20) {
                let roles = try placement.serverNodes.flatMap { node in
                    (try control(node).call("roles.status", params: EndpointsRequest()) as RolesStatus).roles
                }
                guard let notReady = definition.notReady(placement, roles) else { return true }
                missing = notReady
                return false
            }
        } catch is PollTimedOut {
            throw LabError("servers not ready within 20 s: \(missing).")
        }
    }

    /// A finished attempt is good when every client completed operations in every part of the
    /// measured window that no fault excuses (`MeasurementRule`) and the system's run check holds.
    private func check(_ nodes: [RunResults], faults: [FaultEvent]) -> String? {
        let clients = nodes.flatMap(\.clients)
        if clients.count != placement.cluster.clients.count {
            return "\(clients.count) of \(placement.cluster.clients.count) clients reported results."
        }
        // The schedule, not the events: a fault's span is known whether or not it fired on time.
        let spans = spec.faults.map { (start: $0.at, end: $0.end ?? $0.at) } + faults.map { (start: $0.atSeconds, end: $0.atSeconds) }
        if let violation = MeasurementRule.violation(clients, intervalMillis: 10, warmupSeconds: spec.warmup,
                                                     durationSeconds: spec.duration, faults: spans) {
            return violation
        }
        return definition.runCheck(spec, nodes)
    }

    /// Every node forgets the attempt (roles stopped), so the next attempt starts clean.
    private func reset() {
        for node in placement.nodes.indices {
            _ = try? control(node).call("node.reset", params: EndpointsRequest()) as RolesStatus
        }
    }

    private func sleep(until date: Date) {
        let wait = date.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }
}

/// A daemon refused the run's parameters as invalid (-32602): every attempt would be refused the
/// same way, so the run stops retrying and masonlab exits 2 with the daemon's sentence.
public struct RunRefused: Error, CustomStringConvertible {
    /// The node whose daemon refused, by name.
    public let node: String
    /// The daemon's sentence.
    public let message: String
    /// The refused attempt, as a failed attempt to record.
    public let attempt: AttemptRecord

    public var description: String { "\(node) refused the run's parameters: \(message)" }
}

/// Thrown inside an attempt when roles.start is answered with invalid params.
private struct InvalidParameters: Error {
    let node: String
    let message: String
}
