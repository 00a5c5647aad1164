import Foundation
import Testing
@testable import Results

/// Figures run gnuplot; they are serialized so that the machine's two cores are not oversubscribed.
@Suite(.serialized) struct FigureTests {
    func row(_ run: Int64, spaces: Int64, concurrency: Int64, ops: Double, p50: Double) -> PercentileRow {
        PercentileRow(run: RunID(run), runs: [RunID(run)], sweep: SweepID(1), pointKey: "s=\(spaces),c=\(concurrency)", system: "mason",
                      parameters: ["nsequence_spaces": .int(spaces), "concurrency": .int(concurrency), "nproxies": 3],
                      throughputOps: ops, p50Micros: p50, p99Micros: p50 * 3, p999Micros: p50 * 5, p9999Micros: p50 * 9)
    }

    var sweepRows: [PercentileRow] {
        [row(1, spaces: 1, concurrency: 1, ops: 400_000, p50: 20), row(2, spaces: 1, concurrency: 8, ops: 2_100_000, p50: 35),
         row(3, spaces: 1, concurrency: 32, ops: 3_000_000, p50: 90), row(4, spaces: 4, concurrency: 1, ops: 300_000, p50: 25),
         row(5, spaces: 4, concurrency: 8, ops: 1_500_000, p50: 45), row(6, spaces: 4, concurrency: 32, ops: 2_200_000, p50: 120)]
    }

    var recoveryCurve: RecoveryCurve {
        // 4 spaces, 10 ms intervals, 2 s warmup then 10 s: a leader kill stalls every space at 3 s
        // for 0.4 s, a sequencer kill at 7 s for 0.25 s.
        let intervals = 1_200
        var completions: [UInt64] = []
        var highest = [[Int64]](repeating: [], count: 4)
        var issued: [Int64] = [-1, -1, -1, -1]
        for i in 0 ..< intervals {
            let t = Double(i + 1) * 0.01 - 2
            let stalled = (3 ..< 3.4).contains(t) || (7 ..< 7.25).contains(t)
            let rate: UInt64 = stalled ? 0 : (t < 0 ? 6_000 : 9_000)
            completions.append(rate)
            for space in 0 ..< 4 {
                issued[space] += stalled ? 0 : Int64(rate / 4) + Int64(space * 40)
                highest[space].append(i < 3 ? -1 : issued[space])
            }
        }
        return RecoveryCurve(intervalMillis: 10, warmupMillis: 2_000, highestContiguous: highest, completions: completions)
    }

    let faults = [FaultEvent(kind: "kill-leader", target: "proxy-2", atSeconds: 3),
                  FaultEvent(kind: "kill-sequencer", target: "sequencer-0", atSeconds: 7)]

    @Test(arguments: FigureFormat.allCases)
    func throughputLatencyFiguresAreWrittenWithTheirDataAndScript(format: FigureFormat) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let figure = ThroughputLatencyFigure(title: "fig3 (local)", rows: sweepRows, latency: .p99)
        #expect(figure.series.map(\.title) == ["nsequence_spaces=1", "nsequence_spaces=4"])
        let files = try figure.render(to: scratch.file("plots/sweep-1.\(format.rawValue)"))
        let (script, data) = try expectWritten(files, named: "sweep-1", format: format)
        #expect(script.contains("data = 'sweep-1.dat'"))
        #expect(script.contains("set output 'sweep-1.\(format.rawValue)'"))
        #expect(script.contains("Throughput (Mops/s)"))
        #expect(script.contains("using ($1/xscale):3"))  // p99 is the third column
        #expect(data.components(separatedBy: "\n\n\n").count == 2)
        #expect(data.contains("2100000 35 105 175 315  # run 2"))
    }

    @Test(arguments: FigureFormat.allCases)
    func recoveryFiguresAreWrittenWithTheirDataAndScript(format: FigureFormat) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let figure = RecoveryFigure(title: "Recovery of run 7 (mason, 4 spaces)", curve: recoveryCurve, faults: faults)
        let files = try figure.render(to: scratch.file("recovery.\(format.rawValue)"))
        let (script, data) = try expectWritten(files, named: "recovery", format: format)
        #expect(script.contains("'leader killed' at first 3,"))
        #expect(script.contains("'sequencer killed' at first 7,"))
        #expect(script.contains("title 'space 3'"))
        #expect(script.contains("Highest contiguous number (millions)"))
        #expect(data.contains("\n0.01 NaN NaN NaN NaN\n") == false)  // warmup intervals are rows too, with their own times
        #expect(data.contains("\n-1.99 NaN NaN NaN NaN\n"))
        #expect(data.contains("\n3.4 "))  // stall over: the curve resumes
    }

    /// Keeps a PNG of each figure under $MASONLAB_FIGURE_SAMPLES for a person to look at (a tool,
    /// not a check: skipped, visibly, unless the variable is set).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MASONLAB_FIGURE_SAMPLES"] != nil, "set MASONLAB_FIGURE_SAMPLES=DIR to keep PNGs of the figures"))
    func samplesForInspection() throws {
        let folder = ProcessInfo.processInfo.environment["MASONLAB_FIGURE_SAMPLES"] ?? ""
        _ = try RecoveryFigure(title: "Recovery of run 7 (mason, 4 spaces)", curve: recoveryCurve, faults: faults)
            .render(to: folder + "/recovery.png")
        _ = try ThroughputLatencyFigure(title: "fig3 (local)", rows: sweepRows, latency: .p50).render(to: folder + "/sweep.png")
    }

    @Test func anUnknownExtensionIsRefusedBeforeAnythingIsWritten() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("recovery.jpg")
        #expect {
            _ = try RecoveryFigure(title: "r", curve: recoveryCurve, faults: faults).render(to: path)
        } throws: { error in
            (error as? FigureError) == .unknownFormat(path: path) && "\(error)".hasSuffix("the output must end in .pdf, .png, .svg")
        }
        #expect(throws: FigureError.unknownFormat(path: "sweep")) {
            try ThroughputLatencyFigure(title: "t", rows: sweepRows, latency: .p50).render(to: "sweep")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
        #expect(try FigureFormat(path: "/tmp/x.PDF") == .pdf)
    }

    @Test func aGnuplotFailureCarriesItsMessage() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let fake = scratch.file("gnuplot")
        try Data("#!/bin/sh\necho \"line 3: unknown or ambiguous terminal type\" >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: fake))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        #expect {
            _ = try RecoveryFigure(title: "r", curve: recoveryCurve, faults: []).render(to: scratch.file("out/r.svg"), gnuplot: URL(fileURLWithPath: fake))
        } throws: { error in
            "\(error)" == "gnuplot failed on \(scratch.file("out/r.gp")): line 3: unknown or ambiguous terminal type"
        }
        // The data and script stay for debugging; no picture is left.
        #expect(FileManager.default.fileExists(atPath: scratch.file("out/r.gp")))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/r.svg")))
        #expect(throws: FigureError.gnuplotMissing) {
            try RecoveryFigure(title: "r", curve: recoveryCurve, faults: []).render(to: scratch.file("r.svg"), gnuplot: nil)
        }
    }

    @Test func seriesDefaultToEveryVaryingParameterButTheLoad() {
        #expect(ThroughputLatencyFigure.defaultSeriesKeys(sweepRows) == ["nsequence_spaces"])
        #expect(ThroughputLatencyFigure.defaultSeriesKeys(Array(sweepRows.prefix(3))) == [])
        let byProxies = ThroughputLatencyFigure(title: "t", rows: sweepRows, latency: .p50, seriesBy: ["nproxies"])
        #expect(byProxies.series.map(\.title) == ["nproxies=3"])
        #expect(byProxies.series[0].points.count == 6)
        let single = ThroughputLatencyFigure(title: "t", rows: Array(sweepRows.prefix(3)), latency: .p50)
        #expect(single.series.map(\.title) == ["mason"])
    }

    /// Checks the three files are named after `name`, not empty, and the picture is in `format`;
    /// returns the gnuplot script and the data for the test's own checks.
    func expectWritten(_ files: FigureFiles, named name: String, format: FigureFormat) throws -> (script: String, data: String) {
        #expect(files.picture.lastPathComponent == "\(name).\(format.rawValue)")
        #expect(files.data.lastPathComponent == "\(name).dat")
        #expect(files.script.lastPathComponent == "\(name).gp")
        for url in [files.picture, files.data, files.script] {
            let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? 0
            #expect(size > 0, "\(url.lastPathComponent) is empty")
        }
        let head = try FileHandle(forReadingFrom: files.picture).read(upToCount: 8) ?? Data()
        switch format {
        case .pdf: #expect(head.starts(with: Data("%PDF".utf8)))
        case .png: #expect(head.starts(with: Data([0x89, 0x50, 0x4E, 0x47])))
        case .svg: #expect(String(decoding: head, as: UTF8.self).hasPrefix("<?xml") || String(decoding: head, as: UTF8.self).hasPrefix("<svg"))
        }
        return (try String(contentsOf: files.script, encoding: .utf8), try String(contentsOf: files.data, encoding: .utf8))
    }
}
