/// `results export --csv`'s attempts table: one row per attempt with its run and sweep, outcome
/// and summary, then (added by `exportCSV`) one column per run parameter. Times are ISO 8601
/// UTC with milliseconds; faults are `kind@Ns:target` joined by `;`.
struct AttemptCSVRow: CSVRow {
    var run: Int64
    var sweep: Int64?
    var figure: String?
    var mode: String?
    var scale: String?
    var point: String?
    var trial: Int
    var system: String
    var testbed: String
    var masonlabVersion: String
    var runStatus: String
    var attempt: Int
    var started: String
    var ended: String
    var outcome: String
    var reason: String?
    var measuredSeconds: Double
    var intervalMillis: Int64
    var clients: Int
    var completedInWindow: Int64
    var throughputOps: Double?
    var p50Micros: Int64?
    var p99Micros: Int64?
    var p999Micros: Int64?
    var p9999Micros: Int64?
    var faults: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case run, sweep, figure, mode, scale, point, trial, system, testbed, masonlabVersion = "masonlab_version",
             runStatus = "run_status", attempt, started, ended, outcome, reason, measuredSeconds = "measured_seconds",
             intervalMillis = "interval_millis", clients, completedInWindow = "completed_in_window", throughputOps = "throughput_ops",
             p50Micros = "p50_us", p99Micros = "p99_us", p999Micros = "p999_us", p9999Micros = "p9999_us", faults
    }
}

/// `results export --csv`'s clients table: one row per client of each attempt, with its counters
/// and its own latency percentiles. The cells from `node` to `failovers` and the percentiles are
/// the JSON export's client row under the same names; its histogram, completions and stored
/// JSON are not columns and are left out.
struct ClientCSVRow: CSVRow {
    var run: Int64
    var attempt: Int
    var client: ExportDocument.Client

    enum CodingKeys: String, CodingKey, CaseIterable {
        case run, attempt, node, endpoint, group, crashed, completed, completedInWindow = "completed_in_window", retransmissions,
             failovers, latencyCount = "latency_count", p50Micros = "p50_us", p99Micros = "p99_us", p999Micros = "p999_us",
             p9999Micros = "p9999_us"
    }

    func encode(to encoder: any Encoder) throws {
        try client.encode(to: encoder)
        var row = encoder.container(keyedBy: CodingKeys.self)
        try row.encode(run, forKey: .run)
        try row.encode(attempt, forKey: .attempt)
        try row.encode(client.latencyMicros.reduce(UInt64(0)) { $0 + $1[1] }, forKey: .latencyCount)
    }
}
