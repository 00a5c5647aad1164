import Protocols

/// The sequencer alone: batch requests through `handle`, as a host delivers them (decoded message
/// in, reply out), with 4 spaces and proxies reporting their durable mark as they go.
public func benchmarkSequencer(seconds: Double) -> BenchResult {
    let groups = 8
    let sequencer = Sequencer(endpoint: Endpoint(0), config: SequencerConfig(spaces: 4, groups: groups))
    var nextID = [UInt64](repeating: 0, count: groups)
    var out: [Output] = []
    out.reserveCapacity(16)
    let counts = SpaceCounts(spaces: 4, each: 64)
    return measure("sequencer", unit: "batch requests/s", target: 5_000_000, seconds: seconds) {
        for _ in 0 ..< 10_000 {
            for g in 0 ..< groups {
                let id = nextID[g]
                nextID[g] += 1
                let request = SequencerRequest(group: UInt16(g), batchID: id, seqRequestID: id,
                                               durableBelow: id > 16 ? id - 16 : 0, counts: counts)
                sequencer.handle(.sequencerRequest(request), from: Endpoint(UInt32(1 + g)), at: .zero, into: &out)
                out.removeAll(keepingCapacity: true)
            }
        }
        return UInt64(10_000 * groups)
    }
}
