import Protocols
#if canImport(Glibc)
import Glibc
#endif

/// The host's clock for roles: CLOCK_MONOTONIC in nanoseconds, shared by every worker and every
/// process on one machine, so instants from different daemons on a node compare.
public enum MonotonicClock {
    @inline(__always)
    public static func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Instant(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    /// Wall-clock nanoseconds since the Unix epoch (to agree on a run's origin across machines).
    public static func unixNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The monotonic instant at which the wall clock reads `unixNanoseconds`.
    public static func instant(atUnixNanoseconds wall: UInt64) -> Instant {
        let nowWall = unixNanoseconds(), nowMono = now().nanoseconds
        if wall >= nowWall { return Instant(nanoseconds: nowMono + (wall - nowWall)) }
        let back = nowWall - wall
        return Instant(nanoseconds: back < nowMono ? nowMono - back : 0)
    }
}
