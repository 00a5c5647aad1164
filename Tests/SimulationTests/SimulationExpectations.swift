import Simulation
import Testing

/// Runs `config` and expects every invariant to hold, naming the seed and what broke otherwise.
@discardableResult
func expectEveryInvariantHolds(_ config: SimulationConfig, sourceLocation: SourceLocation = #_sourceLocation) -> SimulationReport {
    let report = MasonSimulation.run(config)
    #expect(report.ok, "seed \(config.seed): \(report.failed.map { "\($0.name): \($0.detail ?? "")" })", sourceLocation: sourceLocation)
    return report
}
