import Foundation

/// Throughput-latency curves: one line per series (e.g. per proxy-group count), each point a run
/// or sweep point, x its throughput, y one of its latency percentiles.
public struct ThroughputLatencyFigure: Sendable, Equatable {
    /// Which latency percentile the y axis shows.
    public enum Latency: String, Sendable, CaseIterable {
        case p50, p99, p999, p9999

        /// The column of the data file holding it (1 is throughput).
        var column: Int { 2 + Latency.allCases.firstIndex(of: self)! }

        var caption: String {
            switch self {
            case .p50: "median"
            case .p99: "p99"
            case .p999: "p99.9"
            case .p9999: "p99.99"
            }
        }
    }

    public struct Series: Sendable, Equatable {
        public var title: String
        /// In the order they are joined by the line (the sweep's order of points).
        public var points: [PercentileRow]

        public init(title: String, points: [PercentileRow]) {
            self.title = title
            self.points = points
        }
    }

    public var title: String
    public var latency: Latency
    public var series: [Series]

    public init(title: String, latency: Latency, series: [Series]) {
        self.title = title
        self.latency = latency
        self.series = series
    }

    /// Groups `rows` into series by the values of the parameters `seriesBy` (nil: every parameter
    /// that varies except the one with the most distinct values, which is taken to be the load
    /// knob along each line). Rows keep their order within a series.
    public init(title: String, rows: [PercentileRow], latency: Latency, seriesBy: [String]? = nil) {
        let keys = seriesBy ?? Self.defaultSeriesKeys(rows)
        var order: [String] = []
        var grouped: [String: [PercentileRow]] = [:]
        for row in rows {
            let name = keys.isEmpty ? row.system : keys.map { "\($0)=\(row.parameters[$0]?.description ?? "-")" }.joined(separator: ", ")
            if grouped[name] == nil { order.append(name) }
            grouped[name, default: []].append(row)
        }
        self.init(title: title, latency: latency, series: order.map { Series(title: $0, points: grouped[$0]!) })
    }

    /// The parameters that vary across `rows`, less the one with the most distinct values.
    static func defaultSeriesKeys(_ rows: [PercentileRow]) -> [String] {
        let keys = Set(rows.flatMap(\.parameters.keys)).sorted()
        let distinct = keys.map { key in (key, Set(rows.map { $0.parameters[key] }).count) }.filter { $0.1 > 1 }
        guard let load = distinct.max(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }) else { return [] }
        return distinct.map(\.0).filter { $0 != load.0 }
    }

    /// Draws the figure into `path` (format from its extension), with `NAME.dat` and `NAME.gp` beside it.
    public func render(to path: String) throws -> FigureFiles {
        try render(to: path, gnuplot: Gnuplot.executable())
    }

    func render(to path: String, gnuplot: URL?) throws -> FigureFiles {
        let format = try FigureFormat(path: path)
        let points = series.flatMap(\.points)
        guard !points.isEmpty else { throw FigureError.noData("no succeeded runs to draw") }
        let picture = URL(fileURLWithPath: path)
        return try Gnuplot.render(picture: picture, data: data(), script: script(format: format, picture: picture),
                                  executable: gnuplot)
    }

    /// One block per series (blocks separated by two blank lines, gnuplot's `index`):
    /// throughput (ops/s) and the four latency percentiles (µs).
    func data() -> String {
        var text = "# Throughput-latency: \(title)\n# columns: throughput_ops p50_us p99_us p999_us p9999_us\n"
        for (index, line) in series.enumerated() {
            if index > 0 { text += "\n\n" }
            text += "# series \(index): \(line.title)\n"
            for p in line.points {
                text += [p.throughputOps, p.p50Micros, p.p99Micros, p.p999Micros, p.p9999Micros].map(Gnuplot.number).joined(separator: " ")
                text += "  # run \(p.run)\n"
            }
        }
        return text
    }

    func script(format: FigureFormat, picture: URL) -> String {
        let maximum = series.flatMap(\.points).map(\.throughputOps).max() ?? 0
        let x = Gnuplot.scale(forMaximum: maximum)
        var lines = [
            "# Throughput-latency curves. Redraw with: gnuplot \(Gnuplot.sibling(of: picture, extension: "gp").lastPathComponent)",
            format.terminal,
            "set output \(Gnuplot.quoted(picture.lastPathComponent))",
            "set encoding utf8",
            "data = \(Gnuplot.quoted(Gnuplot.sibling(of: picture, extension: "dat").lastPathComponent))",
            "xscale = \(Gnuplot.number(x.divisor))",
            "set title \(Gnuplot.quoted(title))",
            "set xlabel \(Gnuplot.quoted("Throughput (\(x.prefix)ops/s)"))",
            "set ylabel \(Gnuplot.quoted("Latency, \(latency.caption) (µs)"))",
            "set xrange [0:*]",
            "set yrange [0:*]",
            "set border 3",
            "set xtics nomirror",
            "set ytics nomirror",
            "set grid lc rgb '#dddddd'",
            "set key top left",
            "set offsets 0, graph 0.04, graph 0.05, 0",
        ]
        for (index, _) in series.enumerated() {
            let colour = Gnuplot.colours[index % Gnuplot.colours.count]
            lines.append("set style line \(index + 1) lc rgb '\(colour)' lw 2 pt \(5 + (index % 4) * 2) ps 1.3 dt \(1 + index / Gnuplot.colours.count)")
        }
        let plots = series.enumerated().map { index, line in
            "data index \(index) using ($1/xscale):\(latency.column) with linespoints ls \(index + 1) title \(Gnuplot.quoted(line.title))"
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines.joined(separator: "\n") + "\n"
    }
}
