import Protocols

/// A deterministic discrete-event simulator: roles exchange messages over a simulated network in
/// virtual time. One seeded generator drives every random choice, so the same seed gives the same
/// run, bit for bit (`digest`). Every delivered message goes through the real codec: it is encoded,
/// mixed into the digest, decoded, and checked to round-trip.
public final class Simulator {
    private struct Envelope {
        var message: Message
        var from: Endpoint
        var to: Endpoint
    }

    public private(set) var now: Instant = .zero
    public var faults: NetworkFaults
    public private(set) var digest = RunDigest()
    public private(set) var delivered: UInt64 = 0
    public private(set) var dropped: UInt64 = 0
    public private(set) var codecFailures: [String] = []

    private var roles: [any Role] = []
    private var crashed: [Bool] = []
    /// Endpoints cut off from the rest (a partition); nil when the network is whole.
    private var isolated: [Bool]?
    private var armedAt: [UInt64?] = []
    /// A role's timer never fires before this (set only for a role whose timer failed to move).
    private var timerFloor: [UInt64] = []
    private var stormReported = false
    private var queue = EventQueue()
    private var envelopes: [Envelope?] = []
    private var freeEnvelopes: [Int32] = []
    private var actions: [(() -> Void)?] = []
    private var generator: SplitMix64
    private var outputs: [Output] = []
    private var scratch = [UInt8](repeating: 0, count: WireFormat.maxMessageSize)
    private let observe: (Event, Instant) -> Void

    /// `observe` sees every event a role reports, with the time it was reported.
    public init(seed: UInt64, faults: NetworkFaults, observe: @escaping (Event, Instant) -> Void) {
        generator = SplitMix64(seed: seed)
        self.faults = faults
        self.observe = observe
        outputs.reserveCapacity(256)
    }

    /// A generator for a role, derived from the run's generator.
    public func forkGenerator() -> SplitMix64 { generator.fork() }

    /// Adds a role; endpoints must be 0, 1, 2, ... in the order added.
    public func add(_ role: any Role) {
        precondition(Int(role.endpoint.id) == roles.count, "endpoints must be added densely, in order")
        roles.append(role)
        crashed.append(false)
        armedAt.append(nil)
        timerFloor.append(0)
    }

    public func role(_ endpoint: Endpoint) -> any Role { roles[Int(endpoint.id)] }
    public func isCrashed(_ endpoint: Endpoint) -> Bool { crashed[Int(endpoint.id)] }

    /// Starts every role at the current time.
    public func start() {
        for index in roles.indices {
            roles[index].start(at: now, into: &outputs)
            flush(from: index)
        }
    }

    /// Crash-stop: the role receives nothing and sends nothing from now on.
    public func crash(_ endpoint: Endpoint) { crashed[Int(endpoint.id)] = true }

    /// Cuts `endpoints` off from every other endpoint (messages across are lost) until `heal`.
    public func partition(_ endpoints: [Endpoint]) {
        var side = [Bool](repeating: false, count: roles.count)
        for e in endpoints { side[Int(e.id)] = true }
        isolated = side
    }

    public func heal() { isolated = nil }

    private func separated(_ a: Int, _ b: Int) -> Bool {
        // A sender outside the cluster (an injected frame's) is on no side of a partition.
        guard let isolated, a < isolated.count, b < isolated.count else { return false }
        return isolated[a] != isolated[b]
    }

    /// Frames delivered by `inject` (the hostile-frame fault).
    public private(set) var injected: UInt64 = 0

    /// Delivers `message` to `to` at `at`, as if `from` (any endpoint, a member or not) had sent
    /// it: the hostile-frame fault. Only messages the codec carries are injected (a worker drops
    /// the rest before any role sees them); returns whether this one was.
    @discardableResult
    public func inject(_ message: Message, from: Endpoint, to: Endpoint, at: Instant) -> Bool {
        guard Int(to.id) < roles.count, let decoded = HostileFrames.throughCodec(message), decoded == message else { return false }
        injected += 1
        schedule(Envelope(message: message, from: from, to: to), atNanoseconds: max(at.nanoseconds, now.nanoseconds))
        return true
    }

    /// Queues one delivery, reusing a free envelope slot.
    private func schedule(_ envelope: Envelope, atNanoseconds time: UInt64) {
        let slot: Int32
        if let free = freeEnvelopes.popLast() {
            slot = free
            envelopes[Int(slot)] = envelope
        } else {
            slot = Int32(envelopes.count)
            envelopes.append(envelope)
        }
        queue.push(time: time, kind: .delivery, index: slot)
    }

    /// Runs `action` at simulated time `at`.
    public func schedule(at: Instant, _ action: @escaping () -> Void) {
        actions.append(action)
        queue.push(time: at.nanoseconds, kind: .action, index: Int32(actions.count - 1))
    }

    /// Processes events up to and including `limit`, stopping early once `until` returns true
    /// (checked after each event). Returns whether `until` became true.
    @discardableResult
    public func run(through limit: Instant, until: () -> Bool = { false }) -> Bool {
        while let time = queue.nextTime, time <= limit.nanoseconds {
            let entry = queue.pop()!
            now = Instant(nanoseconds: time)
            switch entry.kind {
            case .delivery: deliver(entry.index)
            case .timer: fire(Int(entry.index))
            case .action:
                let action = actions[Int(entry.index)]
                actions[Int(entry.index)] = nil
                action?()
            }
            if until() { return true }
        }
        if now < limit { now = limit }
        return false
    }

    private func deliver(_ slot: Int32) {
        let envelope = envelopes[Int(slot)]!
        envelopes[Int(slot)] = nil
        freeEnvelopes.append(slot)
        let to = Int(envelope.to.id)
        guard !crashed[to], !separated(Int(envelope.from.id), to) else {
            dropped += 1
            return
        }
        delivered += 1
        digest.mix(now.nanoseconds)
        digest.mix(UInt64(envelope.from.id) << 32 | UInt64(envelope.to.id))
        let result: Result<Message, WireError> = scratch.withUnsafeMutableBytes { buffer in
            do throws(WireError) {
                var writer = ByteWriter(buffer)
                try envelope.message.encode(into: &writer)
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[0 ..< writer.count])
                digest.mix(bytes)
                return .success(try Message(decoding: bytes))
            } catch {
                return .failure(error)
            }
        }
        guard case let .success(decoded) = result else {
            codecFailures.append("\(envelope.message): \(result)")
            return
        }
        if decoded != envelope.message { codecFailures.append("\(envelope.message) decoded as \(decoded)") }
        roles[to].handle(decoded, from: envelope.from, at: now, into: &outputs)
        flush(from: to)
    }

    private func fire(_ index: Int) {
        guard !crashed[index], armedAt[index] == now.nanoseconds else { return }
        armedAt[index] = nil
        roles[index].tick(at: now, into: &outputs)
        if let deadline = roles[index].nextDeadline, deadline <= now {
            // A timer still due after its tick would spin forever at this instant: report it, and
            // hold the role's timer back a millisecond so the run goes on to its checkers.
            observe(.anomaly(role: Endpoint(UInt32(index)), description: "timer at \(now) still due after its tick"), now)
            timerFloor[index] = now.nanoseconds + 1_000_000
        }
        flush(from: index)
    }

    /// Hands a role's outputs to the network and the observer, then re-arms its timer.
    private func flush(from index: Int) {
        let sender = Endpoint(UInt32(index))
        for output in outputs {
            switch output {
            case let .send(message, to): transmit(message, from: sender, to: to)
            case let .report(event): observe(event, now)
            }
        }
        outputs.removeAll(keepingCapacity: true)
        if let deadline = roles[index].nextDeadline {
            let time = max(deadline.nanoseconds, now.nanoseconds, timerFloor[index])
            if armedAt[index].map({ time < $0 }) ?? true {
                armedAt[index] = time
                queue.push(time: time, kind: .timer, index: Int32(index))
            }
        }
    }

    /// Events in flight past which the run counts as a message storm: a feedback loop in the
    /// protocol, reported and contained instead of exhausting memory.
    public static let maxEventsInFlight = 1_000_000

    private func transmit(_ message: Message, from: Endpoint, to: Endpoint) {
        guard Int(to.id) < roles.count, !separated(Int(from.id), Int(to.id)) else {
            dropped += 1
            return
        }
        guard queue.count < Self.maxEventsInFlight else {
            if !stormReported {
                stormReported = true
                observe(.anomaly(role: from, description: "message storm: \(queue.count) events in flight at \(now)"), now)
            }
            dropped += 1
            return
        }
        if faults.drop > 0, generator.nextUnit() < faults.drop {
            dropped += 1
            return
        }
        let copies = faults.duplicate > 0 && generator.nextUnit() < faults.duplicate ? 2 : 1
        for _ in 0 ..< copies {
            let lo = faults.delayMicros.lowerBound * 1_000, hi = faults.delayMicros.upperBound * 1_000
            var delay = lo + generator.next() % (hi - lo + 1)
            if faults.reorder > 0, generator.nextUnit() < faults.reorder {
                delay += generator.next() % (10 * hi + 100_000)
            }
            schedule(Envelope(message: message, from: from, to: to), atNanoseconds: now.nanoseconds + delay)
        }
    }
}
