import Protocols
import Simulation
import Testing

/// Seeds across mixes of network faults and cluster shapes (3-replica groups): every invariant
/// must hold for every seed. A failure names the seed; `masonlab simulate` with the same options
/// replays it. `make test` runs many more seeds, with crashes and partitions, in a release build.
@Suite struct FaultMixTests {
    struct Mix: CustomTestStringConvertible, Sendable {
        var name: String
        var faults: NetworkFaults
        var groups = 2
        var spaces = 4
        var demand: Demand = .all
        var concurrency = 4
        var maxBatchOps = 64
        var testDescription: String { name }
    }

    static let mixes: [Mix] = [
        Mix(name: "drops", faults: NetworkFaults(drop: 0.1)),
        Mix(name: "duplicates", faults: NetworkFaults(duplicate: 0.2)),
        Mix(name: "reordering", faults: NetworkFaults(reorder: 0.5, delayMicros: 1 ... 500)),
        Mix(name: "everything", faults: NetworkFaults(drop: 0.05, duplicate: 0.05, reorder: 0.2), demand: .random(k: 2)),
        Mix(name: "one space, tiny batches", faults: NetworkFaults(drop: 0.05, reorder: 0.3), groups: 3, spaces: 1, maxBatchOps: 2),
        Mix(name: "many spaces, random subsets", faults: NetworkFaults(drop: 0.02, duplicate: 0.1, reorder: 0.3),
            groups: 1, spaces: 64, demand: .random(k: 3), concurrency: 8),
    ]

    @Test(arguments: mixes)
    func everyInvariantHoldsForEverySeed(mix: Mix) {
        for seed: UInt64 in 1 ... 12 {
            var c = SimulationConfig.cluster(groups: mix.groups, spaces: mix.spaces, concurrency: mix.concurrency, durationSeconds: 0.05)
            c.seed = seed
            c.demand = mix.demand
            c.maxBatchOps = mix.maxBatchOps
            c.faults = mix.faults
            let report = expectEveryInvariantHolds(c)
            #expect(report.operations > 0, "seed \(seed) completed nothing")
        }
    }
}
