import Protocols
import Simulation
import Testing

@Suite struct DeterminismTests {
    func faulty(seed: UInt64) -> SimulationConfig {
        var c = SimulationConfig()
        c.seed = seed
        c.durationSeconds = 0.1
        c.killLeaderAt = [0.05]
        c.demand = .random(k: 2)
        c.faults = NetworkFaults(drop: 0.05, duplicate: 0.05, reorder: 0.2, delayMicros: 10 ... 100)
        return c
    }

    @Test func sameSeedGivesAnIdenticalRun() {
        let a = MasonSimulation.run(faulty(seed: 7))
        let b = MasonSimulation.run(faulty(seed: 7))
        #expect(a.digest == b.digest)
        #expect(a == b)
        #expect(a.messagesDelivered > 1_000)
    }

    @Test func differentSeedsGiveDifferentRuns() {
        let a = MasonSimulation.run(faulty(seed: 7))
        let b = MasonSimulation.run(faulty(seed: 8))
        #expect(a.digest != b.digest)
    }
}
