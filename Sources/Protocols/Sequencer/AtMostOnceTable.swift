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

    /// One group's allocations, indexed by seqRequestID - durableBelow in a ring that grows on
    /// demand up to `maxPendingPerGroup` slots. Proxies number their requests consecutively, so the
    /// live window is dense and every lookup is an index, not a hash.
    private struct GroupTable {
        var durableBelow: UInt64 = 0
        /// The newest leader term served: requests from older terms are fenced.
        var leaderTerm: UInt64 = 0
        /// One past the highest seqRequestID recorded.
        var nextSeqRequestID: UInt64 = 0
        var slots: [MultiSequenceNumber?] = []
        /// Slot of `durableBelow`.
        var head = 0
        var count = 0

        func slot(_ id: UInt64) -> Int? {
            guard id >= durableBelow, id - durableBelow < UInt64(slots.count) else { return nil }
            return (head + Int(id - durableBelow)) % slots.count
        }

        func get(_ id: UInt64) -> MultiSequenceNumber? { slot(id).flatMap { slots[$0] } }

        /// Grows the ring (re-laid from `durableBelow`) until `id` has a slot.
        mutating func makeRoom(for id: UInt64) {
            let needed = Int(id - durableBelow) + 1
            guard needed > slots.count else { return }
            var capacity = max(16, slots.count)
            while capacity < needed { capacity *= 2 }
            var grown = [MultiSequenceNumber?](repeating: nil, count: capacity)
            for i in 0 ..< slots.count { grown[i] = slots[(head + i) % slots.count] }
            slots = grown
            head = 0
        }

        mutating func advance(to mark: UInt64) {
            guard mark > durableBelow else { return }
            if mark - durableBelow >= UInt64(slots.count) {
                for i in slots.indices { slots[i] = nil }
                head = 0
                count = 0
            } else {
                for _ in 0 ..< Int(mark - durableBelow) {
                    if slots[head] != nil { slots[head] = nil; count -= 1 }
                    head = (head + 1) % slots.count
                }
            }
            durableBelow = mark
        }
    }

    private var groups: [GroupTable]
    public let maxPendingPerGroup: Int

    public init(groups: Int, maxPendingPerGroup: Int) {
        precondition(groups > 0 && groups <= Int(UInt16.max) + 1, "group count out of range")
        precondition(maxPendingPerGroup > 0, "maxPendingPerGroup must be positive")
        self.groups = Array(repeating: GroupTable(), count: groups)
        self.maxPendingPerGroup = maxPendingPerGroup
    }

    /// Entries held for `group`.
    public func pending(group: UInt16) -> Int { groups[Int(group)].count }
    public func durableBelow(group: UInt16) -> UInt64 { groups[Int(group)].durableBelow }

    // The accessors below read the group's table in place (`groups[i].field`): copying the struct
    // out would retain and release its ring on every request.

    public func lookup(group: UInt16, seqRequestID: UInt64) -> Lookup {
        let i = Int(group)
        if seqRequestID < groups[i].durableBelow { return .forgotten }
        if let numbers = groups[i].get(seqRequestID) { return .found(numbers) }
        return .absent
    }

    /// May `seqRequestID` be recorded? Only within `maxPendingPerGroup` of the group's durable mark.
    public func hasRoom(group: UInt16, seqRequestID: UInt64) -> Bool {
        let durable = groups[Int(group)].durableBelow
        return seqRequestID >= durable && seqRequestID - durable < UInt64(maxPendingPerGroup)
    }

    /// Fencing: accepts `term` (raising the group's term) unless an older leader is asking.
    public mutating func admit(group: UInt16, term: UInt64) -> Bool {
        let i = Int(group)
        guard term >= groups[i].leaderTerm else { return false }
        groups[i].leaderTerm = term
        return true
    }

    public func nextSeqRequestID(group: UInt16) -> UInt64 { groups[Int(group)].nextSeqRequestID }
    /// The newest leader term served for `group` (0: none yet).
    public func leaderTerm(group: UInt16) -> UInt64 { groups[Int(group)].leaderTerm }
    /// The furthest mark this table knows for `group`: its durable mark or one past its highest
    /// allocation. seqRequestIDs and durable marks from the network are judged against it.
    public func mark(group: UInt16) -> UInt64 { max(groups[Int(group)].durableBelow, groups[Int(group)].nextSeqRequestID) }

    /// Every allocation of `group` still held, by seqRequestID.
    public func allocations(group: UInt16) -> [Allocation] {
        let table = groups[Int(group)]
        return (0 ..< table.slots.count).compactMap { offset in
            let id = table.durableBelow + UInt64(offset)
            return table.get(id).map { Allocation(seqRequestID: id, numbers: $0) }
        }
    }

    public mutating func record(group: UInt16, seqRequestID: UInt64, numbers: MultiSequenceNumber) {
        precondition(hasRoom(group: group, seqRequestID: seqRequestID), "allocation outside the group's window")
        let i = Int(group)
        groups[i].nextSeqRequestID = max(groups[i].nextSeqRequestID, seqRequestID + 1)
        groups[i].makeRoom(for: seqRequestID)
        let slot = groups[i].slot(seqRequestID)!
        precondition(groups[i].slots[slot] == nil, "allocation recorded twice")
        groups[i].slots[slot] = numbers
        groups[i].count += 1
    }

    /// Forgets every allocation of `group` below `mark`. Marks only move forward.
    public mutating func trim(group: UInt16, below mark: UInt64) {
        groups[Int(group)].advance(to: mark)
    }
}
