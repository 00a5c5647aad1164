import Foundation
import Lab
import Results

/// `masonlab bench cluster`: one Mason run on seven local masond processes, measured as a user's
/// run is (sum of the clients' operations in the window, merged latency histogram), in a
/// throwaway database.
struct ClusterBenchResult {
    var summary: LatencySummary

    static func measure(seconds: Double) throws -> ClusterBenchResult {
        var spec = RunSpec()
        spec.duration = seconds
        spec.retries = 0
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("masonlab-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try ResultsStore(path: folder.appendingPathComponent("bench.sqlite").path)
        let runner = Runner(testbed: LocalTestbed(masond: LocalDaemons.masond()))
        defer { runner.stop() }
        let (_, last) = try runner.run(spec, ledger: store)
        if case let .failed(reason) = last.outcome { throw LabError("the cluster run failed: \(reason)") }
        return ClusterBenchResult(summary: LatencySummary(nodes: last.nodes, measuredSeconds: spec.duration))
    }

    /// Its entry in `bench --json`.
    var entry: BenchDocument.Cluster {
        BenchDocument.Cluster(operationsPerSecond: summary.throughputOps.rounded(), p50Micros: summary.p50Micros,
                              p99Micros: summary.p99Micros, p999Micros: summary.p999Micros, targetOps: 500_000, targetP99Micros: 2_000)
    }

    var table: String {
        let s = summary
        return TextTable.render([
            ["cluster (7 masond, loopback UDP)", "ops_per_second", "p50_us", "p99_us", "p999_us", "met"],
            ["sequencer, backup, 3 proxies, 4 clients", String(format: "%.0f", s.throughputOps), "\(s.p50Micros)",
             "\(s.p99Micros)", "\(s.p999Micros)", s.throughputOps >= 500_000 && s.p99Micros < 2_000 ? "yes" : "no"],
        ])
    }
}
