import Protocols

/// Raft's safety properties, checked over every group at the end of a run.
enum RaftChecks {
    /// Election safety: at most one replica of a group ever leads a given term.
    static func oneLeaderPerTerm(_ leaders: [(group: UInt16, term: UInt64, replica: UInt8)]) -> InvariantResult {
        struct GroupTerm: Hashable {
            var group: UInt16
            var term: UInt64
        }
        var seen: [GroupTerm: UInt8] = [:]
        for l in leaders {
            if let other = seen.updateValue(l.replica, forKey: GroupTerm(group: l.group, term: l.term)), other != l.replica {
                return InvariantResult("oneLeaderPerTerm", held: false,
                                       detail: "group \(l.group) term \(l.term) led by replicas \(other) and \(l.replica)")
            }
        }
        return InvariantResult("oneLeaderPerTerm", held: true)
    }

    /// Log matching: two logs with an entry of the same index and term agree on it and on every
    /// entry before it (checked where both still hold the entries).
    static func logMatching(_ groups: [[GroupSnapshot]]) -> InvariantResult {
        for (g, replicas) in groups.enumerated() {
            for (a, b) in pairs(replicas) {
                let start = max(a.snapshotIndex, b.snapshotIndex) + 1
                let end = min(a.snapshotIndex + UInt64(a.entries.count), b.snapshotIndex + UInt64(b.entries.count))
                guard start <= end else { continue }
                var lastMatch: UInt64?
                for index in stride(from: end, through: start, by: -1) {
                    let x = a.entries[Int(index - a.snapshotIndex - 1)], y = b.entries[Int(index - b.snapshotIndex - 1)]
                    if lastMatch == nil, x.term == y.term { lastMatch = index }
                    if let match = lastMatch, index <= match, x != y {
                        return InvariantResult("logMatching", held: false, detail:
                            "group \(g): replicas \(a.replica) and \(b.replica) agree at \(match) but differ at \(index)")
                    }
                }
            }
        }
        return InvariantResult("logMatching", held: true)
    }

    /// State machine safety: replicas that applied the same prefix hold the same state, and no
    /// two replicas committed different batches under one seqRequestID.
    static func stateMachineSafety(_ groups: [[GroupSnapshot]], batchConflict: String?) -> InvariantResult {
        if let batchConflict { return InvariantResult("stateMachineSafety", held: false, detail: batchConflict) }
        for (g, replicas) in groups.enumerated() {
            for (a, b) in pairs(replicas) where a.appliedIndex == b.appliedIndex && a.state != b.state {
                return InvariantResult("stateMachineSafety", held: false, detail:
                    "group \(g): replicas \(a.replica) and \(b.replica) applied through \(a.appliedIndex) but hold different states")
            }
        }
        return InvariantResult("stateMachineSafety", held: true)
    }

    /// Leader completeness, as seen at the end: the group's most advanced live replica holds every
    /// batch any replica ever committed.
    static func leaderCompleteness(_ groups: [[GroupSnapshot]], committed: [CommittedBatch]) -> InvariantResult {
        for batch in committed {
            guard Int(batch.group) < groups.count,
                  let latest = groups[Int(batch.group)].max(by: { $0.appliedIndex < $1.appliedIndex }) else { continue }
            if !latest.state.isResolved(batch.seqRequestID) {
                return InvariantResult("leaderCompleteness", held: false, detail:
                    "group \(batch.group): committed seqRequestID \(batch.seqRequestID) is missing from replica \(latest.replica)")
            }
        }
        return InvariantResult("leaderCompleteness", held: true)
    }

    private static func pairs(_ replicas: [GroupSnapshot]) -> [(GroupSnapshot, GroupSnapshot)] {
        var result: [(GroupSnapshot, GroupSnapshot)] = []
        for i in replicas.indices { for j in replicas.indices where j > i { result.append((replicas[i], replicas[j])) } }
        return result
    }
}
