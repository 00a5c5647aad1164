/// How far a value from the network may run ahead of what this role already knows before it stops
/// being protocol and becomes an anomaly (a bit flip, a stray datagram, a forged frame). A correct
/// cluster advances terms by one per election and ids by one per request, so nothing it produces is
/// 2^32 ahead of a peer; a value that is, is counted and dropped (never adopted: a term of 2^64 - 2
/// once trapped `term += 1` and a huge term fenced a group for good).
public enum ProtocolBounds {
    /// The largest lead a term, seqRequestID, durable mark or client request id may have.
    public static let maxLead: UInt64 = 1 << 32
    /// The most numbers one client operation may ask of one space: a batch of `maxBatchOps` such
    /// operations still sums within a u32 count.
    public static let maxNumbersPerOperation: UInt32 = 1 << 16

    /// True when `value` is at most `maxLead` beyond `known` (values at or below `known` are
    /// plausible here: older values are the protocol's business, as stale input).
    @inlinable public static func isPlausible(_ value: UInt64, ahead known: UInt64) -> Bool {
        value <= known || value - known <= maxLead
    }

    /// `known + maxLead`, saturating.
    @inlinable public static func limit(ahead known: UInt64) -> UInt64 {
        let (sum, overflow) = known.addingReportingOverflow(maxLead)
        return overflow ? .max : sum
    }
}
