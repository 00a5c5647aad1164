import Foundation
import GRDB

/// Which runs a percentile table covers.
public enum PercentileScope: Sendable, Equatable {
    /// One run: one row (none if it has not succeeded).
    case run(RunID)
    /// One sweep: one row per point, the median over its succeeded trials.
    case sweep(SweepID)
    /// Every sweep of a figure: one row per sweep point, as for `.sweep`.
    case figure(String)
    /// Every succeeded run: one row per run.
    case all
}

/// One line of `masonlab results percentiles`: a run's (or a sweep point's) parameters, throughput
/// summed over clients, and latency percentiles of the merged histogram of all its clients. For a
/// sweep point, each number is the median over the point's succeeded trials.
public struct PercentileRow: Sendable, Equatable {
    /// The run, or for a sweep point the first of its trials' runs.
    public var run: RunID
    /// Every run the row summarises, in trial order of creation (one for a run row).
    public var runs: [RunID]
    public var sweep: SweepID?
    public var pointKey: String?
    public var system: String
    public var parameters: RunParameters
    public var throughputOps: Double
    public var p50Micros: Double
    public var p99Micros: Double
    public var p999Micros: Double
    public var p9999Micros: Double

    public init(run: RunID, runs: [RunID], sweep: SweepID?, pointKey: String?, system: String, parameters: RunParameters,
                throughputOps: Double, p50Micros: Double, p99Micros: Double, p999Micros: Double, p9999Micros: Double) {
        self.run = run
        self.runs = runs
        self.sweep = sweep
        self.pointKey = pointKey
        self.system = system
        self.parameters = parameters
        self.throughputOps = throughputOps
        self.p50Micros = p50Micros
        self.p99Micros = p99Micros
        self.p999Micros = p999Micros
        self.p9999Micros = p9999Micros
    }

    /// Number of succeeded trials behind the row.
    public var trials: Int { runs.count }
}

extension ResultsStore {
    /// The percentile table of `scope`, in the order runs were created. Only succeeded runs count,
    /// and only their succeeded attempt.
    public func percentiles(_ scope: PercentileScope) throws -> [PercentileRow] {
        try read { db in
            let filter: String
            let arguments: StatementArguments
            switch scope {
            case let .run(id):
                try Self.requireRun(id, db)
                (filter, arguments) = ("r.id = ?", [id.rawValue])
            case let .sweep(id):
                try Self.requireSweep(id, db)
                (filter, arguments) = ("r.sweep_id = ?", [id.rawValue])
            case let .figure(name):
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sweep WHERE figure = ?)", arguments: [name]) == true else {
                    throw ResultsError.unknownFigure(name)
                }
                (filter, arguments) = ("r.sweep_id IN (SELECT id FROM sweep WHERE figure = ?)", [name])
            case .all:
                (filter, arguments) = ("1", [])
            }
            let runRows = try Row.fetchAll(db, sql: """
                SELECT r.id, r.sweep_id, r.point_key, r.system, r.parameters, a.throughput_ops,
                       a.p50_us, a.p99_us, a.p999_us, a.p9999_us
                FROM run r JOIN attempt a ON a.run_id = r.id AND a.outcome = 'succeeded'
                WHERE r.status = 'succeeded' AND \(filter)
                ORDER BY r.id
                """, arguments: arguments).map { row in
                PercentileRow(run: RunID(row["id"]), runs: [RunID(row["id"])], sweep: (row["sweep_id"] as Int64?).map { SweepID($0) },
                              pointKey: row["point_key"], system: row["system"], parameters: try StoredJSON.parameters(row["parameters"]),
                              throughputOps: row["throughput_ops"] ?? 0, p50Micros: Double(row["p50_us"] as Int64? ?? 0),
                              p99Micros: Double(row["p99_us"] as Int64? ?? 0), p999Micros: Double(row["p999_us"] as Int64? ?? 0),
                              p9999Micros: Double(row["p9999_us"] as Int64? ?? 0))
            }
            switch scope {
            case .run, .all: return runRows
            case .sweep, .figure: return Self.medianPerPoint(runRows)
            }
        }
    }

    /// Groups run rows by (sweep, point) in order of first appearance; each number is the median
    /// over the group.
    static func medianPerPoint(_ rows: [PercentileRow]) -> [PercentileRow] {
        struct Point: Hashable {
            var sweep: SweepID?
            var key: String?
        }
        var order: [Point] = []
        var groups: [Point: [PercentileRow]] = [:]
        for row in rows {
            let point = Point(sweep: row.sweep, key: row.pointKey)
            if groups[point] == nil { order.append(point) }
            groups[point, default: []].append(row)
        }
        return order.map { point in
            let trials = groups[point]!
            var row = trials[0]
            row.runs = trials.map(\.run)
            row.throughputOps = median(trials.map(\.throughputOps))
            row.p50Micros = median(trials.map(\.p50Micros))
            row.p99Micros = median(trials.map(\.p99Micros))
            row.p999Micros = median(trials.map(\.p999Micros))
            row.p9999Micros = median(trials.map(\.p9999Micros))
            return row
        }
    }

    /// The middle value, or the mean of the two middle values of an even count.
    static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "a median needs values")
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
