// swift-tools-version: 6.1
import PackageDescription

// Strict settings applied to every first-party target in one place (the swift-log shape).
let strictSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "dca-backtest",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dca-backtest", targets: ["dca-backtest"]),
        .library(name: "MarketData", targets: ["MarketData"]),
        .library(name: "Backtesting", targets: ["Backtesting"]),
        // For the benchmark package in Benchmarks/ (a package of its own, so that building the
        // tool never builds package-benchmark).
        .library(name: "DCAStrategy", targets: ["DCAStrategy"]),
        .library(name: "Persistence", targets: ["Persistence"]),
        .library(name: "Indicators", targets: ["Indicators"]),
        // The sweep scheduler, driven by `sweep`, the benchmarks and the tests alike.
        .library(name: "Sweeps", targets: ["Sweeps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", .upToNextMajor(from: "1.8.2")),
        .package(url: "https://github.com/apple/swift-log", .upToNextMajor(from: "1.16.2")),
        .package(url: "https://github.com/groue/GRDB.swift", .upToNextMajor(from: "7.10.0")),
        .package(url: "https://github.com/apple/swift-crypto", .upToNextMajor(from: "3.12.3")),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C libraries from Debian packages (libcsv-dev, zlib1g-dev, libzip-dev); libcsv ships no pkg-config file.
        .systemLibrary(name: "CLibCSV", path: "Sources/CLibCSV"),
        .systemLibrary(name: "CGzip", path: "Sources/CGzip"),
        .systemLibrary(name: "CLibZip", path: "Sources/CLibZip"),

        // Candles: file formats, libcsv ingestion, timestamp units, validation. No strategy.
        .target(
            name: "MarketData",
            dependencies: [
                "CLibCSV", "CGzip", "CLibZip",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The bot configuration, its validation and the ladder math. No I/O.
        .target(name: "DCAStrategy"),
        // Incremental, allocation-free indicators and deal conditions (SMA, EMA, RSI, %B, ...).
        .target(name: "Indicators", dependencies: ["DCAStrategy"]),
        // The quiet-bar loop of four bots stepped together, with AVX2 where the CPU has it (C
        // intrinsics: Swift's SIMD types compile for the x86-64 baseline, two doubles wide).
        .target(name: "CBatchKernel"),
        // Equity-curve and deal statistics: pure functions.
        .target(name: "Analytics"),
        // The engine loop: deals, orders, fills along the bar path, fees, balances.
        .target(name: "Backtesting", dependencies: ["MarketData", "DCAStrategy", "Analytics", "Indicators", "CBatchKernel"]),
        // SQLite and PostgreSQL schemas, migrations and the run writers (GRDB, PostgresNIO).
        .target(
            name: "Persistence",
            dependencies: [
                "Backtesting", "DCAStrategy", "Analytics", "MarketData",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The sweep scheduler (workers and one writer), progress, walk-forward windows' results.
        .target(name: "Sweeps", dependencies: ["Backtesting", "DCAStrategy", "MarketData", "Persistence"]),
        // Text, JSON, Markdown and HTML (inline SVG) reports.
        .target(name: "Reports", dependencies: ["Backtesting", "DCAStrategy", "Analytics", "MarketData"]),
        // The subcommands, as a library so tests can drive them.
        .target(
            name: "BacktestCommands",
            dependencies: [
                "MarketData", "DCAStrategy", "Backtesting", "Analytics", "Persistence", "Reports", "Sweeps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "dca-backtest", dependencies: ["BacktestCommands"]),

        .testTarget(name: "MarketDataTests", dependencies: ["MarketData"]),
        .testTarget(name: "DCAStrategyTests", dependencies: ["DCAStrategy"]),
        .testTarget(name: "IndicatorsTests", dependencies: ["Indicators", "DCAStrategy", "MarketData"], exclude: ["Fixtures"]),
        .testTarget(name: "AnalyticsTests", dependencies: ["Analytics"]),
        .testTarget(name: "BacktestingTests", dependencies: ["Backtesting", "MarketData", "DCAStrategy", "Analytics", "Indicators"]),
        .testTarget(
            name: "PersistenceTests",
            dependencies: [
                "Persistence", "Backtesting", "DCAStrategy", "MarketData", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "Persistence", "Backtesting", "MarketData", "DCAStrategy", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "BacktestCommands", "Persistence", "Backtesting", "MarketData", "DCAStrategy", "Reports", "Sweeps",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSwiftSettings
}
