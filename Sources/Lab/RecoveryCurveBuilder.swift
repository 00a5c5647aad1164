import Control

/// The highest contiguous number per space over time, computed exactly from what clients
/// received and proxies applied as noops in each interval (run with `recordRanges`): interval by
/// interval, every range joins one set per space; the curve is how far that set reaches from 0.
public enum RecoveryCurveBuilder {
    /// `highest[space][interval]` (-1 before number 0 arrives) and completions per interval.
    public static func build(_ nodes: [RunResults], spaces: Int) -> (highest: [[Int64]], completions: [UInt64]) {
        let clients = nodes.flatMap(\.clients), proxies = nodes.flatMap(\.proxies)
        let sources = clients.compactMap(\.rangesByInterval) + proxies.compactMap(\.noopsByInterval)
        let intervals = max(sources.map(\.count).max() ?? 0, clients.map(\.completions.count).max() ?? 0)
        var sets = Array(repeating: NumberRanges(), count: spaces)
        var highest = Array(repeating: [Int64](), count: spaces)
        var completions = Array(repeating: UInt64(0), count: intervals)
        for client in clients {
            for (i, n) in client.completions.enumerated() { completions[i] += n }
        }
        for i in 0 ..< intervals {
            for source in sources where i < source.count {
                for triple in source[i] where triple.count == 3 && Int(triple[0]) < spaces {
                    sets[Int(triple[0])].insert(triple[1], count: triple[2])
                }
            }
            for s in 0 ..< spaces {
                let first = sets[s].ranges.first
                highest[s].append(first.map { $0.lower == 0 ? Int64(clamping: $0.upper) - 1 : -1 } ?? -1)
            }
        }
        return (highest, completions)
    }
}
