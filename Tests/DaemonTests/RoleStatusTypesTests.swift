@testable import Control
import Foundation
import Testing
@testable import Daemon

/// What masond reports in roles.status is typed end to end: the handler returns the parsed tree,
/// and its kinds, states and transports decode as the enums the runner switches on.
@Suite(.serialized) struct RoleStatusTypesTests {
    func status(_ daemon: Daemon) throws -> RolesStatus {
        try JSONValueDecoder.decode(RolesStatus.self, from: daemon.handle(method: "roles.status", params: nil))
    }

    @Test func aClientIsReportedRunningThenCrashedAndStaysCrashedWhenStopped() throws {
        let daemon = Daemon(address: "127.0.0.1")
        defer { _ = try? daemon.handle(method: "node.reset", params: nil) }
        _ = try daemon.handle(method: "roles.start", params: RPC.encode(ControlParamsExtremeValueTests.fullStart()))
        let running = try status(daemon)
        #expect(running.roles.map(\.kind) == [.client])
        #expect(running.roles.map(\.state) == [.running])
        #expect(running.workers.map(\.transport) == [.udp])

        _ = try daemon.handle(method: "roles.crash", params: RPC.encode(EndpointsRequest(endpoints: [5])))
        #expect(try status(daemon).roles.map(\.state) == [.crashed])
        _ = try daemon.handle(method: "roles.stop", params: RPC.encode(EndpointsRequest(endpoints: [5], drainMillis: 0)))
        #expect(try status(daemon).roles.map(\.state) == [.crashed])
    }
}
