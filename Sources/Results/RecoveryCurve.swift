/// The highest contiguous sequence number of every space over time, and the completions over time,
/// of one attempt: what the recovery plot draws.
///
/// Interval `i` covers `[i, i+1) * intervalMillis` from the **origin**, which is the start of
/// warmup: the start of measurement minus `warmupMillis` (the same origin as `RunResults`'s
/// per-interval counters). Times from the start of measurement are therefore
/// `(i + 1) * intervalMillis - warmupMillis` at the end of interval `i`.
public struct RecoveryCurve: Sendable, Codable, Equatable {
    public var intervalMillis: UInt64
    /// How far the origin lies before the start of measurement.
    public var warmupMillis: UInt64
    /// Per space, per interval: the highest number `h` such that every number `0...h` of that space
    /// had been delivered (to a client or as a noop) by the end of the interval; -1 while none was.
    public var highestContiguous: [[Int64]]
    /// Per interval: operations completed in it by all clients together.
    public var completions: [UInt64]

    public init(intervalMillis: UInt64, warmupMillis: UInt64, highestContiguous: [[Int64]], completions: [UInt64]) {
        precondition(intervalMillis > 0, "a recovery curve needs a positive interval")
        self.intervalMillis = intervalMillis
        self.warmupMillis = warmupMillis
        self.highestContiguous = highestContiguous
        self.completions = completions
    }

    /// Number of intervals the curve spans (the longest of its series).
    public var intervalCount: Int {
        max(completions.count, highestContiguous.map(\.count).max() ?? 0)
    }

    /// Seconds from the start of measurement at the end of interval `index`.
    public func secondsFromMeasurementStart(atEndOf index: Int) -> Double {
        (Double(index + 1) * Double(intervalMillis) - Double(warmupMillis)) / 1_000
    }
}
