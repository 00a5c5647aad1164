/// What the simulated network does to each message.
public struct NetworkFaults: Sendable, Equatable {
    /// Probability that a message is lost.
    public var drop: Double
    /// Probability that a message is delivered twice (each copy with its own delay).
    public var duplicate: Double
    /// Probability that a message is held back long enough to arrive after later ones.
    public var reorder: Double
    /// One-way delay, drawn uniformly per message.
    public var delayMicros: ClosedRange<UInt64>

    public init(drop: Double = 0, duplicate: Double = 0, reorder: Double = 0, delayMicros: ClosedRange<UInt64> = 10 ... 100) {
        self.drop = drop
        self.duplicate = duplicate
        self.reorder = reorder
        self.delayMicros = delayMicros
    }

    /// A network that only delays.
    public static let none = NetworkFaults()

    /// The same delays, no loss, duplication or reordering: what the network becomes when faults heal.
    public var healed: NetworkFaults { NetworkFaults(drop: 0, duplicate: 0, reorder: 0, delayMicros: delayMicros) }
}
