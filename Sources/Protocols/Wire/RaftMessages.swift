/// Raft's messages within one proxy group (etcd-io/raft's shapes). `group` names the group;
/// replicas are named by their raft id (0..<replicas), the index of their endpoint in the group.
public enum RaftMessage: Hashable, Sendable {
    case requestVote(VoteRequest)
    case vote(VoteReply)
    case append(AppendEntries)
    case appendReply(AppendReply)
    case snapshot(SnapshotChunk)
    case snapshotReply(SnapshotReply)
    /// PreVote (thesis §9.6): "would you vote for me at `term`?", asked before a real election and
    /// never adopted by the receiver; `term` is the candidate's own term + 1.
    case preVote(VoteRequest)
    /// The answer to a pre-vote: a grant carries the asked term, a refusal the voter's own term.
    case preVoteReply(VoteReply)

    public var group: UInt16 {
        switch self {
        case let .requestVote(m): m.group
        case let .vote(m): m.group
        case let .append(m): m.group
        case let .appendReply(m): m.group
        case let .snapshot(m): m.group
        case let .snapshotReply(m): m.group
        case let .preVote(m): m.group
        case let .preVoteReply(m): m.group
        }
    }

    public var term: UInt64 {
        switch self {
        case let .requestVote(m): m.term
        case let .vote(m): m.term
        case let .append(m): m.term
        case let .appendReply(m): m.term
        case let .snapshot(m): m.term
        case let .snapshotReply(m): m.term
        case let .preVote(m): m.term
        case let .preVoteReply(m): m.term
        }
    }
}

/// One entry of a group's replicated log.
public struct LogEntry: Hashable, Sendable {
    public var term: UInt64
    public var command: GroupCommand

    public init(term: UInt64, command: GroupCommand) {
        self.term = term
        self.command = command
    }
}

public struct VoteRequest: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var candidate: UInt8
    public var lastLogIndex: UInt64
    public var lastLogTerm: UInt64

    public init(group: UInt16, term: UInt64, candidate: UInt8, lastLogIndex: UInt64, lastLogTerm: UInt64) {
        self.group = group
        self.term = term
        self.candidate = candidate
        self.lastLogIndex = lastLogIndex
        self.lastLogTerm = lastLogTerm
    }
}

public struct VoteReply: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var voter: UInt8
    public var granted: Bool

    public init(group: UInt16, term: UInt64, voter: UInt8, granted: Bool) {
        self.group = group
        self.term = term
        self.voter = voter
        self.granted = granted
    }
}

public struct AppendEntries: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var leader: UInt8
    /// The entry just before `entries` (index 0, term 0 for the start of the log).
    public var prevLogIndex: UInt64
    public var prevLogTerm: UInt64
    public var leaderCommit: UInt64
    public var entries: [LogEntry]

    public init(group: UInt16, term: UInt64, leader: UInt8, prevLogIndex: UInt64, prevLogTerm: UInt64,
                leaderCommit: UInt64, entries: [LogEntry]) {
        self.group = group
        self.term = term
        self.leader = leader
        self.prevLogIndex = prevLogIndex
        self.prevLogTerm = prevLogTerm
        self.leaderCommit = leaderCommit
        self.entries = entries
    }
}

public struct AppendReply: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var follower: UInt8
    public var success: Bool
    /// On success, the index of the last entry now known to match the leader's log; on failure,
    /// a hint: the highest index at or before prevLogIndex - 1 whose term is at most prevLogTerm
    /// (the leader backs up to at most this + 1, skipping a conflicting suffix at once).
    public var index: UInt64

    public init(group: UInt16, term: UInt64, follower: UInt8, success: Bool, index: UInt64) {
        self.group = group
        self.term = term
        self.follower = follower
        self.success = success
        self.index = index
    }
}

/// One chunk of a snapshot: bytes `offset ..< offset + data.count` of `totalBytes`.
public struct SnapshotChunk: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var leader: UInt8
    public var lastIncludedIndex: UInt64
    public var lastIncludedTerm: UInt64
    public var offset: UInt32
    public var totalBytes: UInt32
    public var data: [UInt8]

    public init(group: UInt16, term: UInt64, leader: UInt8, lastIncludedIndex: UInt64, lastIncludedTerm: UInt64,
                offset: UInt32, totalBytes: UInt32, data: [UInt8]) {
        self.group = group
        self.term = term
        self.leader = leader
        self.lastIncludedIndex = lastIncludedIndex
        self.lastIncludedTerm = lastIncludedTerm
        self.offset = offset
        self.totalBytes = totalBytes
        self.data = data
    }
}

/// The follower has bytes `0 ..< nextOffset` of the snapshot ending at `lastIncludedIndex`;
/// `done` once it installed the whole snapshot.
public struct SnapshotReply: Hashable, Sendable {
    public var group: UInt16
    public var term: UInt64
    public var follower: UInt8
    public var lastIncludedIndex: UInt64
    public var nextOffset: UInt32
    public var done: Bool

    public init(group: UInt16, term: UInt64, follower: UInt8, lastIncludedIndex: UInt64, nextOffset: UInt32, done: Bool) {
        self.group = group
        self.term = term
        self.follower = follower
        self.lastIncludedIndex = lastIncludedIndex
        self.nextOffset = nextOffset
        self.done = done
    }
}
