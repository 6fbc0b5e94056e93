import DCAStrategy
import MarketData
import Foundation

/// The bots the engine benchmarks run, shared with `EngineProfile` so that a profile measures
/// exactly what a benchmark times.
public enum BenchmarkBots {
    /// The typical ladder: base 100, 5 safety orders of 200 (volume scale 2, step scale 1.5, first
    /// at -1%), take profit 1.5%, fee 0.1%.
    public static func ladder(maxSafetyOrders: Int = 5, takeProfit: Double = 0.015) -> BotConfiguration {
        try! BotConfiguration.decode(json: Data("""
            {"symbol": "BTCUSDT", "initial_balance": 100000, "base_order_size": 100, "safety_order_size": 200,
             "max_safety_orders": \(maxSafetyOrders), "price_deviation": 0.01, "safety_order_step_scale": 1.5,
             "safety_order_volume_scale": 2.0, "take_profit": \(takeProfit), "allow_large_take_profit": \(takeProfit >= 1), "fee_rate": 0.001}
            """.utf8))
    }

    /// The 100-point grid of the sweep benchmarks: the typical ladder with 10 take profits (1% to
    /// 5%) x 2 price deviations (1%, 1.5%) x 5 step scales (1.2 to 1.6), initial balance 100,000.
    public static let ladderGrid: [BotConfiguration] = [0.01, 0.012, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05].flatMap { takeProfit in
        [0.01, 0.015].flatMap { deviation in
            [1.2, 1.3, 1.4, 1.5, 1.6].map { stepScale in
                try! BotConfiguration.decode(json: Data("""
                    {"symbol": "BTCUSDT", "initial_balance": 100000, "base_order_size": 100, "safety_order_size": 200, "max_safety_orders": 5,
                     "price_deviation": \(deviation), "safety_order_step_scale": \(stepScale), "safety_order_volume_scale": 2.0,
                     "take_profit": \(takeProfit), "fee_rate": 0.001}
                    """.utf8))
            }
        }
    }

    /// Engine v2 exits on the typical ladder: four take-profit steps, a trailing stop loss of 8%
    /// moved to break-even by the first step.
    public static let takeProfitSteps = try! BotConfiguration.decode(json: Data("""
        {"symbol": "BTCUSDT", "initial_balance": 100000000, "base_order_size": 100, "safety_order_size": 200, "max_safety_orders": 5,
         "price_deviation": 0.01, "safety_order_step_scale": 1.5, "safety_order_volume_scale": 2.0, "fee_rate": 0.001,
         "take_profit_steps": [{"profit": 0.005, "fraction": 0.25}, {"profit": 0.01, "fraction": 0.25}, {"profit": 0.015, "fraction": 0.25}, {"profit": 0.02, "fraction": 0.25}],
         "stop_loss": 0.08, "trailing_stop_loss": true, "stop_loss_to_breakeven": true}
        """.utf8))

    /// The typical ladder started only when RSI(14) of hourly buckets is below 30.
    public static let rsiStart = try! BotConfiguration.decode(json: Data("""
        {"symbol": "BTCUSDT", "initial_balance": 100000, "base_order_size": 100, "safety_order_size": 200,
         "max_safety_orders": 5, "price_deviation": 0.01, "safety_order_step_scale": 1.5,
         "safety_order_volume_scale": 2.0, "take_profit": 0.015, "fee_rate": 0.001,
         "start_conditions": [{"indicator": "rsi", "period": 14, "below": 30, "timeframe": "1h"}]}
        """.utf8))

    /// The ten symbols of the portfolio benchmarks.
    public static let portfolioSymbols = (0..<10).map { String(UnicodeScalar(UInt8(65 + $0))) + "AAUSDT" }

    /// The typical ladder over ten symbols, at most 3 deals at once, from one shared balance.
    public static let portfolio = try! BotConfiguration.decode(json: Data("""
        {"symbols": [\(portfolioSymbols.map { "\"\($0)\"" }.joined(separator: ", "))], "max_active_deals": 3,
         "initial_balance": 100000, "base_order_size": 100, "safety_order_size": 200,
         "max_safety_orders": 5, "price_deviation": 0.01, "safety_order_step_scale": 1.5,
         "safety_order_volume_scale": 2.0, "take_profit": 0.015, "fee_rate": 0.001}
        """.utf8))

    /// One year of one-minute candles for each of the ten symbols (seeds 100...109).
    public static func portfolioCandles() -> [CandleSeries] {
        (0..<10).map { s in
            var one = SyntheticCandles.oneMinute(count: 525_600, seed: 100 + UInt64(s))
            one.cacheInterval()
            return one
        }
    }
}
