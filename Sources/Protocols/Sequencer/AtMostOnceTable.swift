/// Remembers each proxy group's allocations so that a retransmitted request gets its first range
/// back instead of a second one. Unlike the original's, the table is bounded: a group reports
/// which of its requests are durable (`durableBelow`), those entries are dropped, and a group with
/// `maxPendingPerGroup` entries outstanding is told to wait.
public struct AtMostOnceTable: Sendable {
    public enum Lookup: Equatable {
        case found(MultiSequenceNumber)
        case forgotten
        case absent
    }

    private struct GroupTable {
        var durableBelow: UInt64 = 0
        var allocations: [UInt64: MultiSequenceNumber] = [:]
    }

    private var groups: [GroupTable]
    public let maxPendingPerGroup: Int

    public init(groups: Int, maxPendingPerGroup: Int) {
        precondition(groups > 0 && groups <= Int(UInt16.max) + 1, "group count out of range")
        precondition(maxPendingPerGroup > 0, "maxPendingPerGroup must be positive")
        self.groups = Array(repeating: GroupTable(), count: groups)
        self.maxPendingPerGroup = maxPendingPerGroup
    }

    public var groupCount: Int { groups.count }
    /// Entries held for `group`.
    public func pending(group: UInt16) -> Int { groups[Int(group)].allocations.count }
    public func durableBelow(group: UInt16) -> UInt64 { groups[Int(group)].durableBelow }

    public func lookup(group: UInt16, seqRequestID: UInt64) -> Lookup {
        let table = groups[Int(group)]
        if seqRequestID < table.durableBelow { return .forgotten }
        if let numbers = table.allocations[seqRequestID] { return .found(numbers) }
        return .absent
    }

    public func isFull(group: UInt16) -> Bool { groups[Int(group)].allocations.count >= maxPendingPerGroup }

    public mutating func record(group: UInt16, seqRequestID: UInt64, numbers: MultiSequenceNumber) {
        precondition(lookup(group: group, seqRequestID: seqRequestID) == .absent, "allocation recorded twice")
        groups[Int(group)].allocations[seqRequestID] = numbers
    }

    /// Forgets every allocation of `group` below `mark`. Marks only move forward.
    public mutating func trim(group: UInt16, below mark: UInt64) {
        let i = Int(group)
        let old = groups[i].durableBelow
        guard mark > old else { return }
        if mark - old <= UInt64(groups[i].allocations.count) {
            for id in old ..< mark { groups[i].allocations.removeValue(forKey: id) }
        } else {
            groups[i].allocations = groups[i].allocations.filter { $0.key >= mark }
        }
        groups[i].durableBelow = mark
    }
}
