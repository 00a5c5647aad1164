import Dispatch
import Foundation
import Simulation

/// Runs seeds on every core and hands each report to `finished` as soon as its seed ends (in the
/// order seeds end, one call at a time), so a long sweep shows, and keeps, what it has found so far.
enum SeedRunner {
    static func run(_ configs: [SimulationConfig], trace: Bool = false,
                    finished: @escaping @Sendable (_ index: Int, SimulationReport) -> Void) {
        if trace {
            // One seed after another, so each seed's lines stay together.
            for (index, config) in configs.enumerated() {
                let report = MasonSimulation.run(config) { line in
                    FileHandle.standardError.write(Data("seed \(config.seed) \(line)\n".utf8))
                }
                finished(index, report)
            }
            return
        }
        // Plain threads, not Dispatch's pool: the interrupt handler runs on that pool, and must
        // find a free thread while every core is busy with seeds.
        let serial = NSLock()
        let workers = max(1, min(configs.count, ProcessInfo.processInfo.activeProcessorCount))
        let done = DispatchSemaphore(value: 0)
        for worker in 0 ..< workers {
            Thread.detachNewThread {
                for index in stride(from: worker, to: configs.count, by: workers) {
                    let report = MasonSimulation.run(configs[index])
                    serial.withLock { finished(index, report) }
                }
                done.signal()
            }
        }
        for _ in 0 ..< workers { done.wait() }
    }
}
