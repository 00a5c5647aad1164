import Protocols
import Simulation
import Testing

/// Crash and partition schedules in the simulator, each with every invariant checked. Where a
/// test shows one of the original's listed bugs fixed, it says which.
@Suite struct FailoverTests {
    func config(seed: UInt64) -> SimulationConfig {
        var c = SimulationConfig()
        c.seed = seed
        c.concurrency = 2
        c.durationSeconds = 0.8
        return c
    }

    func expectClean(_ c: SimulationConfig) -> SimulationReport {
        let report = MasonSimulation.run(c)
        #expect(report.ok, "seed \(c.seed): \(report.failed.map { "\($0.name): \($0.detail ?? "")" })")
        return report
    }

    @Test func leaderKillRecoversWithContiguityIntact() {
        var c = config(seed: 11)
        c.killLeaderAt = 0.3
        let report = expectClean(c)
        let recovery = report.recoveries.first?.recoveryMillis
        #expect(recovery != nil && recovery! < 1_000, "recovered after \(String(describing: recovery)) ms")
    }

    @Test func sequencerKillRecoversWithContiguityIntact() {
        var c = config(seed: 12)
        c.killSequencerAt = 0.3
        let report = expectClean(c)
        let recovery = report.recoveries.first?.recoveryMillis
        #expect(recovery != nil && recovery! < 1_000, "recovered after \(String(describing: recovery)) ms")
    }

    /// Original bug 7: a leader failover followed at once by a sequencer failover aborted the
    /// backup ("Found a hole!"): the dead leader's unreplicated ranges were in no dependency list.
    @Test func leaderFailoverThenSequencerFailoverBackToBack() {
        for seed: UInt64 in 1 ... 3 {
            var c = config(seed: seed)
            c.killLeaderAt = 0.3
            c.killSequencerAt = 0.31
            _ = expectClean(c)
        }
    }

    /// Original bug 13: a recovery and a leader change at the same moment were not handled.
    @Test func leaderAndSequencerFailAtTheSameMoment() {
        for seed: UInt64 in 4 ... 6 {
            var c = config(seed: seed)
            c.killLeaderAt = 0.3
            c.killSequencerAt = 0.3
            _ = expectClean(c)
        }
    }

    /// Original bug 6: a falsely suspected sequencer could double-allocate. Isolating the live
    /// primary makes every group switch to the backup; batches the primary numbers afterwards
    /// never commit, and no number is given twice.
    @Test func falselySuspectedSequencerIsFenced() {
        var c = config(seed: 21)
        c.partitions = [PartitionFault(atSeconds: 0.2, durationSeconds: 0.4, roles: ["sequencer"])]
        _ = expectClean(c)
    }

    @Test func isolatedLeaderIsReplacedAndItsUncommittedBatchesNeverApply() {
        var c = config(seed: 22)
        c.partitions = [PartitionFault(atSeconds: 0.2, durationSeconds: 0.4, roles: ["proxy-0-0"])]
        c.faults = NetworkFaults(drop: 0.02, duplicate: 0.02)
        _ = expectClean(c)
    }

    /// A follower cut off while the others compact their logs catches up by snapshot.
    @Test func laggingFollowerCatchesUpBySnapshotInTheCluster() {
        var c = config(seed: 23)
        c.maxLogSize = 32
        c.partitions = [PartitionFault(atSeconds: 0.1, durationSeconds: 0.4, roles: ["proxy-0-2"])]
        _ = expectClean(c)
    }

    @Test func crashedFollowerAndClientLeaveTheRestLive() {
        var c = config(seed: 24)
        c.crashes = [CrashFault(role: "proxy-1-2", atSeconds: 0.2), CrashFault(role: "client-3", atSeconds: 0.3)]
        _ = expectClean(c)
    }
}

/// The GC ring truncates bitmap blocks complete in every group, and a backup's recovery still
/// finds every hole above the truncated prefix.
@Suite struct GarbageCollectionTests {
    @Test func ringTruncatesCompleteBlocksAndRecoveryStillFillsEveryHole() {
        var c = SimulationConfig()
        c.seed = 31
        c.proxyGroups = 3
        c.concurrency = 2
        c.durationSeconds = 0.8
        c.bitmapBlockSize = 128
        c.bitmapInitialBlocks = 1
        c.gcIntervalMicros = 1_000
        c.killSequencerAt = 0.4
        c.faults = NetworkFaults(drop: 0.02)
        let report = MasonSimulation.run(c)
        #expect(report.ok, "\(report.failed.map { "\($0.name): \($0.detail ?? "")" })")
        #expect(report.gcTruncatedBelow.allSatisfy { $0 >= 1_024 }, "truncated below \(report.gcTruncatedBelow)")
    }
}
