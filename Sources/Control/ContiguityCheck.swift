/// Mason's promise checked on what a run's nodes report: in every space the numbers the proxy
/// groups committed are exactly 0..<N, no number went to two operations, and every committed
/// number reached a client or is a noop.
public struct ContiguityCheck: Sendable, Equatable {
    public struct Space: Sendable, Equatable {
        /// One past the highest committed number.
        public var upper: UInt64
        /// Missing numbers below `upper` (at most a few, for the message).
        public var gaps: [[UInt64]]
        /// Numbers committed twice: within one replica, or by two groups.
        public var duplicates: UInt64
        public var noops: UInt64
        /// Numbers the clients received.
        public var received: UInt64
        public var ok: Bool { gaps.isEmpty && duplicates == 0 && received + noops == upper }
    }

    public var spaces: [Space]
    /// Proxies whose applied numbers were too many ranges to keep; the check is then incomplete.
    public var incomplete: Bool
    public var ok: Bool { !incomplete && spaces.allSatisfy(\.ok) }

    /// Checks the merged results of every node of one run. Replicas of one group apply the same
    /// numbers, so they are united first; groups must then be disjoint.
    public init(_ nodes: [RunResults], spaces count: Int) {
        let proxies = nodes.flatMap(\.proxies)
        let clients = nodes.flatMap(\.clients)
        incomplete = proxies.contains { $0.committed == nil }
        var result: [Space] = []
        for s in 0 ..< count {
            var all = NumberRanges(), noops = NumberRanges()
            var duplicates: UInt64 = 0
            for group in Set(proxies.map(\.group)).sorted() {
                var united = NumberRanges()
                for p in proxies where p.group == group {
                    let mine = NumberRanges(pairs: p.committed?[safe: s] ?? [])
                    duplicates += mine.duplicates
                    united.formUnion(mine)
                }
                // Replicas overlap by design; what two groups share is a duplicate.
                let before = all.duplicates
                all.formUnion(united)
                duplicates += all.duplicates - before
            }
            for p in proxies { noops.formUnion(NumberRanges(pairs: p.noops[safe: s] ?? [])) }
            let received = clients.reduce(UInt64(0)) { $0 + ($1.numbers[safe: s] ?? 0) }
            result.append(Space(upper: all.upperBound, gaps: all.gaps().map { [$0.lower, $0.upper - $0.lower] },
                                duplicates: duplicates, noops: noops.count, received: received))
        }
        self.spaces = result
    }

    /// One line per space, for logs and test failures.
    public var summary: String {
        spaces.enumerated().map { s, space in
            "space \(s): 0..<\(space.upper), \(space.received) received + \(space.noops) noops, \(space.duplicates) duplicates"
                + (space.gaps.isEmpty ? "" : ", gaps \(space.gaps)") + (space.ok ? "" : " (BROKEN)")
        }.joined(separator: "\n") + (incomplete ? "\n(incomplete: a proxy kept too many ranges)" : "")
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
