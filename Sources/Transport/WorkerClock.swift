import Protocols
import Synchronization

/// Where a `Worker` reads the time: the host's monotonic clock in production (`HostClock`), a
/// clock the test moves by hand in memory (`ManualClock`). Read a few times per loop turn, never
/// per packet.
public protocol WorkerClock: Sendable {
    func now() -> Instant
}

/// CLOCK_MONOTONIC (`MonotonicClock.now()`): what every worker of a daemon runs on.
public struct HostClock: WorkerClock {
    public init() {}

    @inline(__always)
    public func now() -> Instant { MonotonicClock.now() }
}

/// A clock that moves only when told to, for driving a worker one loop turn at a time
/// (`EmbeddedWorker`), as swift-nio's `EmbeddedEventLoop.advanceTime` does. It never goes back.
public final class ManualClock: WorkerClock {
    private let nanoseconds: Atomic<UInt64>

    /// Starts at `instant` (one second by default, so roles may subtract small durations from it).
    public init(at instant: Instant = Instant(nanoseconds: 1_000_000_000)) {
        nanoseconds = Atomic(instant.nanoseconds)
    }

    public func now() -> Instant { Instant(nanoseconds: nanoseconds.load(ordering: .relaxed)) }

    /// Moves the clock `delta` nanoseconds forward.
    public func advance(nanoseconds delta: UInt64) {
        let (sum, overflow) = nanoseconds.load(ordering: .relaxed).addingReportingOverflow(delta)
        precondition(!overflow, "a manual clock advanced past UInt64.max nanoseconds")
        nanoseconds.store(sum, ordering: .relaxed)
    }

    /// Moves the clock to `instant`, which must not be before now.
    public func advance(to instant: Instant) {
        let current = nanoseconds.load(ordering: .relaxed)
        precondition(instant.nanoseconds >= current, "a manual clock moved back from \(current) ns to \(instant.nanoseconds) ns")
        nanoseconds.store(instant.nanoseconds, ordering: .relaxed)
    }
}
