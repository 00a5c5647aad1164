/// Mason's figures: the paper's Figure 3 (throughput against latency) and Figure 6 (recovery).
extension Figure {
    /// Figure 3: sequence spaces × proxy groups × client load (the artifact's master sweep).
    static let mason = Figure(
        name: "mason", summary: "throughput against latency: sequence spaces × proxy groups × client concurrency (paper Fig. 3)",
        system: .mason
    ) { scale in
        let spaces = scale == .paper ? [1, 2, 4, 8] : [1, 4]
        let triples = scale == .paper ? [1, 2, 4, 8, 16] : [1]
        let loads = scale == .paper ? [1, 2, 4, 8, 16, 32, 64] : [4, 16, 64]
        var points: [FigurePoint] = []
        for s in spaces {
            for p in triples {
                for c in loads {
                    var spec = RunSpec()
                    spec.options.spaces = s
                    spec.options.proxies = 3 * p
                    spec.options.proxyThreads = scale == .paper ? 8 : 1
                    spec.options.clients = scale == .paper ? p : 2
                    spec.options.clientThreads = scale == .paper ? 16 : 2
                    spec.options.concurrency = c
                    spec.warmup = scale == .paper ? 4 : 0.25
                    spec.duration = scale == .paper ? 60 : 2
                    spec.cooldown = scale == .paper ? 4 : 0.1
                    let groups = spec.options.groups
                    points.append(FigurePoint(key: "spaces=\(s) groups=\(groups) concurrency=\(c)",
                                              series: "\(s) space\(s == 1 ? "" : "s"), \(groups) group\(groups == 1 ? "" : "s")", spec: spec))
                }
            }
        }
        return points
    }

    /// Figure 6: a leader kill and a sequencer kill, with the highest contiguous number over time.
    static let recovery = Figure(
        name: "recovery", summary: "a leader kill then a sequencer kill, contiguous numbers over time (paper Fig. 6)", system: .mason
    ) { scale in
        var spec = RunSpec()
        spec.options.spaces = 4
        spec.options.concurrency = 8
        if scale == .paper {
            spec.options.proxies = 6
            spec.options.proxyThreads = 8
            spec.options.clients = 4
            spec.options.clientThreads = 16
            spec.warmup = 4
            spec.duration = 30
            spec.faults = [.killLeader(at: 6), .killSequencer(at: 16)]
        } else {
            spec.duration = 6
            spec.faults = [.killLeader(at: 2), .killSequencer(at: 4)]
        }
        spec.recordRanges = true
        return [FigurePoint(key: "recovery", series: "recovery", spec: spec)]
    }
}
