import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// Start conditions in the engine loop (docs/SEMANTICS.md section 8): evaluated at a close,
/// acting at the next open, false during warm-up.
@Suite struct StartConditionCaseTests {
    // MARK: 37 start condition RSI

    static let case37Bot = """
        {"name": "start when RSI(3) < 35", "symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 1000,
         "base_order_size": 99, "max_safety_orders": 0, "take_profit": 0.02,
         "start_conditions": [{"indicator": "rsi", "period": 3, "below": 35}], "fee_rate": 0, "max_deals": 1}
        """
    static let case37Candles = """
        timestamp,open,high,low,close,volume
        2025-03-13T00:00:00Z,100,100.4,99.6,100,10
        2025-03-13T01:00:00Z,100,101.2,99.9,101,10
        2025-03-13T02:00:00Z,101,101.7,100.8,101.5,10
        2025-03-13T03:00:00Z,101.5,101.6,100.3,100.5,10
        2025-03-13T04:00:00Z,100.5,100.6,98.8,99,10
        2025-03-13T05:00:00Z,99,99.8,98.6,99.6,10
        2025-03-13T06:00:00Z,99.6,101.2,99.5,101,10
        2025-03-13T07:00:00Z,101,101.3,100.7,101.1,10
        """

    @Test func case37RsiStartConditionBuysAtTheOpenAfterTheCloseWhereItHeld() throws {
        let result = Backtester.run(configuration: try Fixture.configuration(Self.case37Bot), candles: try Fixture.candles(Self.case37Candles))
        let fills = result.filledOrders
        #expect(fills.count == 2)
        #expect(fills[0].role == .base && fills[0].averagePrice == 99 && fills[0].filledQuantity == 1.0)
        #expect(result.barTime(fills[0].filledBar) == "2025-03-13T05:00:00.000Z")
        #expect(fills[1].role == .takeProfit && fills[1].averagePrice == 100.98 && fills[1].filledQuantity == 1.0)
        #expect(result.barTime(fills[1].filledBar) == "2025-03-13T06:00:00.000Z")
        #expect(abs(result.metrics.realizedPnL - 1.98) < 1e-9)
        #expect(abs(result.quoteFree + result.quoteLocked - 1001.98) < 1e-9)
        #expect(result.baseFree + result.baseLocked == 0)
        #expect(result.metrics.totalTrades == 2 && result.metrics.dealsClosed == 1)
        let expectedEquity = [1000, 1000, 1000, 1000, 1000, 1000.6, 1001.98, 1001.98]
        #expect(result.equity.count == 8)
        for (a, e) in zip(result.equity, expectedEquity) { #expect(abs(a - e) < 1e-9) }
        #expect(result.metrics.maxDrawdown == 0)
    }

    @Test func withoutConditionsTheSameBotStartsAtTheFirstBar() throws {
        let bot = Self.case37Bot.replacingOccurrences(of: #""start_conditions": [{"indicator": "rsi", "period": 3, "below": 35}], "#, with: "")
        let result = Backtester.run(configuration: try Fixture.configuration(bot), candles: try Fixture.candles(Self.case37Candles))
        #expect(result.filledOrders.first?.filledBar == 0)
    }

    @Test func aConditionOnACoarserTimeframeStartsOnlyAfterItsBucketCloses() throws {
        // A close of at least 100 on 2h buckets: bar 0's close 100 would do on the hourly bars (a deal at
        // bar 1's open), but its bucket [00, 02) closes only with bar 1 (at 101): the deal starts at bar 2's open, 101.
        let bot = Self.case37Bot.replacingOccurrences(of: #"{"indicator": "rsi", "period": 3, "below": 35}"#, with: #"{"indicator": "price", "min": 100, "timeframe": "2h"}"#)
        let result = Backtester.run(configuration: try Fixture.configuration(bot), candles: try Fixture.candles(Self.case37Candles))
        let base = try #require(result.filledOrders.first)
        #expect(base.role == .base && result.barTime(base.filledBar) == "2025-03-13T02:00:00.000Z" && base.averagePrice == 101)
    }
}
