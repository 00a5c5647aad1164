/// RFC 6298's retransmission timer, in microseconds: a smoothed round trip (SRTT) and its variation
/// (RTTVAR) from answered operations, RTO = SRTT + max(G, 4·RTTVAR) kept within a floor and a
/// ceiling, doubled (up to the ceiling) each time it expires. Samples follow Karn's rule: the caller
/// gives only round trips of operations sent once, since an answer to a resent one is ambiguous.
public struct RetransmissionTimer: Sendable, Equatable {
    public let floorMicros: UInt64
    public let ceilingMicros: UInt64
    /// The current retransmission timeout.
    public private(set) var rtoMicros: UInt64
    public private(set) var smoothedMicros: UInt64?
    public private(set) var variationMicros: UInt64 = 0

    /// The clock granularity G of RFC 6298 §2 (our clocks count nanoseconds; samples are whole µs).
    static let granularityMicros: UInt64 = 1

    /// `initialMicros` is the timeout before any sample (RFC 6298 §2.1), clamped like every other.
    public init(initialMicros: UInt64, floorMicros: UInt64, ceilingMicros: UInt64) {
        precondition(floorMicros >= 1 && floorMicros <= ceilingMicros, "a retransmission floor of at least 1 µs, below the ceiling")
        self.floorMicros = floorMicros
        self.ceilingMicros = ceilingMicros
        rtoMicros = min(max(initialMicros, floorMicros), ceilingMicros)
    }

    /// One measured round trip of an operation sent once (RFC 6298 §2.2-2.3, α = 1/8, β = 1/4).
    public mutating func sample(_ roundTripMicros: UInt64) {
        // Bounded so that no arithmetic below can overflow, whatever the clocks say.
        let r = min(roundTripMicros, ceilingMicros)
        if let srtt = smoothedMicros {
            let deviation = srtt > r ? srtt - r : r - srtt
            variationMicros = (3 * variationMicros + deviation) / 4
            smoothedMicros = (7 * srtt + r) / 8
        } else {
            smoothedMicros = r
            variationMicros = r / 2
        }
        let srtt = smoothedMicros ?? r
        rtoMicros = min(max(srtt + max(Self.granularityMicros, 4 * variationMicros), floorMicros), ceilingMicros)
        assert(rtoMicros >= floorMicros && rtoMicros <= ceilingMicros)
    }

    /// The timer expired with operations unanswered: back off (RFC 6298 §5.5).
    public mutating func backOff() {
        rtoMicros = min(rtoMicros * 2, ceilingMicros)
    }
}
