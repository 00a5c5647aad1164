import ArgumentParser
import Protocols
import Simulation

extension SystemKind: ExpressibleByArgument {}

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
