/// The range every number of a `roles.start` request must lie in, checked before any is used:
/// `durationMillis` near 2^54 once trapped masond on the conversion to nanoseconds, and
/// `cluster.proxy.maxBatchOps` = Int.max inside the proxy's own validation (its batch size in bytes).
/// Each bound is generous for a real run and small enough that no arithmetic on it can overflow.
public enum MasonSpecBounds {
    /// An hour of warm-up, a day of measurement: a run longer than that is a typo.
    public static let warmupMillis: ClosedRange<UInt64> = 0 ... 3_600_000
    public static let durationMillis: ClosedRange<UInt64> = 1 ... 86_400_000
    public static let intervalMillis: ClosedRange<UInt64> = 1 ... 60_000
    /// How far `originUnixNanos` may lie from the daemon's clock, either way (a day).
    public static let originSkewNanos: UInt64 = 86_400 * 1_000_000_000
    /// Proxy groups are numbered in a u16.
    public static let groups: ClosedRange<Int> = 1 ... Int(UInt16.max)
    public static let replicasPerGroup: ClosedRange<Int> = 1 ... 255
    public static let clients: ClosedRange<Int> = 0 ... 1_000_000

    public static let batchTimeoutMicros: ClosedRange<UInt64> = 1 ... 1_000_000
    public static let maxBatchOps: ClosedRange<Int> = 1 ... 65_536
    public static let maxBatchesInFlight: ClosedRange<Int> = 1 ... 64
    public static let heartbeatMicros: ClosedRange<UInt64> = 100 ... 60_000_000
    public static let sequencerTimeoutMicros: ClosedRange<UInt64> = 100 ... 600_000_000
    public static let maxLogSize: ClosedRange<Int> = 1 ... 1_000_000_000
    /// A Raft append travels in one frame of at most 64 KiB.
    public static let maxAppendBytes: ClosedRange<Int> = 1 ... 60_000
    public static let snapshotChunkBytes: ClosedRange<Int> = 1 ... 65_535

    /// "field: must be lo...hi (got v)." when `value` lies outside `range`, else nil.
    public static func problem<N: Comparable & CustomStringConvertible>(_ field: String, _ value: N?, _ range: ClosedRange<N>,
                                                                         _ why: String = "") -> String? {
        guard let value, !range.contains(value) else { return nil }
        return "\(field): must be \(range.lowerBound)...\(range.upperBound)\(why.isEmpty ? "" : " (\(why))") (got \(value))."
    }
}

extension StartRolesRequest {
    /// One sentence naming the first number outside its range (`cluster.proxy.maxBatchOps: must be
    /// 1...65536 (got 9223372036854775807).`), or nil. `nowUnixNanos`: the daemon's wall clock;
    /// `maxSpaces` comes from the protocol (Control does not link it), and so does the bound on
    /// `cluster.concurrency`, which the daemon checks against the proxies' admission window.
    public func rangeProblem(nowUnixNanos: UInt64, maxSpaces: Int) -> String? {
        typealias B = MasonSpecBounds
        if let origin = originUnixNanos {
            let skew = origin >= nowUnixNanos ? origin - nowUnixNanos : nowUnixNanos - origin
            if skew > B.originSkewNanos {
                return "originUnixNanos: must lie within a day of this node's clock (\(nowUnixNanos)) (got \(origin)); check the nodes' clocks."
            }
        }
        let c = cluster
        let checks: [String?] = [
            B.problem("warmupMillis", warmupMillis, B.warmupMillis, "an hour"),
            B.problem("durationMillis", durationMillis, B.durationMillis, "a day"),
            B.problem("intervalMillis", intervalMillis, B.intervalMillis),
            B.problem("cluster.spaces", c.spaces, 1 ... maxSpaces),
            B.problem("cluster.groups (count)", c.groups.count, B.groups),
            B.problem("cluster.clients (count)", c.clients.count, B.clients),
            B.problem("cluster.demand", c.demand, 1 ... max(1, c.spaces)),
            B.problem("cluster.proxy.batchTimeoutMicros", c.proxy?.batchTimeoutMicros, B.batchTimeoutMicros),
            B.problem("cluster.proxy.maxBatchOps", c.proxy?.maxBatchOps, B.maxBatchOps),
            B.problem("cluster.proxy.maxBatchesInFlight", c.proxy?.maxBatchesInFlight, B.maxBatchesInFlight),
            B.problem("cluster.proxy.heartbeatMicros", c.proxy?.heartbeatMicros, B.heartbeatMicros),
            B.problem("cluster.proxy.sequencerTimeoutMicros", c.proxy?.sequencerTimeoutMicros, B.sequencerTimeoutMicros),
            B.problem("cluster.proxy.maxLogSize", c.proxy?.maxLogSize, B.maxLogSize),
            B.problem("cluster.proxy.maxAppendBytes", c.proxy?.maxAppendBytes, B.maxAppendBytes),
            B.problem("cluster.proxy.snapshotChunkBytes", c.proxy?.snapshotChunkBytes, B.snapshotChunkBytes),
        ]
        if let first = checks.compactMap({ $0 }).first { return first }
        for (g, replicas) in c.groups.enumerated() {
            if let p = B.problem("cluster.groups[\(g)] (replicas)", replicas.count, B.replicasPerGroup) { return p }
        }
        for (k, client) in c.clients.enumerated() {
            if let p = B.problem("cluster.clients[\(k)].group", client.group, 0 ... max(0, c.groups.count - 1)) { return p }
        }
        return nil
    }
}
