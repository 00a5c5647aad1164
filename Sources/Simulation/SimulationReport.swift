/// A scheduled fault and how long the cluster took to hand out a new number after it.
public struct FaultRecovery: Sendable, Equatable {
    public var fault: ScheduledFault
    /// When the fault was scheduled.
    public var atSeconds: Double
    /// When it hit its target: later than `atSeconds` for a leader kill that waited for a leader;
    /// nil when it never hit (the `faultsHit` invariant then fails the seed).
    public var hitSeconds: Double?
    /// Simulated milliseconds from the hit to the first new number (nil: none came, or no hit).
    /// What counts as new depends on what the fault hit, not on how it was spelled: after the
    /// primary sequencer, the first batch the backup numbered; after a group's leader, that
    /// group's first client batch numbered above all it committed before; otherwise the first
    /// client batch committed after the fault.
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
