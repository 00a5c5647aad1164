import ArgumentParser
import Bench
import Control
import Foundation

struct Bench: ParsableCommand {
    enum Target: String, CaseIterable, ExpressibleByArgument {
        case sequencer, pipeline, raft, simulator, udp, cluster, all
    }

    static let configuration = CommandConfiguration(
        abstract: "Measure the protocol code in process, on one core (benchmarks, not tests).",
        discussion: """
        sequencer: batch requests/s through the sequencer's handle, 4 spaces (target 5 M/s). \
        pipeline: client operations/s through codec + proxy + sequencer at batches of 64 (target 2 M/s). \
        raft: entries committed/s by a 3-replica Raft group, 64-operation batch entries, every message through the codec. \
        simulator: delivered messages/s of the simulator running a Mason cluster (target 1 M/s). \
        udp: loopback messages/s answered by a transport Worker against a raw recvmmsg/sendmmsg echo loop, \
        two threads pinned to cores 0 and 1 (target: 70% of raw). \
        cluster: a Mason cluster of seven masond processes on 127.0.1.x (sequencer, backup, a proxy group of 3, \
        2 client nodes of 2 clients, concurrency 32 each) over UDP: operations/s and latency percentiles \
        (target 500,000 operations/s, p99 under 2 ms); needs masond beside masonlab. \
        Build in release mode for meaningful numbers: swift build -c release.
        """
    )

    @Argument(help: "What to measure: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target = .all

    @Option(help: "Wall seconds per benchmark.")
    var seconds = 3.0

    @Flag(help: "Print one JSON document instead of the table.")
    var json = false

    func validate() throws {
        guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be between 0 and 600 (got \(seconds)).") }
    }

    func run() throws {
        var results: [BenchResult] = []
        if target == .sequencer || target == .all { results.append(benchmarkSequencer(seconds: seconds)) }
        if target == .pipeline || target == .all { results.append(benchmarkPipeline(seconds: seconds)) }
        if target == .raft || target == .all { results.append(benchmarkRaft(seconds: seconds)) }
        if target == .simulator || target == .all { results.append(benchmarkSimulator(seconds: seconds)) }
        if target == .udp || target == .all { results += try benchmarkUDPTransport(seconds: seconds) }
        let cluster = target == .cluster || target == .all ? try ClusterBenchResult.measure(seconds: seconds) : nil
        if json {
            print(try JSONOutput.string(BenchDocument(results, cluster: cluster)))
        } else {
            var rows = [["benchmark", "per_second", "unit", "target", "met"]]
            for m in results {
                rows.append([m.name, String(format: "%.0f", m.perSecond), m.unit, m.target.map { String(format: "%.0f", $0) } ?? "-",
                             m.metTarget.map { $0 ? "yes" : "no" } ?? "-"])
            }
            if rows.count > 1 { print(TextTable.render(rows)) }
            if let cluster { print(cluster.table) }
        }
    }
}
