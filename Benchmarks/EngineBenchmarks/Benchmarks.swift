import Backtesting
import Benchmark
import BenchmarkSupport
import DCAStrategy
import Foundation
import MarketData
import Persistence
import Sweeps
import Dispatch

/// The typical ladder of the engine issue: base 100, safety order 200, 1% deviation, step scale
/// 1.5, volume scale 2, 5 safety orders, 1.5% take profit, fee 0.1%.
func typicalLadder(takeProfit: Double = 0.015, maxSafetyOrders: Int = 5) -> BotConfiguration {
    BenchmarkBots.ladder(maxSafetyOrders: maxSafetyOrders, takeProfit: takeProfit)
}


let benchmarks: @Sendable () -> Void = {
    // Wall clock on this shared 2-core machine moves up to 25% with no change (measured):
    // time thresholds are relative and wide; allocation counts are exact.
    // Rates measured by the benchmarks themselves (package-benchmark allows no deviation of a
    // custom metric without a threshold, so each gets the wall clock's tolerance).
    let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    let gigabytesPerSecond = BenchmarkMetric.custom("GB/s (x100)", polarity: .prefersLarger, useScalingFactor: false)
    let rowsPerSecond = BenchmarkMetric.custom("order_logs rows/s (K)", polarity: .prefersLarger, useScalingFactor: false)
    let backtestsPerSecond = BenchmarkMetric.custom("backtests/s", polarity: .prefersLarger, useScalingFactor: false)
    let noisy: [BenchmarkMetric: BenchmarkThresholds] = [
        .wallClock: .init(relative: [.p90: 35]),
        .throughput: .init(relative: [.p90: 35]),
        .mallocCountTotal: .init(relative: [.p90: 10]),
        .peakMemoryResident: .init(relative: [.p90: 20]),
        megabytesPerSecond: .init(relative: [.p90: 35]),
        gigabytesPerSecond: .init(relative: [.p90: 35]),
        rowsPerSecond: .init(relative: [.p90: 35]),
        backtestsPerSecond: .init(relative: [.p90: 35]),
    ]
    /// The tolerances of `metrics` only (package-benchmark warns about unused ones).
    func tolerances(_ metrics: [BenchmarkMetric]) -> [BenchmarkMetric: BenchmarkThresholds] {
        noisy.filter { metrics.contains($0.key) }
    }
    let standard: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident]
    Benchmark.defaultConfiguration = .init(
        metrics: standard,
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 30,
        thresholds: tolerances(standard)
    )
    multiPairBenchmarks(tolerances: tolerances)
    let million = 1_000_000
    var candles = SyntheticCandles.oneMinute(count: million)
    candles.cacheInterval()  // part of loading, as CandleLoader does

    // The whole backtest (loop, order log, metrics), 1M one-minute candles; scaled per candle.
    let ladder = typicalLadder()
    Benchmark("Engine_safety_orders_typical_ladder_1M_candles", configuration: .init(scalingFactor: .mega)) { benchmark in
        blackHole(Backtester.run(configuration: ladder, candles: candles))
    }

    // The detail fill model: 1M one-minute candles of a mean-reverting wave as the path under
    // their 16,667 hourly bars, a tight ladder (0.2% apart, 0.2% take profit) that trades in most
    // hours; scaled per one-minute candle.
    var wave = SyntheticCandles.wave(count: million, seed: 11)
    wave.cacheInterval()
    let hourly: CandleSeries = {
        var times: [Int64] = [], opens: [Double] = [], highs: [Double] = [], lows: [Double] = [], closes: [Double] = [], volumes: [Double] = []
        var start = 0
        while start < wave.count {
            let end = min(start + 60, wave.count)
            times.append(wave.openTimes[start])
            opens.append(wave.opens[start])
            highs.append(wave.highs[start..<end].max()!)
            lows.append(wave.lows[start..<end].min()!)
            closes.append(wave.closes[end - 1])
            volumes.append(wave.volumes[start..<end].reduce(0, +))
            start = end
        }
        var series = CandleSeries(openTimes: times, opens: opens, highs: highs, lows: lows, closes: closes, volumes: volumes)
        series.cacheInterval()
        return series
    }()
    let detailPath = try! DetailPath(bars: hourly, detail: wave)
    let detailLadder = try! BotConfiguration.decode(json: Data("""
        {"symbol": "BTCUSDT", "initial_balance": 1000000, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 3,
         "price_deviation": 0.002, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.002, "fee_rate": 0.001,
         "fill_model": "detail"}
        """.utf8))
    let detailOrders = Backtester.run(configuration: detailLadder, candles: hourly, detail: detailPath).orders.count
    precondition(detailOrders > 10_000, "the detail benchmark must trade through the finer path")
    Benchmark("Engine_detail_1M_minutes_under_hourly_bars", configuration: .init(scalingFactor: .mega)) { benchmark in
        blackHole(Backtester.run(configuration: detailLadder, candles: hourly, detail: detailPath))
    }

    // Other bots over the same candles: ladder shapes and the recurring mode.
    let shapes: [(String, String)] = [
        ("Engine_ladder_10_safety_orders_1M_candles", #""max_safety_orders": 10, "safety_order_volume_scale": 1.2, "price_deviation": 0.005"#),
        ("Engine_ladder_stop_loss_trailing_1M_candles", #""stop_loss": 0.08, "trailing_deviation": 0.005"#),
        ("Engine_recurring_every_60_bars_1M_candles", #""mode": "recurring", "every_bars": 60, "take_profit": 0.05"#),
    ]
    for (name, keys) in shapes {
        let configuration = try! BotConfiguration.decode(json: Data("""
            {"symbol": "BTCUSDT", "initial_balance": 100000000, "base_order_size": 100, "safety_order_size": 200, "max_safety_orders": 5,
             "price_deviation": 0.01, "safety_order_step_scale": 1.5, "safety_order_volume_scale": 2.0, "take_profit": 0.015, "fee_rate": 0.001,
             \(keys)}
            """.replacingOccurrences(of: #""max_safety_orders": 5,"#, with: keys.contains("max_safety_orders") ? "" : #""max_safety_orders": 5,"#)
              .replacingOccurrences(of: #""safety_order_volume_scale": 2.0,"#, with: keys.contains("safety_order_volume_scale") ? "" : #""safety_order_volume_scale": 2.0,"#)
              .replacingOccurrences(of: #""price_deviation": 0.01,"#, with: keys.contains("price_deviation") ? "" : #""price_deviation": 0.01,"#)
              .replacingOccurrences(of: #""take_profit": 0.015,"#, with: keys.contains("take_profit") ? "" : #""take_profit": 0.015,"#)
              .utf8))
        Benchmark(name, configuration: .init(scalingFactor: .mega)) { benchmark in
            blackHole(Backtester.run(configuration: configuration, candles: candles))
        }
    }

    // Engine v2 exits: four take-profit steps, a trailing stop loss moved to break-even by the
    // first step, on the typical ladder; whole backtest with metrics.
    let stepsBot = BenchmarkBots.takeProfitSteps
    let stepsRun = Backtester.run(configuration: stepsBot, candles: candles)
    precondition(stepsRun.orders.contains { $0.takeProfitStep == 4 && $0.status == .filled }, "the steps benchmark must fill its last step")
    Benchmark("Engine_take_profit_steps_trailing_stop_breakeven_1M_candles", configuration: .init(scalingFactor: .mega)) { benchmark in
        blackHole(Backtester.run(configuration: stepsBot, candles: candles))
    }

    // The loop alone with fills (no metrics), to see what the metrics cost.
    Benchmark("Engine_loop_typical_ladder_1M_candles", configuration: .init(scalingFactor: .mega)) { benchmark in
        var replay = PreparedReplay(configuration: ladder, candles: candles.count, orderCapacity: 1 << 16)
        benchmark.startMeasurement()
        replay.replay(candles)
        benchmark.stopMeasurement()
        blackHole(replay)
    }

    // The same loop with the engine before its restructuring into deal states, measured in the
    // same process (delete with LegacyDCAEngine): the restructuring must stay within 5% of it.
    Benchmark("Engine_loop_typical_ladder_legacy_engine_1M_candles", configuration: .init(scalingFactor: .mega)) { benchmark in
        var replay = LegacyPreparedReplay(configuration: ladder, candles: candles.count, orderCapacity: 1 << 16)
        benchmark.startMeasurement()
        replay.replay(candles)
        benchmark.stopMeasurement()
        blackHole(replay)
    }

    // The per-candle loop alone when no order fills: after the first bar's base order nothing is
    // reachable (take profit 900%, one safety order 1% down on a series that never falls 1%).
    // Everything is allocated before the measurement starts: the loop must allocate nothing.
    let flat = {
        var series = SyntheticCandles.oneMinute(count: million, volatility: 0.000001)
        series.cacheInterval()
        return series
    }()
    let quietLadder = typicalLadder(takeProfit: 9, maxSafetyOrders: 1)
    @Sendable func replayWithoutFills(_ benchmark: Benchmark) {
        var replay = PreparedReplay(configuration: quietLadder, candles: flat.count)
        benchmark.startMeasurement()
        replay.replay(flat)
        benchmark.stopMeasurement()
        precondition(replay.orderCount == 3, "the no-fill series must place only the base order, its take profit and one safety order")
        blackHole(replay)
    }
    Benchmark(
        "Engine_loop_without_fills_1M_candles",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .mega, thresholds: tolerances([.wallClock, .throughput])),
        closure: replayWithoutFills
    )

    // The allocation gate CI runs on every submission (`make bench-allocations`): the same
    // loop, counting every malloc of the whole measured replay (not per candle). It must be 0.
    Benchmark(
        "Allocations_engine_loop_without_fills_1M_candles",
        configuration: .init(
            metrics: [.mallocCountTotal],
            warmupIterations: 0,
            maxIterations: 3,
            thresholds: [.mallocCountTotal: .init(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])]
        ),
        closure: replayWithoutFills
    )

    // CSV ingestion: bytes in memory to validated columnar candles (libcsv + decimal parsing +
    // validation); 1M Binance kline rows, scaled per row.
    // SQLite order-log writes: one run of a tight ladder (0.1% apart, 0.1% take profit) over 1M
    // candles of a mean-reverting wave, written in one transaction into a new WAL database; rows per second of order_logs.
    let tight = try! BotConfiguration.decode(json: Data("""
        {"symbol": "BTCUSDT", "initial_balance": 1000000, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 3,
         "price_deviation": 0.001, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.001, "fee_rate": 0.001}
        """.utf8))
    let busy = Backtester.run(configuration: tight, candles: SyntheticCandles.wave(count: million))
    precondition(busy.orders.count > 200_000, "the storage benchmark needs a long order log")
    let identity = RunIdentity(configuration: tight, dataFingerprint: busy.candles.fingerprint)
    Benchmark(
        "Storage_order_logs_write",
        configuration: .init(metrics: [.wallClock, rowsPerSecond], warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 5, thresholds: tolerances([.wallClock, rowsPerSecond]))
    ) { benchmark in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-bench-\(UUID().uuidString)")
        let store = try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        let clock = ContinuousClock()
        let start = clock.now
        try store.write(busy, identity: identity, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0)
        let elapsed = clock.now - start
        let seconds = elapsed / .seconds(1)
        benchmark.measurement(rowsPerSecond, Int(Double(busy.orders.count) / seconds / 1e3))
        try? FileManager.default.removeItem(at: folder)
    }

    // The same run into PostgreSQL (COPY ... FROM STDIN in one transaction, commit included),
    // only when a server is given: DCA_BACKTEST_POSTGRES_URL (and PGPASSWORD), as
    // `eval "$(scripts/start-postgres.sh)"` sets them. Each iteration first deletes the run
    // (not measured), so every write is a new run's full set of rows.
    if let server = ProcessInfo.processInfo.environment["DCA_BACKTEST_POSTGRES_URL"], !server.isEmpty {
        Benchmark(
            "Storage_order_logs_write_postgres",
            configuration: .init(metrics: [.wallClock, rowsPerSecond], warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 5, thresholds: tolerances([.wallClock, rowsPerSecond]))
        ) { benchmark in
            let store = try RunDatabases.open(server)
            _ = try store.delete(runIDs: [identity.runID])
            let clock = ContinuousClock()
            let start = clock.now
            try store.write(busy, identity: identity, orders: .all, membership: .standalone, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0)
            let elapsed = clock.now - start
            benchmark.measurement(rowsPerSecond, Int(Double(busy.orders.count) / (elapsed / .seconds(1)) / 1e3))
            _ = try store.delete(runIDs: [identity.runID])
        }
    }

    // Sweep throughput: a 100-point grid (take profit x price deviation x step scale) of the
    // typical ladder over one year of 1-minute candles (525,600), on every core, through the
    // scheduler `sweep` uses (SweepRunner: workers take up to 64 points at a time and step them
    // together, one writer thread takes the finished runs); storage excluded (see Storage_order_logs_write and
    // Sweep_1000_points_2158_hourly_candles_stored).
    let year = {
        var series = SyntheticCandles.oneMinute(count: 525_600, seed: 2024)
        series.cacheInterval()
        return series
    }()
    let grid = BenchmarkBots.ladderGrid
    // The sweep issue's per-core figure: the same 100 points over the 1M one-minute candles on
    // one thread, stepped together (Backtester.run(batch:): each block of candles read once for
    // all 100 bots, the quiet bars four bots at a time) against one backtest after another;
    // bot-candles per second (millions), metrics included.
    let botCandles = BenchmarkMetric.custom("bot-candles/s (M)", polarity: .prefersLarger, useScalingFactor: false)
    for (name, together) in [("Engine_batch_100_bots_1M_candles_one_core", true), ("Engine_separate_100_bots_1M_candles_one_core", false)] {
        Benchmark(
            name,
            configuration: .init(metrics: [.wallClock, botCandles], maxDuration: .seconds(10), maxIterations: 10, thresholds: [botCandles: .init(relative: [.p90: 35]), .wallClock: .init(relative: [.p90: 35])])
        ) { benchmark in
            let clock = ContinuousClock()
            let start = clock.now
            let results = together
                ? Backtester.run(batch: grid, candles: candles)
                : grid.map { Backtester.run(configuration: $0, candles: candles, recordEquity: false) }
            let elapsed = clock.now - start
            benchmark.measurement(botCandles, Int(Double(grid.count * candles.count) / (elapsed / .seconds(1)) / 1e6))
            blackHole(results)
        }
    }

    let yearFingerprint = year.fingerprint
    let gridJobs = grid.enumerated().map { SweepJob(configuration: $1, identity: RunIdentity(configuration: $1, dataFingerprint: yearFingerprint), point: $0) }
    Benchmark(
        "Sweep_100_points_1y_1m_candles",
        configuration: .init(metrics: [.wallClock, backtestsPerSecond], maxDuration: .seconds(10), maxIterations: 10, thresholds: tolerances([.wallClock, backtestsPerSecond]))
    ) { benchmark in
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let clock = ContinuousClock()
        let start = clock.now
        try SweepRunner(workers: workers).run(gridJobs, candles: year, keepOrders: false, sink: { blackHole($0) })
        let elapsed = clock.now - start
        let seconds = elapsed / .seconds(1)
        benchmark.measurement(backtestsPerSecond, Int(Double(grid.count) / seconds))
    }

    // The sweep issue's per-point figure: 1,000 typical-ladder points (10 take profits x 10
    // deviations x 10 step scales) over 2,158 candles, `--orders none`, storage included (each
    // batch one transaction into a fresh SQLite file), both cores: what `sweep` does per point
    // beside the backtest (ids, metrics, rows, the writer).
    let short = {
        var series = SyntheticCandles.oneMinute(count: 2_158, seed: 7)
        series.cacheInterval()
        return series
    }()
    let shortFingerprint = short.fingerprint
    let thousand: [SweepJob] = (0..<1_000).map { k in
        let configuration = try! BotConfiguration.decode(json: Data("""
            {"symbol": "BTCUSDT", "initial_balance": 100000, "base_order_size": 100, "safety_order_size": 200, "max_safety_orders": 5,
             "price_deviation": \(0.005 + 0.001 * Double(k / 100)), "safety_order_step_scale": \(1.1 + 0.1 * Double(k / 10 % 10)), "safety_order_volume_scale": 2.0,
             "take_profit": \(0.005 + 0.002 * Double(k % 10)), "fee_rate": 0.001}
            """.utf8))
        return SweepJob(configuration: configuration, identity: RunIdentity(configuration: configuration, dataFingerprint: shortFingerprint), point: k)
    }
    Benchmark(
        "Sweep_1000_points_2158_candles_stored",
        configuration: .init(metrics: [.wallClock, backtestsPerSecond], maxDuration: .seconds(20), maxIterations: 5, thresholds: tolerances([.wallClock, backtestsPerSecond]))
    ) { benchmark in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-bench-\(UUID().uuidString)")
        let store = try RunStore(path: folder.appendingPathComponent("runs.sqlite").path)
        let sweepID = "00000000-0000-4000-8000-000000000001"
        try store.recordSweep(SweepRecord(id: sweepID, grid: "{}", baseConfig: "{}", dataFingerprint: shortFingerprint, runs: thousand.count, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.000Z", orders: "none", objective: "sharpe_ratio"))
        let clock = ContinuousClock()
        let start = clock.now
        try SweepRunner(workers: ProcessInfo.processInfo.activeProcessorCount).run(thousand, candles: short, keepOrders: false, sink: { batch in
            try store.write(batch: batch, orders: .none, sweepID: sweepID, executedAt: "2026-01-01T00:00:00.000Z")
        })
        let elapsed = clock.now - start
        benchmark.measurement(backtestsPerSecond, Int(Double(thousand.count) / (elapsed / .seconds(1))))
        try? FileManager.default.removeItem(at: folder)
    }

    // Loading 1M candles from the binary cache next to a CSV (written once before measuring),
    // checksum verified; GB/s of the 48 MB payload.
    let cacheFolder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-bench-cache-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true)
    let cachedSource = cacheFolder.appendingPathComponent("synthetic.csv").path
    precondition(FileManager.default.createFile(atPath: cachedSource, contents: Data(SyntheticCandles.binanceCSV(candles))), "the cache benchmark needs its CSV")
    _ = try? CandleLoader.load(paths: [cachedSource], useCache: true)
    Benchmark(
        "Cache_load_1M_candles",
        configuration: .init(metrics: [.wallClock, gigabytesPerSecond], thresholds: tolerances([.wallClock, gigabytesPerSecond]))
    ) { benchmark in
        let clock = ContinuousClock()
        let start = clock.now
        let cached = CandleCache.read(source: cachedSource, options: LoadOptions())
        let elapsed = clock.now - start
        let seconds = elapsed / .seconds(1)
        precondition(cached?.series.count == million, "the cache must hold the 1M candles")
        benchmark.measurement(gigabytesPerSecond, Int(Double(million * 48) / seconds / 1e9 * 100))
        blackHole(cached)
    }

    // Reported as rows/s (scaled throughput) and as MB/s (custom metric, 10^6 bytes per second).
    func ingestion(_ name: String, bytes: [UInt8], file: String) {
        Benchmark(
            name,
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal, megabytesPerSecond], scalingFactor: .mega,
                thresholds: tolerances([.wallClock, .throughput, .mallocCountTotal, megabytesPerSecond])
            )
        ) { benchmark in
            let clock = ContinuousClock()
            let start = clock.now
            let loaded = try CandleLoader.load(bytes: bytes, file: file)
            let elapsed = clock.now - start
            let seconds = elapsed / .seconds(1)
            benchmark.measurement(megabytesPerSecond, Int(Double(bytes.count) / seconds / 1e6))
            precondition(loaded.series.count == 1_000_000)
            blackHole(loaded)
        }
    }
    ingestion("Ingest_binance_csv_1M_rows", bytes: SyntheticCandles.binanceCSV(candles), file: "synthetic.csv")
    // Layout and time-format inference over a pandas `to_csv` file (unnamed index column, ISO
    // text times): the format is decided once from a sample, then every row is read that way.
    ingestion("Ingest_pandas_iso_csv_1M_rows", bytes: SyntheticCandles.pandasCSV(candles), file: "pandas.csv")
}
