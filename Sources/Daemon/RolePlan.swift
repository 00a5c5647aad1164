import Control
import Protocols
import Transport

/// A `roles.start` request checked and turned into configured roles, before anything starts.
/// Every problem is one sentence naming the field: the request changes nothing then.
struct RolePlan {
    struct PlannedWorker {
        var address: NetAddress
        var transport: WorkerTransport
        var roles: [HostedRole]
    }

    var workers: [PlannedWorker] = []
    var addresses = AddressBook()
    var origin: Instant
    var intervalNanos: UInt64

    /// `defaultIP`: the node's data-plane address, for worker addresses given as `:port`.
    init(_ request: StartRolesRequest, defaultIP: String, seed: UInt64) throws(PlanError) {
        if let refusal = request.system.notBuiltError { throw PlanError("system: \(refusal)") }
        let cluster = request.cluster
        guard !cluster.groups.isEmpty else { throw PlanError("cluster.groups: a Mason cluster needs at least one proxy group.") }
        // Every number is in range before any is used: no conversion or sum below can trap.
        if let problem = request.rangeProblem(nowUnixNanos: MonotonicClock.unixNanoseconds(), maxSpaces: maxSequenceSpaces) {
            throw PlanError(problem)
        }
        // The proxies' admission window bounds a client's concurrency (Protocols' one rule for it).
        if let c = cluster.concurrency, let problem = ProxyConfig.concurrencyError(c) { throw PlanError("cluster.\(problem)") }
        let concurrency = cluster.concurrency ?? 4

        // Which endpoint is which role.
        var kinds: [UInt32: HostedRole.Kind] = [:]
        func claim(_ endpoint: UInt32, _ kind: HostedRole.Kind, _ field: String) throws(PlanError) {
            guard kinds[endpoint] == nil else { throw PlanError("\(field): endpoint \(endpoint) is given two roles.") }
            kinds[endpoint] = kind
        }
        try claim(cluster.sequencer, .sequencer, "cluster.sequencer")
        if let backup = cluster.backup { try claim(backup, .backup, "cluster.backup") }
        for (g, replicas) in cluster.groups.enumerated() {
            for (r, e) in replicas.enumerated() { try claim(e, .proxy(group: g, replica: r), "cluster.groups[\(g)][\(r)]") }
        }
        for (k, c) in cluster.clients.enumerated() {
            guard cluster.groups.indices.contains(c.group) else {
                throw PlanError("cluster.clients[\(k)].group: there is no group \(c.group) (groups: 0..<\(cluster.groups.count)).")
            }
            try claim(c.endpoint, .client(group: c.group), "cluster.clients[\(k)]")
        }

        // Where every endpoint lives.
        for (k, peer) in request.addressBook.enumerated() {
            guard let address = NetAddress(peer.address) else {
                throw PlanError("addressBook[\(k)].address: '\(peer.address)' is not an IPv4 address with a port (a.b.c.d:port).")
            }
            if let mac = peer.mac {
                guard let parsed = MACAddress(mac) else { throw PlanError("addressBook[\(k)].mac: '\(mac)' is not a MAC address (aa:bb:cc:dd:ee:ff).") }
                addresses.macs[address.ip] = parsed
            }
            addresses[Endpoint(peer.endpoint)] = address
        }
        for endpoint in kinds.keys.sorted() where addresses[Endpoint(endpoint)] == nil {
            throw PlanError("addressBook: endpoint \(endpoint) (\(kinds[endpoint]!.name)) has no address.")
        }

        // Timing.
        let now = MonotonicClock.now()
        origin = request.originUnixNanos.map { MonotonicClock.instant(atUnixNanoseconds: $0) } ?? now
        let interval = request.intervalMillis ?? 10
        intervalNanos = interval * 1_000_000
        let measureFrom = origin.adding(microseconds: (request.warmupMillis ?? 0) * 1_000)
        let measureUntil = request.durationMillis.map { measureFrom.adding(microseconds: $0 * 1_000) } ?? Instant(nanoseconds: .max)

        // This node's roles, configured.
        var generator = SplitMix64(seed: seed)
        var hosted = Set<UInt32>()
        guard !request.workers.isEmpty else { throw PlanError("workers: a node needs at least one worker to start roles on.") }
        for (w, spec) in request.workers.enumerated() {
            let text = spec.address.hasPrefix(":") ? defaultIP + spec.address : spec.address
            guard let address = NetAddress(text) else {
                throw PlanError("workers[\(w)].address: '\(spec.address)' is not an IPv4 address with a port (a.b.c.d:port, or :port for this node's address).")
            }
            let transport = spec.transport ?? .udp
            guard !spec.endpoints.isEmpty else { throw PlanError("workers[\(w)].endpoints: a worker hosts at least one endpoint.") }
            var roles: [HostedRole] = []
            for endpoint in spec.endpoints {
                guard let kind = kinds[endpoint] else {
                    throw PlanError("workers[\(w)].endpoints: endpoint \(endpoint) is not in the cluster.")
                }
                guard hosted.insert(endpoint).inserted else { throw PlanError("workers[\(w)].endpoints: endpoint \(endpoint) is hosted twice.") }
                let recorder = RoleRecorder(spaces: cluster.spaces, origin: origin, intervalNanos: intervalNanos,
                                            recordRanges: request.recordRanges ?? false)
                let role = try Self.role(endpoint: Endpoint(endpoint), kind: kind, cluster: cluster, concurrency: concurrency,
                                         measureFrom: measureFrom, measureUntil: measureUntil, generator: generator.fork())
                roles.append(HostedRole(endpoint: Endpoint(endpoint), kind: kind, role: role, recorder: recorder, worker: w))
            }
            workers.append(PlannedWorker(address: address, transport: transport, roles: roles))
        }
    }

    private static func role(endpoint: Endpoint, kind: HostedRole.Kind, cluster: MasonClusterSpec, concurrency: Int,
                             measureFrom: Instant, measureUntil: Instant, generator: SplitMix64) throws(PlanError) -> any Role {
        let replicas = cluster.groups.map { $0.map { Endpoint($0) } }
        switch kind {
        case .sequencer, .backup:
            var config = SequencerConfig(spaces: cluster.spaces, groups: cluster.groups.count, epoch: kind == .backup ? 1 : 0)
            config.groupReplicas = replicas
            return Sequencer(endpoint: endpoint, config: config)
        case let .proxy(group, replica):
            let sequencers = [Endpoint(cluster.sequencer)] + (cluster.backup.map { [Endpoint($0)] } ?? [])
            var config = ProxyConfig(group: UInt16(group), spaces: cluster.spaces, replicas: replicas[group],
                                     me: UInt8(replica), sequencers: sequencers)
            if cluster.groups.count > 1 {
                let next = (group + 1) % cluster.groups.count
                config.nextGroup = UInt16(next)
                config.nextGroupReplicas = replicas[next]
                config.previousGroupReplicas = replicas[(group + cluster.groups.count - 1) % cluster.groups.count]
            }
            if let p = cluster.proxy {
                if let v = p.batchTimeoutMicros { config.batchTimeoutMicros = v }
                if let v = p.maxBatchOps { config.maxBatchOps = v }
                if let v = p.maxBatchesInFlight { config.maxBatchesInFlight = v }
                if let v = p.heartbeatMicros { config.heartbeatMicros = v }
                if let v = p.sequencerTimeoutMicros { config.sequencerTimeoutMicros = v }
                // In range already (`rangeProblem`), so `validationError` below cannot overflow either.
                if let v = p.maxLogSize { config.raft.maxLogSize = v }
                if let v = p.maxAppendBytes { config.raft.maxAppendBytes = v }
                if let v = p.snapshotChunkBytes { config.raft.snapshotChunkBytes = v }
            }
            if let problem = config.validationError() { throw PlanError("cluster.proxy: \(problem)") }
            return Proxy(config: config, generator: generator)
        case let .client(group):
            let demand: Demand = cluster.demand.map { .random(k: $0) } ?? .all
            let config = ClientConfig(client: endpoint.id, group: UInt16(group), proxies: replicas[group], spaces: cluster.spaces,
                                      concurrency: concurrency, demand: demand, measureFrom: measureFrom, measureUntil: measureUntil)
            return Client(endpoint: endpoint, config: config, generator: generator)
        }
    }
}

/// Why a `roles.start` request cannot run, naming the field.
struct PlanError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
