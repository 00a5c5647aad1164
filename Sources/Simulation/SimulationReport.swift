/// A scheduled fault and how long the cluster took to hand out a new number after it.
public struct FaultRecovery: Sendable, Equatable {
    /// `kill-leader`, `kill-sequencer`, `partition` or `crash ROLE`.
    public var fault: String
    public var atSeconds: Double
    /// Simulated milliseconds from the fault to the first new number (nil: none came).
    public var recoveryMillis: Double?
}

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
    public var recoveries: [FaultRecovery]
    /// Per space, the lowest bitmap base over every live replica: the GC ring truncated below it.
    public var gcTruncatedBelow: [UInt64]
    public var digest: RunDigest

    public var ok: Bool { invariants.allSatisfy(\.held) }
    public var failed: [InvariantResult] { invariants.filter { !$0.held } }
}
