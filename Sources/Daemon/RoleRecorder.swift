import Control
import Protocols

/// What one hosted role reported during a run, kept compactly for `run.results`. Lives on its
/// worker's thread (events arrive there); read through `Worker.perform`.
final class RoleRecorder: @unchecked Sendable {
    // @unchecked Sendable: touched only on the owning worker's thread, or after it stopped.

    /// Applied-number ranges kept per space before a replica stops listing them (counts go on).
    static let maxRanges = 200_000

    let spaces: Int
    let origin: Instant
    let intervalNanos: UInt64
    /// Clients.
    private(set) var completions: [UInt64] = []
    private(set) var highest: [[Int64]]
    private(set) var numbers: [UInt64]
    /// Proxies.
    private(set) var committed: [NumberRanges]
    private(set) var committedCount: [UInt64]
    private(set) var rangesOverflowed = false
    private(set) var noops: [NumberRanges]
    private(set) var committedBatches: UInt64 = 0
    private(set) var leaderTerms: [UInt64] = []
    /// Input the role found contradicting the protocol (dropped by the role; reported by roles.status).
    private(set) var anomalies: UInt64 = 0
    /// With `recordRanges`: per interval, [space, first, count] of the numbers a client received
    /// or a proxy applied as noops (adjacent ranges merged).
    let recordRanges: Bool
    private(set) var rangesByInterval: [[[UInt64]]] = []

    init(spaces: Int, origin: Instant, intervalNanos: UInt64, recordRanges: Bool = false) {
        self.spaces = spaces
        self.origin = origin
        self.intervalNanos = intervalNanos
        self.recordRanges = recordRanges
        highest = Array(repeating: [], count: spaces)
        numbers = Array(repeating: 0, count: spaces)
        committed = Array(repeating: NumberRanges(), count: spaces)
        committedCount = Array(repeating: 0, count: spaces)
        noops = Array(repeating: NumberRanges(), count: spaces)
    }

    /// The interval an instant falls in (before the origin: interval 0), capped at a day of 1 ms ones.
    private func interval(_ t: Instant) -> Int {
        Int(min(t.nanoseconds(since: origin) / intervalNanos, 86_400_000))
    }

    func record(_ event: Event, at now: Instant) {
        switch event {
        case let .operationCompleted(op):
            let i = interval(op.completedAt)
            if completions.count <= i { completions.append(contentsOf: repeatElement(0, count: i + 1 - completions.count)) }
            completions[i] += 1
            for (s, range) in op.numbers.ranges.enumerated() where s < spaces && range.count > 0 {
                numbers[s] += UInt64(range.count)
                if highest[s].count <= i { highest[s].append(contentsOf: repeatElement(-1, count: i + 1 - highest[s].count)) }
                highest[s][i] = max(highest[s][i], Int64(clamping: range.first + UInt64(range.count) - 1))
                if recordRanges { keepRange(interval: i, space: s, first: range.first, count: UInt64(range.count)) }
            }
        case let .batchCommitted(batch):
            committedBatches += 1
            for op in batch.ops {
                for (s, range) in op.numbers.ranges.enumerated() where s < spaces && range.count > 0 {
                    apply(space: s, first: range.first, count: UInt64(range.count), noop: op.isNoop, at: now)
                }
            }
        case let .holesFilled(fill):
            for range in fill.ranges where Int(fill.space) < spaces {
                apply(space: Int(fill.space), first: range.first, count: UInt64(range.count), noop: true, at: now)
            }
        case let .leaderElected(_, term, _):
            leaderTerms.append(term)
        case .anomaly:
            anomalies += 1
        case .note:
            break
        }
    }

    private func apply(space s: Int, first: UInt64, count: UInt64, noop: Bool, at now: Instant) {
        committedCount[s] += count
        if !rangesOverflowed {
            committed[s].insert(first, count: count)
            if committed[s].ranges.count > Self.maxRanges { rangesOverflowed = true }
        }
        if noop {
            noops[s].insert(first, count: count)
            if recordRanges { keepRange(interval: interval(now), space: s, first: first, count: count) }
        }
    }

    private func keepRange(interval i: Int, space s: Int, first: UInt64, count: UInt64) {
        if rangesByInterval.count <= i { rangesByInterval.append(contentsOf: repeatElement([], count: i + 1 - rangesByInterval.count)) }
        if let last = rangesByInterval[i].last, last[0] == UInt64(s), last[1] + last[2] == first {
            rangesByInterval[i][rangesByInterval[i].count - 1][2] += count
        } else {
            rangesByInterval[i].append([UInt64(s), first, count])
        }
    }

    var duplicates: UInt64 { committed.reduce(0) { $0 + $1.duplicates } }
}
