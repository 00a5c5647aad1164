import Protocols

/// Proxy + sequencer + codec in one thread: client requests are encoded and decoded, admitted into
/// batches of 64, sequenced (the request and reply through the codec too), committed through Raft
/// (a group of one replica), and the client replies encoded. Counts client operations answered.
public func benchmarkPipeline(seconds: Double) -> BenchResult {
    let batch = 64
    let spaces = 4
    let sequencerEndpoint = Endpoint(0)
    let sequencer = Sequencer(endpoint: sequencerEndpoint, config: SequencerConfig(spaces: spaces, groups: 1))
    var proxyConfig = ProxyConfig(group: 0, spaces: spaces, replicas: [Endpoint(1)], me: 0, sequencers: [sequencerEndpoint])
    proxyConfig.batchTimeoutMicros = 1_000_000
    proxyConfig.maxBatchOps = batch
    let proxy = Proxy(config: proxyConfig, generator: SplitMix64(seed: 1))
    var out: [Output] = []
    var replies: [Output] = []
    out.reserveCapacity(2 * batch)
    replies.reserveCapacity(2 * batch)
    // A group of one replica elects itself and claims the group before serving.
    var setup: [Output] = []
    proxy.start(at: .zero, into: &setup)
    for case let .send(message, _) in setup { sequencer.handle(message, from: proxy.endpoint, at: .zero, into: &replies) }
    for case let .send(reply, _) in replies { proxy.handle(reply, from: sequencerEndpoint, at: .zero, into: &setup) }
    replies.removeAll()
    precondition(proxy.isServing, "the benchmark's proxy did not start serving")
    var network = WireCrossing()
    let counts = SpaceCounts(spaces: spaces, each: 1)
    let clients = batch
    var nextID = [UInt64](repeating: 0, count: clients)
    var answered: UInt64 = 0


    return measure("pipeline", unit: "client operations/s", target: 2_000_000, seconds: seconds) {
        let before = answered
        for _ in 0 ..< 200 {
            for c in 0 ..< clients {
                let id = nextID[c]
                nextID[c] += 1
                let request = ClientRequest(client: UInt32(c), requestID: id, group: 0, acknowledgedBelow: id, counts: counts)
                proxy.handle(network.cross(.clientRequest(request)), from: Endpoint(UInt32(2 + c)), at: .zero, into: &out)
            }
            // The batch closed at its size bound: one sequencer request went out.
            for case let .send(message, _) in out where message.isForSequencer {
                sequencer.handle(network.cross(message), from: proxy.endpoint, at: .zero, into: &replies)
            }
            out.removeAll(keepingCapacity: true)
            for case let .send(reply, _) in replies {
                proxy.handle(network.cross(reply), from: sequencerEndpoint, at: .zero, into: &out)
            }
            replies.removeAll(keepingCapacity: true)
            for case let .send(message, _) in out {
                _ = network.cross(message)
                if case .clientReply = message { answered += 1 }
            }
            out.removeAll(keepingCapacity: true)
        }
        return answered - before
    }
}

extension Message {
    var isForSequencer: Bool {
        switch self {
        case .sequencerRequest, .heartbeat: true
        default: false
        }
    }
}
