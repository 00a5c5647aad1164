import Control
import Foundation
import Simulation

/// How `masonlab simulate` prints one seed: a table row, a JSON record, and the command that replays it.
enum SimulateOutput {
    /// Column names and the widths rows are padded to (rows print as seeds finish, before the
    /// widest value is known; a wider value just pushes the rest of its row right).
    static let columns: [(name: String, width: Int)] = [
        ("seed", 6), ("ok", 3), ("ops", 8), ("sim_ops_s", 9), ("p50_us", 7), ("p99_us", 7), ("p999_us", 8),
        ("messages", 9), ("digest", 16), ("recovery_ms", 11), ("failed", 0),
    ]

    static var header: String { line(columns.map(\.name)) }

    static func row(_ r: SimulationReport) -> String {
        line([String(r.seed), r.ok ? "yes" : "NO", String(r.operations), String(Int(r.throughputOpsPerSecond.rounded())),
              String(r.p50Micros), String(r.p99Micros), String(r.p999Micros), String(r.messagesDelivered),
              r.digest.description, recoveryColumn(r), r.failed.map(\.name).joined(separator: ",")])
    }

    private static func line(_ cells: [String]) -> String {
        zip(cells, columns).enumerated().map { index, pair in
            index == columns.count - 1 ? pair.0 : pair.0.padding(toLength: max(pair.1.width, pair.0.count), withPad: " ", startingAt: 0)
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }

    /// `kill-leader=312.5,kill-sequencer=401.2`, or `-` without scheduled faults.
    static func recoveryColumn(_ r: SimulationReport) -> String {
        guard !r.recoveries.isEmpty else { return "-" }
        return r.recoveries.map { "\($0.fault.description.replacingOccurrences(of: " ", with: "_"))=\($0.recoveryMillis.map { String(format: "%.1f", $0) } ?? "none")" }
            .joined(separator: ",")
    }

    /// One seed as `--json` lists it and `--json-lines` prints it.
    struct SeedRecord: Encodable {
        struct Recovery: Encodable {
            var fault: String
            var at_s: Double
            /// When the fault hit: later than `at_s` for a kill that waited for a leader.
            var hit_s: Double?
            var recovery_ms: Double?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(fault, forKey: .fault)
                try container.encode(at_s, forKey: .at_s)
                try container.encode(hit_s, forKey: .hit_s) // null when it never hit (faultsHit fails)
                try container.encode(recovery_ms, forKey: .recovery_ms) // null when no new number came
            }

            private enum CodingKeys: String, CodingKey { case fault, at_s, hit_s, recovery_ms }
        }

        var seed: UInt64
        var ok: Bool
        var ops: UInt64
        var throughput_ops: Double
        var p50_us: UInt64
        var p99_us: UInt64
        var p999_us: UInt64
        var messages: UInt64
        var simulated_seconds: Double
        var digest: String
        var gc_truncated_below: [UInt64]
        var invariants: [String: Bool]
        /// Broken invariants and what broke them; absent when every invariant held.
        var failures: [String: String]?
        var recoveries: [Recovery]?
        /// The command that replays this seed; present when it failed.
        var replay: String?

        init(_ r: SimulationReport, config: SimulationConfig) {
            seed = r.seed
            ok = r.ok
            ops = r.operations
            throughput_ops = (r.throughputOpsPerSecond * 10).rounded() / 10
            p50_us = r.p50Micros
            p99_us = r.p99Micros
            p999_us = r.p999Micros
            messages = r.messagesDelivered
            simulated_seconds = r.simulatedSeconds
            digest = r.digest.description
            gc_truncated_below = r.gcTruncatedBelow
            invariants = Dictionary(r.invariants.map { ($0.name, $0.held) }, uniquingKeysWith: { $0 && $1 })
            if !r.ok {
                failures = Dictionary(r.failed.map { ($0.name, $0.detail ?? "") }, uniquingKeysWith: { a, _ in a })
                replay = replayCommand(config)
            }
            if !r.recoveries.isEmpty {
                recoveries = r.recoveries.map { Recovery(fault: $0.fault.description, at_s: $0.atSeconds, hit_s: $0.hitSeconds, recovery_ms: $0.recoveryMillis) }
            }
        }
    }

    /// The `--json` document: every finished seed in seed order; `interrupted` when Ctrl-C cut the sweep short.
    struct Document: Encodable {
        var seeds: [SeedRecord]
        var interrupted: Bool?
    }

    static func json(_ value: some Encodable) -> String {
        do {
            return try JSONOutput.string(value)
        } catch {
            // Only a non-finite Double can fail here, and the report's are finite.
            preconditionFailure("a simulation record did not encode: \(error)")
        }
    }

    /// The one line that replays `config` exactly.
    static func replayCommand(_ c: SimulationConfig) -> String {
        var parts = ["masonlab simulate", "--system \(c.system.rawValue)", "--proxy-groups \(c.proxyGroups)",
                     "--replicas \(c.replicas)", "--nclients \(c.clients)", "--nclient-threads \(c.clientThreads)",
                     "--nsequence-spaces \(c.spaces)", "--concurrency \(c.concurrency)", "--demand \(c.demand)",
                     "--duration \(c.loadSeconds)", "--seed \(c.seed)"]
        parts += ["--drop \(c.faults.drop)", "--duplicate \(c.faults.duplicate)", "--reorder \(c.faults.reorder)",
                  "--delay-us \(c.faults.delayMicros.lowerBound)-\(c.faults.delayMicros.upperBound)",
                  "--batch-timeout-us \(c.batchTimeoutMicros)", "--max-batch-ops \(c.maxBatchOps)", "--max-log-size \(c.maxLogSize)"]
        if c.hostileFramesPerSecond > 0 { parts.append("--hostile \(c.hostileFramesPerSecond)") }
        parts += ["--bitmap-block-size \(c.bitmapBlockSize)", "--bitmap-initial-blocks \(c.bitmapInitialBlocks)",
                  "--gc-interval-us \(c.gcIntervalMicros)"]
        parts += c.killLeaderAt.map { ScheduledFault.killLeader.flag(atSeconds: $0) }
        parts += c.killSequencerAt.map { ScheduledFault.killSequencer.flag(atSeconds: $0) }
        parts += c.partitions.map { "--partition \($0.atSeconds):\($0.durationSeconds)" }
        parts += c.crashes.map { ScheduledFault.crash(role: $0.role).flag(atSeconds: $0.atSeconds) }
        return parts.joined(separator: " ")
    }
}
