import Bench
import Control

/// `masonlab bench --json`: `{"benchmarks":[...]}`, one object per in-process benchmark
/// (`name`, `unit`, `per_second`, `target`, null when it has none) and, when it ran, the
/// cluster's (`name`, `operations_per_second`, the percentiles, its targets).
struct BenchDocument: Encodable {
    var benchmarks: [Entry]

    enum Entry: Encodable {
        case inProcess(InProcess)
        case cluster(Cluster)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case let .inProcess(entry): try entry.encode(to: encoder)
            case let .cluster(entry): try entry.encode(to: encoder)
            }
        }
    }

    struct InProcess: Encodable {
        var name: String
        var unit: String
        var perSecond: Double
        @ExplicitNull var target: Double?

        enum CodingKeys: String, CodingKey {
            case name, unit, perSecond = "per_second", target
        }
    }

    struct Cluster: Encodable {
        var name = "cluster"
        var operationsPerSecond: Double
        var p50Micros: UInt64
        var p99Micros: UInt64
        var p999Micros: UInt64
        var targetOps: Int
        var targetP99Micros: Int

        enum CodingKeys: String, CodingKey {
            case name, operationsPerSecond = "operations_per_second", p50Micros = "p50_us", p99Micros = "p99_us",
                 p999Micros = "p999_us", targetOps = "target_ops", targetP99Micros = "target_p99_us"
        }
    }

    init(_ results: [BenchResult], cluster: ClusterBenchResult?) {
        benchmarks = results.map { .inProcess(InProcess(name: $0.name, unit: $0.unit, perSecond: $0.perSecond.rounded(), target: $0.target)) }
        if let cluster { benchmarks.append(.cluster(cluster.entry)) }
    }
}
