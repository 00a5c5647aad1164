import ArgumentParser
import Control
import Protocols
import Simulation

/// `--demand all` or `--demand K` (K random spaces per operation).
struct DemandArgument: ExpressibleByArgument {
    var demand: Demand

    init?(argument: String) {
        if argument == "all" { demand = .all; return }
        guard let k = Int(argument) else { return nil }
        demand = .random(k: k)
    }

    var defaultValueDescription: String { demand.description }
}

/// `--delay-us LO-HI` or `--delay-us D`.
struct DelayArgument: ExpressibleByArgument {
    var range: ClosedRange<UInt64>

    init(range: ClosedRange<UInt64>) { self.range = range }

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard (1 ... 2).contains(parts.count), let lo = UInt64(parts[0]), let hi = UInt64(parts[parts.count - 1]), lo <= hi else {
            return nil
        }
        range = lo ... hi
    }

    var defaultValueDescription: String { "\(range.lowerBound)-\(range.upperBound)" }
}

/// `--partition T:DURATION`.
struct PartitionArgument: ExpressibleByArgument {
    var fault: PartitionFault

    init?(argument: String) {
        let parts = argument.split(separator: ":")
        guard parts.count == 2, let at = Double(parts[0]), let duration = Double(parts[1]) else { return nil }
        fault = PartitionFault(atSeconds: at, durationSeconds: duration)
    }
}

/// `--crash ROLE:T`.
struct CrashArgument: ExpressibleByArgument {
    var fault: CrashFault

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let at = Double(argument[argument.index(after: colon)...]) else { return nil }
        fault = CrashFault(role: String(argument[..<colon]), atSeconds: at)
    }
}

extension Simulate {
    /// The bounds `SimulationConfig.validationError` leaves open (upper ends), checked first because
    /// that validation computes with them: `--max-batch-ops 9223372036854775807` trapped inside the
    /// proxy's batch-size check, and `--nclients` × `--nclient-threads` is a product.
    func checkRanges() throws {
        typealias F = FlagBounds
        try F.check("--nclients", clients, 1 ... 10_000)
        try F.check("--nclient-threads", clientThreads, 1 ... 64)
        try F.check("--max-batch-ops", maxBatchOps, MasonSpecBounds.maxBatchOps)
        try F.check("--max-log-size", maxLogSize, 16 ... MasonSpecBounds.maxLogSize.upperBound)
        try F.check("--batch-timeout-us", batchTimeoutMicros, MasonSpecBounds.batchTimeoutMicros)
        try F.check("--gc-interval-us", gcIntervalMicros, 100 ... 10_000_000)
        try F.check("--nsequence-spaces", spaces, 1 ... maxSequenceSpaces)
        if case let .random(k) = demand.demand { try F.check("--demand", k, 1 ... spaces) }
        for p in partitions {
            try F.checkSeconds("--partition (start)", p.fault.atSeconds, 0 ... 3_600)
            try F.checkSeconds("--partition (duration)", p.fault.durationSeconds, 0 ... 3_600)
        }
        for c in crashes { try F.checkSeconds("--crash \(c.fault.role)", c.fault.atSeconds, 0 ... 3_600) }
    }
}
