import Control
import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Seven real masond processes on 127.0.1.x run a Mason cluster over UDP: a sequencer, a backup,
/// one proxy group of three (one replica per daemon) and two client daemons. The test drives them
/// through the control API only, crashes the proxy leader and later the sequencer with
/// roles.crash, and checks contiguity on the results the daemons hand back.
final class MasonClusterEndToEndTests: XCTestCase {
    private var daemons: [MasondProcess] = []
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("masond-e2e-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        for d in daemons { d.kill9() }
        try? FileManager.default.removeItem(at: folder)
        daemons = []
    }

    func testMasonClusterSurvivesLeaderAndSequencerCrashesWithContiguity() throws {
        // Endpoints: 0 sequencer, 1 backup, 2-4 the group's replicas, 10-11 and 20-21 clients.
        let ips = (1 ... 7).map { "127.0.1.\($0)" }
        daemons = try ips.map { try MasondProcess(address: $0, folder: folder) }
        let control = try daemons.map { try $0.connect() }
        let hosts: [(node: Int, endpoints: [UInt32])] = [(0, [0]), (1, [1]), (2, [2]), (3, [3]), (4, [4]), (5, [10, 11]), (6, [20, 21])]
        let cluster = MasonClusterSpec(spaces: 2, sequencer: 0, backup: 1, groups: [[2, 3, 4]],
                                       clients: [10, 11, 20, 21].map { ClientSpec(endpoint: $0, group: 0) }, concurrency: 8)

        // Ports: a random base, so a leftover daemon elsewhere on these addresses cannot collide twice.
        let base = UInt16.random(in: 20_000 ... 50_000)
        let book = hosts.flatMap { node, endpoints in
            endpoints.enumerated().map { k, e in PeerSpec(endpoint: e, address: "\(ips[node]):\(base + UInt16(e))") }
        }
        func request(_ node: Int, _ endpoints: [UInt32], origin: UInt64? = nil) -> StartRolesRequest {
            // Each endpoint on a worker of its own.
            StartRolesRequest(system: .mason, run: "e2e", cluster: cluster,
                              workers: endpoints.map { WorkerSpec(address: ":\(base + UInt16($0))", endpoints: [$0]) },
                              addressBook: book, originUnixNanos: origin, intervalMillis: 10)
        }

        // Servers first; wait until the group has a serving leader.
        for (node, endpoints) in hosts where node < 5 {
            let started: StartRolesResult = try control[node].call("roles.start", params: request(node, endpoints))
            XCTAssertEqual(started.workers.map(\.endpoints), endpoints.map { [$0] })
        }
        let leader = try waitForLeader(control, excluding: nil)

        // Then the clients.
        let origin = UInt64(Date().timeIntervalSince1970 * 1e9)
        for (node, endpoints) in hosts where node >= 5 {
            let _: StartRolesResult = try control[node].call("roles.start", params: request(node, endpoints, origin: origin))
        }
        try waitForProgress(control, nodes: [5, 6], atLeast: 2_000)

        // Crash the leader; a new one must take over and the clients go on.
        let crashed: RolesStatus = try control[leader.node].call("roles.crash", params: EndpointsRequest(endpoints: [leader.endpoint]))
        XCTAssertEqual(crashed.roles.first { $0.endpoint == leader.endpoint }?.state, .crashed)
        let newLeader = try waitForLeader(control, excluding: leader.endpoint)
        XCTAssertNotEqual(newLeader.endpoint, leader.endpoint)
        try waitForProgress(control, nodes: [5, 6], atLeast: 2_000)

        // Crash the sequencer; the backup must rebuild the counters and serve.
        let _: RolesStatus = try control[0].call("roles.crash", params: EndpointsRequest(endpoints: [0]))
        try Polling.until("the backup sequencer ready", within: 20, every: 0.01) {
            let status: RolesStatus = try control[1].call("roles.status", params: EndpointsRequest())
            return status.roles.first?.ready == true
        }
        try waitForProgress(control, nodes: [5, 6], atLeast: 2_000)

        // No role saw input that contradicts the protocol.
        for node in control.indices {
            let status: RolesStatus = try control[node].call("roles.status", params: EndpointsRequest())
            for role in status.roles { XCTAssertEqual(role.counters["anomalies"], 0, "endpoint \(role.endpoint) saw anomalies") }
        }

        // Stop the clients (they finish what is outstanding), then collect and check.
        for node in [5, 6] {
            let stopped: RolesStatus = try control[node].call("roles.stop", params: EndpointsRequest(drainMillis: 5_000))
            XCTAssertTrue(stopped.roles.allSatisfy { $0.state == .stopped && $0.counters["outstanding"] == 0 }, "\(stopped.roles)")
        }
        let results: [RunResults] = try control.map { try $0.call("run.results", params: EndpointsRequest()) }
        let check = ContiguityCheck(results, spaces: 2)
        print("end-to-end: leader \(leader.endpoint) -> \(newLeader.endpoint); \(check.summary)")
        XCTAssertTrue(check.ok, check.summary)
        XCTAssertGreaterThan(check.spaces[0].upper, 6_000, check.summary)
        let clients = results.flatMap(\.clients)
        XCTAssertEqual(clients.count, 4)
        XCTAssertTrue(clients.allSatisfy { $0.completed > 0 && !$0.latencyMicros.isEmpty })
        let backup = try XCTUnwrap(results[1].sequencers.first)
        XCTAssertTrue(backup.ready)
        XCTAssertEqual(backup.epoch, 1)
        XCTAssertGreaterThan(backup.allocations, 0, "the backup served after the sequencer crash")
        XCTAssertTrue(results.flatMap(\.proxies).contains { $0.leaderTerms.count > 0 && $0.endpoint == newLeader.endpoint })

        // Every daemon stops on SIGTERM and leaves no socket behind.
        for d in daemons {
            XCTAssertEqual(d.terminate(), 0, d.stderrText())
            XCTAssertFalse(FileManager.default.fileExists(atPath: d.socketPath))
        }
    }

    /// The node and endpoint of the group's serving leader (other than `excluding`).
    private func waitForLeader(_ control: [ControlClient], excluding: UInt32?) throws -> (node: Int, endpoint: UInt32) {
        var found: (Int, UInt32)?
        try Polling.until("a serving leader of group 0", within: 20, every: 0.01) {
            for node in 2 ... 4 {
                let status: RolesStatus = try control[node].call("roles.status", params: EndpointsRequest())
                if let role = status.roles.first, role.state == .running, role.leader == true, role.ready, role.endpoint != excluding {
                    found = (node, role.endpoint)
                    return true
                }
            }
            return false
        }
        return found!
    }

    /// Waits until the clients on `nodes` completed `atLeast` more operations than now.
    private func waitForProgress(_ control: [ControlClient], nodes: [Int], atLeast: UInt64) throws {
        func completed() throws -> UInt64 {
            try nodes.reduce(0) { sum, node in
                let status: RolesStatus = try control[node].call("roles.status", params: EndpointsRequest())
                return sum + status.roles.reduce(0) { $0 + ($1.counters["completed"] ?? 0) }
            }
        }
        let start = try completed()
        try Polling.until("\(atLeast) more operations completed on nodes \(nodes)", within: 30, every: 0.01) { try completed() >= start + atLeast }
    }
}
