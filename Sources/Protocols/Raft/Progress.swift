/// What a leader knows about one follower's log, and the appends it has outstanding there
/// (etcd-io/raft's Progress).
///
/// * Probing: after an election, a rejection or a stall, one append at a time until one succeeds,
///   to find where the logs agree.
/// * Replicating: appends are pipelined, `next` advancing as they are sent, with at most
///   `maxInflightAppends` unacknowledged.
/// * Snapshot: `next` fell to or below the leader's snapshot; chunks go out until it is installed.
///
/// In-flight appends are remembered by the last index they carry, and an acknowledgement of index i
/// frees every one at or below i, so a lost reply is covered by any later one. When nothing at all is
/// acknowledged for a heartbeat interval the window is dropped and the follower probed again from
/// `match + 1` (or with the same probe): lost replies can delay replication, never stop it (the
/// original leaked a slot per lost reply and stopped replicating once all 16 had leaked).
struct Progress {
    /// The next index to send.
    var next: UInt64
    /// The highest index known to match the leader's log (0 = none known).
    var match: UInt64 = 0
    /// Last index of each unacknowledged append, ascending.
    private(set) var inflight: [UInt64] = []
    private(set) var probing = true
    /// The prevLogIndex of the outstanding probe: a rejection hinting at or above it answers an older append.
    private(set) var probePrev: UInt64 = 0
    /// Consecutive rejections, for the exponential back-off through a conflicting suffix.
    private var rejections = 0
    /// When the window last moved (an append sent into an empty window, or acknowledged).
    private(set) var lastProgressAt: Instant
    /// Heard from (any reply of the current term) since the last CheckQuorum round.
    var recentlyActive = false
    /// The highest leaderCommit sent to the follower.
    var sentCommit: UInt64 = 0
    var snapshot: SnapshotSender?

    init(next: UInt64, at now: Instant) {
        self.next = next
        lastProgressAt = now
    }

    var hasInflight: Bool { !inflight.isEmpty }

    /// Room for another append.
    func canSend(maxInflight: Int) -> Bool {
        snapshot == nil && inflight.count < (probing ? 1 : maxInflight)
    }

    /// An append with entries `prev + 1 ... last` went out.
    mutating func sent(prev: UInt64, last: UInt64, at now: Instant) {
        if inflight.isEmpty { lastProgressAt = now }
        inflight.append(last)
        next = last + 1
        if probing { probePrev = prev }
    }

    /// A success: the follower's log matches through `index`. Returns true when `match` grew.
    @discardableResult
    mutating func acknowledged(_ index: UInt64, at now: Instant) -> Bool {
        let freed = inflight.prefix { $0 <= index }.count
        if freed > 0 {
            inflight.removeFirst(freed)
            lastProgressAt = now
        }
        if probing && inflight.isEmpty {
            probing = false
            rejections = 0
        }
        guard index > match else { return false }
        match = index
        next = max(next, index + 1)
        return true
    }

    /// Whether a rejection with this hint (the highest index the follower's log may still share with
    /// the leader's) answers an append the leader still cares about. A rejection of a current append
    /// never hints below `match`, and a rejection of the probe hints below its prevLogIndex.
    func isCurrentRejection(hint: UInt64) -> Bool {
        snapshot == nil && hint >= match && !(probing && hint >= probePrev)
    }

    /// A current rejection: back `next` up to the hint, then (on repeated rejections) exponentially
    /// further, never below `match + 1` or the snapshot boundary, and probe from there. Returns false
    /// when the follower needs the snapshot (it cannot share anything at or above it).
    @discardableResult
    mutating func rejected(hint: UInt64, snapshotIndex: UInt64, lastIndex: UInt64) -> Bool {
        if hint < snapshotIndex {
            next = snapshotIndex // at or below the snapshot: the next send starts a transfer
            startProbing()
            return false
        }
        rejections += 1
        let extra: UInt64 = rejections <= 1 ? 0 : 1 << UInt64(min(rejections - 2, 40))
        var prev = min(hint, lastIndex)
        prev = prev > extra ? prev - extra : 0
        prev = max(prev, match, snapshotIndex)
        next = prev + 1
        startProbing()
        return true
    }

    /// Nothing acknowledged for a heartbeat interval with appends outstanding: the window (and the
    /// replies to it) are presumed lost.
    func isStalled(at now: Instant, heartbeatMicros: UInt64) -> Bool {
        !inflight.isEmpty && now >= lastProgressAt.adding(microseconds: heartbeatMicros)
    }

    /// Forget the window and probe again: the same probe when probing, else from just past what is
    /// known to match.
    mutating func restartWindow() {
        next = probing ? max(probePrev, match) + 1 : match + 1
        startProbing()
    }

    /// The snapshot through `index` is installed on the follower.
    mutating func snapshotInstalled(through index: UInt64, at now: Instant) {
        snapshot = nil
        match = max(match, index)
        next = match + 1
        inflight.removeAll()
        probing = false
        rejections = 0
        lastProgressAt = now
    }

    private mutating func startProbing() {
        inflight.removeAll()
        probing = true
    }
}
