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
            return ExportDocument(schema: version, sweeps: dump.sweeps.map(\.row), runs: try dump.runs.map { run in
                run.row(attempts: try (dump.attemptsByRun[run.id] ?? []).map { try dump.row(of: $0, db) })
            })
        }
    }

    /// The attempts table (run, sweep, point, trial, system, ..., outcome, summary, faults, then one
    /// column per parameter) and the clients table (run, attempt, node, endpoint, counters, the
    /// client's own percentiles).
    public func exportCSV() throws -> (attempts: CSVTable, clients: CSVTable) {
        let dump = try read { db in try ResultsDump(db) }
        let parameterKeys = Set(dump.runs.flatMap(\.parameters.keys)).sorted()
        var attemptRows: [AttemptCSVRow] = [], parameterCells: [[String]] = [], clientRows: [ClientCSVRow] = []
        for run in dump.runs {
            for attempt in dump.attemptsByRun[run.id] ?? [] {
                attemptRows.append(dump.csvRow(run: run, attempt: attempt))
                parameterCells.append(parameterKeys.map { run.parameters[$0]?.description ?? "" })
                clientRows += (dump.clientsByAttempt[attempt.id] ?? []).map { $0.csvRow(run: run.id, attempt: attempt.number) }
            }
        }
        // The parameters follow the fixed columns; one named like a fixed column is prefixed.
        var attempts = CSVTable(attemptRows)
        attempts.header += parameterKeys.map { AttemptCSVRow.columns.contains($0) ? "param_\($0)" : $0 }
        attempts.rows = zip(attempts.rows, parameterCells).map { $0 + $1 }
        return (attempts, CSVTable(clientRows))
    }
}

/// The whole database read in one snapshot, for the exports.
struct ResultsDump {
    struct Sweep {
        var id: Int64
        var figure: String
        var mode: String?
        var scale: String
        var trials: Int
        var status: String
        var created: Date
        var finished: Date?

        var row: ExportDocument.Sweep {
            ExportDocument.Sweep(id: id, figure: figure, mode: mode, scale: scale, trials: trials, status: status,
                                 created: iso(created), finished: finished.map(iso))
        }
    }

    struct Run {
        var id: Int64
        var sweep: Int64?
        var pointKey: String?
        var trial: Int
        var system: String
        var parameters: RunParameters
        var configuration: String
        var masonlabVersion: String
        var testbed: String
        var status: String
        var created: Date

        func row(attempts: [ExportDocument.Attempt]) -> ExportDocument.Run {
            ExportDocument.Run(run: id, sweep: sweep, point: pointKey, trial: trial, system: system, params: parameters,
                               configuration: JSONValue(stored: configuration), masonlabVersion: masonlabVersion, testbed: testbed,
                               status: status, created: iso(created), attempts: attempts)
        }
    }

    struct Attempt {
        var id: Int64
        var number: Int
        var started: Date
        var ended: Date
        var outcome: String
        var reason: String?
        var measuredSeconds: Double
        var intervalMillis: Int64
        var clients: Int
        var completedInWindow: Int64
        var throughputOps: Double?
        var percentiles: [Int64?]
    }

    struct Client {
        var node: Int
        var endpoint: Int64
        var group: Int
        var crashed: Bool
        var completed: Int64
        var completedInWindow: Int64
        var retransmissions: Int64
        var failovers: Int64
        var latency: [[UInt64]]
        var highest: String
        var numbers: String
        var ranges: String?

        func percentiles() -> [UInt64] {
            let histogram = LatencyHistogram.merged([latency])
            guard histogram.totalCount > 0 else { return [0, 0, 0, 0] }
            return [50, 99, 99.9, 99.99].map { histogram.valueAtPercentile($0) }
        }

        func csvRow(run: Int64, attempt: Int) -> ClientCSVRow {
            let p = percentiles()
            return ClientCSVRow(run: run, attempt: attempt, node: node, endpoint: endpoint, group: group, crashed: crashed,
                                completed: completed, completedInWindow: completedInWindow, retransmissions: retransmissions,
                                failovers: failovers, latencyCount: latency.reduce(UInt64(0)) { $0 + $1[1] }, p50Micros: p[0],
                                p99Micros: p[1], p999Micros: p[2], p9999Micros: p[3])
        }

        func row(completions: [Int64]) -> ExportDocument.Client {
            let p = percentiles()
            return ExportDocument.Client(node: node, endpoint: endpoint, group: group, crashed: crashed, completed: completed,
                                         completedInWindow: completedInWindow, retransmissions: retransmissions, failovers: failovers,
                                         p50Micros: p[0], p99Micros: p[1], p999Micros: p[2], p9999Micros: p[3], latencyMicros: latency,
                                         completions: completions, highest: JSONValue(stored: highest), numbers: JSONValue(stored: numbers),
                                         rangesByInterval: ranges.map(JSONValue.init(stored:)))
        }
    }

    var sweeps: [Sweep]
    var runs: [Run]
    var attemptsByRun: [Int64: [Attempt]]
    var clientsByAttempt: [Int64: [Client]]
    var faultsByAttempt: [Int64: [FaultEvent]]

    init(_ db: Database) throws {
        sweeps = try Row.fetchAll(db, sql: "SELECT * FROM sweep ORDER BY id").map { row in
            Sweep(id: row["id"], figure: row["figure"], mode: row["mode"], scale: row["scale"], trials: row["trials"],
                  status: row["status"], created: row["created"], finished: row["finished"])
        }
        runs = try Row.fetchAll(db, sql: "SELECT r.*, t.name AS testbed FROM run r JOIN testbed t ON t.id = r.testbed_id ORDER BY r.id").map { row in
            Run(id: row["id"], sweep: row["sweep_id"], pointKey: row["point_key"], trial: row["trial"], system: row["system"],
                parameters: try StoredJSON.parameters(row["parameters"]), configuration: row["configuration"],
                masonlabVersion: row["masonlab_version"], testbed: row["testbed"], status: row["status"], created: row["created"])
        }
        let attempts = try Row.fetchAll(db, sql: "SELECT * FROM attempt ORDER BY run_id, number").map { row in
            (run: row["run_id"] as Int64,
             attempt: Attempt(id: row["id"], number: row["number"], started: row["started"], ended: row["ended"], outcome: row["outcome"],
                              reason: row["reason"], measuredSeconds: row["measured_seconds"], intervalMillis: row["interval_millis"],
                              clients: row["clients"], completedInWindow: row["completed_in_window"], throughputOps: row["throughput_ops"],
                              percentiles: [row["p50_us"], row["p99_us"], row["p999_us"], row["p9999_us"]]))
        }
        attemptsByRun = Dictionary(grouping: attempts, by: \.run).mapValues { $0.map(\.attempt) }
        let clients = try Row.fetchAll(db, sql: "SELECT * FROM client_result ORDER BY attempt_id, node, endpoint").map { row in
            let blob: Data = row["latency_histogram"]
            return (attempt: row["attempt_id"] as Int64,
                    client: Client(node: row["node"], endpoint: row["endpoint"], group: row["proxy_group"], crashed: row["crashed"],
                                   completed: row["completed"], completedInWindow: row["completed_in_window"],
                                   retransmissions: row["retransmissions"], failovers: row["failovers"],
                                   latency: LatencyHistogram.decode(blob) ?? [], highest: row["highest"], numbers: row["numbers"],
                                   ranges: row["ranges"]))
        }
        clientsByAttempt = Dictionary(grouping: clients, by: \.attempt).mapValues { $0.map(\.client) }
        faultsByAttempt = try ResultsStore.faultsByAttempt(db, run: nil)
    }

    func csvRow(run: Run, attempt: Attempt) -> AttemptCSVRow {
        let sweep = run.sweep.flatMap { id in sweeps.first { $0.id == id } }
        let faults = (faultsByAttempt[attempt.id] ?? []).map { "\($0.kind)@\($0.atSeconds)s:\($0.target)" }.joined(separator: ";")
        let p = attempt.percentiles
        return AttemptCSVRow(run: run.id, sweep: run.sweep, figure: sweep?.figure, mode: sweep?.mode, scale: sweep?.scale, point: run.pointKey,
                             trial: run.trial, system: run.system, testbed: run.testbed, masonlabVersion: run.masonlabVersion,
                             runStatus: run.status, attempt: attempt.number, started: iso(attempt.started), ended: iso(attempt.ended),
                             outcome: attempt.outcome, reason: attempt.reason, measuredSeconds: attempt.measuredSeconds,
                             intervalMillis: attempt.intervalMillis, clients: attempt.clients, completedInWindow: attempt.completedInWindow,
                             throughputOps: attempt.throughputOps, p50Micros: p[0], p99Micros: p[1], p999Micros: p[2], p9999Micros: p[3],
                             faults: faults)
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
        let nodes = try Row.fetchAll(db, sql: "SELECT * FROM node_result WHERE attempt_id = ? ORDER BY node", arguments: [attempt.id]).map { row in
            ExportDocument.Node(node: row["node"], label: row["label"], originUnixNanos: row["origin_unix_nanos"],
                                intervalMillis: row["interval_millis"], proxies: JSONValue(stored: row["proxies"]),
                                sequencers: JSONValue(stored: row["sequencers"]))
        }
        var recovery: ExportDocument.Recovery?
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM recovery_curve WHERE attempt_id = ?)", arguments: [attempt.id]) == true {
            let curve = try ResultsStore.curve(attempt: attempt.id, db)
            recovery = ExportDocument.Recovery(intervalMillis: curve.intervalMillis, warmupMillis: curve.warmupMillis,
                                               highestContiguous: curve.highestContiguous, completions: curve.completions)
        }
        let p = attempt.percentiles
        return ExportDocument.Attempt(
            number: attempt.number, started: iso(attempt.started), ended: iso(attempt.ended), outcome: attempt.outcome,
            reason: attempt.reason, measuredSeconds: attempt.measuredSeconds, intervalMillis: attempt.intervalMillis,
            clients: attempt.clients, completedInWindow: attempt.completedInWindow, throughputOps: attempt.throughputOps,
            p50Micros: p[0], p99Micros: p[1], p999Micros: p[2], p9999Micros: p[3],
            faults: (faultsByAttempt[attempt.id] ?? []).map {
                ExportDocument.Fault(kind: $0.kind, target: $0.target, atSeconds: $0.atSeconds, endSeconds: $0.endSeconds)
            },
            clientResults: (clientsByAttempt[attempt.id] ?? []).map { $0.row(completions: completionsByClient["\($0.node)/\($0.endpoint)"] ?? []) },
            nodes: nodes, recovery: recovery)
    }
}

/// ISO 8601 in UTC with milliseconds: `2025-11-26T15:44:00.123Z`.
func iso(_ date: Date) -> String {
    Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
}
