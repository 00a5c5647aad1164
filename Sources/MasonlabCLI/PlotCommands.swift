import ArgumentParser
import Control
import Foundation
import Results

extension ThroughputLatencyFigure.Latency: ExpressibleByArgument {}

/// Tells where a figure went: a line, or with `--json` `{"picture":...,"data":...,"script":...}`.
private func report(_ files: FigureFiles, json: Bool) throws {
    if json {
        print(try JSONOutput.string(["picture": files.picture.path, "data": files.data.path, "script": files.script.path]))
    } else {
        print("wrote \(files.picture.path) (data \(files.data.lastPathComponent), script \(files.script.lastPathComponent) beside it)")
    }
}

/// `masonlab plot --sweep ID`.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Throughput-latency curves of a sweep: one line per series, one point per sweep point (median over trials).",
        discussion: """
        The picture's format comes from --out's extension (pdf, png, svg). The data file (NAME.dat) and the \
        gnuplot script (NAME.gp) are written beside it: edit the script and run `gnuplot NAME.gp` there to restyle.
        """
    )

    @Option(help: "The sweep (see masonlab results list).")
    var sweep: Int64

    @Option(help: "The picture: .pdf, .png or .svg (default sweep-ID.pdf).")
    var out: String?

    @Option(help: "Parameters whose values make the series, comma-separated (default: every parameter that varies except the one with the most values, the load).")
    var series: String?

    @Option(help: "The latency on the y axis: p50, p99, p999 or p9999.")
    var latency: ThroughputLatencyFigure.Latency = .p50

    @Flag(help: "Print the files written as one JSON document.")
    var json = false

    @OptionGroup var database: ResultsDatabaseOption

    func validate() throws { try FlagBounds.check("--sweep", sweep, 1 ... Int64.max, "an id from masonlab results list") }

    func run() throws {
        let out = out ?? "sweep-\(sweep).pdf"
        _ = try withResultsErrors { try FigureFormat(path: out) }
        let store = try openStore(database.path, mode: .existing)
        let id = SweepID(sweep)
        let rows = try withResultsErrors { try store.percentiles(.sweep(id)) }
        guard !rows.isEmpty else { throw CommandFailure("sweep \(sweep) has no succeeded runs yet; nothing to plot.") }
        let listing = try withResultsErrors { try store.listSweeps() }.first { $0.id == id }
        let title = listing.map { "\($0.figure)\($0.mode.map { " \($0)" } ?? "") (\($0.scale) scale), sweep \(sweep)" } ?? "sweep \(sweep)"
        let keys = series?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let keys, let unknown = keys.first(where: { key in !rows.contains { $0.parameters[key] != nil } }) {
            let known = Set(rows.flatMap(\.parameters.keys)).sorted().joined(separator: ", ")
            throw CommandFailure("--series: sweep \(sweep) has no parameter '\(unknown)' (it has \(known)).", status: ExitStatus.usage)
        }
        let figure = ThroughputLatencyFigure(title: title, rows: rows, latency: latency, seriesBy: keys)
        try report(try withResultsErrors { try figure.render(to: out) }, json: json)
    }
}

/// `masonlab recovery-plot`.
struct RecoveryPlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery-plot",
        abstract: "The highest contiguous sequence number per space over time, throughput over time, and the faults.",
        discussion: """
        Time is seconds from the start of measurement; each fault is a marked vertical line. The picture's \
        format comes from --out's extension (pdf, png, svg); the data (NAME.dat) and gnuplot script (NAME.gp) \
        are written beside it.
        """
    )

    @Option(name: .customLong("run"), help: "The run (default: the latest run with faults and a recovery curve).")
    var runID: Int64?

    @Option(help: "The picture: .pdf, .png or .svg.")
    var out: String = "recovery.pdf"

    @Flag(help: "Print the files written as one JSON document.")
    var json = false

    @OptionGroup var database: ResultsDatabaseOption

    func validate() throws { try FlagBounds.check("--run", runID, 1 ... Int64.max, "an id from masonlab results list") }

    func run() throws {
        _ = try withResultsErrors { try FigureFormat(path: out) }
        let store = try openStore(database.path, mode: .existing)
        let recovery = try withResultsErrors { try store.recovery(run: runID.map { RunID($0) }) }
        let files = try withResultsErrors { try RecoveryFigure(recovery).render(to: out) }
        try report(files, json: json)
    }
}
