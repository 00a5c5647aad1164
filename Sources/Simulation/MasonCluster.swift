import Protocols

/// How a simulated Mason cluster is laid out and configured.
public enum MasonCluster {
    /// Endpoints: 0 the primary sequencer, 1 the backup, then each group's replicas, then clients.
    public struct Layout: Sendable {
        public let groups: Int
        public let replicas: Int
        public let clients: Int

        public init(_ c: SimulationConfig) {
            groups = c.proxyGroups
            replicas = c.replicas
            clients = c.totalClients
        }

        public let primary = Endpoint(0)
        public let backup = Endpoint(1)
        public func proxy(group: Int, replica: Int) -> Endpoint { Endpoint(UInt32(2 + group * replicas + replica)) }
        public func replicas(of group: Int) -> [Endpoint] { (0 ..< replicas).map { proxy(group: group, replica: $0) } }
        public func client(_ k: Int) -> Endpoint { Endpoint(UInt32(2 + groups * replicas + k)) }
        public var servers: [Endpoint] { [primary, backup] + (0 ..< groups).flatMap { replicas(of: $0) } }

        /// `sequencer`, `backup`, `proxy-G-R` or `client-K`.
        public func endpoint(named name: String) -> Endpoint? {
            if name == "sequencer" { return primary }
            if name == "backup" { return backup }
            let parts = name.split(separator: "-")
            if parts.count == 3, parts[0] == "proxy", let g = Int(parts[1]), let r = Int(parts[2]),
               (0 ..< groups).contains(g), (0 ..< replicas).contains(r) {
                return proxy(group: g, replica: r)
            }
            if parts.count == 2, parts[0] == "client", let k = Int(parts[1]), (0 ..< clients).contains(k) { return client(k) }
            return nil
        }
    }

    public static func proxyConfig(_ c: SimulationConfig, group: Int, replica: Int) -> ProxyConfig {
        let layout = Layout(c)
        var p = ProxyConfig(group: UInt16(group), spaces: c.spaces, replicas: layout.replicas(of: group), me: UInt8(replica),
                            sequencers: [layout.primary, layout.backup])
        p.batchTimeoutMicros = c.batchTimeoutMicros
        p.maxBatchOps = c.maxBatchOps
        p.bitmapBlockSize = c.bitmapBlockSize
        p.bitmapInitialBlocks = c.bitmapInitialBlocks
        p.gcIntervalMicros = c.gcIntervalMicros
        if c.proxyGroups > 1 {
            p.nextGroup = UInt16((group + 1) % c.proxyGroups)
            p.nextGroupReplicas = layout.replicas(of: (group + 1) % c.proxyGroups)
            p.previousGroupReplicas = layout.replicas(of: (group + c.proxyGroups - 1) % c.proxyGroups)
        }
        p.raft.maxLogSize = c.maxLogSize
        return p
    }

    public static func sequencerConfig(_ c: SimulationConfig, epoch: UInt32) -> SequencerConfig {
        var s = SequencerConfig(spaces: c.spaces, groups: c.proxyGroups, epoch: epoch)
        let layout = Layout(c)
        s.groupReplicas = (0 ..< c.proxyGroups).map { layout.replicas(of: $0) }
        return s
    }
}
