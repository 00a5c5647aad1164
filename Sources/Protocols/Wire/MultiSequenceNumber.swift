/// The most sequence spaces one deployment may have: it bounds every per-space array on the wire.
public let maxSequenceSpaces = 64

/// How many numbers an operation (or a batch) wants from each sequence space; 0 means the space is
/// not used. Index = space.
public struct SpaceCounts: Hashable, Sendable, CustomStringConvertible {
    public var counts: [UInt32]

    public init(_ counts: [UInt32]) { self.counts = counts }
    public init(spaces: Int, each: UInt32) { counts = Array(repeating: each, count: spaces) }

    public var spaceCount: Int { counts.count }
    public subscript(space: Int) -> UInt32 {
        get { counts[space] }
        set { counts[space] = newValue }
    }
    /// True when no space is asked for.
    public var isEmpty: Bool { counts.allSatisfy { $0 == 0 } }

    /// Adds `other` space by space. Precondition: same number of spaces; no overflow.
    public mutating func add(_ other: SpaceCounts) {
        precondition(other.counts.count == counts.count, "space count mismatch")
        for i in counts.indices { counts[i] += other.counts[i] }
    }

    public var description: String { "[" + counts.map(String.init).joined(separator: ",") + "]" }
}

/// A contiguous range of numbers in one sequence space: `first ..< first + count`.
/// An empty range (count 0) always has `first == 0`, so equal ranges compare equal.
public struct SpaceRange: Hashable, Sendable, CustomStringConvertible {
    public var first: UInt64
    public var count: UInt32

    public init(first: UInt64, count: UInt32) {
        self.first = count == 0 ? 0 : first
        self.count = count
    }

    public static let empty = SpaceRange(first: 0, count: 0)

    /// One past the last number.
    public var end: UInt64 { first + UInt64(count) }
    public var isEmpty: Bool { count == 0 }

    public var description: String { count == 0 ? "-" : "\(first)+\(count)" }
}

/// A multi-sequence number: one range per sequence space (index = space), all handed out by one
/// atomic sequencer step, so two of them that share spaces are ordered the same way in each.
public struct MultiSequenceNumber: Hashable, Sendable, CustomStringConvertible {
    public var ranges: [SpaceRange]

    public init(_ ranges: [SpaceRange]) { self.ranges = ranges }

    public var spaceCount: Int { ranges.count }
    public subscript(space: Int) -> SpaceRange { ranges[space] }

    /// The counts this number covers, space by space.
    public var counts: SpaceCounts { SpaceCounts(ranges.map(\.count)) }

    public var description: String { "<" + ranges.map(\.description).joined(separator: " ") + ">" }
}
