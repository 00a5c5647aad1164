import Control
import Lab
import Protocols

extension RunArguments {
    /// The most operations a client may keep outstanding: the proxy's admission window (a request
    /// further ahead of the client's acknowledged mark is refused, so more would deadlock the client).
    static let maxConcurrency = Int(ProxyConfig(group: 0, spaces: 1, replicas: [Endpoint(0)], me: 0, sequencers: [Endpoint(1)]).maxClientWindow)

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
        try F.check("--concurrency", concurrency, 1 ... Self.maxConcurrency,
                    "the proxy admits \(Self.maxConcurrency) operations ahead of a client's acknowledged ones")
        try F.check("--batch-timeout-us", batchTimeoutUs, MasonSpecBounds.batchTimeoutMicros)
        try F.check("--max-log-size", maxLogSize, MasonSpecBounds.maxLogSize)
        try F.checkSeconds("--warmup", warmup, 0 ... 3_600)
        try F.checkSeconds("--duration", duration, 0 ... 3_600)
        try F.checkSeconds("--cooldown", cooldown, 0 ... 3_600)
        try F.checkSeconds("--kill-leader", killLeader, 0 ... 3_600)
        try F.checkSeconds("--kill-sequencer", killSequencer, 0 ... 3_600)
        try F.check("--retries", retries, 0 ... 20)
        try F.check("--inject-client-start-failures", injectClientStartFailures, 0 ... 100)
    }
}
