import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// The one-pair loop's shortcuts (QuietBars.swift, EngineLoop.swift): it runs the quiet bars
/// between two completions of a coarser condition bucket without touching the conditions (and
/// hands them the skipped bars in one go), and a bar where only a trailing stop loss follows a new
/// high without walking its path. The multi-pair loop takes neither shortcut, so a one-symbol
/// portfolio is an independent reference: both must give the same bits.
@Suite struct QuietBarsTests {
    /// One-minute bars with about 2% of them missing (gaps inside and across buckets) and about 5%
    /// opening away from the last close, in a random walk wide enough that RSI, averages and bands
    /// cross their levels.
    static func minutes(_ random: inout EnginePropertyTests.Random, count: Int) -> CandleSeries {
        var series = CandleSeries()
        var price = 100.0
        var time: Int64 = 1_735_689_600_000_000_000  // 2025-01-01T00:00Z
        for _ in 0..<count {
            time += random.uniform() < 0.02 ? Int64(1 + Int(random.uniform() * 90)) * 60_000_000_000 : 60_000_000_000
            // About 5% of bars open away from the last close (a gap leg to walk).
            let open = random.uniform() < 0.05 ? (price * (1 + (random.uniform() - 0.5) * 0.01) * 100).rounded() / 100 : price
            let close = (open * (1 + (random.uniform() - 0.5) * 0.012) * 100).rounded() / 100
            let high = max(open, close) * (1 + random.uniform() * 0.003)
            let low = min(open, close) * (1 - random.uniform() * 0.003)
            series.append(openTime: time, open: open, high: high, low: low, close: close, volume: 1 + random.uniform())
            price = close
        }
        series.cacheInterval()
        return series
    }

    static func condition(_ random: inout EnginePropertyTests.Random, timeframes: [String]) -> String {
        let timeframe = random.pick(timeframes)
        let on = timeframe == "data" ? "" : #", "timeframe": "\#(timeframe)""#
        return random.pick([
            #"{"indicator": "rsi", "period": \#(random.pick([3, 6, 14])), "\#(random.pick(["below", "above"]))": \#(random.pick([35, 50, 65]))\#(on)}"#,
            #"{"indicator": "\#(random.pick(["sma", "ema"]))", "period": \#(random.pick([3, 8])), "price": "\#(random.pick(["above", "below"]))"\#(on)}"#,
            #"{"indicator": "ma_cross", "type": "ema", "fast": 2, "slow": 5, "direction": "\#(random.pick(["up", "down"]))"\#(on)}"#,
            #"{"indicator": "bollinger_percent_b", "period": 6, "deviations": 2, "below": \#(random.pick([0.3, 0.6]))\#(on)}"#,
            #"{"indicator": "price_change", "bars": 3, "below": \#(random.pick([-0.002, 0.001]))\#(on)}"#,
        ])
    }

    @Test(arguments: 0..<60)
    func conditionsOnCoarserTimeframesGiveTheSameBitsWithQuietBarsAsWithout(seed: Int) throws {
        var random = EnginePropertyTests.Random(state: UInt64(seed) &+ 31_000)
        let candles = Self.minutes(&random, count: 3_000)
        // Mostly coarser timeframes (the skipped path); sometimes the data's own, which takes every bar.
        let timeframes = ["15m", "1h", "1h", "4h", "data"]
        let starts = (0..<random.pick([1, 1, 2])).map { _ in Self.condition(&random, timeframes: timeframes) }
        let closes = random.uniform() < 0.5 ? [] : [Self.condition(&random, timeframes: timeframes)]
        let json = """
            {"symbol": "TESTUSDT", "initial_balance": 10000, "base_order_size": 100, "safety_order_size": 100,
             "max_safety_orders": \(random.pick([0, 3])), "price_deviation": \(random.pick([0.005, 0.01])),
             "take_profit": \(random.pick([0.004, 0.01, 0.03])), "trailing_deviation": \(random.pick(["null", "0.002"])),
             "stop_loss": \(random.pick(["null", "0.05"])), "cooldown_bars": \(random.pick([0, 30])), "fee_rate": 0.001,
             "start_conditions": [\(starts.joined(separator: ", "))],
             "close_conditions": [\(closes.joined(separator: ", "))]\(closes.isEmpty ? "" : #", "close_min_profit": \#(random.pick(["null", "0.001"]))"#)}
            """
        let configuration = try BotConfiguration.decode(json: Data(json.utf8))
        let single = Backtester.run(configuration: configuration, candles: candles)
        let portfolio = Backtester.run(configuration: configuration, symbolCandles: [candles])
        Parity.expectIdentical(single, portfolio)
        // Not vacuous: most bots trade.
        if seed == 0 { #expect(single.deals.count > 0) }
    }

    /// Trailing stop losses (with take-profit steps, break-even moves, a trailing take profit,
    /// tick rounding, every fill model) over one-minute bars in slow trends: most bars with a
    /// deal open only raise the stop, and some bars raise it and then fall through it.
    @Test(arguments: 0..<60)
    func aTrailingStopFollowingNewHighsGivesTheSameBitsWithoutWalkingThePath(seed: Int) throws {
        var random = EnginePropertyTests.Random(state: UInt64(seed) &+ 32_000)
        let candles = Self.minutes(&random, count: 3_000)
        let stop = random.pick(["0.004", "0.01", "0.03"])
        let steps = random.pick([
            #""take_profit_steps": [{"profit": 0.005, "fraction": 0.25}, {"profit": 0.01, "fraction": 0.25}, {"profit": 0.015, "fraction": 0.25}, {"profit": 0.02, "fraction": 0.25}]"#,
            #""take_profit": 0.02"#, #""take_profit": 0.01, "trailing_deviation": 0.003"#,
        ])
        let json = """
            {"symbol": "TESTUSDT", "initial_balance": 10000, "base_order_size": 100, "safety_order_size": 100,
             "max_safety_orders": \(random.pick([0, 3])), "price_deviation": \(random.pick([0.003, 0.01])), \(steps),
             "stop_loss": \(stop), "trailing_stop_loss": true, "stop_loss_to_breakeven": \(steps.contains("steps") && random.uniform() < 0.5),
             "fee_rate": \(random.pick([0, 0.001])), "slippage_bps": \(random.pick([0, 5])), "tick_size": \(random.pick(["null", "0.01", "0.5"])),
             "fill_model": "\(random.pick(["pessimistic", "ohlc", "olhc", "adaptive"]))"}
            """
        let configuration = try BotConfiguration.decode(json: Data(json.utf8))
        let single = Backtester.run(configuration: configuration, candles: candles)
        let portfolio = Backtester.run(configuration: configuration, symbolCandles: [candles])
        Parity.expectIdentical(single, portfolio)
        if seed == 0 { #expect(single.orders.contains { $0.role == .stopLoss && $0.status == .filled }) }
    }

    /// The multi-pair loop's skip of a symbol whose deal is open and whose bar reaches no order
    /// (PortfolioReplay.replay()): on three symbols with their own gaps, slots, a shared balance,
    /// compounding, trailing stops, take-profit steps and start conditions, turning it off
    /// changes no bit.
    @Test(arguments: 0..<40)
    func aPortfolioSkippingQuietDealBarsGivesTheSameBitsAsWalkingThemAll(seed: Int) throws {
        var random = EnginePropertyTests.Random(state: UInt64(seed) &+ 33_000)
        let candles = (0..<3).map { _ in Self.minutes(&random, count: 1_500) }
        let stop = random.pick(["null", "0.01", "0.03"])
        let stopKind = stop == "null" ? 0 : random.pick([0, 1, 1, 2])  // resting, trailing, timed
        let starts = random.uniform() < 0.3 ? [Self.condition(&random, timeframes: ["15m", "1h", "data"])] : []
        let json = """
            {"symbols": ["AAAUSDT", "BBBUSDT", "CCCUSDT"], "max_active_deals": \(random.pick([1, 2, 3])),
             "initial_balance": \(random.pick([400, 3000])), "base_order_size": 100, "safety_order_size": 100,
             "max_safety_orders": \(random.pick([0, 3])), "price_deviation": \(random.pick([0.003, 0.01])),
             \(random.pick([#""take_profit": 0.01"#, #""take_profit_steps": [{"profit": 0.005, "fraction": 0.5}, {"profit": 0.01, "fraction": 0.5}]"#])),
             "stop_loss": \(stop), "trailing_stop_loss": \(stopKind == 1), "stop_loss_timeout_bars": \(stopKind == 2 ? 3 : 0),
             "compound": \(random.uniform() < 0.3), "cooldown_bars": \(random.pick([0, 10])), "fee_rate": 0.001,
             "tick_size": \(random.pick(["null", "0.01"])), "fill_model": "\(random.pick(["pessimistic", "ohlc", "adaptive"]))",
             "start_conditions": [\(starts.joined(separator: ", "))]}
            """
        let configuration = try BotConfiguration.decode(json: Data(json.utf8))
        var skipping = PortfolioReplay(configuration: configuration, candles: candles)
        skipping.replay()
        var walking = PortfolioReplay(configuration: configuration, candles: candles)
        walking.ridesQuietBars = false
        walking.replay()
        let result = skipping.result()
        Parity.expectIdentical(result, walking.result())
        if seed == 0 { #expect(result.deals.count > 3) }
    }
}
