/// One replica of a Raft group (the paper's §5 and §7, in the manner of etcd-io/raft): a pure,
/// deterministic state machine. Inputs come in through `start`, `campaign`, `propose`, `handle` and
/// `tick`, with the current instant; outputs are messages appended to the host's buffer. No I/O, no
/// clocks, no threads; the only randomness (election timeouts) comes from the injected generator.
///
/// Fault model: crash-stop. A replica that crashes never comes back with its old state (it may
/// rejoin only as a new, empty replica through reconfiguration, which this type does not do), so
/// nothing is persisted: term, vote and log live in memory only. Safety then rests on a majority of
/// the group never crashing.
///
/// Beyond the paper: CheckQuorum (a leader that hears from no majority for an election timeout steps
/// down), PreVote (thesis §9.6: a replica campaigns only after a majority answered a pre-vote at
/// term + 1, refused by any replica that heard from a leader within the minimum election timeout, so
/// a replica back from a partition does not depose a healthy leader), pipelined and batched appends with a bounded window per follower, and chunked snapshot
/// transfer. Committed entries are handed to the host through `takeCommitted`; the host compacts the
/// log with `compact` when `wantsCompaction`. A new leader commits nothing of earlier terms until an
/// entry of its own term commits: the host proposes one (`GroupCommand.leaderStart`) as soon as it
/// sees `role == .leader` for a new term.
///
/// Input from the network never traps: messages for another group, from an unknown or mismatched
/// raft id, or with nonsense indexes and terms are counted in `dropped` and otherwise ignored.
public final class RaftNode {
    public let config: RaftConfig
    var generator: SplitMix64

    public internal(set) var role: RaftRole = .follower
    public internal(set) var term: UInt64 = 0
    /// The leader this node believes in for `term` (itself when leader).
    public internal(set) var leader: UInt8?
    var votedFor: UInt8?
    /// Votes of the current election, by raft id: granted, refused, or not heard.
    var votes: [Bool?]

    var log = RaftLog()
    public internal(set) var commitIndex: UInt64 = 0
    /// Everything through here was handed to the host (by `takeCommitted` or an installed snapshot).
    var appliedIndex: UInt64 = 0
    var installedSnapshot: (index: UInt64, term: UInt64, bytes: [UInt8])?

    /// Leader only: replication state per follower, by raft id (nil for me and when not leader).
    var progress: [Progress?]
    /// Follower: the snapshot being received from the leader.
    var receiver: SnapshotReceiver?

    var started = false
    var electionDeadline: Instant = .zero
    /// When this node last accepted an append or snapshot chunk from `leader`: the leader's lease
    /// (etcd's `inLease`) lasts the minimum election timeout from here.
    var leaderContact: Instant = .zero
    var heartbeatDeadline: Instant = .zero
    var quorumCheckDeadline: Instant = .zero

    /// Network input ignored as malformed: another group, an unknown or mismatched raft id, nonsense
    /// indexes or terms, a second leader in one term.
    public internal(set) var dropped: UInt64 = 0
    /// Well-formed input that no longer matters: an older term, or a reply to a role given up.
    public internal(set) var stale: UInt64 = 0
    /// Of `dropped`: terms more than `ProtocolBounds.maxLead` ahead of this node's, never adopted
    /// (a term near 2^64 would leave no room to campaign).
    public internal(set) var implausible: UInt64 = 0
    /// Of `dropped`: input from a verified peer that no correct peer sends (a second leader in one
    /// term, an append contradicting a committed entry, an acknowledgement past the leader's log).
    /// Unlike the rest of `dropped`, a stranger cannot cause it: it means the protocol broke (or a
    /// peer's address was forged), so the simulator checks it is zero on every seed (`noAnomalies`).
    public internal(set) var impossible: UInt64 = 0

    public init(config: RaftConfig, generator: SplitMix64) {
        self.config = config
        self.generator = generator
        votes = Array(repeating: nil, count: config.peers.count)
        progress = Array(repeating: nil, count: config.peers.count)
    }

    public var lastIndex: UInt64 { log.lastIndex }
    /// The last index covered by the snapshot (0 = none).
    public var snapshotIndex: UInt64 { log.snapshotIndex }
    var me: Int { Int(config.me) }

    // MARK: Host interface

    /// Arms the election timer. Called once, before other input.
    public func start(at now: Instant, into out: inout [Output]) {
        guard !started else { return }
        started = true
        resetElectionTimer(at: now)
    }

    /// Makes this node campaign now (used once at startup so replica 0 leads first, as the original
    /// does). Starts the node if it was not. Skips the pre-vote round: at startup no leader holds a
    /// lease to protect, and replica 0 should lead at once.
    public func campaign(at now: Instant, into out: inout [Output]) {
        if !started { start(at: now, into: &out) }
        guard role != .leader else { return }
        startElection(at: now, into: &out)
    }

    /// The earliest instant at which `tick` has work: the election timeout, or a leader's next
    /// heartbeat or CheckQuorum round. Nil before `start`.
    public var nextDeadline: Instant? {
        guard started else { return nil }
        return role == .leader ? min(heartbeatDeadline, quorumCheckDeadline) : electionDeadline
    }

    /// Timers: the host calls this at or after `nextDeadline`.
    public func tick(at now: Instant, into out: inout [Output]) {
        guard started else { return }
        if role == .leader {
            if now >= heartbeatDeadline {
                heartbeatDeadline = now.adding(microseconds: config.heartbeatMicros)
                sendHeartbeats(at: now, into: &out)
            }
            if now >= quorumCheckDeadline { checkQuorum(at: now) }
        } else if now >= electionDeadline {
            if config.preVote && config.quorum > 1 {
                startPreVote(at: now, into: &out)
            } else {
                startElection(at: now, into: &out)
            }
        }
    }

    /// Committed entries not yet handed to the host, in log order, with their indexes; each exactly
    /// once. Empty while an installed snapshot waits for `takeInstalledSnapshot`.
    public func takeCommitted() -> [(index: UInt64, entry: LogEntry)] {
        guard installedSnapshot == nil, commitIndex > appliedIndex else { return [] }
        let first = appliedIndex + 1
        appliedIndex = commitIndex
        return (first ... commitIndex).map { ($0, log.entry(at: $0)!) }
    }

    /// True when the log holds more than maxLogSize applied entries: the host should call `compact`.
    public var wantsCompaction: Bool { appliedIndex - log.snapshotIndex > UInt64(config.maxLogSize) }

    /// The host has applied everything through `index` (at most what `takeCommitted` handed out) and
    /// gives its serialized state as of `index`; the log through `index` is dropped. An index at or
    /// below the current snapshot does nothing.
    public func compact(through index: UInt64, snapshot: [UInt8]) {
        precondition(installedSnapshot == nil, "restore the installed snapshot before compacting")
        precondition(index <= appliedIndex, "compact only entries handed out by takeCommitted")
        precondition(snapshot.count <= Int(UInt32.max), "a snapshot is at most 4 GiB")
        guard index > log.snapshotIndex else { return }
        log.compact(through: index, bytes: snapshot)
    }

    /// A snapshot received from the leader and installed into the log; the host must restore its
    /// state from it before applying later entries (`takeCommitted` then continues after its index).
    /// Returned once.
    public func takeInstalledSnapshot() -> (index: UInt64, term: UInt64, bytes: [UInt8])? {
        defer { installedSnapshot = nil }
        return installedSnapshot
    }

    /// Test and checker support: the entries held from `index` on (none at or below the snapshot).
    public func entries(from index: UInt64) -> [LogEntry] { log.entries(from: index) }
    /// The term of the entry at `index` if the log holds it (the snapshot's last index included).
    public func termAt(_ index: UInt64) -> UInt64? { log.term(at: index) }

    // MARK: Messages

    /// One message from `sender`, which must be the endpoint of the raft id the message names.
    public func handle(_ message: RaftMessage, from sender: Endpoint, at now: Instant, into out: inout [Output]) {
        guard ProtocolBounds.isPlausible(message.term, ahead: term) else {
            implausible += 1
            dropped += 1
            return
        }
        guard message.group == config.group, message.term < .max,
              let from = Self.sender(of: message), Int(from) < config.peers.count, Int(from) != me,
              config.peers[Int(from)] == sender, Self.isWellFormed(message)
        else {
            dropped += 1
            return
        }
        if message.term > term {
            switch message {
            case .append, .snapshot: becomeFollower(term: message.term, leader: from, at: now)
            // A candidate's higher term is adopted, but the election timer restarts only if the
            // vote is granted: otherwise a candidate whose log is behind would keep resetting the
            // up-to-date replicas' timers and no one electable would ever campaign.
            case .requestVote: becomeFollower(term: message.term, leader: nil, at: now, restartTimer: false)
            // A pre-vote asks about a term its candidate has not entered, and a grant echoes that
            // term: no one holds it, so neither is adopted (etcd's Step). A refusal carries the
            // refuser's own term and is adopted like any other.
            case .preVote: break
            case let .preVoteReply(reply) where reply.granted: break
            default: becomeFollower(term: message.term, leader: nil, at: now)
            }
        } else if message.term < term {
            stale += 1
            answerStale(message, from: Int(from), into: &out)
            return
        }
        switch message {
        case let .requestVote(request): receive(request, at: now, into: &out)
        case let .vote(reply): receive(reply, at: now, into: &out)
        case let .append(append): receive(append, at: now, into: &out)
        case let .appendReply(reply): receive(reply, at: now, into: &out)
        case let .snapshot(chunk): receive(chunk, at: now, into: &out)
        case let .snapshotReply(reply): receive(reply, at: now, into: &out)
        case let .preVote(request): receivePreVote(request, at: now, into: &out)
        case let .preVoteReply(reply): receivePreVoteReply(reply, at: now, into: &out)
        }
    }

    private static func sender(of message: RaftMessage) -> UInt8? {
        switch message {
        case let .requestVote(m): m.candidate
        case let .vote(m): m.voter
        case let .append(m): m.leader
        case let .appendReply(m): m.follower
        case let .snapshot(m): m.leader
        case let .snapshotReply(m): m.follower
        case let .preVote(m): m.candidate
        case let .preVoteReply(m): m.voter
        }
    }

    /// A request from an older term: answer with ours, so a deposed leader or candidate learns it.
    /// An append of an older term gets a failed reply carrying our term, as in etcd: with PreVote a
    /// replica cut off by a partition no longer raises its term, so a higher term here was reached
    /// by a real election the old leader must learn about.
    private func answerStale(_ message: RaftMessage, from id: Int, into out: inout [Output]) {
        let reply: RaftMessage
        switch message {
        case .requestVote:
            reply = .vote(VoteReply(group: config.group, term: term, voter: config.me, granted: false))
        case .preVote:
            reply = .preVoteReply(VoteReply(group: config.group, term: term, voter: config.me, granted: false))
        case .append:
            reply = .appendReply(AppendReply(group: config.group, term: term, follower: config.me, success: false,
                                             index: log.lastIndex))
        case let .snapshot(chunk):
            reply = .snapshotReply(SnapshotReply(group: config.group, term: term, follower: config.me,
                                                 lastIncludedIndex: chunk.lastIncludedIndex, nextOffset: 0, done: false))
        default:
            return
        }
        send(reply, to: id, into: &out)
    }

    func send(_ message: RaftMessage, to id: Int, into out: inout [Output]) {
        precondition(id != me, "a replica never sends to itself")
        out.append(.send(.raft(message), to: config.peers[id]))
    }

    // MARK: Elections

    func resetElectionTimer(at now: Instant) {
        let range = config.electionTimeoutMicros
        let timeout = range.lowerBound + generator.next() % (range.upperBound - range.lowerBound + 1)
        electionDeadline = now.adding(microseconds: timeout)
    }

    func becomeFollower(term newTerm: UInt64, leader newLeader: UInt8?, at now: Instant, restartTimer: Bool = true) {
        precondition(newTerm >= term, "terms never go back")
        if newTerm > term {
            term = newTerm
            votedFor = nil
        }
        let wasLeader = role == .leader
        role = .follower
        leader = newLeader
        for id in progress.indices { progress[id] = nil }
        // A deposed leader's election timer was not running: it always restarts.
        if restartTimer || wasLeader { resetElectionTimer(at: now) }
    }

    private func startElection(at now: Instant, into out: inout [Output]) {
        guard term < .max - 1 else {
            // Unreachable by 2^32 steps per message from a real peer; never trap on the way there.
            implausible += 1
            resetElectionTimer(at: now)
            return
        }
        term += 1
        role = .candidate
        leader = nil
        votedFor = config.me
        for id in votes.indices { votes[id] = nil }
        votes[me] = true
        resetElectionTimer(at: now)
        if config.quorum == 1 {
            becomeLeader(at: now, into: &out)
            return
        }
        askForVotes(term: term, RaftMessage.requestVote, into: &out)
    }

    /// Sends every peer a request for its vote in the round at `round` (`ask` makes it a vote or
    /// a pre-vote request), with this node's last log entry.
    private func askForVotes(term round: UInt64, _ ask: (VoteRequest) -> RaftMessage, into out: inout [Output]) {
        let request = VoteRequest(group: config.group, term: round, candidate: config.me,
                                  lastLogIndex: log.lastIndex, lastLogTerm: log.lastTerm)
        for id in config.peers.indices where id != me {
            send(ask(request), to: id, into: &out)
        }
    }

    /// Counts `reply` in this round: true once a quorum granted; a quorum of refusals makes this
    /// node a follower of no known leader.
    private func countVote(_ reply: VoteReply, at now: Instant) -> Bool {
        votes[Int(reply.voter)] = reply.granted
        if votes.count(where: { $0 == true }) >= config.quorum { return true }
        if votes.count(where: { $0 == false }) >= config.quorum { becomeFollower(term: term, leader: nil, at: now) }
        return false
    }

    /// PreVote: a round at term + 1 that changes neither this node's term nor its vote; a majority
    /// of grants starts the real election (`receivePreVoteReply`).
    private func startPreVote(at now: Instant, into out: inout [Output]) {
        guard term < .max - 1 else {
            implausible += 1 // as in startElection: never trap on the way to the last term
            resetElectionTimer(at: now)
            return
        }
        role = .preCandidate
        leader = nil
        for id in votes.indices { votes[id] = nil }
        votes[me] = true
        resetElectionTimer(at: now)
        askForVotes(term: term + 1, RaftMessage.preVote, into: &out)
    }

    private func isUpToDate(_ request: VoteRequest) -> Bool {
        request.lastLogTerm > log.lastTerm || (request.lastLogTerm == log.lastTerm && request.lastLogIndex >= log.lastIndex)
    }

    /// etcd's `inLease`: this node leads, or heard from the leader of its term within the minimum
    /// election timeout. CheckQuorum deposes a leader that lost its majority within the same time,
    /// so while the lease holds a leader is likely alive and a campaign would only disrupt it.
    func inLease(at now: Instant) -> Bool {
        if role == .leader { return true }
        guard leader != nil else { return false }
        return now < leaderContact.adding(microseconds: config.electionTimeoutMicros.lowerBound)
    }

    /// A pre-vote is granted as a real vote would be (a later term is always free, as in etcd's
    /// `canVote`), and only outside the lease. Nothing is recorded: no vote, no term, no timer
    /// restart (a pre-candidate that cannot win must not hold back those that can).
    private func receivePreVote(_ request: VoteRequest, at now: Instant, into out: inout [Output]) {
        let free = request.term > term || votedFor == request.candidate || (votedFor == nil && leader == nil)
        let granted = free && isUpToDate(request) && !inLease(at: now)
        send(.preVoteReply(VoteReply(group: config.group, term: granted ? request.term : term, voter: config.me,
                                     granted: granted)),
             to: Int(request.candidate), into: &out)
    }

    private func receivePreVoteReply(_ reply: VoteReply, at now: Instant, into out: inout [Output]) {
        // A grant counts only for the round this pre-candidate runs now, at term + 1 (a refusal of a
        // later term already made it a follower in `handle`).
        guard role == .preCandidate, !reply.granted || reply.term == term + 1 else {
            stale += 1
            return
        }
        if countVote(reply, at: now) { startElection(at: now, into: &out) }
    }

    private func receive(_ request: VoteRequest, at now: Instant, into out: inout [Output]) {
        // One vote per term; none for anyone while a leader of this term is known.
        let free = votedFor == request.candidate || (votedFor == nil && leader == nil)
        let granted = free && isUpToDate(request)
        if granted {
            votedFor = request.candidate
            if role == .preCandidate { role = .follower } // it voted for another in this term
            resetElectionTimer(at: now)
        }
        send(.vote(VoteReply(group: config.group, term: term, voter: config.me, granted: granted)),
             to: Int(request.candidate), into: &out)
    }

    private func receive(_ reply: VoteReply, at now: Instant, into out: inout [Output]) {
        guard role == .candidate else {
            stale += 1
            return
        }
        if countVote(reply, at: now) { becomeLeader(at: now, into: &out) }
    }

    private func becomeLeader(at now: Instant, into out: inout [Output]) {
        precondition(role == .candidate && votedFor == config.me && leader == nil,
                     "a leader is elected by its own candidacy, once per term")
        role = .leader
        leader = config.me
        receiver = nil
        heartbeatDeadline = now.adding(microseconds: config.heartbeatMicros)
        quorumCheckDeadline = now.adding(microseconds: config.electionTimeoutMicros.lowerBound)
        for id in config.peers.indices where id != me {
            progress[id] = Progress(next: log.lastIndex + 1, at: now)
            replicate(to: id, allowEmpty: true, at: now, into: &out)
        }
    }

    /// CheckQuorum: a leader that did not hear from a majority (itself included) since the last
    /// check steps down, so a partitioned leader stops acting as one.
    private func checkQuorum(at now: Instant) {
        var active = 1
        for id in progress.indices where progress[id] != nil {
            if progress[id]!.recentlyActive { active += 1 }
            progress[id]!.recentlyActive = false
        }
        if active >= config.quorum {
            quorumCheckDeadline = now.adding(microseconds: config.electionTimeoutMicros.lowerBound)
        } else {
            becomeFollower(term: term, leader: nil, at: now)
        }
    }

    func setCommit(_ index: UInt64) {
        precondition(index >= commitIndex, "the commit index never decreases")
        precondition(index <= log.lastIndex, "only held entries commit")
        commitIndex = index
    }
}
