/// What one simulated run found.
public struct SimulationReport: Sendable, Equatable {
    public var seed: UInt64
    public var invariants: [InvariantResult]
    /// Operations completed over the whole run (load and quiescence).
    public var operations: UInt64
    /// Operations completed per simulated second during the load phase.
    public var throughputOpsPerSecond: Double
    public var p50Micros: UInt64
    public var p99Micros: UInt64
    public var p999Micros: UInt64
    public var messagesDelivered: UInt64
    public var simulatedSeconds: Double
    public var digest: RunDigest

    public var ok: Bool { invariants.allSatisfy(\.held) }
    public var failed: [InvariantResult] { invariants.filter { !$0.held } }
}
