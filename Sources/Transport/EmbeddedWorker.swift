import Protocols

/// A `Worker` driven in memory on the caller's thread, one loop turn at a time, with no thread, no
/// socket and no sleep: swift-nio's `EmbeddedChannel` for our transport. The test pushes datagrams
/// into `io`, moves `clock`, calls `runTurn`, and reads what went out from `io`. The loop is the
/// worker's own (`Worker.turn`), not a copy, so what holds here holds over UDP and DPDK.
///
/// It lives in Transport, not TestSupport, because driving a turn needs the worker's internal
/// loop steps, which stay out of `Worker`'s public API; Daemon and Simulation tests can use it too.
public final class EmbeddedWorker {
    /// Not exposed: its thread must never start (`wait` does not sleep in memory, so it would spin).
    private let worker: Worker
    public let io: MemoryPacketIO
    public let clock: ManualClock
    private var started = false

    /// A worker hosting `roles` on `io`, reading `clock`. `maxPayload`: the worker's datagram limit,
    /// `io.maxPayload` unless given (a smaller one than the I/O's makes the I/O's never bind). The
    /// other parameters are `Worker`'s.
    public init(roles: [any Role], addresses: AddressBook, io: MemoryPacketIO = MemoryPacketIO(), clock: ManualClock = ManualClock(),
                runTag: UInt64 = RunTag.none, batch: Int = 64, maxPayload: Int? = nil, coalesce: Bool = true,
                onEvent: @escaping Worker.EventSink = { _, _, _ in }) {
        self.io = io
        self.clock = clock
        worker = Worker(name: "embedded", io: io, clock: clock, addresses: addresses, roles: roles, runTag: runTag, batch: batch,
                        maxPayload: maxPayload ?? io.maxPayload, coalesce: coalesce, onEvent: onEvent)
    }

    /// Runs the roles' `start` at the clock's instant and sends what they produced. Once, first.
    public func start() {
        precondition(!started, "an embedded worker started twice")
        started = true
        worker.begin()
    }

    /// One loop turn at the clock's instant: receive one batch from `io`, hand it to the roles,
    /// fire the due timers, send; when nothing came in and no timer is due, record a wait in `io`.
    public func runTurn() {
        precondition(started, "run the embedded worker's start before its first turn")
        worker.turn()
    }

    /// The worker's counters, with `io`'s.
    public var statistics: WorkerCounters { worker.statistics }

    /// Halts role `endpoint` (`Worker.crash`); false when it is not hosted here.
    public func crash(_ endpoint: Endpoint) -> Bool { worker.crash(endpoint) }

    public func isCrashed(_ endpoint: Endpoint) -> Bool { worker.isCrashed(endpoint) }

    /// Moves the clock `nanoseconds` forward, then runs one turn.
    public func advance(nanoseconds: UInt64) {
        clock.advance(nanoseconds: nanoseconds)
        runTurn()
    }
}
