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
    // The loop alone, everything allocated before the measurement: it must allocate nothing
    // beyond the order log's growth (reserved up front here as the one-pair benchmark does).
    Benchmark(
        "MultiPair_loop_10_symbols_3_deals_5M_candles",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, candlesPerSecond], maxDuration: .seconds(20), maxIterations: 10,
                             thresholds: tolerances([.wallClock, .mallocCountTotal]).merging([candlesPerSecond: .init(relative: [.p90: 35])]) { a, _ in a })
    ) { benchmark in
        var replay = PortfolioReplay(configuration: portfolio, candles: series, recordEquity: false)
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
