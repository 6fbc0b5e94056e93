import Backtesting
import Benchmark
import BenchmarkSupport
import DCAStrategy
import Foundation
import MarketData

/// The multi-pair loop and a start condition on a coarser timeframe (docs/SEMANTICS.md,
/// "Multi-pair bots"): rates in candles per second over every symbol's candles.
func multiPairBenchmarks(tolerances: ([BenchmarkMetric]) -> [BenchmarkMetric: BenchmarkThresholds]) {
    let candlesPerSecond = BenchmarkMetric.custom("M candles/s", polarity: .prefersLarger, useScalingFactor: false)
    // Ten symbols, one year of one-minute candles each (different seeds, so their deals differ).
    let symbols = BenchmarkBots.portfolioSymbols
    let series = BenchmarkBots.portfolioCandles()
    let total = series.reduce(0) { $0 + $1.count }
    let portfolio = BenchmarkBots.portfolio
    // The whole backtest: the loop, the merged order log and every metric.
    Benchmark(
        "MultiPair_10_symbols_3_deals_typical_ladder_5M_candles",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, candlesPerSecond], maxDuration: .seconds(20), maxIterations: 10,
                             thresholds: tolerances([.wallClock, .mallocCountTotal]).merging([candlesPerSecond: .init(relative: [.p90: 35])]) { a, _ in a })
    ) { benchmark in
        let start = ContinuousClock.now
        let result = Backtester.run(configuration: portfolio, symbolCandles: series, recordEquity: false)
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        benchmark.measurement(candlesPerSecond, Int(Double(total) / seconds / 1e6))
        blackHole(result)
    }
    // The loop alone, everything allocated before the measurement, the order logs included
    // (reserved up front as the one-pair benchmark does): it must allocate nothing.
    Benchmark(
        "MultiPair_loop_10_symbols_3_deals_5M_candles",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, candlesPerSecond], maxDuration: .seconds(20), maxIterations: 10,
                             thresholds: tolerances([.wallClock, .mallocCountTotal]).merging([candlesPerSecond: .init(relative: [.p90: 35])]) { a, _ in a })
    ) { benchmark in
        // The order logs reserved as the one-pair loop benchmark does (its orderCapacity).
        var replay = PortfolioReplay(configuration: portfolio, candles: series, recordEquity: false, orderCapacity: 1 << 12)
        let start = ContinuousClock.now
        benchmark.startMeasurement()
        replay.replay()
        benchmark.stopMeasurement()
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        benchmark.measurement(candlesPerSecond, Int(Double(total) / seconds / 1e6))
        blackHole(replay)
    }
    // The allocation gate of the merge: ten symbols whose deals never fill after the first bar.
    let quietSeries: [CandleSeries] = (0..<10).map { s in
        var one = SyntheticCandles.oneMinute(count: 100_000, seed: 200 + UInt64(s), volatility: 0.000001)
        one.cacheInterval()
        return one
    }
    let quiet = try! BotConfiguration.decode(json: Data("""
        {"symbols": [\(symbols.map { "\"\($0)\"" }.joined(separator: ", "))], "max_active_deals": 10,
         "initial_balance": 100000, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 1,
         "price_deviation": 0.01, "take_profit": 9, "allow_large_take_profit": true, "fee_rate": 0.001}
        """.utf8))
    Benchmark(
        "Allocations_multi_pair_loop_without_fills_1M_candles",
        configuration: .init(
            metrics: [.mallocCountTotal], warmupIterations: 0, maxIterations: 3,
            thresholds: [.mallocCountTotal: .init(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])]
        )
    ) { benchmark in
        var replay = PortfolioReplay(configuration: quiet, candles: quietSeries, recordEquity: false)
        benchmark.startMeasurement()
        replay.replay()
        benchmark.stopMeasurement()
        blackHole(replay)
    }

    // fill_model detail over two symbols: each symbol's one-minute random walk (different seeds)
    // as the path under its own hourly bars. Each symbol holds one deal the whole run (take profit
    // 900%, its one safety order and its trailing stop 90% down, never reached) whose trailing stop follows
    // every new high: each bar reaching one is walked through its 60 finer candles, the stop
    // raised in place. No order is added after the first bar: the walk must allocate nothing.
    func hourlyBars(of minutes: CandleSeries) -> CandleSeries {
        var bars = CandleSeries()
        var start = 0
        while start < minutes.count {
            let end = min(start + 60, minutes.count)
            bars.append(
                openTime: minutes.openTimes[start], open: minutes.opens[start], high: minutes.highs[start..<end].max()!,
                low: minutes.lows[start..<end].min()!, close: minutes.closes[end - 1], volume: minutes.volumes[start..<end].reduce(0, +)
            )
            start = end
        }
        bars.cacheInterval()
        return bars
    }
    let detailMinutes: [CandleSeries] = [UInt64(11), 12].map { seed in
        var one = SyntheticCandles.oneMinute(count: 240_000, seed: seed)
        one.cacheInterval()
        return one
    }
    let detailBars = detailMinutes.map(hourlyBars)
    let detailPaths: [DetailPath?] = zip(detailBars, detailMinutes).map { try! DetailPath(bars: $0, detail: $1) }
    let detailPair = try! BotConfiguration.decode(json: Data("""
        {"symbols": ["AAAUSDT", "BBBUSDT"], "max_active_deals": 2, "initial_balance": 100000, "base_order_size": 100,
         "safety_order_size": 100, "max_safety_orders": 1, "price_deviation": 0.9, "take_profit": 9, "allow_large_take_profit": true,
         "stop_loss": 0.9, "trailing_stop_loss": true, "fee_rate": 0.001, "fill_model": "detail"}
        """.utf8))
    let detailRun = Backtester.run(configuration: detailPair, symbolCandles: detailBars, detail: detailPaths, recordEquity: false)
    precondition(detailRun.deals.count == 2 && detailRun.deals.allSatisfy { $0.closedBar == nil } && detailRun.orders.count <= 8, "the detail gate's deals must stay open with their first orders only")
    precondition(detailBars.allSatisfy { $0.highs.max()! > $0.opens[0] * 1.02 }, "the detail gate's walks must make new highs")
    // Each trailing stop started at 10% of its entry (the first open) and was raised by the walks.
    let stops = detailRun.orders.filter { $0.role == .stopLoss }
    precondition(stops.count == 2 && zip(stops, detailBars).allSatisfy { ($0.price ?? 0) > 0.1 * $1.opens[0] * 1.01 }, "the detail gate's walks must raise the trailing stops")
    Benchmark(
        "Allocations_multi_pair_detail_walk_2_symbols_240k_minutes",
        configuration: .init(
            metrics: [.mallocCountTotal], warmupIterations: 0, maxIterations: 3,
            thresholds: [.mallocCountTotal: .init(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])]
        )
    ) { benchmark in
        var replay = PortfolioReplay(configuration: detailPair, candles: detailBars, detail: detailPaths, recordEquity: false)
        benchmark.startMeasurement()
        replay.replay()
        benchmark.stopMeasurement()
        blackHole(replay)
    }

    // A start condition on a coarser timeframe: RSI(14) of hourly buckets below 30, over 1M
    // one-minute candles, typical ladder (the one-pair loop).
    var minutes = SyntheticCandles.oneMinute(count: 1_000_000)
    minutes.cacheInterval()
    let rsiStart = BenchmarkBots.rsiStart
    Benchmark(
        "Engine_rsi14_1h_start_condition_1M_candles",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .mega,
                             thresholds: tolerances([.wallClock, .throughput, .mallocCountTotal]))
    ) { benchmark in
        var replay = PreparedReplay(configuration: rsiStart, candles: minutes.count, orderCapacity: 1 << 16)
        benchmark.startMeasurement()
        replay.replay(minutes)
        benchmark.stopMeasurement()
        blackHole(replay)
    }
}
