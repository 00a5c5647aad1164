import Foundation
import Protocols
import Simulation

/// The libFuzzer campaign over every role's `handle` (`make fuzz`): each input drives a small
/// simulated Mason cluster (a primary and a backup sequencer, two 3-replica proxy groups, two
/// clients) that has warmed up to serving, then delivers structure-aware hostile frames
/// (`HostileFrames`, `.anything`: valid through the codec, extreme field values, forged members
/// and outsiders as senders) to roles the input picks, interleaved with stretches of time (ticks).
/// Nothing may trap; invariants are not checked (a forged member may legitimately break them).
///
/// Built with `-sanitize=fuzzer -DFUZZING`, `main` runs libFuzzer's driver. Without, this is a plain
/// executable that runs the inputs named on its command line (files), or random ones: a replay tool.
enum ProtocolFuzz {
    static let config: SimulationConfig = {
        var c = SimulationConfig.cluster(groups: 2, replicas: 3, clients: 2, clientThreads: 1, spaces: 2, concurrency: 2)
        c.bitmapBlockSize = 64
        c.gcIntervalMicros = 1_000
        c.maxLogSize = 16
        return c
    }()

    static func run(_ input: [UInt8]) {
        var entropy = InputEntropy(input)
        let c = config
        let layout = MasonCluster.Layout(c)
        let sim = Simulator(seed: 7, faults: .none) { _, _ in }
        sim.add(Sequencer(endpoint: layout.primary, config: MasonCluster.sequencerConfig(c, epoch: 0)))
        sim.add(Sequencer(endpoint: layout.backup, config: MasonCluster.sequencerConfig(c, epoch: 1)))
        for g in 0 ..< c.proxyGroups {
            for r in 0 ..< c.replicas {
                sim.add(Proxy(config: MasonCluster.proxyConfig(c, group: g, replica: r), generator: sim.forkGenerator()))
            }
        }
        for k in 0 ..< c.totalClients {
            let group = k % c.proxyGroups
            sim.add(Client(endpoint: layout.client(k),
                           config: ClientConfig(client: UInt32(k), group: UInt16(group), proxies: layout.replicas(of: group),
                                                spaces: c.spaces, concurrency: c.concurrency),
                           generator: sim.forkGenerator()))
        }
        let members = UInt64(layout.servers.count + c.totalClients)
        sim.start()
        sim.run(through: .milliseconds(2))
        let frames = HostileFrames(mode: .anything, groups: c.proxyGroups, spaces: c.spaces, replicas: c.replicas)
        var steps = 0
        while !entropy.exhausted && steps < 64 {
            steps += 1
            switch entropy.next() % 8 {
            case 0:
                // Time passes: timers fire, the cluster reacts to what it was sent.
                sim.run(through: sim.now.adding(microseconds: entropy.next() % 5_000))
            default:
                let to = Endpoint(UInt32(entropy.next() % members))
                // A forged member (the receiver's peers included) or an outsider.
                let from = Endpoint(UInt32(entropy.next() % 4 == 0 ? members + entropy.next() % 8 : entropy.next() % members))
                sim.inject(frames.message(&entropy), from: from, to: to, at: sim.now)
                sim.run(through: sim.now)
            }
        }
        sim.run(through: sim.now.adding(microseconds: 5_000))
    }
}

/// The fuzzer's input as a generator: 8 bytes per draw, zeros once it runs out.
struct InputEntropy: RandomNumberGenerator {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var exhausted: Bool { offset >= bytes.count }

    mutating func next() -> UInt64 {
        var value: UInt64 = 0
        for i in 0 ..< 8 where offset + i < bytes.count { value |= UInt64(bytes[offset + i]) << (8 * i) }
        offset += 8
        return value
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ProtocolFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

#if FUZZING
/// libFuzzer's driver (libclang_rt.fuzzer): SwiftPM renames an executable's `main`, so libFuzzer's
/// own `main` is never linked; this one hands the command line to the driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main
struct ProtocolFuzzMain {
    /// Fuzzing: libFuzzer's options and corpus directories. Otherwise `ProtocolFuzz FILE...` runs
    /// each file as one input, and with no arguments 200 random inputs.
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, { data, size in fuzzOneInput(data, size) }))
        #else
        let files = CommandLine.arguments.dropFirst()
        if files.isEmpty {
            var generator = SplitMix64(seed: 1)
            for _ in 0 ..< 200 {
                ProtocolFuzz.run((0 ..< Int(generator.next() % 2_048)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            }
            print("200 random inputs: no trap")
            return
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("ProtocolFuzz: cannot read \(file)\n".utf8))
                exit(2)
            }
            ProtocolFuzz.run([UInt8](data))
            print("\(file): no trap")
        }
        #endif
    }
}
