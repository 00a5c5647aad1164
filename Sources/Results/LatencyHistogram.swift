import Control
import Foundation
import Histogram

/// Client latency histograms: the [value µs, count] pairs clients report, merged into one
/// HdrHistogram per attempt (exact aggregate percentiles), and their compact stored form.
public enum LatencyHistogram {
    /// The clients' configuration: 1 µs to 60 s at 3 significant digits. Larger values resize the
    /// histogram rather than being dropped.
    public static func empty() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000,
                                          numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    /// One histogram holding every pair of every list: the distribution of all clients together.
    /// Pairs that are not exactly [value, count] are skipped (`validate` reports them).
    public static func merged(_ pairLists: [[[UInt64]]]) -> Histogram<UInt64> {
        var histogram = empty()
        for pairs in pairLists {
            for pair in pairs where pair.count == 2 && pair[1] > 0 {
                _ = histogram.record(pair[0], count: pair[1])
            }
        }
        return histogram
    }

    /// Whether every element is a [value, count] pair.
    static func isWellFormed(_ pairs: [[UInt64]]) -> Bool {
        pairs.allSatisfy { $0.count == 2 }
    }

    /// Stored form: a format byte (1), then per pair in increasing value order the LEB128 varints
    /// of the value's increase over the previous value and of the count. Equal values are summed
    /// and zero counts dropped, so the decoded pairs are sorted and distinct.
    static func encode(_ pairs: [[UInt64]]) -> Data {
        var counts: [UInt64: UInt64] = [:]
        for pair in pairs where pair.count == 2 && pair[1] > 0 { counts[pair[0], default: 0] += pair[1] }
        var bytes: [UInt8] = [1]
        bytes.reserveCapacity(1 + counts.count * 4)
        var previous: UInt64 = 0
        for value in counts.keys.sorted() {
            appendVarint(value - previous, to: &bytes)
            appendVarint(counts[value]!, to: &bytes)
            previous = value
        }
        return Data(bytes)
    }

    /// Inverse of `encode`; nil when the bytes are not a stored histogram.
    static func decode(_ data: Data) -> [[UInt64]]? {
        let bytes = [UInt8](data)
        guard bytes.first == 1 else { return nil }
        var pairs: [[UInt64]] = []
        var index = 1
        var value: UInt64 = 0
        while index < bytes.count {
            guard let delta = readVarint(bytes, &index), let count = readVarint(bytes, &index) else { return nil }
            let (sum, overflow) = value.addingReportingOverflow(delta)
            guard !overflow else { return nil }
            value = sum
            pairs.append([value, count])
        }
        return pairs
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private static func readVarint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        return nil
    }
}

/// An attempt's headline numbers: throughput summed over clients, percentiles of the merged histogram.
public struct LatencySummary: Sendable, Equatable {
    public var clients: Int
    public var completedInWindow: UInt64
    /// Sum over clients of operations completed in the window, divided by the window's length.
    public var throughputOps: Double
    public var p50Micros: UInt64
    public var p99Micros: UInt64
    public var p999Micros: UInt64
    public var p9999Micros: UInt64

    /// Summarises every client of every node. Percentiles are 0 when no operation was recorded.
    public init(nodes: [RunResults], measuredSeconds: Double) {
        let clients = nodes.flatMap(\.clients)
        let merged = LatencyHistogram.merged(clients.map(\.latencyMicros))
        self.clients = clients.count
        completedInWindow = clients.reduce(0) { $0 + $1.completedInWindow }
        throughputOps = measuredSeconds > 0 ? Double(completedInWindow) / measuredSeconds : 0
        let hasValues = merged.totalCount > 0
        p50Micros = hasValues ? merged.valueAtPercentile(50) : 0
        p99Micros = hasValues ? merged.valueAtPercentile(99) : 0
        p999Micros = hasValues ? merged.valueAtPercentile(99.9) : 0
        p9999Micros = hasValues ? merged.valueAtPercentile(99.99) : 0
    }
}
