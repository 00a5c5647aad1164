import Foundation
import GRDB

/// A sweep as `masonlab results list` shows it.
public struct SweepListing: Sendable, Equatable {
    public var id: SweepID
    public var figure: String
    public var mode: String?
    public var scale: String
    public var trials: Int
    /// `running` (resumable) or `finished`.
    public var status: String
    public var created: Date
    public var finished: Date?
    public var succeededRuns: Int
    public var failedRuns: Int
    public var pendingRuns: Int
}

/// A run as `masonlab results list` shows it, with its succeeded attempt's headline numbers.
public struct RunListing: Sendable, Equatable {
    public var id: RunID
    public var sweep: SweepID?
    public var pointKey: String?
    public var trial: Int
    public var system: String
    public var parameters: RunParameters
    public var testbed: String
    public var masonlabVersion: String
    /// `pending`, `succeeded` or `failed` (the outcome of its latest attempt).
    public var status: String
    public var created: Date
    public var attempts: Int
    public var throughputOps: Double?
    public var p50Micros: UInt64?
    public var p99Micros: UInt64?
}

/// One attempt of a run.
public struct AttemptListing: Sendable, Equatable {
    public var number: Int
    public var startedAt: Date
    public var endedAt: Date
    public var outcome: AttemptOutcome
    public var measuredSeconds: Double
    public var clients: Int
    public var throughputOps: Double?
    public var faults: [FaultEvent]
}

extension ResultsStore {
    /// Every sweep, oldest first, with how many of its runs succeeded, failed or wait.
    public func listSweeps() throws -> [SweepListing] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.*,
                       (SELECT COUNT(*) FROM run r WHERE r.sweep_id = s.id AND r.status = 'succeeded') AS succeeded_runs,
                       (SELECT COUNT(*) FROM run r WHERE r.sweep_id = s.id AND r.status = 'failed') AS failed_runs,
                       (SELECT COUNT(*) FROM run r WHERE r.sweep_id = s.id AND r.status = 'pending') AS pending_runs
                FROM sweep s ORDER BY s.id
                """).map { row in
                SweepListing(id: SweepID(row["id"]), figure: row["figure"], mode: row["mode"], scale: row["scale"], trials: row["trials"],
                             status: row["status"], created: row["created"], finished: row["finished"],
                             succeededRuns: row["succeeded_runs"], failedRuns: row["failed_runs"], pendingRuns: row["pending_runs"])
            }
        }
    }

    /// Every run (or `sweep`'s), oldest first.
    public func listRuns(sweep: SweepID? = nil) throws -> [RunListing] {
        try read { db in
            if let sweep { try Self.requireSweep(sweep, db) }
            return try Row.fetchAll(db, sql: """
                SELECT r.*, t.name AS testbed,
                       (SELECT COUNT(*) FROM attempt a WHERE a.run_id = r.id) AS attempts,
                       ok.throughput_ops, ok.p50_us, ok.p99_us
                FROM run r
                JOIN testbed t ON t.id = r.testbed_id
                LEFT JOIN attempt ok ON ok.run_id = r.id AND ok.outcome = 'succeeded'
                WHERE ?1 IS NULL OR r.sweep_id = ?1
                ORDER BY r.id
                """, arguments: [sweep?.rawValue]).map { row in
                let p50: Int64? = row["p50_us"]
                let p99: Int64? = row["p99_us"]
                return RunListing(id: RunID(row["id"]), sweep: (row["sweep_id"] as Int64?).map { SweepID($0) }, pointKey: row["point_key"],
                                  trial: row["trial"], system: row["system"], parameters: try StoredJSON.parameters(row["parameters"]),
                                  testbed: row["testbed"], masonlabVersion: row["masonlab_version"], status: row["status"],
                                  created: row["created"], attempts: row["attempts"], throughputOps: row["throughput_ops"],
                                  p50Micros: p50.map { UInt64($0) }, p99Micros: p99.map { UInt64($0) })
            }
        }
    }

    /// The attempts of `run` in order, with their fault events.
    public func attempts(run: RunID) throws -> [AttemptListing] {
        try read { db in
            try Self.requireRun(run, db)
            let faults = try Self.faultsByAttempt(db, run: run)
            return try Row.fetchAll(db, sql: "SELECT * FROM attempt WHERE run_id = ? ORDER BY number", arguments: [run.rawValue]).map { row in
                let id: Int64 = row["id"]
                let outcome: String = row["outcome"]
                return AttemptListing(number: row["number"], startedAt: row["started"], endedAt: row["ended"],
                                      outcome: outcome == "succeeded" ? .succeeded : .failed(reason: row["reason"] ?? ""),
                                      measuredSeconds: row["measured_seconds"], clients: row["clients"],
                                      throughputOps: row["throughput_ops"], faults: faults[id] ?? [])
            }
        }
    }

    static func faultsByAttempt(_ db: Database, run: RunID?) throws -> [Int64: [FaultEvent]] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT f.* FROM fault_event f JOIN attempt a ON a.id = f.attempt_id
            WHERE ?1 IS NULL OR a.run_id = ?1 ORDER BY f.id
            """, arguments: [run?.rawValue])
        return Dictionary(grouping: rows, by: { $0["attempt_id"] as Int64 }).mapValues { rows in
            rows.map { FaultEvent(kind: $0["kind"], target: $0["target"], atSeconds: $0["at_seconds"], endSeconds: $0["end_seconds"]) }
        }
    }

    static func requireRun(_ run: RunID, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM run WHERE id = ?)", arguments: [run.rawValue]) == true else {
            throw ResultsError.unknownRun(run)
        }
    }

    static func requireSweep(_ sweep: SweepID, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sweep WHERE id = ?)", arguments: [sweep.rawValue]) == true else {
            throw ResultsError.unknownSweep(sweep)
        }
    }
}
