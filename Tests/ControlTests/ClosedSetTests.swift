import Testing
@testable import Control

/// Role kinds and states in roles.status and worker transports are enums: the wire text is the
/// words it always was, and a word outside the set is refused naming the ones allowed.
@Suite struct ClosedSetTests {
    @Test func statusIsWrittenInTheSameWords() throws {
        let status = RolesStatus(run: "r", roles: [RoleStatus(endpoint: 3, kind: .proxy, state: .crashed, ready: false, counters: [:])],
                                 workers: [WorkerStatus(address: "127.0.0.1:1", transport: .dpdk, endpoints: [3], counters: [:])])
        let line = String(decoding: JSONWriter.serialize(try RPC.encode(status)), as: UTF8.self)
        #expect(line.contains(#""kind":"proxy""#))
        #expect(line.contains(#""state":"crashed""#))
        #expect(line.contains(#""transport":"dpdk""#))
        #expect(try JSONValueDecoder.decode(RolesStatus.self, from: RPC.encode(status)) == status)
    }

    @Test func anUnknownStateInAStatusIsNamedWithTheKnownOnes() {
        let reply = parsedJSON(#"{"roles":[{"endpoint":1,"kind":"sequencer","state":"paused","ready":true,"counters":{}}],"workers":[]}"#)
        #expect {
            _ = try JSONValueDecoder.decode(RolesStatus.self, from: reply)
        } throws: { error in
            guard let error = error as? DecodingError else { return false }
            return JSONValueDecoder.describe(error, root: "result")
                == #"result.roles[0].state: expected one of "running", "crashed", "stopped", got a string ("paused")"#
        }
    }

    @Test func anUnknownTransportIsRefusedByTheDecoder() {
        let params = parsedJSON(#"{"system":"mason","cluster":{"spaces":1,"sequencer":0,"groups":[],"clients":[]},"#
            + #""workers":[{"address":":0","endpoints":[0],"transport":"rdma"}],"addressBook":[]}"#)
        let error = #expect(throws: RPCError.self) { try RPC.decode(StartRolesRequest.self, from: params) }
        #expect(error?.code == RPCError.Code.invalidParams)
        #expect(error?.message == #"params.workers[0].transport: expected one of "udp", "dpdk", got a string ("rdma")"#)
    }
}
