import Control
import Lab
import Protocols
import Testing

/// One definition per built system, found in one place; a system not built is refused there.
@Suite struct SystemDefinitionTests {
    @Test(arguments: System.allCases)
    func aDefinitionExistsExactlyForTheBuiltSystems(system: System) throws {
        if system.isBuilt {
            #expect(try SystemDefinition.for(system).system == system)
        } else {
            let error = #expect(throws: SystemNotBuilt(system: system)) { try SystemDefinition.for(system) }
            #expect(error?.description == system.notBuiltError)
        }
    }

    @Test func theCatalogHoldsTheBuiltSystemsFiguresEachOfItsOwnSystem() {
        #expect(FigureCatalog.all.map(\.name) == ["mason", "recovery"])
        for definition in SystemDefinition.built {
            for figure in definition.figures {
                #expect(figure.system == definition.system)
                for scale in Figure.Scale.allCases {
                    #expect(figure.points(scale).allSatisfy { $0.spec.system == definition.system }, "\(figure.name) at \(scale)")
                }
            }
        }
    }

    private func placement() throws -> MasonPlacement {
        var spec = RunSpec()
        spec.options.proxies = 6
        return try SystemDefinition.mason.place(spec, LocalTestbed.slots(for: spec.options))
    }

    private func role(_ kind: RoleKind, ready: Bool, group: Int? = nil, leader: Bool? = nil) -> RoleStatus {
        RoleStatus(endpoint: 0, kind: kind, state: .running, ready: ready, group: group, leader: leader, counters: [:])
    }

    /// Mason serves once the primary hands out numbers and every group has a serving leader.
    @Test func masonIsReadyOnlyWithThePrimaryAndALeaderInEveryGroup() throws {
        let placement = try placement()
        let leaders = [role(.proxy, ready: true, group: 0, leader: true), role(.proxy, ready: true, group: 1, leader: true)]
        let notReady = SystemDefinition.mason.notReady
        #expect(notReady(placement, [role(.sequencer, ready: true)] + leaders) == nil)
        #expect(notReady(placement, [role(.sequencer, ready: false), role(.backup, ready: true)] + leaders) == "the sequencer is not ready")
        #expect(notReady(placement, [role(.sequencer, ready: true), leaders[0], role(.proxy, ready: true, group: 1, leader: false)])
            == "groups [1] have no serving leader")
        #expect(notReady(placement, [role(.sequencer, ready: true), leaders[0], role(.proxy, ready: false, group: 1, leader: true)])
            == "groups [1] have no serving leader")
    }

    /// Sequencers first, then the proxies in reverse, so replica 0 of each group starts last.
    @Test func masonStartsSequencersThenProxiesReplicaZeroLast() throws {
        let placement = try placement()
        let order = SystemDefinition.mason.startOrder(placement).map { placement.nodes[$0].slot.name }
        #expect(order == ["sequencer-0", "sequencer-1", "proxy-5", "proxy-4", "proxy-3", "proxy-2", "proxy-1", "proxy-0"])
    }

    @Test func nodeRolesComeFromTheNodesName() {
        #expect(NodeSlot(name: "proxy-12", address: "a").role == .proxy)
        #expect(NodeSlot(name: "server-0", address: "a").role == .server)
        #expect(NodeSlot(name: "router-1", address: "a").role == nil)
        #expect(NodeSlot(name: "proxy", address: "a").role == nil)
        #expect(NodeSlot(name: "proxy-x", address: "a").role == nil)
    }
}
