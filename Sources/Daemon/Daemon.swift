import Control
import Foundation
import Protocols
import Synchronization
import Transport

/// masond's control handler: hosts the roles `roles.start` names on transport workers, reports
/// on them, crashes and stops them, and hands back what they measured. Every request is checked
/// whole before anything changes; a bad one gets a JSON-RPC error and changes nothing.
public final class Daemon: ControlHandler {
    public static let version = masonVersion
    public static let methods = ["node.info", "roles.start", "roles.status", "roles.crash", "roles.stop", "run.results", "node.reset"]

    /// The node's data-plane IPv4 address (workers given as `:port` bind to it).
    public let address: String
    private let dpdk: DPDKHost?
    private let state = Mutex<Deployment?>(nil)
    private let seed: UInt64

    public init(address: String, dpdk: DPDKHost? = nil, seed: UInt64 = MonotonicClock.unixNanoseconds()) {
        self.address = address
        self.dpdk = dpdk
        self.seed = seed
    }

    public func handle(method: String, params: JSONValue?) throws(RPCError) -> JSONValue {
        switch method {
        case "node.info": return try RPC.encode(nodeInfo())
        case "roles.start": return try RPC.encode(start(try RPC.decode(StartRolesRequest.self, from: params)))
        case "roles.status": return try RPC.encode(status())
        case "roles.crash": return try RPC.encode(crash(try RPC.decode(EndpointsRequest.self, from: params)))
        case "roles.stop": return try RPC.encode(stop(try RPC.decode(EndpointsRequest.self, from: params)))
        case "run.results": return try RPC.encode(results())
        case "node.reset": return try RPC.encode(reset())
        default: throw .methodNotFound(method, known: Self.methods)
        }
    }

    public func nodeInfo() -> NodeInfo {
        NodeInfo.gather(dpdk: dpdk?.summary, version: Self.version)
    }

    public func start(_ request: StartRolesRequest) throws(RPCError) -> StartRolesResult {
        let plan: RolePlan
        do throws(PlanError) {
            plan = try RolePlan(request, defaultIP: address, seed: seed &+ MonotonicClock.now().nanoseconds)
        } catch {
            throw .invalidParams(error.description)
        }
        let result: Result<StartRolesResult, RPCError> = state.withLock { current in
            if let current, current.isRunning {
                guard current.run == request.run else {
                    return .failure(.application(code: -32010, "run '\(current.run ?? "")' still has running roles; stop them (roles.stop) or reset the node (node.reset) first."))
                }
                let clash = plan.workers.flatMap(\.roles).map(\.endpoint.id).filter { current.endpoints.contains($0) }
                guard clash.isEmpty else {
                    return .failure(.invalidParams("workers: endpoints \(clash) already run on this node in run '\(current.run ?? "")'."))
                }
            } else {
                current?.stopAll()
                current = Deployment(run: request.run, originUnixNanos: request.originUnixNanos ?? MonotonicClock.unixNanoseconds(),
                                     intervalMillis: request.intervalMillis ?? 10)
            }
            do throws(PlanError) {
                return .success(StartRolesResult(workers: try current!.start(plan) { worker throws(PlanError) in
                    try makeIO(worker, neighbours: plan.addresses.macs)
                }))
            } catch {
                return .failure(.application(code: -32011, error.description))
            }
        }
        return try result.get()
    }

    /// Opens the transport a planned worker asks for.
    private func makeIO(_ worker: RolePlan.PlannedWorker, neighbours: [UInt32: MACAddress]) throws(PlanError) -> (any PacketIO, Int) {
        switch worker.transport {
        case .dpdk:
            guard let dpdk else { throw PlanError("workers: transport dpdk needs masond started with --dpdk 'EAL ARGS'.") }
            do throws(DPDKError) {
                return try dpdk.openPort(address: worker.address, neighbours: neighbours)
            } catch {
                throw PlanError("cannot open a DPDK queue for \(worker.address): \(error.description)")
            }
        case .udp:
            do throws(TransportError) {
                return (try UDPSocket(bind: worker.address), 65_507)
            } catch {
                throw PlanError(error.description)
            }
        }
    }

    /// Whether any role runs: the control server keeps idle connections open meanwhile.
    public var hasRunningRoles: Bool { state.withLock { $0?.isRunning ?? false } }

    public func status() -> RolesStatus {
        state.withLock { $0?.status() } ?? RolesStatus(run: nil, roles: [], workers: [])
    }

    public func crash(_ request: EndpointsRequest) throws(RPCError) -> RolesStatus {
        try state.withLock { current throws(RPCError) -> RolesStatus in
            guard let current else { throw .application(code: -32012, "no roles run on this node; start some with roles.start.") }
            let endpoints = request.endpoints ?? current.endpoints.sorted()
            let unknown = current.unknown(endpoints)
            guard unknown.isEmpty else { throw .invalidParams("endpoints: \(unknown) do not run on this node.") }
            current.crash(endpoints)
            return current.status()
        }
    }

    /// Drains the named clients without holding the daemon's lock, so a `roles.status` (or a
    /// crash, or results) during a long drain is answered at once. A `node.reset` or a new run
    /// meanwhile wins: the stop then reports the node as it finds it.
    public func stop(_ request: EndpointsRequest) throws(RPCError) -> RolesStatus {
        let drain = request.drainMillis ?? 2_000
        guard drain <= 600_000 else { throw .invalidParams("drainMillis: at most 600000 (got \(drain)).") }
        // The deployment is named by identity and run, not handed out of the lock.
        let begun = try state.withLock { current throws(RPCError) -> (ObjectIdentifier, String?, [UInt32], Deployment.Drain)? in
            guard let current else { return nil }
            let endpoints = request.endpoints ?? current.endpoints.sorted()
            let unknown = current.unknown(endpoints)
            guard unknown.isEmpty else { throw .invalidParams("endpoints: \(unknown) do not run on this node.") }
            return (ObjectIdentifier(current), current.run, endpoints, current.beginStop(endpoints))
        }
        guard let (deployment, run, endpoints, draining) = begun else { return RolesStatus(run: nil, roles: [], workers: []) }
        draining.wait(until: ContinuousClock.now + .milliseconds(drain))
        return state.withLock { current in
            guard let current, ObjectIdentifier(current) == deployment, current.run == run else { return current?.status() ?? RolesStatus(run: nil, roles: [], workers: []) }
            current.finishStop(endpoints)
            return current.status()
        }
    }

    public func results() throws(RPCError) -> RunResults {
        guard let results = state.withLock({ $0?.results() }) else {
            throw .application(code: -32012, "no run on this node yet; start roles with roles.start.")
        }
        return results
    }

    /// Stops every role and forgets the run.
    public func reset() -> RolesStatus {
        state.withLock { current in
            current?.stopAll()
            current = nil
        }
        return RolesStatus(run: nil, roles: [], workers: [])
    }
}
