// swift-tools-version: 6.1
// masonlab + masond: a Swift reimplementation of Mason (JSys 2023), the scalable contiguous
// multi-sequencer, and the experiment platform that runs it.
import PackageDescription

let package = Package(
    name: "masonlab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "masonlab", targets: ["masonlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // Pure protocol state machines: no I/O, no clocks, no threads.
        .target(
            name: "Protocols",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        // The deterministic cluster simulator and the invariant checkers.
        .target(name: "Simulation", dependencies: ["Protocols"]),
        // In-process benchmarks behind `masonlab bench` (measurements, not tests).
        .target(name: "Bench", dependencies: ["Protocols", "Simulation"]),
        // The command-line commands; the executable only calls into this.
        .target(
            name: "MasonlabCLI",
            dependencies: [
                "Protocols", "Simulation", "Bench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "masonlab", dependencies: ["MasonlabCLI"]),
        .testTarget(name: "ProtocolsTests", dependencies: ["Protocols"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Protocols"]),
        .testTarget(name: "MasonlabCLITests", dependencies: ["masonlab"]),
    ]
)
