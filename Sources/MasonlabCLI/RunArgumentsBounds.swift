import ArgumentParser
import Control
import Lab
import Protocols

extension RunArguments {
    /// Every numeric flag of `run` and `plan` in its range, before the cross-flag rules (which
    /// multiply and add them) run.
    func checkRanges() throws {
        typealias F = FlagBounds
        try F.check("--nproxies", nproxies, 3 ... 3_000, "a multiple of 3")
        try F.check("--nproxy-threads", nproxyThreads, 1 ... 64)
        try F.check("--nproxy-leaders", nproxyLeaders, 1 ... 64_000)
        try F.check("--nclients", nclients, 1 ... 1_000)
        try F.check("--nclient-threads", nclientThreads, 1 ... 64)
        try F.check("--nsequence-spaces", nsequenceSpaces, 1 ... maxSequenceSpaces)
        // The proxies' admission window bounds it (Protocols' one rule for every client concurrency).
        if let problem = ProxyConfig.concurrencyError(concurrency) { throw ValidationError("--\(problem)") }
        try F.check("--batch-timeout-us", batchTimeoutUs, MasonSpecBounds.batchTimeoutMicros)
        try F.check("--max-log-size", maxLogSize, MasonSpecBounds.maxLogSize)
        try F.checkSeconds("--warmup", warmup, 0 ... 3_600)
        // The shortest window that measures (Lab's rule; the runner refuses shorter ones too).
        try F.checkSeconds("--duration", duration, MeasurementRule.minimumSeconds ... 3_600)
        try F.checkSeconds("--cooldown", cooldown, 0 ... 3_600)
        try F.checkSeconds("--kill-leader", killLeader, 0 ... 3_600)
        try F.checkSeconds("--kill-sequencer", killSequencer, 0 ... 3_600)
        try F.check("--retries", retries, 0 ... 20)
    }
}
