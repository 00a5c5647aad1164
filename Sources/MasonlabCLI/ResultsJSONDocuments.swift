import Control
import Foundation
import Results

/// `--json` of `results percentiles`, `run` and `sweep`: `{"rows":[{"run":ID,"system":...,"params":{...},
/// "throughput_ops":X,"p50_us":X,...}]}`.
struct PercentilesDocument: Encodable {
    var rows: [Row]

    struct Row: Encodable {
        var run: Int64
        var system: String
        var params: RunParameters
        var throughputOps: Double
        var p50Micros: Double
        var p99Micros: Double
        var p999Micros: Double
        var p9999Micros: Double

        enum CodingKeys: String, CodingKey {
            case run, system, params, throughputOps = "throughput_ops", p50Micros = "p50_us", p99Micros = "p99_us",
                 p999Micros = "p999_us", p9999Micros = "p9999_us"
        }
    }

    init(_ rows: [PercentileRow]) {
        self.rows = rows.map { row in
            Row(run: row.run.rawValue, system: row.system, params: row.parameters, throughputOps: row.throughputOps,
                p50Micros: row.p50Micros, p99Micros: row.p99Micros, p999Micros: row.p999Micros, p9999Micros: row.p9999Micros)
        }
    }
}

/// `results list --json`: `{"sweeps":[...],"runs":[...]}`, every key present (`null` when absent),
/// times as `results list` prints them (`2025-11-26 15:44:00Z`).
struct ResultsListDocument: Encodable {
    var sweeps: [Sweep]
    var runs: [Run]

    struct Sweep: Encodable {
        var id: Int64
        var figure: String
        @ExplicitNull var mode: String?
        var scale: String
        var trials: Int
        var status: String
        var created: String
        @ExplicitNull var finished: String?
        var runs: RunCounts
    }

    struct RunCounts: Encodable {
        var succeeded: Int
        var failed: Int
        var pending: Int
    }

    struct Run: Encodable {
        var run: Int64
        @ExplicitNull var sweep: Int64?
        @ExplicitNull var point: String?
        var trial: Int
        var system: String
        var params: RunParameters
        var testbed: String
        var status: String
        var attempts: Int
        @ExplicitNull var throughputOps: Double?
        @ExplicitNull var p50Micros: UInt64?
        @ExplicitNull var p99Micros: UInt64?
        var created: String

        enum CodingKeys: String, CodingKey {
            case run, sweep, point, trial, system, params, testbed, status, attempts, throughputOps = "throughput_ops",
                 p50Micros = "p50_us", p99Micros = "p99_us", created
        }
    }

    init(sweeps: [SweepListing], runs: [RunListing]) {
        self.sweeps = sweeps.map { s in
            Sweep(id: s.id.rawValue, figure: s.figure, mode: s.mode, scale: s.scale, trials: s.trials, status: s.status,
                  created: timestamp(s.created), finished: s.finished.map(timestamp),
                  runs: RunCounts(succeeded: s.succeededRuns, failed: s.failedRuns, pending: s.pendingRuns))
        }
        self.runs = runs.map { r in
            Run(run: r.id.rawValue, sweep: r.sweep?.rawValue, point: r.pointKey, trial: r.trial, system: r.system, params: r.parameters,
                testbed: r.testbed, status: r.status, attempts: r.attempts, throughputOps: r.throughputOps, p50Micros: r.p50Micros,
                p99Micros: r.p99Micros, created: timestamp(r.created))
        }
    }
}

/// `run --json` when the attempt could not be written to the database (kept pending): the
/// percentile row computed from the attempt itself, marked `"pending":true`.
struct PendingRunDocument: Encodable {
    var rows: [Row]

    struct Row: Encodable {
        var run: Int64
        var system: String
        var pending = true
        var throughputOps: Double
        var p50Micros: UInt64
        var p99Micros: UInt64
        var p999Micros: UInt64
        var p9999Micros: UInt64

        enum CodingKeys: String, CodingKey {
            case run, system, pending, throughputOps = "throughput_ops", p50Micros = "p50_us", p99Micros = "p99_us",
                 p999Micros = "p999_us", p9999Micros = "p9999_us"
        }
    }

    init(run: RunID, system: String, _ s: LatencySummary) {
        rows = [Row(run: run.rawValue, system: system, throughputOps: s.throughputOps, p50Micros: s.p50Micros, p99Micros: s.p99Micros,
                    p999Micros: s.p999Micros, p9999Micros: s.p9999Micros)]
    }
}
