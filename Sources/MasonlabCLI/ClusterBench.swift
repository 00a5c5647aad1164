import Foundation
import Lab

/// `masonlab bench cluster`: a Mason run on seven local masond processes, measured as a user's
/// run would be (sum of the clients' operations in the window, merged latency histogram).
struct ClusterBenchResult {
    var summary: RunSummary

    static func measure(seconds: Double) throws -> ClusterBenchResult {
        var run = LocalMasonRun()
        run.duration = .milliseconds(Int64(seconds * 1_000))
        let daemons = try LocalDaemons(count: run.nodeCount, masond: LocalDaemons.masond())
        defer { daemons.stop() }
        let results = try run.run(on: daemons, label: "bench-cluster")
        let summary = RunSummary(results, window: run.duration, spaces: run.spaces)
        guard summary.contiguity.ok else { throw LabError("the cluster broke contiguity:\n\(summary.contiguity.summary)") }
        return ClusterBenchResult(summary: summary)
    }

    var row: [String: Any] {
        ["name": "cluster", "operations_per_second": summary.operationsPerSecond.rounded(), "p50_us": summary.p50Micros,
         "p99_us": summary.p99Micros, "p999_us": summary.p999Micros, "target_ops": 500_000, "target_p99_us": 2_000]
    }

    var table: String {
        let s = summary
        return TextTable.render([
            ["cluster (7 masond, loopback UDP)", "ops_per_second", "p50_us", "p99_us", "p999_us", "met"],
            ["sequencer, backup, 3 proxies, 4 clients", String(format: "%.0f", s.operationsPerSecond), "\(s.p50Micros)",
             "\(s.p99Micros)", "\(s.p999Micros)", s.operationsPerSecond >= 500_000 && s.p99Micros < 2_000 ? "yes" : "no"],
        ])
    }
}
