import Protocols

/// A one-replica proxy group that has elected itself, committed its first entry and had its claim
/// answered by `sequencer`: ready for client requests.
enum ServingProxy {
    static func make(spaces: Int, sequencer: Endpoint, configure: (inout ProxyConfig) -> Void = { _ in }) -> Proxy {
        var config = ProxyConfig(group: 0, spaces: spaces, replicas: [Endpoint(1)], me: 0, sequencers: [sequencer])
        configure(&config)
        let p = Proxy(config: config, generator: SplitMix64(seed: 3))
        var out: [Output] = []
        p.start(at: .zero, into: &out)
        let claim = out.compactMap { if case let .send(.recovery(.claim(c)), _) = $0 { c } else { nil } }.first!
        let reply = ClaimReply(group: 0, term: claim.term, epoch: 0, status: .allocated, nextSeqRequestID: 0, allocations: [])
        p.handle(.recovery(.claimReply(reply)), from: sequencer, at: .zero, into: &out)
        precondition(p.isServing, "the proxy did not start serving")
        return p
    }
}
