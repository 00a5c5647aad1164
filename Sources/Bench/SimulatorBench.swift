import Simulation

/// The simulator: messages delivered per wall second running a Mason cluster (each delivery is a
/// heap pop, an encode, a digest, a decode and a role step). The end-of-run invariant checks are
/// left out: they are measured by `simulate` itself.
public func benchmarkSimulator(seconds: Double) -> BenchResult {
    var config = SimulationConfig.cluster(groups: 4, clients: 4, clientThreads: 4, concurrency: 8, durationSeconds: 0.5)
    return measure("simulator", unit: "delivered messages/s", target: 1_000_000, seconds: seconds) {
        config.seed &+= 1
        return MasonSimulation.run(config, checkInvariants: false).messagesDelivered
    }
}
