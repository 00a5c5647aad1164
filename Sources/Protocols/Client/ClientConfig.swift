/// Which spaces each operation asks numbers from.
public enum Demand: Sendable, Equatable, CustomStringConvertible {
    /// One number from every space, as the artifact's client.
    case all
    /// One number from each of `k` spaces drawn at random per operation (exercises cross-space order).
    case random(k: Int)

    public var description: String {
        switch self {
        case .all: "all"
        case let .random(k): "\(k)"
        }
    }
}

/// Runtime settings of one closed-loop client.
public struct ClientConfig: Sendable {
    public var client: UInt32
    public var group: UInt16
    /// The group's replicas; the first is tried first.
    public var proxies: [Endpoint]
    public var spaces: Int
    /// Operations kept outstanding at once.
    public var concurrency: Int
    public var demand: Demand
    /// An operation unanswered for this long is sent again (same request id): the first timeout and
    /// the shortest; RFC 6298's estimator (`RetransmissionTimer`) raises it, up to
    /// `maxRetransmitMicros`, when measured round trips need more. (Measured: a floor of 1 ms resent
    /// up to 3.5% of operations at concurrency 32 on the local cluster, whose p99.9 is 2-3 ms.)
    public var retransmitMicros: UInt64
    /// Below `failoverMicros`, so an operation is resent to its replica before the client moves on.
    public var maxRetransmitMicros: UInt64 = 40_000
    /// Latency is recorded for operations completing in this window (warm-up and cool-down excluded).
    public var measureFrom: Instant
    public var measureUntil: Instant
    /// Latencies above this are still counted, clamped to it (the histogram is never capped silently).
    public var maxLatencyMicros: UInt64
    /// No answer from the current replica for this long while operations are outstanding: try
    /// the group's next replica.
    public var failoverMicros: UInt64 = 50_000

    public init(client: UInt32, group: UInt16, proxies: [Endpoint], spaces: Int, concurrency: Int,
                demand: Demand = .all, retransmitMicros: UInt64 = 5_000, measureFrom: Instant = .zero,
                measureUntil: Instant = Instant(nanoseconds: .max), maxLatencyMicros: UInt64 = 60_000_000) {
        precondition(!proxies.isEmpty, "a client needs at least one proxy")
        precondition((1 ... maxSequenceSpaces).contains(spaces), "sequence spaces must be 1...\(maxSequenceSpaces)")
        precondition(concurrency > 0, "concurrency must be positive")
        if case let .random(k) = demand { precondition((1 ... spaces).contains(k), "demand k must be 1...spaces") }
        self.client = client
        self.group = group
        self.proxies = proxies
        self.spaces = spaces
        self.concurrency = concurrency
        self.demand = demand
        self.retransmitMicros = retransmitMicros
        self.measureFrom = measureFrom
        self.measureUntil = measureUntil
        self.maxLatencyMicros = maxLatencyMicros
    }
}
