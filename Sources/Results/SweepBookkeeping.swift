import Foundation
import GRDB
import Protocols

/// Sweeps and runs as the runner creates them: a sweep resumes where it stopped, a run of a sweep
/// point exists once per trial, and what already succeeded is skipped.
extension ResultsStore {
    /// The unfinished sweep of this figure, mode and scale (resumed, its trial count updated), or a
    /// new one. `mode` is nil for figures without modes (`--appends`, `--reads`, ...).
    public func beginSweep(figure: String, mode: String?, scale: String, trials: Int) throws -> SweepID {
        precondition(trials >= 1, "a sweep runs at least one trial per point")
        return try write { db in
            if let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM sweep WHERE figure = ? AND mode IS ? AND scale = ? AND status = 'running'
                ORDER BY id DESC LIMIT 1
                """, arguments: [figure, mode, scale])
            {
                try db.execute(sql: "UPDATE sweep SET trials = ? WHERE id = ?", arguments: [trials, id])
                return SweepID(id)
            }
            try db.execute(sql: """
                INSERT INTO sweep (figure, mode, scale, trials, status, created) VALUES (?, ?, ?, ?, 'running', ?)
                """, arguments: [figure, mode, scale, trials, Date()])
            return SweepID(db.lastInsertedRowID)
        }
    }

    /// Marks a sweep finished: a later `beginSweep` of the same figure starts a new one.
    public func finishSweep(_ sweep: SweepID) throws {
        try write { db in
            try db.execute(sql: "UPDATE sweep SET status = 'finished', finished = ? WHERE id = ?", arguments: [Date(), sweep.rawValue])
            guard db.changesCount == 1 else { throw ResultsError.unknownSweep(sweep) }
        }
    }

    /// The run of `sweep`'s point `pointKey`, trial `trial`: the existing one when the sweep already
    /// has it (a resumed sweep keeps its run ids and attempt history), else a new pending run.
    /// Without a sweep, always a new run. `configuration` is JSON text holding everything needed to
    /// explain the run later (resolved options, placement); it and `parameters` are stored as
    /// sorted-key JSON. `pointKey` is ignored without a sweep.
    public func run(sweep: SweepID?, pointKey: String?, trial: Int = 1, system: System, parameters: RunParameters,
                    configuration: String, testbed: String, masonlabVersion: String) throws -> RunID {
        precondition(trial >= 1, "trials count from 1")
        let pointKey = sweep == nil ? nil : pointKey ?? ""
        let parametersJSON = try StoredJSON.text(parameters)
        guard let configurationJSON = StoredJSON.normalized(configuration) else {
            throw ResultsError.invalidConfiguration(String(configuration.prefix(60)))
        }
        return try write { db in
            if let sweep {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sweep WHERE id = ?)", arguments: [sweep.rawValue]) == true else {
                    throw ResultsError.unknownSweep(sweep)
                }
                if let id = try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE sweep_id = ? AND point_key = ? AND trial = ?",
                                               arguments: [sweep.rawValue, pointKey, trial])
                {
                    return RunID(id)
                }
            }
            let testbedID = try Self.testbedID(db, name: testbed)
            try db.execute(sql: """
                INSERT INTO run (sweep_id, point_key, trial, system, parameters, configuration, masonlab_version, testbed_id, status, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
                """, arguments: [sweep?.rawValue, pointKey, trial, system.rawValue, parametersJSON, configurationJSON, masonlabVersion,
                                 testbedID, Date()])
            return RunID(db.lastInsertedRowID)
        }
    }

    /// The points and trials of `sweep` that have succeeded: a resumed sweep skips them.
    public func succeededRuns(sweep: SweepID) throws -> Set<PointTrial> {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT point_key, trial FROM run WHERE sweep_id = ? AND status = 'succeeded'",
                                        arguments: [sweep.rawValue])
            return Set(rows.map { PointTrial(pointKey: $0["point_key"], trial: $0["trial"]) })
        }
    }

    static func testbedID(_ db: Database, name: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM testbed WHERE name = ?", arguments: [name]) { return id }
        try db.execute(sql: "INSERT INTO testbed (name, created) VALUES (?, ?)", arguments: [name, Date()])
        return db.lastInsertedRowID
    }
}
