/// What roles report to their host: facts an observer records (the simulator's checkers, the
/// daemon's results), never instructions.
public enum Event: Sendable, Equatable {
    /// A client operation completed with these numbers.
    case operationCompleted(CompletedOperation)
    /// A role saw input that contradicts the protocol (a reply whose counts do not match the
    /// request, say). It dropped the input; in simulation this fails the run.
    case anomaly(role: Endpoint, description: String)
}

/// One completed client operation, as the client saw it.
public struct CompletedOperation: Sendable, Equatable {
    public var client: UInt32
    public var requestID: UInt64
    public var group: UInt16
    public var requested: SpaceCounts
    public var numbers: MultiSequenceNumber
    public var issuedAt: Instant
    public var completedAt: Instant

    public init(client: UInt32, requestID: UInt64, group: UInt16, requested: SpaceCounts,
                numbers: MultiSequenceNumber, issuedAt: Instant, completedAt: Instant) {
        self.client = client
        self.requestID = requestID
        self.group = group
        self.requested = requested
        self.numbers = numbers
        self.issuedAt = issuedAt
        self.completedAt = completedAt
    }
}
