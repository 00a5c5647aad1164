import Protocols

/// `roles.start`: the roles this node hosts for one run, the cluster they belong to, and where
/// every peer lives. masonlab's placement builds it; masond validates it before starting anything.
public struct StartRolesRequest: Codable, Sendable, Equatable {
    /// The system whose roles these are; masond refuses one that is not built.
    public var system: System
    /// A label for the run, echoed in status and results.
    public var run: String?
    public var cluster: MasonClusterSpec
    /// This node's workers and the endpoints each hosts.
    public var workers: [WorkerSpec]
    /// Every endpoint of the run (this node's included): the address of the worker hosting it.
    public var addressBook: [PeerSpec]
    /// The measurement origin as wall-clock nanoseconds since the Unix epoch (default: now).
    /// Clients record latency from `origin + warmupMillis` for `durationMillis`.
    public var originUnixNanos: UInt64?
    public var warmupMillis: UInt64?
    public var durationMillis: UInt64?
    /// Width of the per-interval counters in `run.results` (default 10 ms).
    public var intervalMillis: UInt64?
    /// Keep, per interval, the ranges of numbers each client received and each proxy committed as
    /// noops, so the highest contiguous number over time can be computed exactly (recovery runs).
    public var recordRanges: Bool?

    public init(system: System, run: String? = nil, cluster: MasonClusterSpec, workers: [WorkerSpec], addressBook: [PeerSpec],
                originUnixNanos: UInt64? = nil, warmupMillis: UInt64? = nil, durationMillis: UInt64? = nil, intervalMillis: UInt64? = nil,
                recordRanges: Bool? = nil) {
        self.system = system
        self.run = run
        self.cluster = cluster
        self.workers = workers
        self.addressBook = addressBook
        self.originUnixNanos = originUnixNanos
        self.warmupMillis = warmupMillis
        self.durationMillis = durationMillis
        self.intervalMillis = intervalMillis
        self.recordRanges = recordRanges
    }
}

/// One worker thread of this node: its bind address and the endpoints it hosts.
public struct WorkerSpec: Codable, Sendable, Equatable {
    /// `a.b.c.d:port` (port 0: any free port, reported back by roles.start).
    public var address: String
    public var endpoints: [UInt32]
    /// `udp` when absent.
    public var transport: WorkerTransport?

    public init(address: String, endpoints: [UInt32], transport: WorkerTransport? = nil) {
        self.address = address
        self.endpoints = endpoints
        self.transport = transport
    }
}

/// Where one endpoint lives.
public struct PeerSpec: Codable, Sendable, Equatable {
    public var endpoint: UInt32
    public var address: String
    /// The host's MAC, for DPDK framing (no ARP).
    public var mac: String?

    public init(endpoint: UInt32, address: String, mac: String? = nil) {
        self.endpoint = endpoint
        self.address = address
        self.mac = mac
    }
}

/// The whole Mason cluster of a run: which endpoint is which role, and the settings every role
/// derives its configuration from. Each node receives all of it and starts only its own endpoints.
public struct MasonClusterSpec: Codable, Sendable, Equatable {
    public var spaces: Int
    public var sequencer: UInt32
    public var backup: UInt32?
    /// Each proxy group's replicas, by raft id. Groups form the GC ring in this order.
    public var groups: [[UInt32]]
    public var clients: [ClientSpec]
    /// Operations each client keeps outstanding (default 4).
    public var concurrency: Int?
    /// Spaces each operation draws from: nil for all, k for k random spaces.
    public var demand: Int?
    public var proxy: ProxySettings?

    public init(spaces: Int, sequencer: UInt32, backup: UInt32?, groups: [[UInt32]], clients: [ClientSpec],
                concurrency: Int? = nil, demand: Int? = nil, proxy: ProxySettings? = nil) {
        self.spaces = spaces
        self.sequencer = sequencer
        self.backup = backup
        self.groups = groups
        self.clients = clients
        self.concurrency = concurrency
        self.demand = demand
        self.proxy = proxy
    }
}

public struct ClientSpec: Codable, Sendable, Equatable {
    public var endpoint: UInt32
    public var group: Int

    public init(endpoint: UInt32, group: Int) {
        self.endpoint = endpoint
        self.group = group
    }
}

/// Proxy settings a run may override; absent fields keep the defaults of `ProxyConfig`.
public struct ProxySettings: Codable, Sendable, Equatable {
    public var batchTimeoutMicros: UInt64?
    public var maxBatchOps: Int?
    public var maxBatchesInFlight: Int?
    public var heartbeatMicros: UInt64?
    public var sequencerTimeoutMicros: UInt64?
    public var maxLogSize: Int?
    public var maxAppendBytes: Int?
    /// Bytes of a snapshot per Raft message.
    public var snapshotChunkBytes: Int?

    public init(batchTimeoutMicros: UInt64? = nil, maxBatchOps: Int? = nil, maxBatchesInFlight: Int? = nil,
                heartbeatMicros: UInt64? = nil, sequencerTimeoutMicros: UInt64? = nil, maxLogSize: Int? = nil,
                maxAppendBytes: Int? = nil, snapshotChunkBytes: Int? = nil) {
        self.batchTimeoutMicros = batchTimeoutMicros
        self.maxBatchOps = maxBatchOps
        self.maxBatchesInFlight = maxBatchesInFlight
        self.heartbeatMicros = heartbeatMicros
        self.sequencerTimeoutMicros = sequencerTimeoutMicros
        self.maxLogSize = maxLogSize
        self.maxAppendBytes = maxAppendBytes
        self.snapshotChunkBytes = snapshotChunkBytes
    }
}

/// `roles.start`'s answer: the address each worker bound.
public struct StartRolesResult: Codable, Sendable, Equatable {
    public var workers: [StartedWorker]
    public init(workers: [StartedWorker]) { self.workers = workers }
}

public struct StartedWorker: Codable, Sendable, Equatable {
    public var address: String
    public var endpoints: [UInt32]
    public init(address: String, endpoints: [UInt32]) {
        self.address = address
        self.endpoints = endpoints
    }
}

/// `roles.crash` and `roles.stop` parameters: which endpoints (absent: all of this node's).
public struct EndpointsRequest: Codable, Sendable, Equatable {
    public var endpoints: [UInt32]?
    /// roles.stop: how long clients may take to finish their outstanding operations (default 2000).
    public var drainMillis: UInt64?

    public init(endpoints: [UInt32]? = nil, drainMillis: UInt64? = nil) {
        self.endpoints = endpoints
        self.drainMillis = drainMillis
    }
}
