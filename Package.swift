// swift-tools-version: 6.1
// masonlab + masond: a Swift reimplementation of Mason (JSys 2023), the scalable contiguous
// multi-sequencer, and the experiment platform that runs it.
import PackageDescription

/// Debug builds (and so every test) keep Swift's dynamic exclusivity checks; release builds of the
/// hot-path modules drop them: they cost about 12% of the simulator's and the roles' cycles.
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "masonlab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "masonlab", targets: ["masonlab"]),
        .executable(name: "masond", targets: ["masond"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Pure protocol state machines: no I/O, no clocks, no threads.
        .target(
            name: "Protocols",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: hotPathSettings
        ),
        // The deterministic cluster simulator and the invariant checkers.
        .target(name: "Simulation", dependencies: ["Protocols"], swiftSettings: hotPathSettings),
        // In-process benchmarks behind `masonlab bench` (measurements, not tests).
        .target(name: "Bench", dependencies: ["Protocols", "Simulation", "Transport", "CLinux"]),
        // The command-line commands; the executable only calls into this.
        .target(
            name: "MasonlabCLI",
            dependencies: [
                "Protocols", "Simulation", "Bench", "Lab", "Control", "Results", "SSH",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "masonlab", dependencies: ["MasonlabCLI"]),
        // The one C target: a shim over DPDK's inline functions (Swift cannot import rte_mbuf).
        // SwiftPM's pkg-config reader rejects Debian's libdpdk.pc, so its flags are given here.
        .target(
            name: "CDPDK",
            cSettings: [.unsafeFlags(["-I/usr/include/dpdk", "-I/usr/include/x86_64-linux-gnu/dpdk",
                                      "-include", "rte_config.h", "-march=corei7"])],
            linkerSettings: [.linkedLibrary("rte_eal"), .linkedLibrary("rte_ethdev"), .linkedLibrary("rte_mbuf"),
                             .linkedLibrary("rte_mempool"), .linkedLibrary("rte_net")]
        ),
        // Linux calls Swift's Glibc module leaves out (recvmmsg/sendmmsg need _GNU_SOURCE; epoll, eventfd).
        .target(name: "CLinux"),
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        .target(name: "SSH", dependencies: ["CLibSSH2"]),
        // Every child process masonlab, masond and the tests start (posix_spawn + poll(2), with a timeout).
        .target(name: "ChildProcess"),
        // "Wait until it is ready or time out", for the product and the tests.
        .target(name: "Polling"),
        // Worker threads hosting roles over UDP (recvmmsg/sendmmsg, epoll) or DPDK.
        .target(name: "Transport", dependencies: ["Protocols", "CDPDK", "CLinux"], swiftSettings: hotPathSettings),
        // masond's control API: JSON-RPC 2.0 over a Unix socket, its request types, node inventory.
        .target(name: "Control", dependencies: ["Protocols"]),
        // The daemon: hosts the roles a control request names, on transport workers.
        .target(
            name: "Daemon",
            dependencies: ["Protocols", "Transport", "Control", "CLinux", "ChildProcess", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // The experiment platform: testbeds, runs, sweeps (masonlab's logic).
        .target(name: "Lab", dependencies: ["Protocols", "Control", "Results", "SSH", "ChildProcess", "Polling", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // The results store (SQLite through GRDB), merged-histogram percentiles, exports, gnuplot figures.
        .target(
            name: "Results",
            dependencies: ["Protocols", "Control", "ChildProcess", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        .executableTarget(
            name: "masond",
            dependencies: ["Daemon", "Control", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The libFuzzer campaign over every role's `handle` (`make fuzz` builds it with
        // -sanitize=fuzzer -DFUZZING); built plainly, it replays inputs.
        .executableTarget(name: "ProtocolFuzz", dependencies: ["Protocols", "Simulation"]),
        // Scenarios/ holds the data-driven scripts ScenarioTests reads from its own path: not resources.
        .testTarget(name: "ProtocolsTests", dependencies: ["Protocols"], exclude: ["Scenarios"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Protocols"]),
        .testTarget(name: "MasonlabCLITests", dependencies: ["masonlab", "MasonlabCLI", "TestSupport"]),
        // Shared by the test targets only: whether a missing prerequisite skips a test or fails it.
        .target(name: "TestSupport", dependencies: ["ChildProcess", "Polling"], path: "Tests/TestSupport"),
        .testTarget(name: "ChildProcessTests", dependencies: ["ChildProcess", "Polling"]),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "Protocols", "TestSupport"]),
        .testTarget(name: "ControlTests", dependencies: ["Control"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "Control", "Protocols"]),
        .testTarget(name: "EndToEndTests", dependencies: ["masond", "masonlab", "Control", "Protocols", "Results", "Lab", "TestSupport"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "Control", "Protocols", "TestSupport"]),
        .testTarget(name: "SSHTests", dependencies: ["SSH", "TestSupport"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Control"]),
    ]
)
