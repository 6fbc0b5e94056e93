import DCAStrategy
import MarketData
import Testing

@testable import Backtesting
import Analytics

/// The failure cases of `../shared/cases`, each with exactly its expected values.
@Suite struct SharedCaseTests {
    // MARK: 07 limit order gap fill

    static let case07Bot = """
        {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 10000, "fee_rate": 0, "max_deals": 1,
         "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 2, "price_deviation": 0.05,
         "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.1, "step_size": 0.0001}
        """
    static let case07Candles = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,100,100.5,99.5,100,1
        2024-07-01T01:00:00Z,99,99.5,96,97,1
        2024-07-01T02:00:00Z,93,94,92,93.5,1
        2024-07-01T03:00:00Z,91,91.5,88,89,1
        2024-07-01T04:00:00Z,89,90,88.5,89.5,1
        """

    @Test func restingBuyLimitGappedThroughFillsAtTheOpen() throws {
        let result = try Fixture.run(Self.case07Bot, Self.case07Candles)
        let buys = result.filledOrders.filter { $0.side == .buy }
        #expect(buys.count == 3)
        #expect(buys[0].role == .base && buys[0].averagePrice == 100 && buys[0].filledQuantity == 1.0)
        #expect(result.barTime(buys[0].filledBar) == "2024-07-01T00:00:00.000Z")
        #expect(buys[1].role == .safety && buys[1].price == 95 && buys[1].averagePrice == 93 && buys[1].filledQuantity == 1.0526)
        #expect(result.barTime(buys[1].filledBar) == "2024-07-01T02:00:00.000Z")
        #expect(buys[2].role == .safety && buys[2].averagePrice == 90 && buys[2].filledQuantity == 1.1111)
        #expect(result.barTime(buys[2].filledBar) == "2024-07-01T03:00:00.000Z")
        let deal = try #require(result.deals.first)
        #expect(close(deal.quantity, 3.1637, 1e-12))
        #expect(close(deal.cost, 297.8908, 1e-9))
        #expect(close(deal.averageEntry, 94.15899, 1e-5))
        #expect(deal.closedBar == nil)
        #expect(result.filledOrders.allSatisfy { $0.side == .buy })
    }

    // MARK: 09 stop loss and take profit in one bar

    static let case09Bot = """
        {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 10000, "fee_rate": 0, "max_deals": 1,
         "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.03, "stop_loss": 0.05 FILL}
        """
    static let case09Gap = """
        timestamp,open,high,low,close,volume
        2024-09-01T00:00:00Z,100,100.5,99.5,100,1
        2024-09-01T01:00:00Z,94,104,93,101,1
        """
    static let case09Inside = """
        timestamp,open,high,low,close,volume
        2024-09-01T00:00:00Z,100,100.5,99.5,100,1
        2024-09-01T01:00:00Z,99,104,94,101,1
        """

    static func case09(fillModel: String?, _ csv: String) throws -> BacktestResult {
        let bot = case09Bot.replacingOccurrences(of: " FILL", with: fillModel.map { ", \"fill_model\": \"\($0)\"" } ?? "")
        return try Fixture.run(bot, csv)
    }

    @Test(arguments: [nil, "pessimistic", "ohlc", "olhc", "adaptive"])
    func stopBelowAGapOpenFillsAtTheOpenInEveryFillModel(fillModel: String?) throws {
        let result = try Self.case09(fillModel: fillModel, Self.case09Gap)
        let stop = try #require(result.orders.first { $0.role == .stopLoss && $0.status == .filled })
        #expect(stop.price == 95 && stop.averagePrice == 94)
        #expect(result.orders.first { $0.role == .takeProfit }?.price == 103)
        #expect(result.orders.first { $0.role == .takeProfit }?.status == .cancelled)
        #expect(close(result.metrics.realizedPnL, -6.0))
    }

    @Test func pessimisticPathReachesTheRestingStopBeforeTheTarget() throws {
        let result = try Self.case09(fillModel: nil, Self.case09Inside)
        #expect(result.configuration.fillModel == .pessimistic)
        #expect(result.orders.first { $0.status == .filled && $0.side == .sell }?.role == .stopLoss)
        #expect(result.orders.first { $0.status == .filled && $0.side == .sell }?.averagePrice == 95)
        #expect(close(result.metrics.realizedPnL, -5.0))
    }

    @Test func ohlcPathReachesTheTargetFirst() throws {
        let result = try Self.case09(fillModel: "ohlc", Self.case09Inside)
        let sell = try #require(result.orders.first { $0.status == .filled && $0.side == .sell })
        #expect(sell.role == .takeProfit && sell.averagePrice == 103)
        #expect(close(result.metrics.realizedPnL, 3.0))
    }

    @Test func olhcPathReachesTheStopFirst() throws {
        let result = try Self.case09(fillModel: "olhc", Self.case09Inside)
        let sell = try #require(result.orders.first { $0.status == .filled && $0.side == .sell })
        #expect(sell.role == .stopLoss && sell.averagePrice == 95)
        #expect(close(result.metrics.realizedPnL, -5.0))
    }

    @Test func adaptivePathTakesTheExtremeNearerToTheOpenFirst() throws {
        // Open 99: the high 104 is 5 away, the low 94 is 5 away: a tie takes the high first.
        let result = try Self.case09(fillModel: "adaptive", Self.case09Inside)
        let sell = try #require(result.orders.first { $0.status == .filled && $0.side == .sell })
        #expect(sell.role == .takeProfit && sell.averagePrice == 103)
    }

    // MARK: 10 average entry after safety orders

    static let case10Bot = """
        {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 10000, "fee_rate": 0, "max_deals": 1,
         "base_order_size": 100, "safety_order_size": 180, "max_safety_orders": 2, "price_deviation": 0.1,
         "safety_order_step_scale": 1, "safety_order_volume_scale": 2, "take_profit": 0.015}
        """
    static let case10Candles = """
        timestamp,open,high,low,close,volume
        2024-10-01T00:00:00Z,100,100.5,99.5,100,1
        2024-10-01T01:00:00Z,99,99.5,89.5,90.5,1
        2024-10-01T02:00:00Z,86,86.5,79,80.5,1
        2024-10-01T03:00:00Z,80.5,86.5,80,86,1
        2024-10-01T04:00:00Z,86,87.5,85.5,87.2,1
        """

    @Test func takeProfitFollowsTheAverageEntryAfterEverySafetyFill() throws {
        let result = try Fixture.run(Self.case10Bot, Self.case10Candles)
        let fills = result.filledOrders
        #expect(fills.count == 4)
        #expect(fills[0].role == .base && fills[0].filledQuantity == 1.0 && fills[0].averagePrice == 100)
        #expect(fills[1].role == .safety && fills[1].filledQuantity == 2.0 && fills[1].averagePrice == 90)
        #expect(result.barTime(fills[1].filledBar) == "2024-10-01T01:00:00.000Z")
        #expect(fills[2].role == .safety && fills[2].filledQuantity == 4.5 && fills[2].averagePrice == 80)
        #expect(result.barTime(fills[2].filledBar) == "2024-10-01T02:00:00.000Z")
        #expect(fills[3].role == .takeProfit && fills[3].filledQuantity == 7.5)
        #expect(close(fills[3].averagePrice, 86.613333, 1e-6))
        #expect(result.barTime(fills[3].filledBar) == "2024-10-01T04:00:00.000Z")
        let deal = try #require(result.deals.first)
        #expect(close(deal.averageEntry, 640.0 / 7.5))
        #expect(close(deal.proceeds, 649.60, 1e-9))
        #expect(close(result.metrics.realizedPnL, 9.60, 1e-9))
        #expect(result.metrics.totalTrades == 4)
        #expect(result.metrics.dealsClosed == 1)
    }

    // MARK: 12 min notional after step rounding

    static func case12Bot(_ size: String) -> String {
        """
        {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 10000, "fee_rate": 0, "max_deals": 1,
         "base_order_size": \(size), "max_safety_orders": 0, "take_profit": 0.5, "step_size": 0.001, "min_notional": 10}
        """
    }
    static let case12Open2000 = "timestamp,open,high,low,close,volume\n2024-12-01T00:00:00Z,20.00,20.10,19.90,20.00,1\n"
    static let case12Open2003 = "timestamp,open,high,low,close,volume\n2024-12-01T00:00:00Z,20.03,20.05,20.00,20.02,1\n"

    @Test func notionalEqualToTheMinimumIsAllowed() throws {
        let result = try Fixture.run(Self.case12Bot("10.0"), Self.case12Open2000)
        let base = try #require(result.orders.first)
        #expect(base.status == .filled && base.filledQuantity == 0.5 && base.averagePrice == 20)
    }

    @Test func notionalBelowTheMinimumAfterStepRoundingIsRejected() throws {
        let result = try Fixture.run(Self.case12Bot("10.01"), Self.case12Open2003)
        let base = try #require(result.orders.first)
        #expect(base.status == .rejected)
        #expect(base.quantity == 0.499)
        #expect(base.reason?.contains("min_notional") == true)
        #expect(close(base.quantity * 20.03, 9.99497, 1e-9))
        #expect(result.metrics.rejectedOrders == 1)
        #expect(result.deals.isEmpty)
    }

    @Test func notionalAboveTheMinimumAfterStepRoundingFills() throws {
        let result = try Fixture.run(Self.case12Bot("10.03"), Self.case12Open2003)
        let base = try #require(result.orders.first)
        #expect(base.status == .filled && base.filledQuantity == 0.5)
        #expect(close(0.5 * base.averagePrice!, 10.015, 1e-12))
    }

    // MARK: 13 insufficient funds

    static let case13Bot = """
        {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 1001, "fee_rate": 0.001, "max_deals": 1,
         "base_order_size": 500, "safety_order_size": 500, "max_safety_orders": 2, "price_deviation": 0.2,
         "safety_order_step_scale": 0.875, "safety_order_volume_scale": 1, "take_profit": 0.02, "tick_size": 0.0001}
        """
    static let case13Candles = """
        timestamp,open,high,low,close,volume
        2025-01-01T00:00:00Z,100,100.5,99.5,100,1
        2025-01-01T01:00:00Z,99,99,79,80,1
        2025-01-01T02:00:00Z,80,80.5,62,63,1
        2025-01-01T03:00:00Z,63,91,63,90.8,1
        """

    @Test func unaffordableSafetyOrderIsRejectedVisiblyAndNothingGoesNegative() throws {
        let result = try Fixture.run(Self.case13Bot, Self.case13Candles)
        let base = try #require(result.orders.first { $0.role == .base })
        #expect(base.filledQuantity == 5.0 && base.averagePrice == 100)
        #expect(close(base.filledQuantity * 100 * 1.001, 500.50))
        let safety1 = try #require(result.orders.first { $0.safetyOrderIndex == 1 })
        #expect(safety1.price == 80 && safety1.quantity == 6.25 && safety1.status == .filled && safety1.averagePrice == 80)
        #expect(result.barTime(safety1.filledBar) == "2025-01-01T01:00:00.000Z")
        let safety2 = try #require(result.orders.first { $0.safetyOrderIndex == 2 })
        #expect(safety2.status == .rejected)
        #expect(safety2.price == 62.5 && safety2.quantity == 8)
        #expect(safety2.reason == "insufficient funds")
        #expect(close(safety2.needed, 500.50, 1e-9))
        #expect(close(safety2.available, 0, 1e-9))
        let takeProfit = try #require(result.orders.first { $0.role == .takeProfit && $0.status == .filled })
        #expect(takeProfit.price == 90.6667)
        #expect(takeProfit.filledQuantity == 11.25)
        #expect(result.barTime(takeProfit.filledBar) == "2025-01-01T03:00:00.000Z")
        #expect(close(result.deals[0].averageEntry, 1000.0 / 11.25))
        #expect(close(result.quoteFree, 1018.98037, 1e-4))
        #expect(close(result.metrics.realizedPnL, 17.98, 1e-2))
        #expect(result.metrics.rejectedOrders == 1)
        #expect(result.quoteFree >= 0 && result.quoteLocked >= 0 && result.baseFree >= 0 && result.baseLocked >= 0)
    }

    // MARK: 15 max drawdown from the first bar

    @Test func drawdownStartingOnTheFirstBarCountsFromTheInitialBalance() throws {
        let bot = """
            {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 1000, "fee_rate": 0, "max_deals": 1,
             "base_order_size": 1000, "max_safety_orders": 0, "take_profit": 0.5}
            """
        let csv = """
            timestamp,open,high,low,close,volume
            2025-03-01T00:00:00Z,100,100,89,90,1
            2025-03-02T00:00:00Z,90,91,84,85,1
            2025-03-03T00:00:00Z,85,86,79,80,1
            2025-03-04T00:00:00Z,80,81,74,75,1
            2025-03-05T00:00:00Z,75,83,75,82,1
            """
        let result = try Fixture.run(bot, csv)
        #expect(result.orders[0].filledQuantity == 10 && result.orders[0].averagePrice == 100)
        #expect(result.equity == [900, 850, 800, 750, 820])
        #expect(result.metrics.maxDrawdown == 0.25)
        #expect(close(result.equity[0] / 1000 - 1, -0.10, 1e-15))
    }

    // MARK: 16 Sharpe annualisation at 30 minutes

    @Test func sharpeIsAnnualisedByTheBarInterval() throws {
        let bot = """
            {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 10000, "fee_rate": 0, "max_deals": 1,
             "base_order_size": 10000, "max_safety_orders": 0, "take_profit": 0.5}
            """
        let csv = """
            timestamp,open,high,low,close,volume
            2025-03-10T00:00:00Z,100,100.1,100,100.1,1
            2025-03-10T00:30:00Z,100.1,100.1,100.04995,100.04995,1
            2025-03-10T01:00:00Z,100.04995,100.119985,100.04995,100.119985,1
            2025-03-10T01:30:00Z,100.119985,100.119985,100.099961,100.099961,1
            2025-03-10T02:00:00Z,100.099961,100.140001,100.099961,100.140001,1
            2025-03-10T02:30:00Z,100.140001,100.140001,100.129987,100.129987,1
            2025-03-10T03:00:00Z,100.129987,100.160026,100.129987,100.160026,1
            2025-03-10T03:30:00Z,100.160026,100.160026,100.09993,100.09993,1
            2025-03-10T04:00:00Z,100.09993,100.18001,100.09993,100.18001,1
            2025-03-10T04:30:00Z,100.18001,100.18001,100.149956,100.149956,1
            """
        let result = try Fixture.run(bot, csv)
        #expect(result.orders[0].filledQuantity == 100)
        let expectedReturns = [0.001, -0.0005, 0.0007, -0.0002, 0.0004, -0.0001, 0.0003, -0.0006, 0.0008, -0.0003]
        var previous = 10000.0
        for (k, value) in result.equity.enumerated() {
            #expect(close(value / previous - 1, expectedReturns[k], 1e-8))
            previous = value
        }
        #expect(result.metrics.periodsPerYear == 17520)
        #expect(close(result.metrics.sharpeRatio, 34.9467, 1e-3))
        #expect(close(result.metrics.finalEquity, 10014.9956, 1e-4))
    }

    // MARK: 17 negative and undefined Sharpe

    static let case17Bot = """
        {"symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 10000, "fee_rate": 0, "max_deals": 1,
         "base_order_size": 10000, "max_safety_orders": 0, "take_profit": 0.5}
        """

    @Test func losingRunHasANegativeFiniteSharpeAndSortino() throws {
        let csv = """
            timestamp,open,high,low,close,volume
            2025-04-01T00:00:00Z,100,100,99,99,1
            2025-04-02T00:00:00Z,99,99.495,99,99.495,1
            2025-04-03T00:00:00Z,99.495,99.495,98.50005,98.50005,1
            2025-04-04T00:00:00Z,98.50005,98.99255,98.50005,98.99255,1
            2025-04-05T00:00:00Z,98.99255,98.99255,98.002625,98.002625,1
            """
        let result = try Fixture.run(Self.case17Bot, csv)
        #expect(result.metrics.periodsPerYear == 365)
        #expect(close(result.metrics.sharpeRatio, -9.3015, 1e-3))
        #expect(close(result.metrics.sortinoRatio, -9.8658, 1e-3))
    }

    @Test func flatRunHasNoSharpeNorSortino() throws {
        let csv = """
            timestamp,open,high,low,close,volume
            2025-04-01T00:00:00Z,100,100,100,100,1
            2025-04-02T00:00:00Z,100,100,100,100,1
            2025-04-03T00:00:00Z,100,100,100,100,1
            """
        let result = try Fixture.run(Self.case17Bot, csv)
        #expect(result.metrics.sharpeRatio == nil)
        #expect(result.metrics.sortinoRatio == nil)
        #expect(result.metrics.sharpeUndefinedReason == "zero variance")
        #expect(result.metrics.maxDrawdown == 0)
    }
}

@Suite struct EquityStatisticsTests {
    @Test func intervalIsTheMostCommonSpacingTheSmallerOnATie() {
        // Spacings 60, 60, 120, 60: majority 60.
        #expect(CandleSeries.mostCommonSpacing([0, 60, 120, 240, 300]) == 60)
        // Spacings 60, 120, 60, 120: a tie, the smaller wins.
        #expect(CandleSeries.mostCommonSpacing([0, 60, 180, 240, 360]) == 60)
        // Spacings 120, 60, 180, 120, 60, 60: no majority, 60 is the mode.
        #expect(CandleSeries.mostCommonSpacing([0, 120, 180, 360, 480, 540, 600]) == 60)
        #expect(CandleSeries.mostCommonSpacing([5]) == nil)
    }
}
