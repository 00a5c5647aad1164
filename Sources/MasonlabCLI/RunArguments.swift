import ArgumentParser
import Foundation
import Lab
import Protocols

/// The options of one Mason run (`masonlab run`, `masonlab plan`): CLI.md's names, with the
/// artifact's underscore spellings accepted as hidden aliases so old command lines keep working.
struct RunArguments: ParsableArguments {
    @Option(help: "The system to run (built so far: \(System.built.map(\.rawValue).joined(separator: ", "))).")
    var system: System = .mason

    @Option(help: "Proxy machines, a multiple of 3.")
    var nproxies: Int = 3

    @Option(name: [.customLong("nproxy-threads"), .customLong("nproxy_threads")], help: "Groups per proxy triple (a worker each).")
    var nproxyThreads: Int = 1

    @Option(name: [.customLong("nproxy-leaders"), .customLong("nproxy_leaders")],
            help: "Total proxy groups; must equal nproxies/3 × nproxy-threads when given (the artifact's redundant flag).")
    var nproxyLeaders: Int?

    @Option(help: "Client machines.")
    var nclients: Int = 2

    @Option(name: [.customLong("nclient-threads"), .customLong("nclient_threads")], help: "Clients per client machine.")
    var nclientThreads: Int = 2

    @Option(name: [.customLong("nsequence-spaces"), .customLong("nsequence_spaces")], help: "Sequence spaces (1–64).")
    var nsequenceSpaces: Int = 1

    @Option(name: [.customLong("concurrency"), .customLong("client_concurrency")], help: "Operations outstanding per client.")
    var concurrency: Int = 32

    @Option(name: [.customLong("batch-timeout-us"), .customLong("batch_to"), .customLong("batch_timeout")], help: "Proxy batch timeout (µs).")
    var batchTimeoutUs: UInt64 = 20

    @Option(help: "Warm-up seconds before measurement.")
    var warmup: Double = 0.25

    @Option(name: [.customLong("duration"), .customLong("expduration")], help: "Measured seconds.")
    var duration: Double = 3

    @Option(help: "Seconds after measurement before clients stop.")
    var cooldown: Double = 0.1

    @Option(name: [.customLong("max-log-size"), .customLong("max_log_size")], help: "Raft entries kept before a snapshot.")
    var maxLogSize: Int = 500_000

    @Option(name: [.customLong("kill-leader"), .customLong("kill_leader")],
            help: ArgumentHelp("Kill group 0's current leader T seconds into measurement (once per run).", valueName: "T"))
    var killLeaders: [Double] = []

    @Option(name: [.customLong("kill-sequencer"), .customLong("kill_sequencer")],
            help: ArgumentHelp("Kill the primary sequencer T seconds into measurement (once per run).", valueName: "T"))
    var killSequencers: [Double] = []

    /// `--kill-leader T`, given at most once (`validate`).
    var killLeader: Double? { killLeaders.first }
    /// `--kill-sequencer T`, given at most once (`validate`).
    var killSequencer: Double? { killSequencers.first }

    @Option(name: .customLong("pause"), help: ArgumentHelp(
        "Stop (SIGSTOP) the daemon hosting ROLE (\(NemesisArguments.roles)) T seconds into measurement and continue it DURATION seconds later; repeatable.",
        valueName: "ROLE:T:DURATION"))
    var pauses: [String] = []

    @Option(name: .customLong("partition"), help: ArgumentHelp(
        "Cut one proxy node of every triple (the one hosting its first group's leader) off from every other node, T seconds into measurement, for DURATION seconds (nftables; needs root); repeatable, not overlapping.",
        valueName: "T:DURATION"))
    var partitions: [String] = []

    @Option(help: "Startup-failure retries after the first attempt.")
    var retries: Int = 3

    func validate() throws {
        // A flag's last value silently winning would drop a fault the user asked for.
        for (flag, times) in [("--kill-leader", killLeaders), ("--kill-sequencer", killSequencers)] where times.count > 1 {
            let stored = flag.dropFirst(2).replacingOccurrences(of: "-", with: "_") + "_s"
            throw ValidationError("\(flag) is given \(times.count) times (\(times.map { "\($0)" }.joined(separator: ", "))); a run stores one \(stored), so give it once.")
        }
        try checkRanges()
        if let l = nproxyLeaders, l != nproxies / 3 * nproxyThreads {
            throw ValidationError("--nproxy-leaders \(l) does not match --nproxies \(nproxies) / 3 × --nproxy-threads \(nproxyThreads) = \(nproxies / 3 * nproxyThreads).")
        }
        guard warmup >= 0, duration > 0, cooldown >= 0, warmup + duration + cooldown <= 3_600 else {
            throw ValidationError("--warmup, --duration and --cooldown must be non-negative, duration positive, and together at most an hour.")
        }
        for (flag, t) in [("--kill-leader", killLeader), ("--kill-sequencer", killSequencer)] {
            if let t, !(0 ..< duration).contains(t) { throw ValidationError("\(flag) \(t) is outside the measurement (0..<\(duration) s).") }
        }
        guard (0 ... 20).contains(retries) else { throw ValidationError("--retries must be 0...20 (got \(retries)).") }
        try checkPausesAndPartitions()
    }

    /// `--pause` and `--partition`: each readable, inside the measurement, naming a role the run has.
    private func checkPausesAndPartitions() throws {
        var kills: [ScheduledFault] = []
        if let t = killSequencer { kills.append(.killSequencer(at: t)) }
        do {
            let faults = try pauses.map(NemesisArguments.pause) + partitions.map(NemesisArguments.partition) + kills
            let clients = nclients.multipliedReportingOverflow(by: nclientThreads)
            try NemesisArguments.check(faults, duration: duration, groups: min(max(0, nproxies), 1 << 20) / 3 * min(max(0, nproxyThreads), 64),
                                       clients: clients.overflow ? .max : clients.partialValue)
        } catch {
            throw ValidationError(error.description)
        }
    }

    var spec: RunSpec {
        var s = RunSpec()
        s.system = system
        s.options.proxies = nproxies
        s.options.proxyThreads = nproxyThreads
        s.options.clients = nclients
        s.options.clientThreads = nclientThreads
        s.options.spaces = nsequenceSpaces
        s.options.concurrency = concurrency
        s.options.batchTimeoutMicros = batchTimeoutUs
        s.options.maxLogSize = maxLogSize
        s.warmup = warmup
        s.duration = duration
        s.cooldown = cooldown
        s.retries = retries
        if let t = killLeader { s.faults.append(.killLeader(at: t)) }
        if let t = killSequencer { s.faults.append(.killSequencer(at: t)) }
        s.faults += pauses.compactMap { try? NemesisArguments.pause($0) } + partitions.compactMap { try? NemesisArguments.partition($0) }
        s.recordRanges = !s.faults.isEmpty
        return s
    }
}

