/// The sequencer's counters: one per sequence space, all advanced together by one step, so every
/// pair of allocations that share spaces is ordered the same way in each of them.
public struct SequenceSpaces: Sendable {
    /// The next number each space will hand out (its high-water mark).
    public private(set) var next: [UInt64]

    public init(spaces: Int) {
        precondition((1 ... maxSequenceSpaces).contains(spaces), "sequence spaces must be 1...\(maxSequenceSpaces)")
        next = Array(repeating: 0, count: spaces)
    }

    /// Restarts every counter at `next` (a backup taking over).
    public init(resumingAt next: [UInt64]) {
        precondition((1 ... maxSequenceSpaces).contains(next.count), "sequence spaces must be 1...\(maxSequenceSpaces)")
        self.next = next
    }

    public var spaceCount: Int { next.count }

    /// Hands out `counts[i]` numbers from every space `i` at once.
    public mutating func allocate(_ counts: SpaceCounts) -> MultiSequenceNumber {
        precondition(counts.spaceCount == next.count, "request has \(counts.spaceCount) spaces, sequencer \(next.count)")
        let n = next.count
        let ranges = [SpaceRange](unsafeUninitializedCapacity: n) { buffer, initialized in
            next.withUnsafeMutableBufferPointer { next in
                counts.counts.withUnsafeBufferPointer { counts in
                    for i in 0 ..< n {
                        buffer.initializeElement(at: i, to: SpaceRange(first: next[i], count: counts[i]))
                        next[i] += UInt64(counts[i])
                    }
                }
            }
            initialized = n
        }
        return MultiSequenceNumber(ranges)
    }
}
