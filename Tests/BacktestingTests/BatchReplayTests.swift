import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// Bots stepped together over one pass of the candles (BatchReplay.swift) against each bot run on
/// its own: every order, deal, balance and metric must be the same bits.
@Suite struct BatchReplayTests {
    typealias Random = EnginePropertyTests.Random

    /// The two bundled days of real Binance one-minute candles (2,880 bars).
    static let bundled: CandleSeries = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let paths = ["BTCUSDT-1m-2020-01-01.zip", "BTCUSDT-1m-2020-01-02.zip"].map { root.appendingPathComponent("datasets/\($0)").path }
        return try! CandleLoader.load(paths: paths).series
    }()

    /// The batch through the given quiet-bar kernel: four lanes with AVX2 (where this CPU has
    /// it) or pairs.
    static func batched(_ configurations: [BotConfiguration], _ candles: CandleSeries, wide: Bool) -> [BacktestResult] {
        var replay = BatchReplay(configurations: configurations)
        replay.wideKernel = wide && BatchReplay.cpuHasAVX2
        replay.replay(candles)
        return replay.replays.map { $0.result(candles: candles) }
    }

    static func expectSame(_ batched: BacktestResult, _ alone: BacktestResult, sourceLocation: SourceLocation = #_sourceLocation) {
        Parity.expectIdentical(batched, alone, sourceLocation: sourceLocation)
        // Bits, not values: == holds for 0 and -0.
        #expect(batched.metrics.jsonText == alone.metrics.jsonText, sourceLocation: sourceLocation)
        #expect(batched.metrics.maxDrawdown.bitPattern == alone.metrics.maxDrawdown.bitPattern, sourceLocation: sourceLocation)
        #expect(batched.metrics.sharpeRatio?.bitPattern == alone.metrics.sharpeRatio?.bitPattern, sourceLocation: sourceLocation)
        #expect(batched.metrics.sharpeRatioDaily?.bitPattern == alone.metrics.sharpeRatioDaily?.bitPattern, sourceLocation: sourceLocation)
        #expect(batched.metrics.sortinoRatio?.bitPattern == alone.metrics.sortinoRatio?.bitPattern, sourceLocation: sourceLocation)
        #expect(batched.metrics.exposure.bitPattern == alone.metrics.exposure.bitPattern, sourceLocation: sourceLocation)
    }

    /// A grid of random bots (take-profit steps, trailing take profits and stops, break-even,
    /// compounding, sizes in base units, exchange rules, every fill model; some with close
    /// conditions, which run on their own) over the bundled real candles scaled to the bots'
    /// price range, in batches of 1 to 13 (padding lanes included).
    @Test(arguments: 0..<24)
    func aBatchOfRandomBotsOverRealCandlesGivesTheBitsOfSeparateRuns(seed: Int) throws {
        var random = Random(state: UInt64(seed) &+ 41_000)
        // The bots' levels are around 100: the real minutes, scaled from about 7,200 to 100.
        let real = Self.bundled
        var candles = CandleSeries()
        let scale = 100 / real.opens[0]
        for bar in 0..<real.count {
            candles.append(openTime: real.openTimes[bar], open: real.opens[bar] * scale, high: real.highs[bar] * scale,
                           low: real.lows[bar] * scale, close: real.closes[bar] * scale, volume: real.volumes[bar])
        }
        candles.cacheInterval()
        let size = random.pick([1, 3, 4, 5, 8, 13])
        let configurations = try (0..<size).map { _ in
            var configuration = try EngineV2PropertyTests.configuration(&random)
            // A risk-free rate per bar (regular bars only) in every return.
            configuration.riskFreeRate = random.pick([0, 0.04])
            return configuration
        }
        let batchable = configurations.filter { Backtester.batches($0, detail: nil) }
        let alone = batchable.map { Backtester.run(configuration: $0, candles: candles, recordEquity: false) }
        for wide in [false, true] {
            for (result, single) in zip(Self.batched(batchable, candles, wide: wide), alone) { Self.expectSame(result, single) }
        }
        let batched = Backtester.run(batch: configurations, candles: candles)
        #expect(batched.count == size)
        for (configuration, result) in zip(configurations, batched) {
            Self.expectSame(result, Backtester.run(configuration: configuration, candles: candles, recordEquity: false))
        }
        if seed == 0 { #expect(batched.contains { $0.deals.count > 2 }) }
    }

    /// The quiet-bar shortcuts under a batch: trailing stops following new highs in slow trends,
    /// gaps, days without bars, recurring buys and cooldowns, over synthetic minutes.
    @Test(arguments: 0..<24)
    func aBatchOverMinutesWithGapsGivesTheBitsOfSeparateRuns(seed: Int) throws {
        var random = Random(state: UInt64(seed) &+ 42_000)
        let candles = QuietBarsTests.minutes(&random, count: 4_000)
        let configurations = try (0..<random.pick([2, 6, 9])).map { _ in
            // Recurring buys every N bars, or on a calendar schedule (every bar takes the full path).
            let recurring = random.uniform() < 0.25
            let mode = recurring ? random.pick([#""mode": "recurring", "every_bars": \#(random.pick([1, 7, 60])), "#, #""mode": "recurring", "schedule": "1h", "#]) : ""
            let exit = recurring ? #""take_profit": 0.01"# : random.pick([
                #""take_profit": 0.01"#, #""take_profit": 0.01, "trailing_deviation": 0.003"#,
                #""take_profit_steps": [{"profit": 0.005, "fraction": 0.5}, {"profit": 0.01, "fraction": 0.5}]"#,
            ])
            let stop = random.pick(["null", "0.01", "0.03"])
            let json = """
                {\(mode)"symbol": "TESTUSDT", "initial_balance": 10000, "base_order_size": 100, "safety_order_size": 100,
                 "max_safety_orders": \(random.pick([0, 3])), "price_deviation": \(random.pick([0.003, 0.01])), \(exit),
                 "stop_loss": \(stop), "trailing_stop_loss": \(stop != "null" && random.uniform() < 0.6),
                 "cooldown_bars": \(random.pick([0, 30])), "fee_rate": \(random.pick([0, 0.001])), "risk_free_rate": \(random.pick([0, 0.04])),
                 "tick_size": \(random.pick(["null", "0.01"])), "fill_model": "\(random.pick(["pessimistic", "ohlc", "olhc", "adaptive", "detail"]))"}
                """
            return try BotConfiguration.decode(json: Data(json.utf8))
        }
        let alone = configurations.map { Backtester.run(configuration: $0, candles: candles, recordEquity: false) }
        for wide in [false, true] {
            for (result, single) in zip(Self.batched(configurations, candles, wide: wide), alone) { Self.expectSame(result, single) }
        }
    }

    /// Start conditions, close conditions and finer candles take the one-bot loop; the results
    /// still come back in the configurations' order.
    @Test func botsThatCannotBeBatchedRunOnTheirOwnInTheirPlace() throws {
        let plain = try Fixture.configuration(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.002, "fee_rate": 0.001}"#)
        let started = try Fixture.configuration(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.002, "start_conditions": [{"indicator": "rsi", "period": 14, "below": 40}]}"#)
        let closed = try Fixture.configuration(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.05, "close_conditions": [{"indicator": "rsi", "period": 14, "above": 60}]}"#)
        #expect(Backtester.batches(plain, detail: nil))
        #expect(!Backtester.batches(started, detail: nil))
        #expect(!Backtester.batches(closed, detail: nil))
        let configurations = [started, plain, closed, plain]
        let batched = Backtester.run(batch: configurations, candles: Self.bundled)
        for (configuration, result) in zip(configurations, batched) {
            Self.expectSame(result, Backtester.run(configuration: configuration, candles: Self.bundled, recordEquity: false))
        }
        #expect(batched[0].deals.count != batched[1].deals.count)
        #expect(Backtester.run(batch: [], candles: Self.bundled).isEmpty)
    }
}
