import Control
import Foundation
@testable import Results

/// A fresh directory under /tmp, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "masonlab-results-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A client's results with `samples` as its latency (histogram pairs, as masond reports them).
func client(endpoint: UInt32, samples: [UInt64], completedInWindow: UInt64? = nil, completions: [UInt64] = [3, 4, 5]) -> ClientResults {
    var histogram = LatencyHistogram.empty()
    for sample in samples { _ = histogram.record(sample) }
    let pairs = histogram.recordedValues().map { [$0.value, $0.count] }
    return ClientResults(endpoint: endpoint, group: 0, crashed: false, completed: UInt64(samples.count) + 7,
                         completedInWindow: completedInWindow ?? UInt64(samples.count), retransmissions: 1, failovers: 0,
                         latencyMicros: pairs, completions: completions, highest: [[10, 20, 30]], numbers: [30])
}

/// One node hosting `clients`, plus a proxy and a sequencer so the node's JSON columns are exercised.
func node(_ clients: [ClientResults]) -> RunResults {
    RunResults(run: "test", intervalMillis: 10, originUnixNanos: 1_700_000_000_000_000_000, clients: clients,
               proxies: [ProxyResults(endpoint: 2, group: 0, replica: 0, crashed: false, committedBatches: 4, committed: [[[0, 30]]],
                                      committedCount: [30], noops: [[]], duplicates: 0, leaderTerms: [1])],
               sequencers: [SequencerResults(endpoint: 0, epoch: 1, crashed: false, ready: true, highWater: [31], allocations: 9)])
}

func attempt(_ number: Int, _ outcome: AttemptOutcome = .succeeded, nodes: [RunResults], seconds: Double = 2,
             recovery: RecoveryCurve? = nil, faults: [FaultEvent] = []) -> AttemptRecord {
    AttemptRecord(number: number, startedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(number) * 10),
                  endedAt: Date(timeIntervalSince1970: 1_700_000_005 + Double(number) * 10), outcome: outcome,
                  measuredSeconds: seconds, intervalMillis: 10, nodes: nodes, recovery: recovery, faults: faults)
}

/// A run configuration as the runner stores it: JSON text (keys deliberately unsorted).
let testConfiguration = #"{"warmupMillis": 500, "placement": {"sequencer": "node-0", "proxies": ["node-2", "node-3", "node-4"]}}"#

extension ResultsStore {
    /// A standalone run with `parameters`, for tests.
    func testRun(_ parameters: RunParameters = ["nproxies": 3]) throws -> RunID {
        try run(sweep: nil, pointKey: nil, system: .mason, parameters: parameters, configuration: testConfiguration,
                testbed: "local", masonlabVersion: "test")
    }
}
