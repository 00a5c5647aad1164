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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
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
