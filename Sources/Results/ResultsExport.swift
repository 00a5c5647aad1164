import Control
import Foundation
import GRDB

/// Everything in the database in forms pandas reads: one JSON document (sweeps, runs, their
/// attempts with every node's and client's results), or two CSV tables (one row per attempt with
/// its run, parameters and summary; one row per client of each attempt).
extension ResultsStore {
    /// `{"schema":N,"sweeps":[...],"runs":[{..., "attempts":[{..., "clients":[...], "nodes":[...],
    /// "faults":[...], "recovery":{...}}]}]}`: every stored value, times as ISO 8601 UTC, latency
    /// histograms as [value µs, count] pairs.
    public func exportJSON() throws -> Data {
        try JSONOutput.data(try exportDocument())
    }

    /// What `exportJSON` writes.
    func exportDocument() throws -> ExportDocument {
        let version = try schemaVersion()
        return try read { db in
            let dump = try ResultsDump(db)
            return ExportDocument(schema: version, sweeps: dump.sweeps, runs: try dump.runs.map { run in
                var run = run
                run.attempts = try (dump.attemptsByRun[run.run] ?? []).map { try dump.row(of: $0, db) }
                return run
            })
        }
    }

    /// The attempts table (run, sweep, point, trial, system, ..., outcome, summary, faults, then one
    /// column per parameter) and the clients table (run, attempt, node, endpoint, counters, the
    /// client's own percentiles).
    public func exportCSV() throws -> (attempts: CSVTable, clients: CSVTable) {
        let dump = try read { db in try ResultsDump(db) }
        let parameterKeys = Set(dump.runs.flatMap(\.params.keys)).sorted()
        var attemptRows: [AttemptCSVRow] = [], parameterCells: [[String]] = [], clientRows: [ClientCSVRow] = []
        for run in dump.runs {
            for attempt in dump.attemptsByRun[run.run] ?? [] {
                attemptRows.append(dump.csvRow(run: run, attempt: attempt))
                parameterCells.append(parameterKeys.map { run.params[$0]?.description ?? "" })
                clientRows += (dump.clientsByAttempt[attempt.id] ?? []).map { ClientCSVRow(run: run.run, attempt: attempt.row.number, client: $0) }
            }
        }
        // The parameters follow the fixed columns; one named like a fixed column is prefixed.
        var attempts = CSVTable(attemptRows)
        attempts.header += parameterKeys.map { AttemptCSVRow.columns.contains($0) ? "param_\($0)" : $0 }
        attempts.rows = zip(attempts.rows, parameterCells).map { $0 + $1 }
        return (attempts, CSVTable(clientRows))
    }
}

/// The whole database read in one snapshot as the JSON export's rows, which the CSV tables are
/// made from too. What a row nests (a run's attempts, an attempt's clients, nodes, faults and
/// recovery, a client's per-interval completions) is left empty here and filled by `row(of:_:)`.
struct ResultsDump {
    /// An attempt's row with the id its clients, nodes and faults are stored under.
    struct Attempt {
        var id: Int64
        var row: ExportDocument.Attempt
    }

    var sweeps: [ExportDocument.Sweep]
    var runs: [ExportDocument.Run]
    var attemptsByRun: [Int64: [Attempt]]
    var clientsByAttempt: [Int64: [ExportDocument.Client]]
    var faultsByAttempt: [Int64: [FaultEvent]]

    init(_ db: Database) throws {
        sweeps = try Row.fetchAll(db, sql: "SELECT * FROM sweep ORDER BY id").map { row in
            ExportDocument.Sweep(id: row["id"], figure: row["figure"], mode: row["mode"], scale: row["scale"], trials: row["trials"],
                                 status: row["status"], created: iso(row["created"]), finished: (row["finished"] as Date?).map(iso))
        }
        runs = try Row.fetchAll(db, sql: "SELECT r.*, t.name AS testbed FROM run r JOIN testbed t ON t.id = r.testbed_id ORDER BY r.id").map { row in
            ExportDocument.Run(run: row["id"], sweep: row["sweep_id"], point: row["point_key"], trial: row["trial"], system: row["system"],
                               params: try StoredJSON.parameters(row["parameters"]), configuration: JSONValue(stored: row["configuration"]),
                               masonlabVersion: row["masonlab_version"], testbed: row["testbed"], status: row["status"],
                               created: iso(row["created"]), attempts: [])
        }
        let attempts = try Row.fetchAll(db, sql: "SELECT * FROM attempt ORDER BY run_id, number").map { row in
            (run: row["run_id"] as Int64,
             attempt: Attempt(id: row["id"], row: ExportDocument.Attempt(
                number: row["number"], started: iso(row["started"]), ended: iso(row["ended"]), outcome: row["outcome"],
                reason: row["reason"], measuredSeconds: row["measured_seconds"], intervalMillis: row["interval_millis"],
                clients: row["clients"], completedInWindow: row["completed_in_window"], throughputOps: row["throughput_ops"],
                p50Micros: row["p50_us"], p99Micros: row["p99_us"], p999Micros: row["p999_us"], p9999Micros: row["p9999_us"],
                faults: [], clientResults: [], nodes: [], recovery: nil)))
        }
        attemptsByRun = Dictionary(grouping: attempts, by: \.run).mapValues { $0.map(\.attempt) }
        let clients = try Row.fetchAll(db, sql: "SELECT * FROM client_result ORDER BY attempt_id, node, endpoint").map { row in
            let blob: Data = row["latency_histogram"]
            let latency = LatencyHistogram.decode(blob) ?? []
            let p = Self.percentiles(latency)
            return (attempt: row["attempt_id"] as Int64,
                    client: ExportDocument.Client(
                        node: row["node"], endpoint: row["endpoint"], group: row["proxy_group"], crashed: row["crashed"],
                        completed: row["completed"], completedInWindow: row["completed_in_window"],
                        retransmissions: row["retransmissions"], failovers: row["failovers"],
                        p50Micros: p[0], p99Micros: p[1], p999Micros: p[2], p9999Micros: p[3], latencyMicros: latency, completions: [],
                        highest: JSONValue(stored: row["highest"]), numbers: JSONValue(stored: row["numbers"]),
                        rangesByInterval: (row["ranges"] as String?).map(JSONValue.init(stored:))))
        }
        clientsByAttempt = Dictionary(grouping: clients, by: \.attempt).mapValues { $0.map(\.client) }
        faultsByAttempt = try ResultsStore.faultsByAttempt(db, run: nil)
    }

    /// p50, p99, p99.9 and p99.99 of a client's [value µs, count] pairs; zeros when it has none.
    static func percentiles(_ latency: [[UInt64]]) -> [UInt64] {
        let histogram = LatencyHistogram.merged([latency])
        guard histogram.totalCount > 0 else { return [0, 0, 0, 0] }
        return [50, 99, 99.9, 99.99].map { histogram.valueAtPercentile($0) }
    }

    func csvRow(run: ExportDocument.Run, attempt: Attempt) -> AttemptCSVRow {
        let sweep = run.sweep.flatMap { id in sweeps.first { $0.id == id } }
        let faults = (faultsByAttempt[attempt.id] ?? []).map { "\($0.kind)@\($0.atSeconds)s:\($0.target)" }.joined(separator: ";")
        let a = attempt.row
        return AttemptCSVRow(run: run.run, sweep: run.sweep, figure: sweep?.figure, mode: sweep?.mode, scale: sweep?.scale, point: run.point,
                             trial: run.trial, system: run.system, testbed: run.testbed, masonlabVersion: run.masonlabVersion,
                             runStatus: run.status, attempt: a.number, started: a.started, ended: a.ended,
                             outcome: a.outcome, reason: a.reason, measuredSeconds: a.measuredSeconds,
                             intervalMillis: a.intervalMillis, clients: a.clients, completedInWindow: a.completedInWindow,
                             throughputOps: a.throughputOps, p50Micros: a.p50Micros, p99Micros: a.p99Micros, p999Micros: a.p999Micros,
                             p9999Micros: a.p9999Micros, faults: faults)
    }

    /// The attempt's export row, with the rest of it (nodes, per-interval completions, recovery curve) read from `db`.
    func row(of attempt: Attempt, _ db: Database) throws -> ExportDocument.Attempt {
        var completionsByClient: [String: [Int64]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT c.node, c.endpoint, i.completions FROM client_interval i JOIN client_result c ON c.id = i.client_result_id
            WHERE c.attempt_id = ? ORDER BY c.node, c.endpoint, i.interval
            """, arguments: [attempt.id])
        {
            completionsByClient["\(row["node"] as Int)/\(row["endpoint"] as Int64)", default: []].append(row["completions"])
        }
        var exported = attempt.row
        exported.nodes = try Row.fetchAll(db, sql: "SELECT * FROM node_result WHERE attempt_id = ? ORDER BY node", arguments: [attempt.id]).map { row in
            ExportDocument.Node(node: row["node"], label: row["label"], originUnixNanos: row["origin_unix_nanos"],
                                intervalMillis: row["interval_millis"], proxies: JSONValue(stored: row["proxies"]),
                                sequencers: JSONValue(stored: row["sequencers"]))
        }
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM recovery_curve WHERE attempt_id = ?)", arguments: [attempt.id]) == true {
            let curve = try ResultsStore.curve(attempt: attempt.id, db)
            exported.recovery = ExportDocument.Recovery(intervalMillis: curve.intervalMillis, warmupMillis: curve.warmupMillis,
                                                   highestContiguous: curve.highestContiguous, completions: curve.completions)
        }
        exported.faults = (faultsByAttempt[attempt.id] ?? []).map {
            ExportDocument.Fault(kind: $0.kind, target: $0.target, atSeconds: $0.atSeconds, endSeconds: $0.endSeconds)
        }
        exported.clientResults = (clientsByAttempt[attempt.id] ?? []).map { client in
            var client = client
            client.completions = completionsByClient["\(client.node)/\(client.endpoint)"] ?? []
            return client
        }
        return exported
    }
}

/// ISO 8601 in UTC with milliseconds: `2025-11-26T15:44:00.123Z`.
func iso(_ date: Date) -> String {
    Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
}
