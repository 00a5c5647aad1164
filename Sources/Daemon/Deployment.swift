import Control
import Foundation
import Histogram
import Protocols
import Transport

/// The roles of the current run on this node and the workers hosting them. Not thread-safe: the
/// daemon calls it under its lock.
final class Deployment {
    struct RunningWorker {
        var worker: Worker
        var transport: WorkerTransport
        var roles: [HostedRole]
        var stopped = false
    }

    let run: String?
    let originUnixNanos: UInt64
    let intervalMillis: UInt64
    private(set) var workers: [RunningWorker] = []
    /// By endpoint.
    private(set) var states: [UInt32: RoleState] = [:]

    init(run: String?, originUnixNanos: UInt64, intervalMillis: UInt64) {
        self.run = run
        self.originUnixNanos = originUnixNanos
        self.intervalMillis = intervalMillis
    }

    var isRunning: Bool { workers.contains { !$0.stopped } }
    var endpoints: Set<UInt32> { Set(states.keys) }

    /// Opens every worker's transport first, so that a port in use fails the whole request with
    /// nothing started; then starts the workers. Returns the bound addresses.
    func start(_ plan: RolePlan, makeIO: (RolePlan.PlannedWorker) throws(PlanError) -> (any PacketIO, Int)) throws(PlanError) -> [StartedWorker] {
        var opened: [(any PacketIO, Int)] = []
        for planned in plan.workers { opened.append(try makeIO(planned)) }
        var started: [StartedWorker] = []
        for (planned, (io, maxPayload)) in zip(plan.workers, opened) {
            let recorders = planned.roles.map(\.recorder)
            let worker = Worker(name: "masond-w\(workers.count)", io: io, addresses: plan.addresses, roles: planned.roles.map(\.role),
                                runTag: RunTag.of(run: run ?? ""), maxPayload: maxPayload) { event, i, now in recorders[i].record(event, at: now) }
            worker.start()
            workers.append(RunningWorker(worker: worker, transport: planned.transport, roles: planned.roles))
            for role in planned.roles { states[role.endpoint.id] = .running }
            started.append(StartedWorker(address: worker.localAddress.description, endpoints: planned.roles.map(\.endpoint.id)))
        }
        return started
    }

    /// Which worker hosts `endpoint`.
    private func locate(_ endpoint: UInt32) -> (Int, HostedRole)? {
        for (w, running) in workers.enumerated() {
            if let role = running.roles.first(where: { $0.endpoint.id == endpoint }) { return (w, role) }
        }
        return nil
    }

    func unknown(_ endpoints: [UInt32]) -> [UInt32] { endpoints.filter { states[$0] == nil } }

    /// Halts the roles at once (fault injection).
    func crash(_ endpoints: [UInt32]) {
        for e in endpoints {
            guard let (w, role) = locate(e), states[e] == .running else { continue }
            _ = workers[w].worker.crash(role.endpoint)
            states[e] = .crashed
        }
        stopIdleWorkers()
    }

    /// The clients a stop is draining: told to stop issuing, not yet halted.
    struct Drain: @unchecked Sendable {
        // @unchecked: a Worker is used from any thread only through its `perform`.
        fileprivate let clients: [(Worker, HostedRole)]

        /// Waits (without the daemon's lock: only `perform` on the workers) until every client
        /// has finished what it had outstanding, or `deadline` passes.
        func wait(until deadline: ContinuousClock.Instant) {
            for (worker, hosted) in clients {
                while !worker.perform({ (hosted.role as! Client).isIdle }), ContinuousClock.now < deadline {
                    Thread.sleep(forTimeInterval: 0.001)
                }
            }
        }
    }

    /// Stops the roles: clients first stop issuing and finish what is outstanding (up to
    /// `drain`), then every named role halts. Workers left with no running role end.
    /// Holds the caller for the whole drain; `Daemon` uses `beginStop` and `finishStop` instead,
    /// so that other requests are answered while clients drain.
    func stop(_ endpoints: [UInt32], drain: Duration) {
        beginStop(endpoints).wait(until: ContinuousClock.now + drain)
        finishStop(endpoints)
    }

    /// Tells the named running clients to stop issuing; returns them, to wait on.
    func beginStop(_ endpoints: [UInt32]) -> Drain {
        let clients = endpoints.compactMap { e -> (Worker, HostedRole)? in
            guard states[e] == .running, let (w, role) = locate(e), role.role is Client else { return nil }
            return (workers[w].worker, role)
        }
        for (worker, hosted) in clients { worker.perform { (hosted.role as! Client).stopIssuing() } }
        return Drain(clients: clients)
    }

    /// Halts the named roles still running (after their drain), and workers left with none.
    func finishStop(_ endpoints: [UInt32]) {
        for e in endpoints where states[e] == .running {
            guard let (w, role) = locate(e) else { continue }
            _ = workers[w].worker.crash(role.endpoint)
            states[e] = .stopped
        }
        stopIdleWorkers()
    }

    /// Stops everything (node.reset, daemon shutdown).
    func stopAll() {
        for e in states.keys where states[e] == .running { states[e] = .stopped }
        for w in workers.indices where !workers[w].stopped {
            workers[w].worker.stop()
            workers[w].stopped = true
        }
    }

    private func stopIdleWorkers() {
        for w in workers.indices where !workers[w].stopped {
            if workers[w].roles.allSatisfy({ states[$0.endpoint.id] != .running }) {
                workers[w].worker.stop()
                workers[w].stopped = true
            }
        }
    }

    func status() -> RolesStatus {
        var roles: [RoleStatus] = []
        var workerStatus: [WorkerStatus] = []
        for running in workers {
            let states = self.states
            let hosted = running.roles
            roles += running.worker.perform { hosted.map { $0.status(state: states[$0.endpoint.id] ?? .stopped) } }
            let c = running.worker.statistics
            workerStatus.append(WorkerStatus(address: running.worker.localAddress.description, transport: running.transport,
                                             endpoints: hosted.map(\.endpoint.id), counters: [
                                                 "datagramsIn": c.datagramsIn, "datagramsOut": c.datagramsOut,
                                                 "messagesIn": c.messagesIn, "messagesOut": c.messagesOut,
                                                 "malformedDatagrams": c.malformedDatagrams, "malformedFrames": c.malformedFrames,
                                                 "misaddressed": c.misaddressed, "toCrashedRoles": c.toCrashedRoles,
                                                 "unroutable": c.unroutable, "oversizedMessages": c.oversizedMessages,
                                                 "sendFailures": c.sendFailures, "oversizedDatagrams": c.oversizedDatagrams,
                                                 "foreignFrames": c.foreignFrames, "foreignRun": c.foreignRun, "timerAnomalies": c.timerAnomalies,
                                                 "turns": c.turns, "sleeps": c.sleeps,
                                             ]))
        }
        return RolesStatus(run: run, roles: roles.sorted { $0.endpoint < $1.endpoint }, workers: workerStatus)
    }

    func results() -> RunResults {
        var clients: [ClientResults] = [], proxies: [ProxyResults] = [], sequencers: [SequencerResults] = []
        for running in workers {
            let states = self.states
            let hosted = running.roles
            let collected = running.worker.perform { hosted.map { Self.collect($0, crashed: states[$0.endpoint.id] == .crashed) } }
            for entry in collected {
                switch entry {
                case let .client(c): clients.append(c)
                case let .proxy(p): proxies.append(p)
                case let .sequencer(s): sequencers.append(s)
                }
            }
        }
        return RunResults(run: run, intervalMillis: intervalMillis, originUnixNanos: originUnixNanos,
                          clients: clients.sorted { $0.endpoint < $1.endpoint }, proxies: proxies.sorted { $0.endpoint < $1.endpoint },
                          sequencers: sequencers.sorted { $0.endpoint < $1.endpoint })
    }

    private enum Collected: Sendable {
        case client(ClientResults)
        case proxy(ProxyResults)
        case sequencer(SequencerResults)
    }

    /// One role's results (on its worker's thread).
    private static func collect(_ hosted: HostedRole, crashed: Bool) -> Collected {
        let r = hosted.recorder
        switch (hosted.kind, hosted.role) {
        case let (.client(group), client as Client):
            let latency = client.latencyMicros.recordedValues().map { [$0.value, $0.count] }
            return .client(ClientResults(endpoint: hosted.endpoint.id, group: group, crashed: crashed, completed: client.completed,
                                         completedInWindow: client.completedInWindow, retransmissions: client.retransmissions,
                                         failovers: client.failovers, latencyMicros: latency, completions: r.completions,
                                         highest: r.highest, numbers: r.numbers,
                                         rangesByInterval: r.recordRanges ? r.rangesByInterval : nil))
        case let (.proxy(group, replica), _):
            return .proxy(ProxyResults(endpoint: hosted.endpoint.id, group: group, replica: replica, crashed: crashed,
                                       committedBatches: r.committedBatches,
                                       committed: r.rangesOverflowed ? nil : r.committed.map(\.pairs), committedCount: r.committedCount,
                                       noops: r.noops.map(\.pairs), duplicates: r.duplicates, leaderTerms: r.leaderTerms,
                                       noopsByInterval: r.recordRanges ? r.rangesByInterval : nil))
        case let (_, sequencer as Sequencer):
            return .sequencer(SequencerResults(endpoint: hosted.endpoint.id, epoch: sequencer.config.epoch, crashed: crashed,
                                               ready: sequencer.isReady, highWater: sequencer.highWater,
                                               allocations: sequencer.allocations))
        default:
            preconditionFailure("role \(hosted.endpoint) is not of its kind \(hosted.kind)")
        }
    }
}
