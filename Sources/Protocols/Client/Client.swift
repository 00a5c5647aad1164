import Histogram

/// A closed-loop client: keeps `concurrency` operations outstanding against one proxy group,
/// sends each again when unanswered, checks every answer against what it asked for, and records
/// latency in an HdrHistogram (microseconds).
public final class Client: Role {
    private struct Outstanding {
        var counts: SpaceCounts
        var issuedAt: Instant
        var lastSentAt: Instant
        /// Sent more than once: its answer is no round-trip sample (Karn's rule).
        var resent = false
    }

    public let endpoint: Endpoint
    public let config: ClientConfig
    private var generator: SplitMix64
    private var outstanding: [UInt64: Outstanding] = [:]
    private var nextRequestID: UInt64 = 0
    /// Every request id below this has completed; `completedAbove` holds completed ones beyond.
    public private(set) var completedBelow: UInt64 = 0
    private var completedAbove: Set<UInt64> = []
    private var proxyIndex = 0
    private var issuing = true
    private var nextScanAt: Instant?
    private var lastAnswerAt: Instant = .zero
    public private(set) var failovers: UInt64 = 0

    public private(set) var latencyMicros: Histogram<UInt64>
    public private(set) var completed: UInt64 = 0
    public private(set) var completedInWindow: UInt64 = 0
    public private(set) var retransmissions: UInt64 = 0
    public private(set) var drops = DropCounters()
    /// When an unanswered operation is sent again, measured from answered ones.
    public private(set) var retransmission: RetransmissionTimer

    public init(endpoint: Endpoint, config: ClientConfig, generator: SplitMix64) {
        self.endpoint = endpoint
        self.config = config
        self.generator = generator
        retransmission = RetransmissionTimer(initialMicros: config.retransmitMicros, floorMicros: max(1, config.retransmitMicros),
                                             ceilingMicros: max(config.maxRetransmitMicros, config.retransmitMicros))
        latencyMicros = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: config.maxLatencyMicros,
                                  numberOfSignificantValueDigits: .three)
    }

    /// Operations sent and not yet answered.
    public var outstandingCount: Int { outstanding.count }
    public var isIdle: Bool { outstanding.isEmpty }

    /// Stops issuing new operations; outstanding ones still complete.
    public func stopIssuing() { issuing = false }

    public func start(at now: Instant, into out: inout [Output]) {
        lastAnswerAt = now
        for _ in 0 ..< config.concurrency { issue(at: now, into: &out) }
    }

    public var nextDeadline: Instant? {
        guard !outstanding.isEmpty else { return nil }
        guard config.proxies.count > 1 else { return nextScanAt }
        let failover = lastAnswerAt.adding(microseconds: config.failoverMicros)
        return nextScanAt.map { min($0, failover) } ?? failover
    }

    public func tick(at now: Instant, into out: inout [Output]) {
        if !outstanding.isEmpty, config.proxies.count > 1, now >= lastAnswerAt.adding(microseconds: config.failoverMicros) {
            // The replica went quiet: it may have crashed or lost its leadership. Try the next.
            proxyIndex = (proxyIndex + 1) % config.proxies.count
            lastAnswerAt = now
            failovers += 1
            for id in outstanding.keys.sorted() {
                outstanding[id]!.lastSentAt = now
                outstanding[id]!.resent = true
                send(id, outstanding[id]!.counts, into: &out)
            }
        }
        guard let scan = nextScanAt, now >= scan else { return }
        nextScanAt = nil
        let timeout = retransmission.rtoMicros
        // In request-id order: dictionary order differs between instances, and runs must replay.
        let due = outstanding.filter { now >= $0.value.lastSentAt.adding(microseconds: timeout) }.keys.sorted()
        for id in due {
            let op = outstanding[id]!
            outstanding[id]!.lastSentAt = now
            outstanding[id]!.resent = true
            retransmissions += 1
            send(id, op.counts, into: &out)
        }
        if !due.isEmpty { retransmission.backOff() }
        if !outstanding.isEmpty { nextScanAt = now.adding(microseconds: max(1, retransmission.rtoMicros / 2)) }
    }

    public func handle(_ message: Message, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard case let .clientReply(reply) = message, reply.client == config.client, reply.group == config.group,
              config.proxies.contains(sender) else {
            drops.rejected += 1
            return
        }
        guard let op = outstanding[reply.requestID] else {
            drops.stale += 1 // a duplicate or late answer
            return
        }
        if sender == config.proxies[proxyIndex] { lastAnswerAt = now }
        switch reply.status {
        case .notLeader:
            // Only the replica we are talking to can redirect us; a late or duplicated redirect
            // from another is ignored. The operation is sent again from the retransmission scan,
            // a millisecond on, never straight from here: an immediate resend per redirect would
            // multiply under duplication and storm the group while it has no leader.
            guard sender == config.proxies[proxyIndex] else { return }
            if let hint = reply.leaderHint, hint != sender, let index = config.proxies.firstIndex(of: hint) {
                proxyIndex = index
            } else {
                proxyIndex = (proxyIndex + 1) % config.proxies.count
            }
            let timeout = retransmission.rtoMicros
            let soon = now.adding(microseconds: min(1_000, timeout))
            let backdated = Instant(nanoseconds: soon.nanoseconds - min(soon.nanoseconds, timeout * 1_000))
            for id in outstanding.keys {
                outstanding[id]!.lastSentAt = backdated
                outstanding[id]!.resent = true
            }
            nextScanAt = min(nextScanAt ?? soon, soon)
        case .ok:
            guard reply.numbers.counts == op.counts else {
                out.append(.report(.anomaly(role: endpoint, description:
                    "client \(config.client) request \(reply.requestID) asked \(op.counts), got \(reply.numbers)")))
                return
            }
            outstanding.removeValue(forKey: reply.requestID)
            if !op.resent { retransmission.sample(now.nanoseconds(since: op.lastSentAt) / 1_000) }
            complete(reply.requestID)
            completed += 1
            if now >= config.measureFrom && now < config.measureUntil {
                completedInWindow += 1
                let micros = max(1, min(now.nanoseconds(since: op.issuedAt) / 1_000, config.maxLatencyMicros))
                _ = latencyMicros.record(micros)
            }
            out.append(.report(.operationCompleted(CompletedOperation(
                client: config.client, requestID: reply.requestID, group: config.group, requested: op.counts,
                numbers: reply.numbers, issuedAt: op.issuedAt, completedAt: now))))
            issue(at: now, into: &out)
        }
    }

    private func complete(_ id: UInt64) {
        completedAbove.insert(id)
        while completedAbove.remove(completedBelow) != nil { completedBelow += 1 }
    }

    private func issue(at now: Instant, into out: inout [Output]) {
        guard issuing else { return }
        let id = nextRequestID
        nextRequestID += 1
        let counts = drawCounts()
        outstanding[id] = Outstanding(counts: counts, issuedAt: now, lastSentAt: now)
        if nextScanAt == nil { nextScanAt = now.adding(microseconds: retransmission.rtoMicros) }
        send(id, counts, into: &out)
    }

    private func drawCounts() -> SpaceCounts {
        switch config.demand {
        case .all:
            return SpaceCounts(spaces: config.spaces, each: 1)
        case let .random(k):
            var counts = SpaceCounts(spaces: config.spaces, each: 0)
            var chosen = 0
            while chosen < k {
                let space = Int(generator.next() % UInt64(config.spaces))
                if counts[space] == 0 { counts[space] = 1; chosen += 1 }
            }
            return counts
        }
    }

    private func send(_ id: UInt64, _ counts: SpaceCounts, into out: inout [Output]) {
        let request = ClientRequest(client: config.client, requestID: id, group: config.group,
                                    acknowledgedBelow: completedBelow, counts: counts)
        out.append(.send(.clientRequest(request), to: config.proxies[proxyIndex]))
    }
}
