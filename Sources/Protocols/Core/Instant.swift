/// A point in time in nanoseconds since the host's origin. Roles never read a clock: the host
/// passes the current instant into every call, so a simulator can run them in virtual time.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)
    public static func microseconds(_ us: UInt64) -> Instant { Instant(nanoseconds: us * 1_000) }
    public static func milliseconds(_ ms: UInt64) -> Instant { Instant(nanoseconds: ms * 1_000_000) }

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    /// `self + micros`, saturating (a timer far in the future is still a timer).
    public func adding(microseconds us: UInt64) -> Instant {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(us &* 1_000)
        return Instant(nanoseconds: overflow ? .max : sum)
    }

    /// Nanoseconds from `earlier` to `self`, zero if `earlier` is later.
    public func nanoseconds(since earlier: Instant) -> UInt64 {
        nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0
    }

    public var description: String { "\(nanoseconds / 1_000)us" }
}
