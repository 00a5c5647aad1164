/// `roles.status`: every role this node hosts, and every worker.
public struct RolesStatus: Codable, Sendable, Equatable {
    public var run: String?
    public var roles: [RoleStatus]
    public var workers: [WorkerStatus]

    public init(run: String?, roles: [RoleStatus], workers: [WorkerStatus]) {
        self.run = run
        self.roles = roles
        self.workers = workers
    }
}

public struct RoleStatus: Codable, Sendable, Equatable {
    public var endpoint: UInt32
    public var kind: RoleKind
    public var state: RoleState
    /// Ready to serve: a sequencer that hands out numbers (a backup once it took over; a standby
    /// backup is running but not ready), a proxy that knows its group's serving leader, a
    /// running client.
    public var ready: Bool
    /// Proxies: the group, and whether this replica leads it.
    public var group: Int?
    public var leader: Bool?
    public var term: UInt64?
    /// Role counters: completed, allocations, committed batches, rejected input...
    public var counters: [String: UInt64]

    public init(endpoint: UInt32, kind: RoleKind, state: RoleState, ready: Bool, group: Int? = nil, leader: Bool? = nil,
                term: UInt64? = nil, counters: [String: UInt64]) {
        self.endpoint = endpoint
        self.kind = kind
        self.state = state
        self.ready = ready
        self.group = group
        self.leader = leader
        self.term = term
        self.counters = counters
    }
}

public struct WorkerStatus: Codable, Sendable, Equatable {
    public var address: String
    public var transport: WorkerTransport
    public var endpoints: [UInt32]
    public var counters: [String: UInt64]

    public init(address: String, transport: WorkerTransport, endpoints: [UInt32], counters: [String: UInt64]) {
        self.address = address
        self.transport = transport
        self.endpoints = endpoints
        self.counters = counters
    }
}
