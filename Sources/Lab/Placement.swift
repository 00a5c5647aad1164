import Control

/// A node the placement may use: its name (its role comes from the name: `sequencer-N`,
/// `proxy-N`, `client-N`) and its data-plane address.
public struct NodeSlot: Sendable, Equatable {
    public var name: String
    public var address: String
    public var mac: String?
    /// How this node's workers reach the network (nil: udp).
    public var transport: WorkerTransport?

    public init(name: String, address: String, mac: String? = nil, transport: WorkerTransport? = nil) {
        self.name = name
        self.address = address
        self.mac = mac
        self.transport = transport
    }

    /// The role its name carries (`proxy-3`: proxy); nil when the name carries none.
    public var role: NodeRole? { NodeRole(nodeName: name) }
}

/// What a Mason run asks for (the artifact's names in brackets).
public struct MasonOptions: Sendable, Equatable, Codable {
    /// Proxy machines, a multiple of 3 [--nproxies].
    public var proxies = 3
    /// Worker threads per proxy machine: each is a replica of a group of its own [--nproxy_threads].
    public var proxyThreads = 1
    public var clients = 2
    public var clientThreads = 2
    public var spaces = 1
    /// Operations outstanding per client thread [--client_concurrency].
    public var concurrency = 32
    public var batchTimeoutMicros: UInt64 = 20
    public var maxLogSize = 500_000
    /// UDP ports of a node's workers start here.
    public var basePort: UInt16 = 31_000

    public init() {}

    /// Proxy groups: each triple of proxy machines hosts `proxyThreads` groups [--nproxy_leaders].
    public var groups: Int { proxies / 3 * proxyThreads }
}

/// Where every role of a Mason run goes. A pure function of (options, nodes): no I/O.
public struct MasonPlacement: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var slot: NodeSlot
        public var workers: [WorkerSpec]
    }

    /// One line of `masonlab plan`.
    public struct Row: Sendable, Equatable {
        public var node: String
        public var address: String
        public var role: RoleKind
        public var worker: Int
        public var endpoint: UInt32
        public var group: Int?
        public var raftID: Int?
        public var detail: String
    }

    public var nodes: [Node]
    public var cluster: MasonClusterSpec
    public var addressBook: [PeerSpec]
    public var rows: [Row]

    public var sequencerNode: Int { 0 }

    /// Endpoints: 0 the primary, 1 the backup, 2 + 3g + r replica r of group g, then the clients.
    public static func endpoint(group g: Int, replica r: Int) -> UInt32 { UInt32(2 + 3 * g + r) }

    /// Places a run. Nodes are taken in natural name order per role: the first sequencer is the
    /// primary, the second the backup; proxy machines 3m, 3m+1, 3m+2 host replicas 0, 1, 2 of groups
    /// m·T ..< (m+1)·T, one per worker; client machine j's thread t joins group (j mod M)·T + t mod T.
    public init(_ options: MasonOptions, nodes available: [NodeSlot]) throws(PlacementError) {
        let o = options
        guard o.proxies > 0, o.proxies % 3 == 0 else {
            throw PlacementError("--nproxies must be a positive multiple of 3 (groups of 3 replicas); got \(o.proxies).")
        }
        guard (1 ... 64).contains(o.proxyThreads) else { throw PlacementError("--nproxy-threads must be 1...64 (got \(o.proxyThreads)).") }
        guard o.clients > 0, (1 ... 64).contains(o.clientThreads) else {
            throw PlacementError("--nclients must be at least 1 and --nclient-threads 1...64 (got \(o.clients) and \(o.clientThreads)).")
        }
        guard (1 ... 64).contains(o.spaces) else { throw PlacementError("--nsequence-spaces must be 1...64 (got \(o.spaces)).") }
        guard o.concurrency > 0 else { throw PlacementError("--concurrency must be at least 1 (got \(o.concurrency)).") }
        func pick(_ role: NodeRole, _ count: Int, flag: String) throws(PlacementError) -> [NodeSlot] {
            let all = available.filter { $0.role == role }.sorted { NaturalOrder.less($0.name, $1.name) }
            guard all.count >= count else {
                throw PlacementError("\(flag) asks for \(count) \(role) nodes but the testbed has \(all.count).")
            }
            return Array(all.prefix(count))
        }
        let sequencers = try pick(.sequencer, 2, flag: "a Mason run (a primary and a backup)")
        let proxies = try pick(.proxy, o.proxies, flag: "--nproxies")
        let clientNodes = try pick(.client, o.clients, flag: "--nclients")

        let machineTriples = o.proxies / 3, threads = o.proxyThreads
        var groups: [[UInt32]] = []
        for g in 0 ..< machineTriples * threads { groups.append((0 ..< 3).map { Self.endpoint(group: g, replica: $0) }) }
        let firstClient = UInt32(2 + 3 * groups.count)
        var clients: [ClientSpec] = []
        var nodes: [Node] = []
        var rows: [Row] = []
        var book: [PeerSpec] = []
        func port(_ worker: Int) -> UInt16 { o.basePort + UInt16(worker) }

        for (k, slot) in sequencers.enumerated() {
            let e = UInt32(k)
            nodes.append(Node(slot: slot, workers: [WorkerSpec(address: ":\(port(0))", endpoints: [e], transport: slot.transport)]))
            book.append(PeerSpec(endpoint: e, address: "\(slot.address):\(port(0))", mac: slot.mac))
            rows.append(Row(node: slot.name, address: slot.address, role: k == 0 ? .sequencer : .backup, worker: 0, endpoint: e,
                            group: nil, raftID: nil, detail: k == 0 ? "primary" : "takes over when the primary is silent"))
        }
        for (i, slot) in proxies.enumerated() {
            let triple = i / 3, replica = i % 3
            var workers: [WorkerSpec] = []
            for t in 0 ..< threads {
                let g = triple * threads + t, e = Self.endpoint(group: g, replica: replica)
                workers.append(WorkerSpec(address: ":\(port(t))", endpoints: [e], transport: slot.transport))
                book.append(PeerSpec(endpoint: e, address: "\(slot.address):\(port(t))", mac: slot.mac))
                let next = (g + 1) % groups.count
                rows.append(Row(node: slot.name, address: slot.address, role: .proxy, worker: t, endpoint: e, group: g,
                                raftID: replica, detail: groups.count > 1 ? "GC next: group \(next)" : "GC: whole ring"))
            }
            nodes.append(Node(slot: slot, workers: workers))
        }
        for (j, slot) in clientNodes.enumerated() {
            var workers: [WorkerSpec] = []
            for t in 0 ..< o.clientThreads {
                let e = firstClient + UInt32(j * o.clientThreads + t)
                let group = (j % machineTriples) * threads + t % threads
                clients.append(ClientSpec(endpoint: e, group: group))
                workers.append(WorkerSpec(address: ":\(port(t))", endpoints: [e], transport: slot.transport))
                book.append(PeerSpec(endpoint: e, address: "\(slot.address):\(port(t))", mac: slot.mac))
                rows.append(Row(node: slot.name, address: slot.address, role: .client, worker: t, endpoint: e, group: group,
                                raftID: nil, detail: "concurrency \(o.concurrency)"))
            }
            nodes.append(Node(slot: slot, workers: workers))
        }
        self.nodes = nodes
        self.rows = rows
        addressBook = book
        cluster = MasonClusterSpec(spaces: o.spaces, sequencer: 0, backup: 1, groups: groups, clients: clients,
                                   concurrency: o.concurrency,
                                   proxy: Self.proxySettings(o, frameSized: proxies.contains { $0.transport == .dpdk }))
    }

    /// The bytes of Raft entries one append carries when a datagram must fit one 1500-byte frame
    /// (1472 bytes of UDP payload, less the datagram, frame and append headers).
    public static let frameSizedAppendBytes = 1_344

    /// The run's proxy settings. Over DPDK a datagram must fit one Ethernet frame (the transport
    /// does not fragment), so when a proxy runs over DPDK, Raft appends, snapshot chunks and batches
    /// are sized to fit a 1500-byte MTU (a batch's bytes: 24 + ops × (22 + 12 × spaces)).
    static func proxySettings(_ o: MasonOptions, frameSized: Bool) -> ProxySettings {
        var settings = ProxySettings(batchTimeoutMicros: o.batchTimeoutMicros, maxLogSize: o.maxLogSize)
        if frameSized {
            settings.maxAppendBytes = frameSizedAppendBytes
            settings.snapshotChunkBytes = 1_200
            settings.maxBatchOps = max(1, min(64, (frameSizedAppendBytes - 64 - 24) / (22 + 12 * o.spaces)))
        }
        return settings
    }

    /// Indexes of the nodes hosting clients (started after the servers are ready).
    public var clientNodes: [Int] { nodes.indices.filter { nodes[$0].slot.role == .client } }
    public var serverNodes: [Int] { nodes.indices.filter { nodes[$0].slot.role != .client } }
    /// Which node hosts an endpoint.
    public func node(of endpoint: UInt32) -> Int? { nodes.firstIndex { $0.workers.contains { $0.endpoints.contains(endpoint) } } }
}

/// Why a placement is impossible, as one sentence naming the option.
public struct PlacementError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
