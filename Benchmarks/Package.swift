// swift-tools-version: 6.1
// The benchmarks, a package of their own so that building the tool (`make backtest`) or its tests
// never builds package-benchmark and its dependencies. Run from the repository root with
// `make bench`, `make bench-check` or `make bench-allocations`.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after the folder it is checked out in (`dca-backtest`, or
// whatever a clone was called), and `.product(package:)` must use that name: compute it.
let toolPackage = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().standardizedFileURL
let toolIdentity = toolPackage.lastPathComponent.lowercased()

let package = Package(
    name: "EngineBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", .upToNextMajor(from: "1.38.1"), traits: ["MallocInterposer"]),
    ],
    targets: [
        // Synthetic candles and the benchmarks' bots, shared by the benchmarks and EngineProfile.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "MarketData", package: toolIdentity),
                .product(name: "DCAStrategy", package: toolIdentity),
            ],
            path: "BenchmarkSupport",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // One benchmark's workload in a plain process, for valgrind and perf (see its main.swift).
        .executableTarget(
            name: "EngineProfile",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Backtesting", package: toolIdentity),
                .product(name: "MarketData", package: toolIdentity),
                .product(name: "DCAStrategy", package: toolIdentity),
                .product(name: "Persistence", package: toolIdentity),
                .product(name: "Sweeps", package: toolIdentity),
            ],
            path: "EngineProfile",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Backtesting", package: toolIdentity),
                .product(name: "MarketData", package: toolIdentity),
                .product(name: "DCAStrategy", package: toolIdentity),
                .product(name: "Persistence", package: toolIdentity),
                .product(name: "Sweeps", package: toolIdentity),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "EngineBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IndicatorBenchmarks",
            dependencies: [
                .product(name: "Indicators", package: toolIdentity),
                .product(name: "DCAStrategy", package: toolIdentity),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "IndicatorBenchmarks",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
