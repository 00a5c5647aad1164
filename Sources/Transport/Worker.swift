import Foundation
import Protocols
import Synchronization

/// One OS thread with one transport endpoint, its hosted roles and their timer heap. The loop:
/// receive a batch, hand each message to its role, fire due timers, send everything the roles
/// produced in one batch (messages to one peer coalesced), and sleep in the transport when idle.
/// Roles are touched only on this thread; other threads reach them through `perform`.
///
/// The worker owns neither its endpoint nor its time: it is given a `PacketIO` (a UDP socket, a
/// DPDK port, or `MemoryPacketIO`) and a `WorkerClock`, so `EmbeddedWorker` runs the same loop in
/// memory, one turn at a time. The I/O is called once per batch, never per packet.
public final class Worker: @unchecked Sendable {
    // @unchecked Sendable: every mutable field below is confined to the worker thread, except
    // `commands` (a Mutex) and `stopping`/`pending` (atomics); `perform` crosses between them.

    public typealias EventSink = (Event, _ role: Int, _ at: Instant) -> Void

    public let name: String
    public let roles: [any Role]
    /// The run whose datagrams this worker accepts (`RunTag`).
    public let runTag: UInt64
    public var localAddress: NetAddress { io.localAddress }
    private let io: any PacketIO
    private let clock: any WorkerClock
    private let addresses: AddressBook
    private let onEvent: EventSink
    private var index: [UInt32: Int] = [:]
    private var crashed: [Bool]
    private var timers: TimerHeap
    private var outputs: [Output] = []
    private let rx: PacketBatch
    private var outbox: Outbox
    private var counters = WorkerCounters()
    /// Work for the worker thread; `closed` once the loop has ended (work then runs on the caller).
    private let commands = Mutex<(queue: [@Sendable () -> Void], closed: Bool)>(([], false))
    private let pending = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// `runTag`: the tag of the run these roles belong to (`RunTag.of(run:)`); datagrams carrying
    /// another are dropped and counted (`foreignRun`).
    /// `maxPayload`: the largest datagram payload the transport carries (UDP: 65,507; DPDK: the
    /// MTU's). `coalesce`: messages from one role to one peer in a loop turn share datagrams.
    /// `clock`: where the loop reads the time (the host's monotonic clock unless a test drives it).
    public init(name: String, io: any PacketIO, clock: any WorkerClock = HostClock(), addresses: AddressBook, roles: [any Role],
                runTag: UInt64 = RunTag.none, batch: Int = 64, maxPayload: Int = 65_507, coalesce: Bool = true,
                onEvent: @escaping EventSink) {
        precondition(batch > 0, "a worker needs a batch of at least one datagram")
        self.name = name
        self.io = io
        self.clock = clock
        self.addresses = addresses
        self.roles = roles
        self.runTag = runTag
        self.onEvent = onEvent
        for (i, role) in roles.enumerated() {
            precondition(index[role.endpoint.id] == nil, "endpoint \(role.endpoint) hosted twice")
            index[role.endpoint.id] = i
        }
        crashed = Array(repeating: false, count: roles.count)
        timers = TimerHeap(roles: roles.count)
        outputs.reserveCapacity(256)
        let slot = min(maxPayload, 65_507)
        rx = PacketBatch(capacity: batch, slotSize: 65_536)
        outbox = Outbox(batch: PacketBatch(capacity: batch, slotSize: slot), maxPayload: slot, coalesce: coalesce, runTag: runTag)
    }

    /// Starts the thread; the roles' `start` runs first on it.
    public func start() {
        precondition(!started.exchange(true, ordering: .relaxed), "worker \(name) started twice")
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Stops the loop and waits for the thread to end. Roles get no further input.
    public func stop() {
        guard started.load(ordering: .relaxed), !stopping.exchange(true, ordering: .relaxed) else { return }
        io.wake()
        finished.wait()
        io.close()
    }

    /// Runs `body` with the hosted roles on the worker thread, between two loop turns, and
    /// returns its value; directly when the thread is not running.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (_ roles: [any Role]) -> T) -> T {
        let roles = Handoff(self.roles)
        return perform { body(roles.value) }
    }

    /// Runs `body` on the worker thread between two loop turns and returns its value; directly
    /// when the thread is not running.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<T?>(nil)
        let queued = started.load(ordering: .acquiring) && commands.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.queue.append {
                let value = body()
                result.withLock { $0 = value }
                done.signal()
            }
            return true
        }
        guard queued else { return body() }
        pending.store(true, ordering: .releasing)
        io.wake()
        done.wait()
        return result.withLock { $0! }
    }

    /// Halts role `endpoint` at once (fault injection): no more input, timers or output, no cleanup.
    /// Returns false when this worker does not host it.
    public func crash(_ endpoint: Endpoint) -> Bool {
        guard let i = index[endpoint.id] else { return false }
        perform { [self] in
            crashed[i] = true
            timers.arm(i, at: nil)
        }
        return true
    }

    public func isCrashed(_ endpoint: Endpoint) -> Bool {
        guard let i = index[endpoint.id] else { return false }
        return perform { [self] in crashed[i] }
    }

    /// A snapshot of the counters (taken on the worker thread).
    public var statistics: WorkerCounters {
        perform { [self] in
            var c = counters
            let s = io.stats
            c.sendFailures = s.sendFailures
            c.oversizedDatagrams = s.oversized
            c.foreignFrames = s.foreignFrames
            return c
        }
    }

    // MARK: The loop (worker thread only)

    private func run() {
        begin()
        while !stopping.load(ordering: .relaxed) { turn() }
        drainCommands(closing: true)
    }

    /// The roles' `start`, in order, then one send of what they produced: the thread's first step
    /// (`EmbeddedWorker.start` calls it on the test's thread instead).
    func begin() {
        let now = clock.now()
        for i in roles.indices {
            roles[i].start(at: now, into: &outputs)
            flush(i, at: now)
        }
        transmit()
    }

    /// One loop turn: queued `perform` work, one received batch, the due timers, one send; then,
    /// when nothing came in and no timer is due, a sleep in `io.wait` until the earliest timer.
    func turn() {
        if pending.load(ordering: .acquiring) { drainCommands() }
        counters.turns += 1
        let now = clock.now()
        let received = io.receive(into: rx)
        assert(received == rx.count && received <= rx.capacity, "a packet I/O reported \(received) datagrams in a batch of \(rx.count)")
        for d in 0 ..< received { dispatch(d, at: now) }
        while let i = timers.popDue(now: now.nanoseconds) {
            guard !crashed[i] else { continue }
            roles[i].tick(at: now, into: &outputs)
            flush(i, at: now, afterTick: true)
        }
        transmit()
        guard received == 0 else { return }
        let next = timers.earliest()
        let later = clock.now().nanoseconds
        if next.map({ $0 > later }) ?? true {
            counters.sleeps += 1
            io.wait(timeoutNanoseconds: next.map { $0 - later })
        }
    }

    private func drainCommands(closing: Bool = false) {
        pending.store(false, ordering: .relaxed)
        let work = commands.withLock { state -> [@Sendable () -> Void] in
            let taken = state.queue
            state.queue.removeAll()
            state.closed = closing
            return taken
        }
        for command in work { command() }
    }

    private func dispatch(_ d: Int, at now: Instant) {
        counters.datagramsIn += 1
        let payload = rx.payload(d)
        let header: Datagram.Header
        do throws(Datagram.Malformed) {
            header = try Datagram.header(payload)
        } catch {
            counters.malformedDatagrams += 1
            return
        }
        guard header.runTag == runTag else {
            counters.foreignRun += 1
            return
        }
        guard let i = index[header.destination.id] else {
            counters.misaddressed += 1
            return
        }
        guard !crashed[i] else {
            counters.toCrashedRoles += 1
            return
        }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: payload[Datagram.headerSize...]))
        for _ in 0 ..< header.frames {
            let message: Message
            do throws(WireError) {
                message = try Message.decode(from: &reader)
            } catch {
                // The frames before this one were delivered; nothing after it can be trusted.
                counters.malformedFrames += 1
                return
            }
            counters.messagesIn += 1
            roles[i].handle(message, from: header.source, at: now, into: &outputs)
            flush(i, at: now)
        }
        if reader.remaining != 0 { counters.malformedFrames += 1 }
    }

    /// Routes role `i`'s outputs: sends into the outbox, events to the sink; then re-arms its timer.
    private func flush(_ i: Int, at now: Instant, afterTick: Bool = false) {
        let source = roles[i].endpoint
        for output in outputs {
            switch output {
            case let .send(message, to):
                guard let address = addresses[to] else {
                    counters.unroutable += 1
                    continue
                }
                enqueue(message, from: source, to: to, at: address)
            case let .report(event):
                onEvent(event, i, now)
            }
        }
        outputs.removeAll(keepingCapacity: true)
        guard var deadline = roles[i].nextDeadline?.nanoseconds else {
            timers.arm(i, at: nil)
            return
        }
        if afterTick, deadline <= now.nanoseconds {
            counters.timerAnomalies += 1
            deadline = now.nanoseconds + 100_000
        }
        timers.arm(i, at: deadline)
    }

    private func enqueue(_ message: Message, from source: Endpoint, to destination: Endpoint, at address: NetAddress) {
        switch outbox.add(message, from: source, to: destination, at: address) {
        case .queued:
            counters.messagesOut += 1
        case .tooLarge:
            counters.oversizedMessages += 1
        case .batchFull:
            transmit()
            if case .queued = outbox.add(message, from: source, to: destination, at: address) {
                counters.messagesOut += 1
            } else {
                counters.oversizedMessages += 1
            }
        }
    }

    private func transmit() {
        guard !outbox.isEmpty else { return }
        counters.datagramsOut += UInt64(io.send(outbox.batch))
        outbox.reset()
    }
}

/// Carries the roles into a `perform` closure: they are only touched on the worker thread there.
private struct Handoff<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
