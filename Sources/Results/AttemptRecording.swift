import Control
import Foundation
import GRDB

extension ResultsStore {
    /// Writes one attempt of `run`: the attempt, every node's and client's results (histograms,
    /// per-interval completions), the recovery curve, the fault events, and the run's new status
    /// (`succeeded`, or `failed` until a later attempt succeeds), all in one transaction: a crash
    /// or an error part-way leaves no trace of the attempt.
    public func record(_ attempt: AttemptRecord, run: RunID) throws {
        do {
            try insert(attempt, run: run)
        } catch let error as DatabaseError {
            throw Self.translate(error, path: path)
        }
    }

    /// `record`, with SQLite's errors untranslated (so a busy database can be told apart).
    /// `importing`: a pending attempt arriving late, after its run went on: a failed one is kept
    /// even when a later attempt succeeded, and changes no status.
    func insert(_ attempt: AttemptRecord, run: RunID, importing: Bool = false) throws {
        try validate(attempt, run: run)
        let summary = attempt.nodes.isEmpty ? nil : LatencySummary(nodes: attempt.nodes, measuredSeconds: attempt.measuredSeconds)
        let nodeJSON = try attempt.nodes.map { (proxies: try StoredJSON.text($0.proxies), sequencers: try StoredJSON.text($0.sequencers)) }
        let clientJSON = try attempt.nodes.map { node in
            try node.clients.map { (highest: try StoredJSON.text($0.highest), numbers: try StoredJSON.text($0.numbers),
                                    ranges: try $0.rangesByInterval.map { try StoredJSON.text($0) }) }
        }
        try pool.write { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM run WHERE id = ?", arguments: [run.rawValue]) else {
                throw ResultsError.unknownRun(run)
            }
            let late = importing && status == "succeeded" && attempt.outcome != .succeeded
            guard status != "succeeded" || late else { throw ResultsError.runAlreadySucceeded(run) }
            do {
                try db.execute(sql: """
                    INSERT INTO attempt (run_id, number, started, ended, outcome, reason, measured_seconds, interval_millis,
                                         clients, completed_in_window, throughput_ops, p50_us, p99_us, p999_us, p9999_us)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [run.rawValue, attempt.number, attempt.startedAt, attempt.endedAt, attempt.outcome.name,
                                     attempt.outcome.reason, attempt.measuredSeconds, Int64(clamping: attempt.intervalMillis),
                                     summary?.clients ?? 0, Int64(clamping: summary?.completedInWindow ?? 0), summary?.throughputOps,
                                     summary.map { Int64(clamping: $0.p50Micros) }, summary.map { Int64(clamping: $0.p99Micros) },
                                     summary.map { Int64(clamping: $0.p999Micros) }, summary.map { Int64(clamping: $0.p9999Micros) }])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw ResultsError.duplicateAttempt(run: run, number: attempt.number)
            }
            let attemptID = db.lastInsertedRowID
            for (index, node) in attempt.nodes.enumerated() {
                try Self.insert(node, index: index, json: nodeJSON[index], clientJSON: clientJSON[index], attempt: attemptID, run: run, db)
            }
            if let curve = attempt.recovery { try Self.insert(curve, attempt: attemptID, db) }
            let insertFault = try db.cachedStatement(sql: "INSERT INTO fault_event (attempt_id, kind, target, at_seconds, end_seconds) VALUES (?, ?, ?, ?, ?)")
            for fault in attempt.faults {
                try insertFault.execute(arguments: [attemptID, fault.kind, fault.target, fault.atSeconds, fault.endSeconds])
            }
            let newStatus = attempt.outcome == .succeeded ? "succeeded" : "failed"
            if !late { try db.execute(sql: "UPDATE run SET status = ? WHERE id = ?", arguments: [newStatus, run.rawValue]) }
        }
    }

    /// What can be checked before the transaction starts.
    private func validate(_ attempt: AttemptRecord, run: RunID) throws {
        guard attempt.number >= 1 else { throw ResultsError.invalidAttempt(run: run, reason: "attempt numbers count from 1") }
        guard attempt.measuredSeconds.isFinite && attempt.measuredSeconds >= 0 else {
            throw ResultsError.invalidAttempt(run: run, reason: "the measurement window is \(attempt.measuredSeconds) s")
        }
        if attempt.outcome == .succeeded {
            guard attempt.measuredSeconds > 0 else {
                throw ResultsError.invalidAttempt(run: run, reason: "a succeeded attempt needs a measurement window longer than 0 s")
            }
            guard !attempt.nodes.flatMap(\.clients).isEmpty else {
                throw ResultsError.invalidAttempt(run: run, reason: "a succeeded attempt needs results from at least one client")
            }
        }
        for client in attempt.nodes.flatMap(\.clients) where !LatencyHistogram.isWellFormed(client.latencyMicros) {
            throw ResultsError.malformedHistogram(run: run, endpoint: client.endpoint)
        }
        if let curve = attempt.recovery, curve.intervalMillis == 0 {
            throw ResultsError.invalidAttempt(run: run, reason: "its recovery curve has 0 ms intervals")
        }
    }

    private static func insert(_ node: RunResults, index: Int, json: (proxies: String, sequencers: String),
                               clientJSON: [(highest: String, numbers: String, ranges: String?)], attempt: Int64, run: RunID,
                               _ db: Database) throws
    {
        try db.execute(sql: """
            INSERT INTO node_result (attempt_id, node, label, origin_unix_nanos, interval_millis, proxies, sequencers)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [attempt, index, node.run, Int64(clamping: node.originUnixNanos), Int64(clamping: node.intervalMillis),
                             json.proxies, json.sequencers])
        let insertClient = try db.cachedStatement(sql: """
            INSERT INTO client_result (attempt_id, node, endpoint, proxy_group, crashed, completed, completed_in_window,
                                       retransmissions, failovers, latency_count, latency_histogram, highest, numbers, ranges)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertInterval = try db.cachedStatement(sql: "INSERT INTO client_interval (client_result_id, interval, completions) VALUES (?, ?, ?)")
        for (position, client) in node.clients.enumerated() {
            let latencyCount = client.latencyMicros.reduce(UInt64(0)) { $0 + $1[1] }
            do {
                try insertClient.execute(arguments: [
                    attempt, index, Int64(client.endpoint), client.group, client.crashed, Int64(clamping: client.completed),
                    Int64(clamping: client.completedInWindow), Int64(clamping: client.retransmissions), Int64(clamping: client.failovers),
                    Int64(clamping: latencyCount), LatencyHistogram.encode(client.latencyMicros),
                    clientJSON[position].highest, clientJSON[position].numbers, clientJSON[position].ranges,
                ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw ResultsError.duplicateClient(run: run, endpoint: client.endpoint)
            }
            let clientID = db.lastInsertedRowID
            for (interval, completions) in client.completions.enumerated() {
                try insertInterval.execute(arguments: [clientID, interval, Int64(clamping: completions)])
            }
        }
    }

    private static func insert(_ curve: RecoveryCurve, attempt: Int64, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO recovery_curve (attempt_id, interval_millis, warmup_millis, spaces) VALUES (?, ?, ?, ?)",
                       arguments: [attempt, Int64(clamping: curve.intervalMillis), Int64(clamping: curve.warmupMillis),
                                   curve.highestContiguous.count])
        let insertPoint = try db.cachedStatement(sql: """
            INSERT INTO recovery_point (attempt_id, space, interval, highest_contiguous) VALUES (?, ?, ?, ?)
            """)
        for (space, series) in curve.highestContiguous.enumerated() {
            for (interval, highest) in series.enumerated() {
                try insertPoint.execute(arguments: [attempt, space, interval, highest])
            }
        }
        let insertCompletion = try db.cachedStatement(sql: "INSERT INTO recovery_completion (attempt_id, interval, completions) VALUES (?, ?, ?)")
        for (interval, completions) in curve.completions.enumerated() {
            try insertCompletion.execute(arguments: [attempt, interval, Int64(clamping: completions)])
        }
    }
}
