import Protocols
import Simulation
import Testing

/// The hostile-frame fault: extreme-value frames from outside the cluster, delivered to random
/// roles through the real codec, alone and mixed with the other faults. Every role must drop them
/// (counted, never trapped, never adopted) and every invariant must hold. `make sweeps` runs 100
/// seeds more in a release build.
@Suite struct HostileFrameTests {
    struct Mix: CustomTestStringConvertible, Sendable {
        var name: String
        var framesPerSecond: Double
        var faults = NetworkFaults()
        var killSequencerAt: Double?
        var testDescription: String { name }
    }

    static let mixes: [Mix] = [
        Mix(name: "hostile frames alone", framesPerSecond: 5_000),
        Mix(name: "with drops and duplicates", framesPerSecond: 5_000, faults: NetworkFaults(drop: 0.05, duplicate: 0.05)),
        Mix(name: "through a sequencer failover", framesPerSecond: 2_000, killSequencerAt: 0.05),
    ]

    @Test(arguments: mixes)
    func everyInvariantHoldsUnderHostileFrames(mix: Mix) {
        for seed: UInt64 in 1 ... 3 {
            var c = SimulationConfig.cluster(concurrency: 2, durationSeconds: mix.killSequencerAt == nil ? 0.05 : 0.1)
            c.seed = seed
            c.hostileFramesPerSecond = mix.framesPerSecond
            c.faults = mix.faults
            c.killSequencerAt = mix.killSequencerAt.map { [$0] } ?? []
            let report = expectEveryInvariantHolds(c)
            #expect(report.operations > 0, "seed \(seed) completed nothing")
        }
    }

    /// The fault is part of the seed: the same seed injects the same frames (a failing seed replays).
    @Test func hostileFramesReplayBitForBit() {
        var c = SimulationConfig()
        c.durationSeconds = 0.02
        c.hostileFramesPerSecond = 10_000
        #expect(MasonSimulation.run(c).digest == MasonSimulation.run(c).digest)
    }

    /// The generator makes frames the codec carries (else the fault would test nothing).
    @Test func mostHostileFramesPassTheCodec() {
        let sim = Simulator(seed: 1, faults: .none) { _, _ in }
        sim.add(Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 4, groups: 2)))
        let frames = HostileFrames(mode: .outsider, groups: 2, spaces: 4, replicas: 3)
        var generator = SplitMix64(seed: 9)
        let carried = (0 ..< 1_000).count { _ in sim.inject(frames.message(&generator), from: Endpoint(77), to: Endpoint(0), at: .zero) }
        #expect(carried > 800, "only \(carried) of 1000 frames passed the codec")
        sim.run(through: .milliseconds(1))
        #expect(sim.injected == UInt64(carried))
    }

    @Test func aNegativeOrNaNRateIsRefused() {
        var c = SimulationConfig()
        for rate in [-1.0, .nan, .infinity] {
            c.hostileFramesPerSecond = rate
            #expect(c.validationError()?.hasPrefix("--hostile") == true)
        }
    }
}
