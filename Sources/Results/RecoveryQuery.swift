import Foundation
import GRDB

/// What the recovery plot draws for one run: its recovery curve and the faults injected.
public struct RecoveryData: Sendable, Equatable {
    public var run: RunID
    /// The attempt the curve comes from (the succeeded one when there is one).
    public var attempt: Int
    public var system: String
    public var parameters: RunParameters
    public var curve: RecoveryCurve
    public var faults: [FaultEvent]
}

extension ResultsStore {
    /// The recovery curve and faults of `run`, or when nil of the latest run that has both faults
    /// and a recovery curve. Of a run's attempts, the succeeded one is preferred, then the latest.
    public func recovery(run: RunID? = nil) throws -> RecoveryData {
        try read { db in
            let row: Row?
            if let run {
                try Self.requireRun(run, db)
                row = try Row.fetchOne(db, sql: """
                    SELECT a.id AS attempt_id, a.number, r.id AS run_id, r.system, r.parameters
                    FROM attempt a JOIN run r ON r.id = a.run_id JOIN recovery_curve c ON c.attempt_id = a.id
                    WHERE r.id = ?
                    ORDER BY a.outcome = 'succeeded' DESC, a.number DESC LIMIT 1
                    """, arguments: [run.rawValue])
                guard row != nil else { throw ResultsError.noRecoveryCurve(run) }
            } else {
                row = try Row.fetchOne(db, sql: """
                    SELECT a.id AS attempt_id, a.number, r.id AS run_id, r.system, r.parameters
                    FROM attempt a JOIN run r ON r.id = a.run_id JOIN recovery_curve c ON c.attempt_id = a.id
                    WHERE EXISTS (SELECT 1 FROM fault_event f WHERE f.attempt_id = a.id)
                    ORDER BY r.id DESC, a.outcome = 'succeeded' DESC, a.number DESC LIMIT 1
                    """)
                guard row != nil else { throw ResultsError.noRecoveryRun(path: path) }
            }
            let found = row!
            let attemptID: Int64 = found["attempt_id"]
            return RecoveryData(run: RunID(found["run_id"]), attempt: found["number"], system: found["system"],
                                parameters: try StoredJSON.parameters(found["parameters"]),
                                curve: try Self.curve(attempt: attemptID, db),
                                faults: try Self.faultsByAttempt(db, run: RunID(found["run_id"]))[attemptID] ?? [])
        }
    }

    static func curve(attempt: Int64, _ db: Database) throws -> RecoveryCurve {
        let header = try Row.fetchOne(db, sql: "SELECT * FROM recovery_curve WHERE attempt_id = ?", arguments: [attempt])!
        let spaces: Int = header["spaces"]
        var highest = [[Int64]](repeating: [], count: spaces)
        for row in try Row.fetchAll(db, sql: """
            SELECT space, highest_contiguous FROM recovery_point WHERE attempt_id = ? ORDER BY space, interval
            """, arguments: [attempt])
        {
            highest[row["space"]].append(row["highest_contiguous"])
        }
        let completions = try Int64.fetchAll(db, sql: """
            SELECT completions FROM recovery_completion WHERE attempt_id = ? ORDER BY interval
            """, arguments: [attempt]).map { UInt64($0) }
        return RecoveryCurve(intervalMillis: UInt64(header["interval_millis"] as Int64), warmupMillis: UInt64(header["warmup_millis"] as Int64),
                             highestContiguous: highest, completions: completions)
    }
}
