import Foundation
import Simulation

/// How `masonlab simulate` prints its reports.
enum SimulateOutput {
    static func table(_ reports: [SimulationReport], rows showRows: Bool = true) -> String {
        let header = ["seed", "ok", "ops", "sim_ops_s", "p50_us", "p99_us", "p999_us", "messages", "recovery_ms", "digest", "failed"]
        var rows = [header]
        for r in reports {
            rows.append([String(r.seed), r.ok ? "yes" : "NO", String(r.operations), String(Int(r.throughputOpsPerSecond.rounded())),
                         String(r.p50Micros), String(r.p99Micros), String(r.p999Micros), String(r.messagesDelivered),
                         recoveryColumn(r), r.digest.description, r.failed.map(\.name).joined(separator: ",")])
        }
        var text = showRows ? TextTable.render(rows) + "\n" : ""
        let passed = reports.filter(\.ok).count
        let names = reports.first?.invariants.map(\.name).joined(separator: ", ") ?? ""
        text += "\(reports.count) seeds: \(passed) passed, \(reports.count - passed) failed. Invariants: \(names)."
        for r in reports where !r.ok {
            for f in r.failed { text += "\nseed \(r.seed): \(f.name): \(f.detail ?? "")" }
        }
        return text
    }

    /// `kill-leader=312.5,kill-sequencer=401.2`, or `-` without scheduled faults.
    static func recoveryColumn(_ r: SimulationReport) -> String {
        guard !r.recoveries.isEmpty else { return "-" }
        return r.recoveries.map { "\($0.fault.replacingOccurrences(of: " ", with: "_"))=\($0.recoveryMillis.map { String(format: "%.1f", $0) } ?? "none")" }
            .joined(separator: ",")
    }

    static func json(_ reports: [SimulationReport]) -> String {
        let seeds: [[String: Any]] = reports.map { r in
            var entry: [String: Any] = [
                "seed": r.seed, "ok": r.ok, "ops": r.operations,
                "throughput_ops": (r.throughputOpsPerSecond * 10).rounded() / 10,
                "p50_us": r.p50Micros, "p99_us": r.p99Micros, "p999_us": r.p999Micros,
                "messages": r.messagesDelivered, "simulated_seconds": r.simulatedSeconds, "digest": r.digest.description,
                "gc_truncated_below": r.gcTruncatedBelow,
                "invariants": Dictionary(uniqueKeysWithValues: r.invariants.map { ($0.name, $0.held) }),
            ]
            let failures = r.failed.map { [$0.name: $0.detail ?? ""] }.reduce(into: [String: String]()) { $0.merge($1) { a, _ in a } }
            if !failures.isEmpty { entry["failures"] = failures }
            if !r.recoveries.isEmpty {
                entry["recoveries"] = r.recoveries.map { recovery -> [String: Any] in
                    ["fault": recovery.fault, "at_s": recovery.atSeconds, "recovery_ms": recovery.recoveryMillis ?? NSNull()]
                }
            }
            return entry
        }
        let data = try! JSONSerialization.data(withJSONObject: ["seeds": seeds], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
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
        parts += ["--bitmap-block-size \(c.bitmapBlockSize)", "--bitmap-initial-blocks \(c.bitmapInitialBlocks)",
                  "--gc-interval-us \(c.gcIntervalMicros)"]
        if let t = c.killLeaderAt { parts.append("--kill-leader \(t)") }
        if let t = c.killSequencerAt { parts.append("--kill-sequencer \(t)") }
        parts += c.partitions.map { "--partition \($0.atSeconds):\($0.durationSeconds)" }
        parts += c.crashes.map { "--crash \($0.role):\($0.atSeconds)" }
        return parts.joined(separator: " ")
    }
}

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        let widths = (0 ..< width).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
