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
/// and its own latency percentiles.
struct ClientCSVRow: CSVRow {
    var run: Int64
    var attempt: Int
    var node: Int
    var endpoint: Int64
    var group: Int
    var crashed: Bool
    var completed: Int64
    var completedInWindow: Int64
    var retransmissions: Int64
    var failovers: Int64
    var latencyCount: UInt64
    var p50Micros: UInt64
    var p99Micros: UInt64
    var p999Micros: UInt64
    var p9999Micros: UInt64

    enum CodingKeys: String, CodingKey, CaseIterable {
        case run, attempt, node, endpoint, group, crashed, completed, completedInWindow = "completed_in_window", retransmissions,
             failovers, latencyCount = "latency_count", p50Micros = "p50_us", p99Micros = "p99_us", p999Micros = "p999_us",
             p9999Micros = "p9999_us"
    }
}

extension ClientCSVRow {
    /// The CSV row of a client's JSON export row: its counters and percentiles, the histogram's count.
    init(_ client: ExportDocument.Client, run: Int64, attempt: Int) {
        self.init(run: run, attempt: attempt, node: client.node, endpoint: client.endpoint, group: client.group, crashed: client.crashed,
                  completed: client.completed, completedInWindow: client.completedInWindow, retransmissions: client.retransmissions,
                  failovers: client.failovers, latencyCount: client.latencyMicros.reduce(UInt64(0)) { $0 + $1[1] },
                  p50Micros: client.p50Micros, p99Micros: client.p99Micros, p999Micros: client.p999Micros, p9999Micros: client.p9999Micros)
    }
}
