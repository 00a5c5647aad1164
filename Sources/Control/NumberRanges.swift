/// A set of sequence numbers kept as sorted, disjoint half-open ranges, which counts numbers
/// inserted twice. Mostly-ascending insertions (what a group applies) stay one or few ranges.
public struct NumberRanges: Sendable, Equatable {
    /// Sorted, disjoint, non-adjacent [lower, upper) ranges.
    public private(set) var ranges: [(lower: UInt64, upper: UInt64)] = []
    /// Numbers inserted while already present.
    public private(set) var duplicates: UInt64 = 0
    /// Numbers in the set.
    public private(set) var count: UInt64 = 0

    public init() {}

    /// From [first, count] pairs (as `run.results` carries them); duplicates among them are counted.
    public init(pairs: [[UInt64]]) {
        for pair in pairs where pair.count == 2 { insert(pair[0], count: pair[1]) }
    }

    public static func == (a: NumberRanges, b: NumberRanges) -> Bool {
        a.count == b.count && a.duplicates == b.duplicates && a.ranges.elementsEqual(b.ranges) { $0 == $1 }
    }

    /// Adds [first, first + n); numbers already present count as duplicates.
    public mutating func insert(_ first: UInt64, count n: UInt64) {
        guard n > 0 else { return }
        var lower = first, upper = first.addingReportingOverflow(n).overflow ? .max : first + n
        // The first range whose upper end reaches `lower` (ranges are sorted by both ends).
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upper < lower { lo = mid + 1 } else { hi = mid }
        }
        var end = lo
        var overlap: UInt64 = 0
        while end < ranges.count, ranges[end].lower <= upper {
            let r = ranges[end]
            let a = max(r.lower, lower), b = min(r.upper, upper)
            if b > a { overlap += b - a }
            lower = min(lower, r.lower)
            upper = max(upper, r.upper)
            end += 1
        }
        let before = ranges[lo ..< end].reduce(UInt64(0)) { $0 + ($1.upper - $1.lower) }
        ranges.replaceSubrange(lo ..< end, with: [(lower, upper)])
        duplicates += overlap
        count += (upper - lower) - before
    }

    /// Adds every number of `other` (its duplicates carry over).
    public mutating func formUnion(_ other: NumberRanges) {
        for r in other.ranges { insert(r.lower, count: r.upper - r.lower) }
    }

    /// One past the highest number, 0 when empty.
    public var upperBound: UInt64 { ranges.last?.upper ?? 0 }

    /// The numbers missing below `upperBound`, as ranges (at most `limit` of them).
    public func gaps(limit: Int = 8) -> [(lower: UInt64, upper: UInt64)] {
        var out: [(lower: UInt64, upper: UInt64)] = []
        var at: UInt64 = 0
        for r in ranges {
            if r.lower > at { out.append((at, r.lower)) }
            if out.count == limit { break }
            at = r.upper
        }
        return out
    }

    /// As [first, count] pairs.
    public var pairs: [[UInt64]] { ranges.map { [$0.lower, $0.upper - $0.lower] } }
}
