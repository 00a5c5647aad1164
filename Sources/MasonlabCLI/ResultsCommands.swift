import ArgumentParser
import Control
import Foundation
import Lab
import Results

/// `--db PATH` and `--testbed NAME`, CLI.md's global options.
struct ResultsDatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"),
            help: "Results database (default results/masonlab.sqlite under the current directory; MASONLAB_DB overrides the default).")
    var path: String = ProcessInfo.processInfo.environment["MASONLAB_DB"] ?? "results/masonlab.sqlite"

    @Option(name: .customLong("testbed"),
            help: "local (masond daemons on 127.0.1.x, started and stopped by masonlab; the default) or emulab (the nodes masonlab setup prepared, over SSH).")
    var testbedOption: TestbedKind?

    /// The testbed named, `local` when none is.
    var testbed: TestbedKind { testbedOption ?? .local }
}

/// Opens the results database; its refusals (not SQLite, newer schema, missing for a reading
/// command) become one-sentence failures with exit status 2.
/// Every command that opens the store first imports the attempts an earlier masonlab kept beside
/// it while the database was locked (one line on stderr for each), so what they measured is seen.
func openStore(_ path: String, mode: ResultsStore.OpenMode = .create) throws -> ResultsStore {
    let store = try withResultsErrors { try ResultsStore(path: path, mode: mode) }
    for line in store.importPending() { FileHandle.standardError.write(Data("masonlab: \(line)\n".utf8)) }
    return store
}

/// Runs `body`, turning the store's and the figures' errors into `CommandFailure`s: bad input
/// (unknown ids, unusable files, bad extensions) exits 2, work that could not be done exits 1.
func withResultsErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ResultsError {
        switch error {
        case .database, .noRecoveryCurve, .noRecoveryRun, .runAlreadySucceeded, .duplicateAttempt, .duplicateClient,
             .malformedHistogram, .invalidAttempt, .invalidConfiguration:
            throw CommandFailure(error.description, status: ExitStatus.failed)
        case .notSQLite, .foreignDatabase, .newerSchema, .missingDatabase, .unknownRun, .unknownSweep, .unknownFigure:
            throw CommandFailure(error.description, status: ExitStatus.usage)
        }
    } catch let error as FigureError {
        switch error {
        case .unknownFormat, .cannotWrite: throw CommandFailure(error.description, status: ExitStatus.usage)
        case .gnuplotMissing, .gnuplotFailed, .noData: throw CommandFailure(error.description, status: ExitStatus.failed)
        }
    }
}

/// Prints the percentile table of `filter`: a text table, CSV, or CLI.md's JSON document
/// `{"rows":[{"run":ID,"system":...,"params":{...},"throughput_ops":X,"p50_us":X,...}]}`.
func printPercentiles(_ store: ResultsStore, filter: PercentileScope, json: Bool, csv: Bool = false) throws {
    let rows = try withResultsErrors { try store.percentiles(filter) }
    let perPoint: Bool
    switch filter {
    case .sweep, .figure: perPoint = true
    case .run, .all: perPoint = false
    }
    if json {
        print(try JSONOutput.string(PercentilesDocument(rows)))
        return
    }
    let keys = Set(rows.flatMap(\.parameters.keys)).sorted()
    let header = ["run", "system"] + keys + ["throughput_ops", "p50_us", "p99_us", "p999_us", "p9999_us"] + (perPoint ? ["trials"] : [])
    let cells = rows.map { row in
        [row.run.description, row.system] + keys.map { row.parameters[$0]?.description ?? "-" }
            + [row.throughputOps, row.p50Micros, row.p99Micros, row.p999Micros, row.p9999Micros].map(plainNumber)
            + (perPoint ? [String(row.trials)] : [])
    }
    if csv {
        print(CSVTable(header: header, rows: cells).text, terminator: "")
    } else if rows.isEmpty {
        FileHandle.standardError.write(Data("masonlab: no succeeded runs to show\n".utf8))
    } else {
        print(TextTable.render([header] + cells))
    }
}

/// A number without a fractional part when it has none (`1250`, `20.5`).
func plainNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.1f", value)
}

/// `masonlab results`: what the database holds.
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Show what the results database holds: sweeps and runs, percentile tables, exports.",
        subcommands: [ResultsList.self, ResultsPercentiles.self, ResultsExport.self]
    )
}

/// `masonlab results list`.
struct ResultsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Sweeps and runs with their status.")

    @OptionGroup var database: ResultsDatabaseOption

    @Flag(help: "One JSON document on stdout: {\"sweeps\":[...],\"runs\":[...]}.")
    var json = false

    func run() throws {
        let store = try openStore(database.path, mode: .existing)
        let (sweeps, runs) = try withResultsErrors { (try store.listSweeps(), try store.listRuns()) }
        if json {
            print(try JSONOutput.string(ResultsListDocument(sweeps: sweeps, runs: runs)))
            return
        }
        if sweeps.isEmpty && runs.isEmpty {
            print("No runs in \(store.path) yet.")
            return
        }
        if !sweeps.isEmpty {
            print("Sweeps")
            print(TextTable.render([["id", "figure", "mode", "scale", "trials", "status", "succeeded", "failed", "pending", "created"]]
                + sweeps.map { s in
                    [s.id.description, s.figure, s.mode ?? "-", s.scale, String(s.trials), s.status, String(s.succeededRuns),
                     String(s.failedRuns), String(s.pendingRuns), timestamp(s.created)]
                }))
            print("")
        }
        print("Runs")
        print(TextTable.render([["id", "sweep", "point", "trial", "system", "status", "attempts", "throughput_ops", "p50_us", "p99_us", "created"]]
            + runs.map { r in
                [r.id.description, r.sweep?.description ?? "-", r.pointKey ?? "-", String(r.trial), r.system, r.status, String(r.attempts),
                 r.throughputOps.map(plainNumber) ?? "-", r.p50Micros.map { String($0) } ?? "-", r.p99Micros.map { String($0) } ?? "-",
                 timestamp(r.created)]
            }))
    }
}

/// UTC, to the second: `2025-11-26 15:44:12Z`.
func timestamp(_ date: Date) -> String {
    let text = Date.ISO8601FormatStyle().format(date)
    return text.replacingOccurrences(of: "T", with: " ")
}

/// `masonlab results percentiles`.
struct ResultsPercentiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "percentiles",
        abstract: "Throughput and latency percentiles: one row per run, or per sweep point (the median over its trials).",
        discussion: """
        Throughput is the sum over clients of operations completed in the measurement window, per second. \
        Percentiles come from one histogram merging every client's, not from averaging per-client percentiles. \
        Without --run, --sweep or --figure: every succeeded run.
        """
    )

    @Option(name: .customLong("run"), help: "One run.")
    var runID: Int64?

    @Option(help: "One sweep: a row per point, the median over its trials.")
    var sweep: Int64?

    @Option(help: "Every sweep of a figure: a row per sweep point.")
    var figure: String?

    @Flag(help: "CSV on stdout.")
    var csv = false

    @Flag(help: "One JSON document on stdout.")
    var json = false

    @OptionGroup var database: ResultsDatabaseOption

    func validate() throws {
        try FlagBounds.check("--run", runID, 1 ... Int64.max, "an id from masonlab results list")
        try FlagBounds.check("--sweep", sweep, 1 ... Int64.max, "an id from masonlab results list")
        guard [runID != nil, sweep != nil, figure != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("give at most one of --run, --sweep and --figure.")
        }
        guard !(csv && json) else { throw ValidationError("give --csv or --json, not both.") }
    }

    func run() throws {
        let store = try openStore(database.path, mode: .existing)
        let scope: PercentileScope = if let runID { .run(RunID(runID)) } else if let sweep { .sweep(SweepID(sweep)) } else if let figure { .figure(figure) } else { .all }
        try printPercentiles(store, filter: scope, json: json, csv: csv)
    }
}

/// `masonlab results export`.
struct ResultsExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Everything in the database, for pandas or a spreadsheet.",
        discussion: """
        CSV (the default) is two tables: one row per attempt (its run, parameters, outcome, throughput and \
        percentiles) and one row per client of each attempt. With --out FILE.csv both are written: FILE.csv and \
        FILE-clients.csv; on stdout, the attempts table (or with --clients the clients table). JSON is one document \
        with every stored value: runs, their attempts, each client's latency histogram and per-interval \
        completions, nodes' proxy and sequencer results, recovery curves and faults.
        """
    )

    @Flag(help: "CSV tables (the default).")
    var csv = false

    @Flag(help: "One JSON document.")
    var json = false

    @Flag(help: "With CSV on stdout: the per-client table instead of the per-attempt one.")
    var clients = false

    @Option(help: "Write to this file instead of stdout.")
    var out: String?

    @OptionGroup var database: ResultsDatabaseOption

    func validate() throws {
        guard !(csv && json) else { throw ValidationError("give --csv or --json, not both.") }
        guard !(clients && (json || out != nil)) else { throw ValidationError("--clients selects the table printed on stdout; it goes without --json and --out.") }
    }

    func run() throws {
        let store = try openStore(database.path, mode: .existing)
        if json {
            let data = try withResultsErrors { try store.exportJSON() }
            if let out { try write(data, to: out) } else { print(String(decoding: data, as: UTF8.self)) }
            return
        }
        let tables = try withResultsErrors { try store.exportCSV() }
        guard let out else {
            print((clients ? tables.clients : tables.attempts).text, terminator: "")
            return
        }
        let ext = (out as NSString).pathExtension
        let clientsPath = (out as NSString).deletingPathExtension + "-clients." + (ext.isEmpty ? "csv" : ext)
        try write(Data(tables.attempts.text.utf8), to: out)
        try write(Data(tables.clients.text.utf8), to: clientsPath)
        print("wrote \(out) (\(tables.attempts.rows.count) attempts) and \(clientsPath) (\(tables.clients.rows.count) clients)")
    }

    /// Writes whole or not at all (a temporary file renamed into place), creating the folder.
    private func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(path): \(error.localizedDescription)", status: ExitStatus.usage)
        }
    }
}
