import Control
import Foundation
import Histogram
#if canImport(Glibc)
import Glibc
#endif

/// One Mason run on local daemons: node 0 the sequencer, node 1 the backup, nodes 2-4 one proxy
/// group of three, and the rest client nodes, each hosting `clientsPerNode` client roles on one
/// worker. Servers start first; clients start once the group has a serving leader; the clients
/// run `warmup + duration`, stop issuing and drain; every node's results are collected.
public struct LocalMasonRun {
    public var clientNodes = 2
    public var clientsPerNode = 2
    public var concurrency = 32
    public var spaces = 1
    public var warmup: Duration = .milliseconds(500)
    public var duration: Duration = .seconds(3)
    public var proxy = ProxySettings()

    public init() {}

    public var nodeCount: Int { 5 + clientNodes }

    /// Runs on `daemons` (which must have `nodeCount` nodes) and returns every node's results.
    public func run(on daemons: LocalDaemons, label: String = "local") throws -> [RunResults] {
        let nodes = daemons.nodes
        guard nodes.count >= nodeCount else { throw LabError("a local Mason run needs \(nodeCount) daemons (got \(nodes.count)).") }
        var hosts: [[UInt32]] = [[0], [1], [2], [3], [4]]
        var clients: [ClientSpec] = []
        for n in 0 ..< clientNodes {
            let endpoints = (0 ..< clientsPerNode).map { UInt32(100 + n * clientsPerNode + $0) }
            hosts.append(endpoints)
            clients += endpoints.map { ClientSpec(endpoint: $0, group: 0) }
        }
        let cluster = MasonClusterSpec(spaces: spaces, sequencer: 0, backup: 1, groups: [[2, 3, 4]], clients: clients,
                                       concurrency: concurrency, proxy: proxy)
        let base = UInt16.random(in: 20_000 ... 50_000)
        // One worker per server role; a client node's roles share one worker (one port).
        func port(_ node: Int) -> UInt16 { base + UInt16(node) }
        let book = hosts.enumerated().flatMap { node, endpoints in
            endpoints.map { PeerSpec(endpoint: $0, address: "\(nodes[node].address):\(port(node))") }
        }
        func request(_ node: Int, origin: UInt64? = nil) -> StartRolesRequest {
            StartRolesRequest(system: "mason", run: label, cluster: cluster,
                              workers: [WorkerSpec(address: ":\(port(node))", endpoints: hosts[node])], addressBook: book,
                              originUnixNanos: origin, warmupMillis: UInt64(warmup.milliseconds),
                              durationMillis: UInt64(duration.milliseconds))
        }
        for node in 0 ..< 5 { let _: StartRolesResult = try nodes[node].control.call("roles.start", params: request(node)) }
        try waitForServingLeader(nodes)
        let origin = UInt64(Date().timeIntervalSince1970 * 1e9)
        for node in 5 ..< nodeCount {
            let _: StartRolesResult = try nodes[node].control.call("roles.start", params: request(node, origin: origin))
        }
        Thread.sleep(forTimeInterval: Double((warmup + duration).milliseconds) / 1_000)
        for node in 5 ..< nodeCount {
            let _: RolesStatus = try nodes[node].control.call("roles.stop", params: EndpointsRequest(drainMillis: 5_000))
        }
        let results: [RunResults] = try nodes.prefix(nodeCount).map { try $0.control.call("run.results", params: EndpointsRequest()) }
        for node in nodes.prefix(nodeCount) { let _: RolesStatus = try node.control.call("node.reset", params: EndpointsRequest()) }
        return results
    }

    private func waitForServingLeader(_ nodes: [LocalDaemons.Node]) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            for node in nodes[2 ... 4] {
                let status: RolesStatus = try node.control.call("roles.status", params: EndpointsRequest())
                if status.roles.contains(where: { $0.leader == true && $0.ready }) { return }
            }
            usleep(5_000)
        }
        throw LabError("the proxy group elected no serving leader within 20 s.")
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000 }
}

/// A run's headline numbers from every node's results: throughput is the sum over clients of
/// operations completed in the measurement window; percentiles come from the merged histogram.
public struct RunSummary: Sendable {
    public var operationsPerSecond: Double
    public var p50Micros: UInt64
    public var p99Micros: UInt64
    public var p999Micros: UInt64
    public var completed: UInt64
    public var contiguity: ContiguityCheck

    public init(_ results: [RunResults], window: Duration, spaces: Int) {
        var merged = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var inWindow: UInt64 = 0
        for client in results.flatMap(\.clients) {
            inWindow += client.completedInWindow
            for pair in client.latencyMicros where pair.count == 2 { _ = merged.record(pair[0], count: pair[1]) }
        }
        completed = inWindow
        operationsPerSecond = Double(inWindow) / (Double(window.milliseconds) / 1_000)
        p50Micros = merged.valueAtPercentile(50)
        p99Micros = merged.valueAtPercentile(99)
        p999Micros = merged.valueAtPercentile(99.9)
        contiguity = ContiguityCheck(results, spaces: spaces)
    }
}
