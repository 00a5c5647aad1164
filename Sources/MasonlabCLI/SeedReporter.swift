import Foundation
import Simulation

/// What `masonlab simulate` prints while its seeds run: each seed's row (or JSON line) the moment
/// it finishes, a failing seed's replay command on stderr at once, and at the end, or on Ctrl-C, the
/// summary of every seed that finished. So an interrupted sweep keeps everything it found.
final class SeedReporter: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is behind `lock` (seeds finish on several threads,
    // and the interrupt handler reads them from another).
    enum Format {
        /// A row per seed, then the summary.
        case table
        /// The summary and failing seeds only.
        case quiet
        /// One JSON document at the end.
        case json
        /// One JSON object per line, per seed, as seeds finish.
        case jsonLines
    }

    private let configs: [SimulationConfig]
    private let format: Format
    private let lock = NSLock()
    private var reports: [Int: SimulationReport] = [:]

    init(configs: [SimulationConfig], format: Format) {
        self.configs = configs
        self.format = format
    }

    /// Before the first seed: the table's header.
    func begin() {
        if format == .table { emit(SimulateOutput.header) }
    }

    /// One seed ended.
    func finished(_ index: Int, _ report: SimulationReport) {
        lock.withLock {
            reports[index] = report
            switch format {
            case .table: emit(SimulateOutput.row(report))
            case .jsonLines: emit(SimulateOutput.json(SimulateOutput.SeedRecord(report, config: configs[index])))
            case .quiet, .json: break
            }
            if !report.ok {
                let names = report.failed.map(\.name).joined(separator: ", ")
                FileHandle.standardError.write(Data(
                    "masonlab: seed \(report.seed) broke \(names); replay: \(SimulateOutput.replayCommand(configs[index]))\n".utf8))
            }
        }
    }

    /// The end of the sweep (or its interruption): the JSON document or the summary line, and the
    /// replay command of every failed seed. Returns the failure message when some seed failed.
    func finish(interrupted: Bool) -> String? {
        lock.withLock {
            let done = reports.keys.sorted().map { (configs[$0], reports[$0]!) }
            switch format {
            case .json:
                emit(SimulateOutput.json(SimulateOutput.Document(
                    seeds: done.map { SimulateOutput.SeedRecord($0.1, config: $0.0) }, interrupted: interrupted ? true : nil)))
            case .table, .quiet:
                emit(summary(done.map(\.1), interrupted: interrupted))
            case .jsonLines:
                break
            }
            let failures = done.filter { !$0.1.ok }
            guard !failures.isEmpty else { return nil }
            var lines = ["\(failures.count) of \(done.count) seeds\(interrupted ? " that finished" : "") broke an invariant. Replay each with:"]
            for (config, report) in failures {
                lines.append("  \(SimulateOutput.replayCommand(config))   # \(report.failed.map(\.name).joined(separator: ", "))")
            }
            return lines.joined(separator: "\n")
        }
    }

    private func summary(_ done: [SimulationReport], interrupted: Bool) -> String {
        let passed = done.filter(\.ok).count
        let names = done.first?.invariants.map(\.name).joined(separator: ", ") ?? ""
        var text = interrupted
            ? "Interrupted: \(done.count) of \(configs.count) seeds finished: \(passed) passed, \(done.count - passed) failed."
            : "\(done.count) seeds: \(passed) passed, \(done.count - passed) failed."
        if !names.isEmpty { text += " Invariants: \(names)." }
        for r in done where !r.ok {
            for f in r.failed { text += "\nseed \(r.seed): \(f.name): \(f.detail ?? "")" }
        }
        return text
    }

    /// One line to stdout, written at once (not buffered): a pipe reader or a log sees each seed
    /// when it ends, and an interrupt loses nothing already reported.
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
