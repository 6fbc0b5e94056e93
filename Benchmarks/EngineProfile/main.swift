// Runs one engine benchmark's workload a given number of times in a plain process, for profilers
// that cannot follow package-benchmark's runner (valgrind --tool=callgrind, perf record):
//
//   swift build -c release --product EngineProfile   (in Benchmarks/)
//   strip -g -o /tmp/ep .build/release/EngineProfile  (valgrind 3.19 cannot read the debug info)
//   valgrind --tool=callgrind --toggle-collect='$s11Backtesting14PreparedReplayV6replayyy10MarketData12CandleSeriesVF' \
//       /tmp/ep steps 3
//
// Workloads (the loop alone, as the `Engine_loop_*`-style benchmarks measure it): `typical`
// (typical ladder, 1M one-minute candles), `steps` (take-profit steps with a trailing stop),
// `steps-backtest` (the same bot's whole backtest, `Backtester.run`, as its benchmark measures it),
// `rsi-start` (RSI(14) on 1h start condition), `portfolio` (ten symbols, 3 deals,
// PortfolioReplay.replay()), `ingest-binance` and `ingest-pandas` (1M rows of CSV loaded, as the
// `Ingest_*` benchmarks; toggle on `CandleLoader.load(bytes:file:)`), `sweep-stored` (the
// `Sweep_1000_points_2158_candles_stored` workload: 1,000 points, ids, runs and SQLite rows, on
// every core; the toggle `$s6Sweeps11SweepRunnerV3run` and valgrind's --separate-threads=no), and
// `postgres-write` (the run of Storage_order_logs_write_postgres written RUNS times into
// DCA_BACKTEST_POSTGRES_URL, deleted before each write and left stored after the last, for
// `perf record` of the client's side and a look at the rows), `batch` and `separate` (the 100-point
// grid of `Sweep_100_points_1y_1m_candles` over the 1M candles on one thread: stepped together,
// `Backtester.run(batch:candles:detail:)`, or as 100 backtests one after another). Prints the candles per run and the runs' order count.
import Backtesting
import Foundation
import BenchmarkSupport
import DCAStrategy
import MarketData
import Persistence
import Sweeps

let arguments = CommandLine.arguments.dropFirst()
let workloads = ["typical", "steps", "steps-backtest", "rsi-start", "portfolio", "ingest-binance", "ingest-pandas", "sweep-stored", "postgres-write", "batch", "separate"]
guard let workload = arguments.first, workloads.contains(workload) else {
    print("usage: EngineProfile \(workloads.joined(separator: "|")) [RUNS]")
    exit(2)
}
let runs = arguments.dropFirst().first.flatMap { Int($0) } ?? 1

/// The one-pair loop over `candles`, `runs` times; the orders of the last run.
func replayOnePair(_ configuration: BotConfiguration, _ candles: CandleSeries) -> Int {
    var orders = 0
    for _ in 0..<runs {
        var replay = PreparedReplay(configuration: configuration, candles: candles.count, orderCapacity: 1 << 16)
        replay.replay(candles)
        orders = replay.orderCount
    }
    return orders
}

if workload == "postgres-write" {
    // The same bot and candles as Storage_order_logs_write_postgres (Benchmarks.swift).
    let tight = try BotConfiguration.decode(json: Data("""
        {"symbol": "BTCUSDT", "initial_balance": 1000000, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 3,
         "price_deviation": 0.001, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.001, "fee_rate": 0.001}
        """.utf8))
    let busy = Backtester.run(configuration: tight, candles: SyntheticCandles.wave(count: 1_000_000))
    let identity = RunIdentity(configuration: tight, dataFingerprint: busy.candles.fingerprint)
    let store = try RunDatabases.open(ProcessInfo.processInfo.environment["DCA_BACKTEST_POSTGRES_URL"] ?? "")
    let clock = ContinuousClock()
    for _ in 0..<runs {
        _ = try store.delete(runIDs: [identity.runID])
        let start = clock.now
        try store.write(busy, identity: identity, orders: .all, membership: .standalone, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0)
        let seconds = (clock.now - start) / .seconds(1)
        print(busy.orders.count, "orders in", seconds, "s:", Int(Double(busy.orders.count) / seconds), "rows/s")
    }
    exit(0)
}

var minutes = SyntheticCandles.oneMinute(count: 1_000_000)
minutes.cacheInterval()

/// Loads `bytes` as a candle file `runs` times (the `Ingest_*` benchmarks); the candles loaded.
func ingest(_ bytes: [UInt8], file: String) -> Int {
    var count = 0
    for _ in 0..<runs { count = (try! CandleLoader.load(bytes: bytes, file: file)).series.count }
    return count
}

/// The stored 1,000-point sweep `runs` times, each into a new SQLite file (ids made per point,
/// as `sweep` does); the points stored by the last run.
func sweepStored() -> Int {
    var short = SyntheticCandles.oneMinute(count: 2_158, seed: 7)
    short.cacheInterval()
    let fingerprint = short.fingerprint
    let configurations: [BotConfiguration] = (0..<1_000).map { k in
        try! BotConfiguration.decode(json: Data("""
            {"symbol": "BTCUSDT", "initial_balance": 100000, "base_order_size": 100, "safety_order_size": 200, "max_safety_orders": 5,
             "price_deviation": \(0.005 + 0.001 * Double(k / 100)), "safety_order_step_scale": \(1.1 + 0.1 * Double(k / 10 % 10)), "safety_order_volume_scale": 2.0,
             "take_profit": \(0.005 + 0.002 * Double(k % 10)), "fee_rate": 0.001}
            """.utf8))
    }
    var stored = 0
    for _ in 0..<runs {
        let jobs = configurations.enumerated().map { SweepJob(configuration: $1, identity: RunIdentity(configuration: $1, dataFingerprint: fingerprint), point: $0) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-profile-\(UUID().uuidString)")
        let store = try! RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        let sweepID = "00000000-0000-4000-8000-000000000001"
        try! store.recordSweep(SweepRecord(id: sweepID, grid: "{}", baseConfig: "{}", dataFingerprint: fingerprint, runs: jobs.count, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.000Z", orders: "none", objective: "sharpe_ratio"))
        try! SweepRunner(workers: ProcessInfo.processInfo.activeProcessorCount).run(jobs, candles: short, keepOrders: false, sink: { batch in
            try store.write(batch: batch, orders: .none, sweepID: sweepID, executedAt: "2026-01-01T00:00:00.000Z")
        })
        stored = jobs.count
        try? FileManager.default.removeItem(at: folder)
    }
    return stored
}

switch workload {
case "sweep-stored": print(sweepStored())
case "ingest-binance": print(ingest(SyntheticCandles.binanceCSV(minutes), file: "synthetic.csv"))
case "ingest-pandas": print(ingest(SyntheticCandles.pandasCSV(minutes), file: "synthetic.csv"))
case "typical": print(minutes.count, replayOnePair(BenchmarkBots.ladder(), minutes))
case "steps": print(minutes.count, replayOnePair(BenchmarkBots.takeProfitSteps, minutes))
case "steps-backtest":
    var orders = 0
    for _ in 0..<runs { orders = Backtester.run(configuration: BenchmarkBots.takeProfitSteps, candles: minutes).orders.count }
    print(minutes.count, orders)
case "rsi-start": print(minutes.count, replayOnePair(BenchmarkBots.rsiStart, minutes))
case "batch", "separate":
    // The 100-point grid on one thread: stepped together, or one backtest after another.
    var orders = 0
    for _ in 0..<runs {
        let results = workload == "batch"
            ? Backtester.run(batch: BenchmarkBots.ladderGrid, candles: minutes)
            : BenchmarkBots.ladderGrid.map { Backtester.run(configuration: $0, candles: minutes, recordEquity: false) }
        orders = results.reduce(0) { $0 + $1.orders.count }
    }
    print(minutes.count * BenchmarkBots.ladderGrid.count, orders)
default:
    let series = BenchmarkBots.portfolioCandles()
    var orders = 0
    for _ in 0..<runs {
        var replay = PortfolioReplay(configuration: BenchmarkBots.portfolio, candles: series, recordEquity: false)
        replay.replay()
        orders = replay.result().orders.count
    }
    print(series.reduce(0) { $0 + $1.count }, orders)
}
