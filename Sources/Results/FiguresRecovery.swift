import Foundation

/// The recovery plot: the highest contiguous sequence number of every space over time (top panel)
/// and the throughput of all clients over time (bottom panel), with a marked line at each instant
/// fault (a kill) and, as Jepsen's performance graphs do, a shaded band over the time a lasting
/// fault (a pause, a partition) was in force, in both panels.
/// Time is seconds from the start of measurement; the warmup before it is in the data file but
/// outside the drawn range.
public struct RecoveryFigure: Sendable, Equatable {
    public var title: String
    public var curve: RecoveryCurve
    public var faults: [FaultEvent]

    /// Throughput is drawn in bins of at least this many milliseconds (whole intervals), so a
    /// 10 ms counter does not turn the bottom panel into noise.
    public var throughputBinMillis: UInt64 = 100

    public init(title: String, curve: RecoveryCurve, faults: [FaultEvent]) {
        self.title = title
        self.curve = curve
        self.faults = faults
    }

    /// The figure of one stored run.
    public init(_ recovery: RecoveryData) {
        let spaces = recovery.curve.highestContiguous.count
        self.init(title: "Recovery of run \(recovery.run) (\(recovery.system), \(spaces) space\(spaces == 1 ? "" : "s"), attempt \(recovery.attempt))",
                  curve: recovery.curve, faults: recovery.faults)
    }

    /// Draws the figure into `path` (format from its extension), with `NAME.dat` and `NAME.gp` beside it.
    public func render(to path: String) throws -> FigureFiles {
        try render(to: path, gnuplot: Gnuplot.executable())
    }

    func render(to path: String, gnuplot: URL?) throws -> FigureFiles {
        let format = try FigureFormat(path: path)
        guard curve.intervalCount > 0, !curve.highestContiguous.isEmpty else { throw FigureError.noData("the recovery curve is empty") }
        let picture = URL(fileURLWithPath: path)
        return try Gnuplot.render(picture: picture, data: data(), script: script(format: format, picture: picture),
                                  executable: gnuplot)
    }

    /// Intervals per throughput bin.
    var binIntervals: Int { Int(max(1, (throughputBinMillis + curve.intervalMillis - 1) / curve.intervalMillis)) }

    /// Block 0: per interval, the end time (s from measurement start) and each space's highest
    /// contiguous number (NaN while none). Block 1: per bin, its start time and throughput (ops/s),
    /// drawn as steps.
    func data() -> String {
        let spaces = curve.highestContiguous.count
        var text = "# Recovery curve. Time: seconds from the start of measurement (warmup \(curve.warmupMillis) ms before it).\n"
        for fault in faults {
            text += "# fault \(fault.kind) at \(Gnuplot.number(fault.atSeconds)) s" + (fault.endSeconds.map { " until \(Gnuplot.number($0)) s" } ?? "")
                + ": \(fault.target.replacingOccurrences(of: "\n", with: " "))\n"
        }
        text += "# index 0 columns: time_s " + (0 ..< spaces).map { "space\($0)" }.joined(separator: " ") + "\n"
        for interval in 0 ..< curve.intervalCount {
            let values = curve.highestContiguous.map { series -> String in
                interval < series.count && series[interval] >= 0 ? String(series[interval]) : "NaN"
            }
            text += Gnuplot.number(curve.secondsFromMeasurementStart(atEndOf: interval)) + " " + values.joined(separator: " ") + "\n"
        }
        text += "\n\n# index 1 columns: time_s ops_per_s: each bin of \(binIntervals * Int(curve.intervalMillis)) ms from its start time; "
            + "the last row closes the last bin\n"
        var last: (end: Double, ops: Double)?
        for start in stride(from: 0, to: curve.completions.count, by: binIntervals) {
            let end = min(start + binIntervals, curve.completions.count)
            let completions = curve.completions[start ..< end].reduce(0, +)
            let ops = Double(completions) / (Double(end - start) * Double(curve.intervalMillis) / 1_000)
            text += Gnuplot.number(seconds(atStartOf: start)) + " " + Gnuplot.number(ops) + "\n"
            last = (seconds(atStartOf: end), ops)
        }
        if let last { text += Gnuplot.number(last.end) + " " + Gnuplot.number(last.ops) + "\n" }
        return text
    }

    /// Seconds from the start of measurement at the start of interval `index`.
    private func seconds(atStartOf index: Int) -> Double {
        (Double(index) * Double(curve.intervalMillis) - Double(curve.warmupMillis)) / 1_000
    }

    /// The band colour of a lasting fault: pauses amber, partitions blue, anything else grey.
    static func shade(_ kind: String) -> String {
        switch kind {
        case "pause": "#f4b860"
        case "partition": "#7fb2e5"
        default: "#b0b0b0"
        }
    }

    func script(format: FigureFormat, picture: URL) -> String {
        let spaces = curve.highestContiguous.count
        let highest = Gnuplot.scale(forMaximum: Double(curve.highestContiguous.compactMap { $0.max() }.max() ?? 0))
        // The busiest interval's rate bounds every bin's.
        let peakOps = Double(curve.completions.max() ?? 0) * 1_000 / Double(curve.intervalMillis)
        let ops = Gnuplot.scale(forMaximum: peakOps)
        let end = curve.secondsFromMeasurementStart(atEndOf: curve.intervalCount - 1)
        var lines = [
            "# Recovery plot. Redraw with: gnuplot \(Gnuplot.sibling(of: picture, extension: "gp").lastPathComponent)",
            format.terminal,
            "set output \(Gnuplot.quoted(picture.lastPathComponent))",
            "set encoding utf8",
            "data = \(Gnuplot.quoted(Gnuplot.sibling(of: picture, extension: "dat").lastPathComponent))",
            "hscale = \(Gnuplot.number(highest.divisor))",
            "opsscale = \(Gnuplot.number(ops.divisor))",
            "set xrange [0:\(Gnuplot.number(max(end, 0.001)))]",
            "set border 3",
            "set xtics nomirror",
            "set ytics nomirror",
            "set grid lc rgb '#dddddd'",
            "set lmargin 12",
            "set rmargin 4",
            "# Faults: a grey line at each kill, a shaded band over each pause or partition (from its start to its end), "
                + "its caption at the top of the upper panel.",
        ]
        for (index, fault) in faults.enumerated() {
            let t = Gnuplot.number(fault.atSeconds)
            if let end = fault.endSeconds {
                lines.append("set object \(index + 1) rect from first \(t), graph 0 to first \(Gnuplot.number(max(end, fault.atSeconds))), graph 1 "
                    + "behind fc rgb '\(Self.shade(fault.kind))' fs solid 0.35 noborder")
            } else {
                lines.append("set arrow \(index + 1) from first \(t), graph 0 to first \(t), graph 1 nohead dt 2 lw 1.5 lc rgb '#606060' front")
            }
        }
        lines += [
            "set multiplot title \(Gnuplot.quoted(title))",
            "# Upper panel: highest contiguous number per space.",
            "set origin 0, 0.34",
            "set size 1, 0.60",
            "set tmargin 0.5",
            "set bmargin 0.5",
            "set format x ''",
            "set ylabel \(Gnuplot.quoted("Highest contiguous number" + (highest.words.map { " (\($0))" } ?? "")))",
            "set key bottom right",
        ]
        for (index, fault) in faults.enumerated() {
            lines.append("set label \(index + 1) \(Gnuplot.quoted(fault.caption)) at first \(Gnuplot.number(fault.atSeconds)), graph 0.97 "
                + "right rotate by 90 offset character -1.4, 0 tc rgb '#404040' front")
        }
        let upper = (0 ..< spaces).map { space in
            let colour = Gnuplot.colours[space % Gnuplot.colours.count]
            return "data index 0 using 1:($\(space + 2)/hscale) with lines lw 2 dt \(1 + space / Gnuplot.colours.count) "
                + "lc rgb '\(colour)' title 'space \(space)'"
        }
        lines.append("plot " + upper.joined(separator: ", \\\n     "))
        lines += [
            "# Lower panel: throughput of all clients.",
            "unset label",
            "set origin 0, 0",
            "set size 1, 0.34",
            "set tmargin 1",
            "set bmargin 3.5",
            "set offsets 0, 0, graph 0.1, 0",
            "set format x '%g'",
            "set xlabel 'Time from the start of measurement (s)'",
            "set ylabel \(Gnuplot.quoted("Throughput (\(ops.prefix)ops/s)"))",
            "set yrange [0:*]",
            "plot data index 1 using 1:($2/opsscale) with steps lw 2 lc rgb '#303030' notitle",
            "unset multiplot",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
