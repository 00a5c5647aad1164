import Protocols
@testable import Simulation
import Testing

/// An input no correct peer sends is counted by the role that received it and reported by the
/// run's checker: here a forged AppendEntries, carrying a follower's own address, that claims a
/// second leader for the current term.
@Suite struct ImpossibleInputTests {
    @Test func aSecondLeaderInOneTermIsCountedAndReported() throws {
        let c = SimulationConfig.cluster(groups: 1)
        let layout = MasonCluster.Layout(c)
        let sim = Simulator(seed: 3, faults: .none) { _, _ in }
        let sequencers = [Sequencer(endpoint: layout.primary, config: MasonCluster.sequencerConfig(c, epoch: 0)),
                          Sequencer(endpoint: layout.backup, config: MasonCluster.sequencerConfig(c, epoch: 1))]
        sequencers.forEach(sim.add)
        let group = (0 ..< c.replicas).map { Proxy(config: MasonCluster.proxyConfig(c, group: 0, replica: $0), generator: sim.forkGenerator()) }
        group.forEach(sim.add)
        sim.start()
        sim.run(through: .milliseconds(500))
        let leader = try #require(group.first { $0.isLeader })
        let others = group.filter { !$0.isLeader }
        #expect(ImpossibleInputs.report(sequencers: sequencers, proxies: group).isEmpty)

        let forged = AppendEntries(group: 0, term: leader.term, leader: others[1].config.me, prevLogIndex: 0, prevLogTerm: 0,
                                   leaderCommit: 0, entries: [])
        #expect(sim.inject(.raft(.append(forged)), from: others[1].endpoint, to: others[0].endpoint, at: sim.now))
        sim.run(through: sim.now.adding(microseconds: 1_000))
        #expect(others[0].raft.impossible == 1)
        let report = ImpossibleInputs.report(sequencers: sequencers, proxies: group)
        #expect(report.count == 1 && report[0].hasPrefix("proxy \(others[0].endpoint) (group 0): 1 Raft inputs"), "\(report)")
    }
}
