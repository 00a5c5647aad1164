import Control
import Protocols

/// One role this daemon runs, with what it is and where.
final class HostedRole: @unchecked Sendable {
    // @unchecked Sendable: `role` and `recorder` are touched only on `worker`'s thread (through
    // `Worker.perform` from elsewhere); the rest is immutable.

    enum Kind: Equatable {
        case sequencer
        case backup
        case proxy(group: Int, replica: Int)
        case client(group: Int)

        /// The kind as roles.status names it.
        var name: RoleKind {
            switch self {
            case .sequencer: .sequencer
            case .backup: .backup
            case .proxy: .proxy
            case .client: .client
            }
        }
    }

    let endpoint: Endpoint
    let kind: Kind
    let role: any Role
    let recorder: RoleRecorder
    /// Index into the deployment's workers.
    let worker: Int

    init(endpoint: Endpoint, kind: Kind, role: any Role, recorder: RoleRecorder, worker: Int) {
        self.endpoint = endpoint
        self.kind = kind
        self.role = role
        self.recorder = recorder
        self.worker = worker
    }

    /// Status as roles.status reports it (call on the worker thread).
    func status(state: RoleState) -> RoleStatus {
        switch role {
        case let sequencer as Sequencer:
            return RoleStatus(endpoint: endpoint.id, kind: kind.name, state: state, ready: sequencer.isReady, counters: [
                "allocations": sequencer.allocations, "retransmissions": sequencer.retransmissions,
                "rejected": sequencer.drops.rejected, "stale": sequencer.drops.stale,
                "highWater": sequencer.highWater.reduce(0, +), "anomalies": recorder.anomalies,
            ])
        case let proxy as Proxy:
            guard case let .proxy(group, _) = kind else { break }
            let ready = proxy.isLeader ? proxy.isServing : proxy.raft.leader != nil
            return RoleStatus(endpoint: endpoint.id, kind: kind.name, state: state, ready: ready, group: group,
                              leader: proxy.isLeader, term: proxy.term, counters: [
                                  "appliedIndex": proxy.appliedIndex, "commitIndex": proxy.raft.commitIndex,
                                  "committedBatches": recorder.committedBatches, "rejected": proxy.drops.rejected,
                                  "stale": proxy.drops.stale, "raftDropped": proxy.raft.dropped, "anomalies": recorder.anomalies,
                              ])
        case let client as Client:
            guard case let .client(group) = kind else { break }
            return RoleStatus(endpoint: endpoint.id, kind: kind.name, state: state, ready: true, group: group, counters: [
                "completed": client.completed, "outstanding": UInt64(client.outstandingCount),
                "retransmissions": client.retransmissions, "failovers": client.failovers,
                "rejected": client.drops.rejected, "stale": client.drops.stale, "anomalies": recorder.anomalies,
            ])
        default:
            break
        }
        return RoleStatus(endpoint: endpoint.id, kind: kind.name, state: state, ready: false, counters: [:])
    }
}
