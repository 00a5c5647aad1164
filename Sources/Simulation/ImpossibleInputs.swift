import Protocols

/// The counters of input no correct peer sends, read from every role once a run ends: Raft's
/// `impossible` and the sequencers' and proxies' `DropCounters.impossible` (a client's impossible
/// input, an answer with the wrong counts, is reported as an `.anomaly`). The other drop counters are expected
/// (stale replies, strangers' garbage); these are invariants, so `noAnomalies` fails a seed on any.
enum ImpossibleInputs {
    /// One line per role whose counter is not zero.
    static func report(sequencers: [Sequencer], proxies: [Proxy]) -> [String] {
        var lines: [String] = []
        for s in sequencers where s.drops.impossible > 0 {
            lines.append("sequencer \(s.endpoint): \(s.drops.impossible) inputs no correct proxy sends")
        }
        for p in proxies {
            if p.raft.impossible > 0 {
                lines.append("proxy \(p.endpoint) (group \(p.config.group)): \(p.raft.impossible) Raft inputs no correct peer sends "
                    + "(a second leader in one term, an append contradicting a committed entry, or an acknowledgement past the log)")
            }
            if p.drops.impossible > 0 { lines.append("proxy \(p.endpoint): \(p.drops.impossible) inputs no correct peer sends") }
        }
        return lines
    }
}
