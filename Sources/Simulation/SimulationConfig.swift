import Protocols

/// The systems the simulator can run.
public enum SystemKind: String, CaseIterable, Sendable {
    case mason
}

/// One simulated cluster and its workload. Every field has a default that makes a small, fast run.
public struct SimulationConfig: Sendable, Equatable {
    public var system: SystemKind = .mason
    public var proxyGroups = 2
    public var replicas = 1
    /// Client processes, each running `clientThreads` independent clients.
    public var clients = 2
    public var clientThreads = 2
    public var spaces = 4
    public var concurrency = 4
    public var demand: Demand = .all
    /// Simulated seconds of load; then clients stop issuing and the network heals.
    public var durationSeconds = 1.0
    public var seed: UInt64 = 1
    public var faults = NetworkFaults()
    public var batchTimeoutMicros: UInt64 = 20
    public var maxBatchOps = 64
    /// How long, after the load stops, every outstanding operation has to complete (liveness).
    public var quiesceSeconds = 10.0

    public init() {}

    /// Independent clients in the cluster.
    public var totalClients: Int { clients * clientThreads }

    /// Checks every field; returns one sentence naming the first bad value, or nil.
    public func validationError() -> String? {
        if proxyGroups < 1 || proxyGroups > Int(UInt16.max) { return "--proxy-groups must be between 1 and 65535 (got \(proxyGroups))." }
        if replicas != 1 { return "--replicas must be 1: proxy groups are single replicas until Raft groups land (got \(replicas))." }
        if clients < 1 { return "--nclients must be at least 1 (got \(clients))." }
        if clientThreads < 1 { return "--nclient-threads must be at least 1 (got \(clientThreads))." }
        if !(1 ... maxSequenceSpaces).contains(spaces) { return "--nsequence-spaces must be between 1 and \(maxSequenceSpaces) (got \(spaces))." }
        if concurrency < 1 || concurrency > 4_096 { return "--concurrency must be between 1 and 4096 (got \(concurrency))." }
        if case let .random(k) = demand, !(1 ... spaces).contains(k) {
            return "--demand must be 'all' or a number of spaces between 1 and \(spaces) (got \(k))."
        }
        if !(durationSeconds > 0 && durationSeconds <= 3_600) { return "--duration must be between 0 and 3600 simulated seconds (got \(durationSeconds))." }
        for (name, p) in [("--drop", faults.drop), ("--duplicate", faults.duplicate), ("--reorder", faults.reorder)]
            where !(p >= 0 && p <= 1) {
            return "\(name) must be a probability between 0 and 1 (got \(p))."
        }
        if faults.drop >= 1 { return "--drop must be below 1, or no message would ever arrive (got \(faults.drop))." }
        if faults.delayMicros.upperBound > 10_000_000 { return "--delay-us must be at most 10000000 microseconds (got \(faults.delayMicros.upperBound))." }
        if batchTimeoutMicros < 1 { return "--batch-timeout-us must be at least 1 (got \(batchTimeoutMicros))." }
        if maxBatchOps < 1 { return "--max-batch-ops must be at least 1 (got \(maxBatchOps))." }
        return nil
    }
}
