import DCAStrategy
import MarketData
import Testing

@testable import Backtesting

/// The shared cases of engine v2, each with exactly its worked-out values: 30-35 (take-profit
/// steps, the first step cancelling a resting safety order, trailing stop loss, stop_bot, sizes
/// in base units, a close condition).
@Suite struct EngineV2CaseTests {
    static func csv(_ rows: String) -> String { "timestamp,open,high,low,close,volume\n" + rows }

    // MARK: 30 take-profit steps

    @Test func twoTakeProfitStepsSellHalfEachAtTheirOwnPrices() throws {
        let result = try Fixture.run("""
            {"symbol":"TESTUSDT","quote_currency":"USDT","initial_balance":1000,"base_order_size":100,"max_safety_orders":0,
             "take_profit_steps":[{"profit":0.01,"fraction":0.5},{"profit":0.03,"fraction":0.5}],
             "fee_rate":0.001,"tick_size":0.01,"step_size":0.0001,"max_deals":1}
            """, Self.csv("""
            2025-03-01T00:00:00Z,200,200.5,199.5,200,10
            2025-03-01T01:00:00Z,200,203,199,202.5,10
            2025-03-01T02:00:00Z,202.5,205,201,204,10
            2025-03-01T03:00:00Z,204,207,203.5,206.5,10

            """))
        let fills = result.filledOrders
        #expect(fills.map(\.role) == [.base, .takeProfit, .takeProfit])
        #expect(fills.map(\.takeProfitStep) == [nil, 1, 2])
        #expect(fills.map { result.barTime($0.filledBar) } == ["2025-03-01T00:00:00.000Z", "2025-03-01T01:00:00.000Z", "2025-03-01T03:00:00.000Z"])
        #expect(fills.map(\.averagePrice) == [200, 202, 206])
        #expect(fills.map(\.filledQuantity) == [0.5, 0.25, 0.25])
        #expect(close(result.metrics.realizedPnL, 1.798, 1e-9))
        #expect(close(result.metrics.feesPaid, 0.202, 1e-12))
        #expect(close(result.quoteFree, 1001.798, 1e-9) && result.quoteLocked == 0)
        #expect(close(result.baseFree + result.baseLocked, 0, 1e-12))
        #expect(result.metrics.totalTrades == 3 && result.metrics.dealsClosed == 1)
        #expect(result.deals[0].closeReason == .takeProfit)
        #expect(close(result.metrics.finalEquity, 1001.798, 1e-9) && close(result.metrics.totalReturn, 0.001798, 1e-12))
        for (value, expected) in zip(result.equity, [999.90, 1000.9745, 1001.3495, 1001.798]) { #expect(close(value, expected, 1e-9)) }
        #expect(close(result.metrics.maxDrawdown, 0.0001, 1e-12))
    }

    // MARK: 31 the first step cancels the resting safety orders

    @Test func firstTakeProfitStepCancelsTheRestingSafetyOrder() throws {
        let result = try Fixture.run("""
            {"symbol":"TESTUSDT","quote_currency":"USDT","initial_balance":1000,"base_order_size":100,"safety_order_size":100,
             "max_safety_orders":2,"price_deviation":0.02,"safety_order_step_scale":1,"safety_order_volume_scale":1,
             "take_profit_steps":[{"profit":0.015,"fraction":0.6},{"profit":0.04,"fraction":0.4}],
             "fee_rate":0,"tick_size":0.01,"step_size":0.001,"max_deals":1}
            """, Self.csv("""
            2025-03-02T00:00:00Z,100,100.3,99.7,100,10
            2025-03-02T01:00:00Z,100,100.2,97.5,98.5,10
            2025-03-02T02:00:00Z,98.5,100.6,98.4,100.3,10
            2025-03-02T03:00:00Z,100.3,100.5,95.5,96,10
            2025-03-02T04:00:00Z,96,99,95.8,98.7,10
            2025-03-02T05:00:00Z,98.7,103.2,98.6,103,10

            """))
        let fills = result.filledOrders
        #expect(fills.map(\.role) == [.base, .safety, .takeProfit, .takeProfit])
        #expect(fills.map(\.averagePrice) == [100, 98, 100.48, 102.95])
        #expect(close(fills[2].filledQuantity, 1.212, 1e-12) && close(fills[3].filledQuantity, 0.808, 1e-12))
        #expect(fills[1].filledQuantity == 1.02)
        #expect(fills.map { result.barTime($0.filledBar) } == ["2025-03-02T00:00:00.000Z", "2025-03-02T01:00:00.000Z", "2025-03-02T02:00:00.000Z", "2025-03-02T05:00:00.000Z"])
        let so2 = try #require(result.orders.first { $0.role == .safety && $0.safetyOrderIndex == 2 })
        #expect(so2.status == .cancelled && so2.price == 96 && so2.quantity == 1.041 && result.barTime(so2.createdBar) == "2025-03-02T00:00:00.000Z")
        #expect(close(result.metrics.realizedPnL, 5.00536, 1e-9))
        #expect(close(result.quoteFree, 1005.00536, 1e-9) && result.quoteLocked == 0)
        #expect(close(result.baseFree + result.baseLocked, 0, 1e-12))
        #expect(result.metrics.totalTrades == 4 && result.metrics.dealsClosed == 1 && result.metrics.maxSafetyOrdersUsed == 1)
        for (value, expected) in zip(result.equity, [1000.0, 999.01, 1002.86416, 999.38976, 1001.57136, 1005.00536]) { #expect(close(value, expected, 1e-9)) }
        #expect(close(result.metrics.maxDrawdown, (1002.86416 - 999.38976) / 1002.86416, 1e-12))
    }

    // MARK: 32 trailing stop loss

    @Test func trailingStopLossFollowsTheRunningHighAndSellsAtItsRaisedLevel() throws {
        let result = try Fixture.run("""
            {"symbol":"TESTUSDT","quote_currency":"USDT","initial_balance":1000,"base_order_size":100,"max_safety_orders":0,
             "take_profit":0.2,"stop_loss":0.04,"trailing_stop_loss":true,"fee_rate":0,"tick_size":0.01,"max_deals":1}
            """, Self.csv("""
            2025-03-04T00:00:00Z,50,50.4,49.6,50.2,10
            2025-03-04T01:00:00Z,50.2,52,50,51.8,10
            2025-03-04T02:00:00Z,51.8,53.5,51.2,53,10
            2025-03-04T03:00:00Z,53,53.2,51.5,51.6,10
            2025-03-04T04:00:00Z,51.6,51.9,50.8,51,10

            """))
        let fills = result.filledOrders
        #expect(fills.map(\.role) == [.base, .stopLoss])
        #expect(fills[1].type == .stopMarket && fills[1].price == 51.36 && fills[1].averagePrice == 51.36 && fills[1].filledQuantity == 2)
        #expect(result.barTime(fills[1].filledBar) == "2025-03-04T04:00:00.000Z")
        #expect(close(result.metrics.realizedPnL, 2.72, 1e-9) && close(result.quoteFree, 1002.72, 1e-9))
        #expect(result.baseFree + result.baseLocked == 0)
        #expect(result.metrics.totalTrades == 2 && result.metrics.dealsClosed == 1 && result.deals[0].closeReason == .stopLoss)
        for (value, expected) in zip(result.equity, [1000.4, 1003.6, 1006, 1003.2, 1002.72]) { #expect(close(value, expected, 1e-9)) }
        #expect(close(result.metrics.maxDrawdown, (1006 - 1002.72) / 1006, 1e-12))
    }

    // MARK: 33 stop_bot

    @Test func stopBotStartsNoDealAfterAStopLossExit() throws {
        let result = try Fixture.run("""
            {"symbol":"TESTUSDT","quote_currency":"USDT","initial_balance":1000,"base_order_size":100,"max_safety_orders":0,
             "take_profit":0.03,"stop_loss":0.03,"stop_loss_action":"stop_bot","fee_rate":0,"max_deals":null}
            """, Self.csv("""
            2025-03-06T00:00:00Z,100,103.5,99.5,103,10
            2025-03-06T01:00:00Z,100,100.5,96.5,97.5,10
            2025-03-06T02:00:00Z,97.5,101,97,100.5,10
            2025-03-06T03:00:00Z,100.5,102,100,101.5,10

            """))
        let fills = result.filledOrders
        #expect(fills.map(\.role) == [.base, .takeProfit, .base, .stopLoss])
        #expect(fills.map(\.averagePrice) == [100, 103, 100, 97])
        #expect(fills.map { result.barTime($0.filledBar) } == ["2025-03-06T00:00:00.000Z", "2025-03-06T00:00:00.000Z", "2025-03-06T01:00:00.000Z", "2025-03-06T01:00:00.000Z"])
        #expect(result.metrics.dealsOpened == 2 && result.metrics.dealsClosed == 2)
        #expect(result.deals.map(\.closeReason) == [.takeProfit, .stopLoss])
        #expect(close(result.deals[0].realizedPnL, 3, 1e-12) && close(result.deals[1].realizedPnL, -3, 1e-12))
        #expect(close(result.metrics.realizedPnL, 0, 1e-12) && close(result.quoteFree, 1000, 1e-9) && result.baseFree == 0)
        #expect(result.metrics.totalTrades == 4 && result.botStopped)
        for (value, expected) in zip(result.equity, [1003.0, 1000, 1000, 1000]) { #expect(close(value, expected, 1e-9)) }
        #expect(close(result.metrics.maxDrawdown, 3.0 / 1003, 1e-12))
        #expect(result.metrics.winRate == 0.5 && result.metrics.profitFactor == 1.0)
    }

    // MARK: 34 sizes in base units

    @Test func sizesInBaseUnitsBuyFixedQuantities() throws {
        let result = try Fixture.run("""
            {"symbol":"ETHUSDT","quote_currency":"USDT","initial_balance":10000,"order_size_unit":"base","base_order_size":0.5,
             "safety_order_size":0.25,"max_safety_orders":2,"price_deviation":0.04,"safety_order_step_scale":1.5,
             "safety_order_volume_scale":2,"take_profit":0.03,"fee_rate":0.001,"tick_size":0.01,"step_size":0.001,"max_deals":1}
            """, Self.csv("""
            2025-03-08T00:00:00Z,2000,2010,1990,2000,10
            2025-03-08T01:00:00Z,2000,2005,1900,1910,10
            2025-03-08T02:00:00Z,1910,1915,1795,1810,10
            2025-03-08T03:00:00Z,1810,1900,1805,1890,10
            2025-03-08T04:00:00Z,1890,1965,1885,1950,10

            """))
        let fills = result.filledOrders
        #expect(fills.map(\.role) == [.base, .safety, .safety, .takeProfit])
        #expect(fills.map(\.averagePrice) == [2000, 1920, 1800, 1961.12])
        #expect(fills.map(\.filledQuantity) == [0.5, 0.25, 0.5, 1.25])
        #expect(close(fills[0].fees, 1, 1e-12) && close(fills[1].fees, 0.48, 1e-12) && close(fills[2].fees, 0.9, 1e-12))
        #expect(close(result.metrics.realizedPnL, 66.5686, 1e-9) && close(result.metrics.feesPaid, 4.8314, 1e-9))
        #expect(close(result.quoteFree, 10066.5686, 1e-9) && result.baseFree + result.baseLocked == 0)
        #expect(result.metrics.totalTrades == 4 && close(result.metrics.maxCapitalInUse, 2382.38, 1e-9))
        for (value, expected) in zip(result.equity, [9999.0, 9951.02, 9880.12, 9980.12, 10066.5686]) { #expect(close(value, expected, 1e-9)) }
        #expect(close(result.metrics.maxDrawdown, 0.011988, 1e-12))
    }

    // MARK: 35 close condition

    @Test func closeConditionSellsAtTheNextOpen() throws {
        let result = try Fixture.run("""
            {"symbol":"TESTUSDT","quote_currency":"USDT","initial_balance":1000,"base_order_size":100,"max_safety_orders":0,
             "take_profit":0.1,"close_conditions":[{"indicator":"sma","period":3,"price":"below"}],"fee_rate":0.001,"max_deals":1}
            """, Self.csv("""
            2025-03-09T00:00:00Z,100,100.5,99.5,100,10
            2025-03-09T01:00:00Z,100,102.5,100,102,10
            2025-03-09T02:00:00Z,102,104.5,101.5,104,10
            2025-03-09T03:00:00Z,104,104.5,102.8,103,10
            2025-03-09T04:00:00Z,103,103.2,101.5,102,10
            2025-03-09T05:00:00Z,101.8,102,101,101.5,10

            """))
        let fills = result.filledOrders
        #expect(fills.map(\.role) == [.base, .closeCondition])
        #expect(fills[1].type == .market && fills[1].averagePrice == 101.8 && fills[1].filledQuantity == 1)
        #expect(result.barTime(fills[1].filledBar) == "2025-03-09T05:00:00.000Z")
        #expect(result.deals[0].closeReason == .closeCondition)
        #expect(close(result.metrics.realizedPnL, 1.5982, 1e-9) && close(result.quoteFree, 1001.5982, 1e-9))
        #expect(result.baseFree + result.baseLocked == 0)
        #expect(result.metrics.totalTrades == 2 && close(result.metrics.feesPaid, 0.2018, 1e-12))
        for (value, expected) in zip(result.equity, [999.9, 1001.9, 1003.9, 1002.9, 1001.9, 1001.5982]) { #expect(close(value, expected, 1e-9)) }
        #expect(close(result.metrics.maxDrawdown, 2.3018 / 1003.9, 1e-12))
    }
}
