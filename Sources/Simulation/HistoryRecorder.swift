import Protocols

/// Collects the events roles report during a run, with their times.
final class HistoryRecorder {
    var history = RunHistory()
    var trace: ((String) -> Void)?
    private var epochSeen: [UInt16: UInt32] = [:]
    /// Client batches as first committed: (time, group, seqRequestID, epoch).
    private var firstCommits: [(at: Instant, group: UInt16, seqRequestID: UInt64, epoch: UInt32)] = []
    private var seen: Set<GroupBatchKey> = []

    func record(_ event: Event, at now: Instant) {
        if let trace { traceLine(event, at: now, trace) }
        switch event {
        case let .batchCommitted(batch):
            history.committed.append(batch)
            if batch.ops.contains(where: { !$0.isNoop }), seen.insert(GroupBatchKey(group: batch.group, seqRequestID: batch.seqRequestID)).inserted {
                firstCommits.append((now, batch.group, batch.seqRequestID, batch.epoch))
            }
        case let .holesFilled(fill): history.fills.append(fill)
        case let .operationCompleted(op): history.completed.append(op)
        case let .leaderElected(group, term, replica): history.leaders.append((group, term, replica))
        case let .anomaly(role, description): history.anomalies.append("\(role): \(description)")
        case .note: break
        }
    }

    private func traceLine(_ event: Event, at now: Instant, _ trace: (String) -> Void) {
        switch event {
        case let .leaderElected(group, term, replica): trace("\(now) group \(group): replica \(replica) leads term \(term)")
        case let .holesFilled(fill): trace("\(now) group \(fill.group): hole fill \(fill.fill) applied, space \(fill.space): \(fill.ranges)")
        case let .anomaly(role, description): trace("\(now) anomaly at \(role): \(description)")
        case let .note(role, description): trace("\(now) \(role): \(description)")
        case let .batchCommitted(batch) where epochSeen[batch.group, default: 0] != batch.epoch:
            epochSeen[batch.group] = batch.epoch
            trace("\(now) group \(batch.group): first batch of epoch \(batch.epoch) (seqRequestID \(batch.seqRequestID))")
        default: break
        }
    }

    /// Milliseconds from a fault's hit at `t` to the first new number, as `measure` defines it
    /// (nil: none came).
    func recoveryMillis(_ measure: FaultInjector.RecoveryMeasure, after t: Instant) -> Double? {
        let first: Instant?
        switch measure {
        case let .groupLeader(group):
            let before = firstCommits.filter { $0.group == group && $0.at <= t }.map(\.seqRequestID).max()
            first = firstCommits.first { $0.group == group && $0.at > t && $0.seqRequestID > (before ?? 0) }?.at
        case .primarySequencer:
            first = firstCommits.first { $0.at > t && $0.epoch == 1 }?.at
        case .anyBatch:
            first = firstCommits.first { $0.at > t }?.at
        }
        return first.map { Double($0.nanoseconds(since: t)) / 1e6 }
    }
}
