import DCAStrategy
import MarketData
import Testing

@testable import Backtesting

/// docs/SEMANTICS.md "Fills", the gap bullet: every order or level placed or recomputed during a
/// jump exists only at the open; "Money": min_notional and min_qty with a relative 1e-9 slack;
/// the `pessimistic` path with a timed stop. Shared cases 18 (a trailing take profit re-priced
/// after a gap fill) and 21 (min_notional in binary floating point) with exactly their values.
@Suite struct GapLevelsAndRulesTests {
    static let hourly = EngineBehaviourTests.hourly
    static func csv(_ rows: String) -> String { "timestamp,open,high,low,close,volume\n" + rows }

    /// Base 1 @ 100; SO1 95 (qty 100/95 -> 1.0526), SO2 90 (qty 1.1111); bar 1 gaps 100 -> 85.
    static func ladderBot(_ exits: String) -> String {
        """
        {"symbol": "TESTUSDT", "initial_balance": 10000, "fee_rate": 0, "base_order_size": 100, "safety_order_size": 100,
         "max_safety_orders": 2, "price_deviation": 0.05, "safety_order_step_scale": 1, "safety_order_volume_scale": 1,
         "step_size": 0.0001, "max_deals": 1, \(exits)}
        """
    }
    static let jump = hourly([(100, 100.5, 99.5, 100), (85, 86, 84, 85.5)])
    /// After both gap fills: held 1 + 1.0526 + 1.1111 = 3.1637, notional 100 + 85 x 2.1637 = 283.9145.
    static let averageAfterJump = 283.9145 / 3.1637

    @Test func jumpThroughTwoSafetyOrdersFillsBothAtTheOpenAndTheMovedTakeProfitOnlyThere() throws {
        let result = try Fixture.run(Self.ladderBot(#""take_profit": 0.01"#), Self.jump)
        let safeties = result.filledOrders.filter { $0.role == .safety }
        #expect(safeties.map(\.averagePrice) == [85, 85])
        #expect(safeties.map(\.filledQuantity) == [1.0526, 1.1111])
        // The take profit re-placed at avg x 1.01 = 90.64 lies on the jump (100 -> 85) but was
        // placed during it: it exists at the open 85 only, and the bar's high 86 stays below it.
        let takeProfit = try #require(result.orders.last { $0.role == .takeProfit })
        #expect(takeProfit.status == .new)
        #expect(close(takeProfit.price, Self.averageAfterJump * 1.01, 1e-9))
        #expect(result.deals[0].closedBar == nil)
    }

    @Test func stopPlacedDuringAJumpAboveTheOpenSellsAtTheOpen() throws {
        // Stop 3%: after SO2's gap fill the stop is avg x 0.97 = 87.05, placed during the jump;
        // the open 85 is at or below it, so it sells the 3.1637 there: PnL 3.1637 x 85 - 283.9145 = -15.
        let result = try Fixture.run(Self.ladderBot(#""take_profit": 0.01, "stop_loss": 0.03"#), Self.jump)
        let stop = try #require(result.filledOrders.first { $0.role == .stopLoss })
        #expect(stop.averagePrice == 85 && stop.filledBar == 1)
        #expect(close(result.deals[0].realizedPnL, -15, 1e-9))
    }

    @Test func stopPlacedDuringAJumpBelowTheOpenWaits() throws {
        // Stop 10%: avg x 0.9 = 80.77 < 85 and the bar's low 84 stays above it.
        let result = try Fixture.run(Self.ladderBot(#""take_profit": 0.01, "stop_loss": 0.1"#), Self.jump)
        #expect(result.filledOrders.allSatisfy { $0.side == .buy })
        #expect(close(result.orders.last { $0.role == .stopLoss }?.price, Self.averageAfterJump * 0.9, 1e-9))
    }

    // MARK: 18 trailing take profit after a gap fill

    @Test func trailingActivationRepricedAfterAGapFillArmsOnlyIfTheOpenReachesIt() throws {
        let result = try Fixture.run("""
            {"symbol":"X","initial_balance":1000,"base_order_size":10,"mode":"safety_orders","fee_rate":0,"fill_model":"adaptive",
             "max_safety_orders":1,"safety_order_size":72,"price_deviation":0.2,"take_profit":0.01,"trailing_deviation":0.01,"max_deals":1}
            """, "Date,Open,High,Low,Close,Volume\n2024-01-01,100,100.5,99,99.5,1000\n2024-01-02,70,75,64,66,1000\n")
        let fills = result.filledOrders
        #expect(fills.map(\.role) == [.base, .safety, .trailingTakeProfit])
        #expect(fills[0].averagePrice == 100 && fills[0].filledQuantity == 0.1)
        #expect(fills[1].averagePrice == 70 && close(fills[1].filledQuantity, 0.9, 1e-12))
        #expect(close(fills[2].averagePrice, 74.25, 1e-9) && close(fills[2].filledQuantity, 1.0, 1e-12))
        #expect(close(result.quoteFree, 1001.25, 1e-9))
        #expect(close(result.deals[0].realizedPnL, 1.25, 1e-9))
        #expect(result.metrics.totalTrades == 3)
    }

    // MARK: 21 min_notional floating-point slack

    @Test func baseOrderOfExactlyMinNotionalIsAccepted() throws {
        let result = try Fixture.run("""
            {"symbol":"TESTUSDT","quote_currency":"USDT","initial_balance":1000,"fee_rate":0,"max_deals":1,
             "base_order_size":29,"max_safety_orders":0,"take_profit":0.05,"step_size":0.01,"tick_size":0.01,"min_notional":29}
            """, Self.csv("2025-01-06T00:00:00Z,100,101,99,100,1\n2025-01-06T01:00:00Z,100,106,99.5,105,1\n"))
        #expect(result.metrics.totalTrades == 2)
        #expect(result.metrics.rejectedOrders == 0)
        #expect(result.filledOrders[0].filledQuantity == 0.29 && result.filledOrders[1].averagePrice == 105)
        #expect(close(result.metrics.realizedPnL, 1.45, 1e-9) && close(result.metrics.totalPnL, 1.45, 1e-9))
        #expect(close(result.metrics.finalEquity, 1001.45, 1e-9))
    }

    @Test func safetyOrderOfExactlyMinNotionalIsPlaced() throws {
        let result = try Fixture.run("""
            {"symbol":"TESTUSDT","quote_currency":"USDT","initial_balance":1000,"fee_rate":0,"max_deals":1,
             "base_order_size":200,"safety_order_size":57,"max_safety_orders":1,"price_deviation":0.5,"take_profit":0.05,
             "step_size":0.01,"tick_size":0.01,"min_notional":57}
            """, Self.csv("2025-01-06T00:00:00Z,200,201,199,200,1\n2025-01-06T01:00:00Z,150,151,99,110,1\n"))
        #expect(result.metrics.totalTrades == 2 && result.metrics.rejectedOrders == 0)
        let safety = try #require(result.filledOrders.first { $0.role == .safety })
        #expect(safety.averagePrice == 100 && safety.filledQuantity == 0.57)
        #expect(result.orders.last { $0.role == .takeProfit }?.price == 171.88)
        #expect(close(result.metrics.finalEquity, 915.70, 1e-9) && close(result.metrics.totalPnL, -84.30, 1e-9))
    }

    // MARK: Exchange rules at the boundary (binary products one ulp short)

    @Test func minimumsAcceptProductsOneUlpShort() {
        let rules = ExchangeRules(tickSize: 0.01, stepSize: 0.01, minNotional: 29, minQty: 0.3)
        #expect(0.29 * 100 < 29)  // 28.999999999999996
        #expect(ExchangeRules(tickSize: nil, stepSize: nil, minNotional: 29, minQty: nil).violation(quantity: 0.29, price: 100) == nil)
        #expect(rules.violation(quantity: 0.3.nextDown, price: 100) == nil)
        #expect(rules.violation(quantity: 0.29, price: 200) != nil)  // a whole step below min_qty
        #expect(ExchangeRules(tickSize: nil, stepSize: nil, minNotional: 29, minQty: nil).violation(quantity: 0.28, price: 103) != nil)  // 28.84
    }

    @Test func takeProfitOfExactlyMinNotionalIsPlacedAndFills() throws {
        // fee 0.1% in base: 0.3 @ 97 (29.1 quote) leaves 0.2997 held; avg 97.0970971; TP
        // avg x 1.0298965 = 99.99996 -> 100.00 for floor(0.2997) = 0.29: notional 29 (decimal).
        let result = try Fixture.run("""
            {"symbol": "TESTUSDT", "initial_balance": 1000, "fee_rate": 0.001, "fee_currency": "base", "base_order_size": 29.1,
             "max_safety_orders": 0, "take_profit": 0.0298965, "tick_size": 0.01, "step_size": 0.01, "min_notional": 29, "max_deals": 1}
            """, Self.hourly([(97, 97.5, 96.5, 97), (97, 100.5, 96.8, 100)]))
        #expect(result.metrics.rejectedOrders == 0)
        let takeProfit = try #require(result.filledOrders.first { $0.role == .takeProfit })
        #expect(takeProfit.price == 100 && takeProfit.filledQuantity == 0.29)
        #expect(close(result.deals[0].proceeds, 28.971, 1e-9))
    }

    @Test func stopOfExactlyMinNotionalExecutes() throws {
        // 0.29 @ 105 (30.45); stop 105 x (1 - 0.04761905) = 99.99999975 -> 100.00; the bar falls
        // to 99: the stop sells 0.29 at 100 (28.999999999999996 in binary): PnL 29 - 30.45 = -1.45.
        let result = try Fixture.run("""
            {"symbol": "TESTUSDT", "initial_balance": 1000, "fee_rate": 0, "base_order_size": 30.45, "max_safety_orders": 0,
             "take_profit": 0.5, "stop_loss": 0.04761905, "tick_size": 0.01, "step_size": 0.01, "min_notional": 29, "max_deals": 1}
            """, Self.hourly([(105, 105.5, 104.5, 105), (105, 105.2, 99, 101)]))
        #expect(result.metrics.rejectedOrders == 0)
        let stop = try #require(result.filledOrders.first { $0.role == .stopLoss })
        #expect(stop.price == 100 && stop.averagePrice == 100 && stop.filledQuantity == 0.29)
        #expect(close(result.deals[0].realizedPnL, -1.45, 1e-9))
    }

    // MARK: pessimistic with a timed stop

    @Test func pessimisticGoesHighFirstWhenTheStopIsTimed() throws {
        // Base 1 @ 100, TP 103, stop level 95. Bar 1 (99, 104, 94, 101) reaches both. A timed stop
        // (stop_loss_timeout_bars 2) does not rest: the path is 99 -> 104 -> 94 -> 101 and the
        // take profit sells at 103 first. With a resting stop (timeout 0) the path goes low
        // first and the stop sells at 95.
        let candles = Self.hourly([(100, 100.5, 99.5, 100), (99, 104, 94, 101)])
        let timed = try Fixture.run(EngineBehaviourTests.bot(#""take_profit": 0.03, "stop_loss": 0.05, "stop_loss_timeout_bars": 2"#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), candles)
        #expect(timed.filledOrders.last?.role == .takeProfit && timed.filledOrders.last?.averagePrice == 103)
        let resting = try Fixture.run(EngineBehaviourTests.bot(#""take_profit": 0.03, "stop_loss": 0.05"#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), candles)
        #expect(resting.filledOrders.last?.role == .stopLoss && resting.filledOrders.last?.averagePrice == 95)
    }
}
