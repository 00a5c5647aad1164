import Control
import Protocols

extension SystemDefinition {
    /// Mason: a primary and a backup sequencer, proxy groups of three Raft replicas, clients that
    /// each join one group (`MasonPlacement`). It serves once the primary hands out numbers and
    /// every group has a serving leader; a run holds when every sequence space's numbers are
    /// contiguous.
    public static let mason = SystemDefinition(
        system: .mason,
        place: { spec, nodes throws(PlacementError) in try MasonPlacement(spec.options, nodes: nodes) },
        startOrder: { placement in
            // Replica 0 of each group campaigns as soon as it starts: start it after its peers, so
            // its first vote requests find them (else the group waits out an election timeout).
            placement.serverNodes.filter { placement.nodes[$0].slot.role == .sequencer }
                + placement.serverNodes.filter { placement.nodes[$0].slot.role == .proxy }.reversed()
        },
        notReady: { placement, roles in
            let primary = roles.contains { $0.kind == .sequencer && $0.ready }
            let led = Set(roles.filter { $0.kind == .proxy && $0.leader == true && $0.ready }.compactMap(\.group))
            let groups = Set(0 ..< placement.cluster.groups.count)
            if !primary { return "the sequencer is not ready" }
            return led == groups ? nil : "groups \(groups.subtracting(led).sorted()) have no serving leader"
        },
        runCheck: { spec, nodes in
            let contiguity = ContiguityCheck(nodes, spaces: spec.options.spaces)
            return contiguity.ok ? nil : "contiguity broken: \(contiguity.summary)"
        },
        figures: [.mason, .recovery]
    )
}
