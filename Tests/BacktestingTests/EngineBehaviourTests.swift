import DCAStrategy
import MarketData
import Testing

@testable import Backtesting

/// The rest of SEMANTICS.md sections 2-4, each value worked out by hand in the comments.
@Suite struct EngineBehaviourTests {
    static func bot(_ extra: String) -> String {
        #"{"symbol": "TESTUSDT", "initial_balance": 10000, "fee_rate": 0, "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.5"#
            + (extra.isEmpty ? "" : ", " + extra) + "}"
    }

    static func hourly(_ rows: [(Double, Double, Double, Double)]) -> String {
        var text = "timestamp,open,high,low,close,volume\n"
        for (i, row) in rows.enumerated() {
            text += "\(UTCTime.iso8601(nanoseconds: Int64(i) * 3_600_000_000_000 + 1_704_067_200_000_000_000)),\(row.0),\(row.1),\(row.2),\(row.3),1\n"
        }
        return text
    }

    @Test func cooldownDelaysTheNextDealAndMaxDealsCapsThem() throws {
        // TP 1%: deal 1 buys at 100 (bar 0) and sells at 101 in bar 1; with cooldown 2 the next
        // deal starts at bar 1 + 1 + 2 = 4 (open 102, TP 103.02, sold in bar 5); max_deals 2
        // stops there.
        let result = try Fixture.run(Self.bot(#""take_profit": 0.01, "cooldown_bars": 2, "max_deals": 2"#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (100, 101.5, 99.8, 101), (101, 101.2, 100.5, 101), (101, 101.5, 100.8, 101.2),
            (102, 102.5, 101.9, 102.2), (102.2, 103.5, 102.1, 103), (103, 103.2, 102.5, 103), (103, 103.1, 102.9, 103),
        ]))
        #expect(result.deals.map(\.openedBar) == [0, 4])
        #expect(result.deals.map(\.closedBar) == [1, 5])
        #expect(result.orders.filter { $0.role == .base }.map(\.averagePrice) == [100, 102])
        #expect(close(result.orders.last { $0.role == .takeProfit && $0.status == .filled }?.averagePrice, 103.02, 1e-12))
        #expect(result.metrics.dealsClosed == 2)
    }

    @Test func slippageMovesMarketAndStopFillsButNotLimitFills() throws {
        // 10 bp: the base order buys at 100 * 1.001 = 100.1 (qty 100.1 / 100.1 = 1); the stop at
        // 100.1 * 0.95 = 95.095 triggers inside the bar and fills at 95.095 * 0.999.
        let result = try Fixture.run(Self.bot(#""base_order_size": 100.1, "stop_loss": 0.05, "slippage_bps": 10"#).replacingOccurrences(of: #""base_order_size": 100, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (99, 99.5, 94, 94.5),
        ]))
        let base = try #require(result.orders.first { $0.role == .base })
        #expect(close(base.averagePrice, 100.1, 1e-12) && close(base.filledQuantity, 1, 1e-12))
        let stop = try #require(result.orders.first { $0.role == .stopLoss && $0.status == .filled })
        #expect(close(stop.price, 95.095, 1e-9))
        #expect(close(stop.averagePrice, 95.095 * 0.999, 1e-9))
        #expect(close(result.metrics.realizedPnL, 95.095 * 0.999 - 100.1, 1e-9))
    }

    @Test func makerFeeAppliesToRestingLimitOrdersAndTakerFeeToMarketOrders() throws {
        // Taker 0.2%, maker 0.05%. Base 1 at 100 costs 100.2. Safety 1 at 90 buys 100/90 and costs
        // 100 * 1.0005 = 100.05. Average 200 / (1 + 10/9) = 94.736842..., TP at 1% = 95.684210...
        // sold by the limit: proceeds (19/9) * TP * 0.9995.
        let result = try Fixture.run(Self.bot(#""fee_rate": 0.002, "maker_fee_rate": 0.0005, "safety_order_size": 100, "max_safety_orders": 1, "price_deviation": 0.1, "take_profit": 0.01"#).replacingOccurrences(of: #""fee_rate": 0, "#, with: "").replacingOccurrences(of: #""max_safety_orders": 0, "take_profit": 0.5, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (99, 99.5, 89, 92), (92, 96, 91.5, 95.9),
        ]))
        let quantity = 1 + 100.0 / 90
        let target = 200 / quantity * 1.01
        #expect(close(result.deals[0].cost, 100.2 + 100.05, 1e-9))
        let tp = try #require(result.orders.first { $0.role == .takeProfit && $0.status == .filled })
        #expect(close(tp.averagePrice, target, 1e-9))
        #expect(close(result.deals[0].proceeds, quantity * target * 0.9995, 1e-9))
        #expect(close(result.metrics.feesPaid, 0.2 + 0.05 + quantity * target * 0.0005, 1e-9))
    }

    @Test func feeInBaseReducesTheQuantityHeldAndTheAverageIsCostPerUnitHeld() throws {
        // 0.1% in base: buying 1 at 100 leaves 0.999 held for 100 quote; average 100 / 0.999;
        // TP at 1% = 101.101101...; the sale of 0.999 pays its fee in quote.
        let result = try Fixture.run(Self.bot(#""fee_rate": 0.001, "fee_currency": "base", "take_profit": 0.01"#).replacingOccurrences(of: #""fee_rate": 0, "#, with: "").replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (100, 102, 99.9, 101.5),
        ]))
        let average = 100 / 0.999
        #expect(close(result.deals[0].averageEntry, average, 1e-9))
        #expect(close(result.deals[0].quantity, 0.999, 1e-15))
        let tp = try #require(result.orders.first { $0.role == .takeProfit && $0.status == .filled })
        #expect(close(tp.averagePrice, average * 1.01, 1e-9) && close(tp.filledQuantity, 0.999, 1e-15))
        #expect(close(result.metrics.realizedPnL, 0.999 * average * 1.01 * 0.999 - 100, 1e-9))
        #expect(result.baseFree >= 0 && result.baseFree < 1e-12)
    }

    @Test func trailingTakeProfitArmsAtTheTargetAndSellsAfterTheDeviationFromTheHigh() throws {
        // TP 2% = 102, trailing 1%. Bar 1 gaps up to 102.5 (armed, high 102.5), rises to 103 and
        // dips to 102.5 (exit level max(103 * 0.99, 102) = 102 not reached). Bar 2 rises to 106
        // and falls to 103: the exit level 106 * 0.99 = 104.94 is crossed: sold at 104.94.
        let result = try Fixture.run(Self.bot(#""take_profit": 0.02, "trailing_deviation": 0.01"#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (102.5, 103, 102.5, 103), (103, 106, 103, 105.5),
        ]))
        let sell = try #require(result.orders.first { $0.side == .sell && $0.status == .filled })
        #expect(sell.role == .trailingTakeProfit && sell.type == .market)
        #expect(close(sell.averagePrice, 104.94, 1e-9))
        #expect(result.barTime(sell.filledBar) == "2024-01-01T02:00:00.000Z")
        #expect(close(result.metrics.realizedPnL, 4.94, 1e-9))
    }

    @Test func trailingExitOnAGapFillsAtTheOpen() throws {
        // As above, but bar 2 stays above 104.94 (high 106) and bar 3 opens at 104: sold at 104.
        let result = try Fixture.run(Self.bot(#""take_profit": 0.02, "trailing_deviation": 0.01"#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (102.5, 103, 102.5, 103), (105, 106, 105, 105.5), (104, 104.5, 103, 104),
        ]))
        let sell = try #require(result.orders.first { $0.side == .sell && $0.status == .filled })
        #expect(sell.averagePrice == 104)
        #expect(result.barTime(sell.filledBar) == "2024-01-01T03:00:00.000Z")
    }

    @Test func stopLossTimeoutSellsAfterNClosesInARowAtOrBelowTheStop() throws {
        // Stop 5% = 95, timeout 2. Bar 1 closes 94.5 (1), bar 2 closes 95.5 (reset), bar 3 closes
        // 94 (1), bar 4 closes 94.2 (2): sold at bar 5's open, 94.3, at market.
        let result = try Fixture.run(Self.bot(#""stop_loss": 0.05, "stop_loss_timeout_bars": 2"#), Self.hourly([
            (100, 100.5, 99.5, 100), (99, 99, 94, 94.5), (94.5, 96, 94, 95.5), (95.5, 95.5, 93, 94), (94, 94.5, 93.5, 94.2),
            (94.3, 94.5, 94, 94.4), (94.4, 94.6, 94.3, 94.5),
        ]))
        let sell = try #require(result.orders.first { $0.side == .sell && $0.status == .filled })
        #expect(sell.role == .stopLoss && sell.type == .market && sell.averagePrice == 94.3)
        #expect(result.barTime(sell.filledBar) == "2024-01-01T05:00:00.000Z")
        #expect(close(result.metrics.realizedPnL, -5.7, 1e-9))
    }

    @Test func laterSafetyOrdersArePlacedAsEarlierOnesFillAndMayFillOnTheRestOfTheBar() throws {
        // max_active 1: only safety 1 (95) rests; when it fills on the way down to 89, safety 2
        // (90) is placed and fills further down the same leg.
        let result = try Fixture.run(Self.bot(#""safety_order_size": 100, "max_safety_orders": 2, "max_active_safety_orders": 1, "price_deviation": 0.05, "safety_order_step_scale": 1, "safety_order_volume_scale": 1"#).replacingOccurrences(of: #""max_safety_orders": 0, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (99, 99, 89, 90),
        ]))
        let safeties = result.orders.filter { $0.role == .safety }
        #expect(safeties.map(\.createdBar) == [0, 1])
        #expect(safeties.map(\.averagePrice) == [95, 90])
        #expect(safeties.allSatisfy { $0.status == .filled && $0.filledBar == 1 })
    }

    @Test func replacedTakeProfitNeverFillsOnThePartOfTheBarAlreadyTravelled() throws {
        // TP 5% = 105 is above the bar's high 104. Safety 1 (95) fills on the way down; the new TP
        // at 200 / (1 + 100/95) * 1.05 = 102.3 is below the high already passed: it must not fill
        // on the rest of the path (94 -> 95).
        let result = try Fixture.run(Self.bot(#""safety_order_size": 100, "max_safety_orders": 1, "price_deviation": 0.05, "take_profit": 0.05"#).replacingOccurrences(of: #""max_safety_orders": 0, "take_profit": 0.5, "#, with: ""), Self.hourly([
            (100, 100.5, 99.5, 100), (100, 104, 94, 95),
        ]))
        #expect(result.orders.filter { $0.role == .safety && $0.status == .filled }.count == 1)
        #expect(!result.orders.contains { $0.side == .sell && $0.status == .filled })
        #expect(result.deals[0].closedBar == nil)
        let target = 200 / (1 + 100.0 / 95) * 1.05
        #expect(close(result.orders.last { $0.role == .takeProfit }?.price, target, 1e-9))
        #expect(result.orders.last { $0.role == .takeProfit }?.status == .new)
    }

    @Test func recurringBuysEveryNBarsIntoOnePosition() throws {
        // order_size 100 every 2 bars at opens 100, 100, 90: quantities 1, 1, 100/90.
        let result = try Fixture.run(#"{"symbol": "TESTUSDT", "initial_balance": 1000, "fee_rate": 0, "mode": "recurring", "base_order_size": 100, "every_bars": 2}"#, Self.hourly([
            (100, 101, 99, 100), (50, 51, 49, 50), (100, 101, 99, 100), (80, 81, 79, 80), (90, 91, 89, 90),
        ]))
        let buys = result.orders.filter { $0.role == .recurring }
        #expect(buys.map(\.createdBar) == [0, 2, 4])
        #expect(buys.map(\.averagePrice) == [100, 100, 90])
        #expect(result.deals.count == 1)
        #expect(close(result.deals[0].quantity, 2 + 100.0 / 90, 1e-12))
        #expect(close(result.metrics.finalEquity, 700 + (2 + 100.0 / 90) * 90, 1e-9))
    }

    @Test func recurringOnADailyScheduleBuysAtTheFirstBarOfEachUTCDay() throws {
        // 30 hourly bars from 2024-01-01T00:00Z: the first bar of each UTC day is bar 0 and bar 24.
        var rows: [(Double, Double, Double, Double)] = []
        for _ in 0..<30 { rows.append((100, 101, 99, 100)) }
        let result = try Fixture.run(#"{"symbol": "TESTUSDT", "initial_balance": 1000, "fee_rate": 0, "mode": "recurring", "base_order_size": 100, "schedule": "1d"}"#, Self.hourly(rows))
        #expect(result.orders.filter { $0.role == .recurring }.map(\.createdBar) == [0, 24])
    }

    @Test func recurringPositionIsSoldByItsTakeProfit() throws {
        // Buys 100 quote at each open: 1 at 100, 1.25 at 80, 10/9 at 90 (bar 2's buy comes
        // before its path). Average 300 / (1 + 1.25 + 10/9); TP 10% above it is reached in bar 2;
        // selling everything at 1.1 x average yields 330 for 300 spent: PnL +30.
        let result = try Fixture.run(#"{"symbol": "TESTUSDT", "initial_balance": 1000, "fee_rate": 0, "mode": "recurring", "order_size": 100, "take_profit": 0.1, "base_order_size": 100}"#, Self.hourly([
            (100, 101, 99, 100), (80, 81, 79, 80), (90, 99.5, 89, 95),
        ]))
        let quantity = 1 + 1.25 + 100.0 / 90
        let sell = try #require(result.orders.first { $0.side == .sell && $0.status == .filled })
        #expect(close(sell.averagePrice, 300 / quantity * 1.1, 1e-9))
        #expect(result.barTime(sell.filledBar) == "2024-01-01T02:00:00.000Z")
        #expect(close(result.deals[0].realizedPnL, 30, 1e-9))
    }
}

@Suite struct FillModelTests {
    /// After a base order at 100, one bar (open 99, high 104, low 98) holds both the take profit
    /// at 103 (3%) and the stop at 98.5 (1.5%).
    static let candles = EngineBehaviourTests.hourly([(100, 100.5, 99.5, 100), (99, 104, 98, 101)])
    static func run(_ model: String) throws -> OrderRecord {
        let result = try Fixture.run(EngineBehaviourTests.bot(#""take_profit": 0.03, "stop_loss": 0.015, "fill_model": "\#(model)""#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), candles)
        return try #require(result.orders.first { $0.side == .sell && $0.status == .filled })
    }

    @Test func eachFillModelOrdersTheSameBarItsOwnWay() throws {
        // ohlc: high first, the take profit at 103.
        #expect(try Self.run("ohlc").role == .takeProfit)
        // olhc: low first, the stop at 98.5.
        #expect(try Self.run("olhc").role == .stopLoss)
        // adaptive: the low (1 away from the open) is nearer than the high (5 away): stop.
        #expect(try Self.run("adaptive").role == .stopLoss)
        // pessimistic: a stop rests on the position, so low first: stop.
        #expect(try Self.run("pessimistic").role == .stopLoss)
        #expect(try Self.run("pessimistic").averagePrice == 98.5)
    }

    @Test func pessimisticTakesTheHighFirstWhenNoStopRests() throws {
        // No stop: high first, so the take profit at 103 fills before the dip to 98.
        let result = try Fixture.run(EngineBehaviourTests.bot(#""take_profit": 0.03"#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), Self.candles)
        #expect(result.orders.first { $0.side == .sell && $0.status == .filled }?.averagePrice == 103)
    }

    @Test func adaptiveTakesTheHighFirstWhenTheHighIsNearer() throws {
        // Open 103.5 is 0.5 from the high 104 and 5.5 from the low 98: high first, take profit.
        let candles = EngineBehaviourTests.hourly([(100, 100.5, 99.5, 100), (103.5, 104, 98, 101)])
        let result = try Fixture.run(EngineBehaviourTests.bot(#""take_profit": 0.035, "stop_loss": 0.015, "fill_model": "adaptive""#).replacingOccurrences(of: #""take_profit": 0.5, "#, with: ""), candles)
        #expect(result.orders.first { $0.side == .sell && $0.status == .filled }?.role == .takeProfit)
    }

    @Test func baseTypeTakeProfitPricesTheSellOnTheBaseOrderSize() throws {
        // take_profit_type base: (sum(price * qty) + 0.1 * 100) / qty. Base 1 at 100, safety 100
        // at 90 (qty 10/9): (200 + 10) / (19/9) = 99.4736842...
        let result = try Fixture.run(EngineBehaviourTests.bot(#""take_profit": 0.1, "take_profit_type": "base", "safety_order_size": 100, "max_safety_orders": 1, "price_deviation": 0.1"#).replacingOccurrences(of: #""max_safety_orders": 0, "take_profit": 0.5, "#, with: ""), EngineBehaviourTests.hourly([
            (100, 100.5, 99.5, 100), (99, 99.5, 89, 95), (95, 100, 94, 99),
        ]))
        let tp = try #require(result.orders.first { $0.role == .takeProfit && $0.status == .filled })
        #expect(close(tp.averagePrice, 210 / (19.0 / 9), 1e-9))
        #expect(close(result.metrics.realizedPnL, 10, 1e-9))
    }
}

/// A tick larger than the prices: limit buys round to a price of 0 and are refused with a reason,
/// every logged number stays finite (storage refuses infinities), and the run goes on.
@Suite struct TickLargerThanPriceTests {
    @Test func safetyOrdersPricedZeroByTheTickAreRefused() throws {
        let result = try Fixture.run("""
            {"symbol": "ADABTC", "initial_balance": 1, "fee_rate": 0, "base_order_size": 0.001, "safety_order_size": 0.001,
             "max_safety_orders": 2, "price_deviation": 0.01, "take_profit": 0.015, "tick_size": 0.01}
            """, """
            timestamp,open,high,low,close,volume
            2021-11-27T00:00:00Z,0.0000285,0.0000290,0.0000280,0.0000286,1000
            2021-11-27T00:01:00Z,0.0000286,0.0000288,0.0000270,0.0000275,1000
            """)
        let safety = result.orders.filter { $0.role == .safety }
        #expect(safety.count == 2)
        #expect(safety.allSatisfy { $0.status == .rejected && $0.reason == "price is 0 after rounding to the tick size 0.01" && $0.quantity == 0 })
        // The base order is a market buy at the open (not tick-rounded): 0.001 / 0.0000285 base.
        let base = try #require(result.orders.first)
        #expect(base.role == .base && base.status == .filled && close(base.quantity, 0.001 / 0.0000285))
        // Its take profit rounds up to one tick, 0.01: it rests, far above the market.
        #expect(result.orders.contains { $0.role == .takeProfit && $0.price == 0.01 && $0.status == .new })
        #expect(result.orders.allSatisfy { $0.quantity.isFinite && ($0.price ?? 0).isFinite && ($0.needed ?? 0).isFinite })
    }
}

/// The metric `unrealized_pnl` is total minus realized PnL, so an open deal's buy fee is in it:
/// one flat bar at 100, a base order of 100 USDT with a 0.1% fee: 1 BTC for 100 + 0.1 fee,
/// equity 10000 - 0.1, realized 0, unrealized -0.1 (the price did not move).
@Suite struct UnrealizedPnLTests {
    @Test func unrealizedMetricCarriesTheOpenDealsBuyFee() throws {
        let result = try Fixture.run("""
            {"symbol": "BTCUSDT", "initial_balance": 10000, "fee_rate": 0.001, "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.05}
            """, """
            timestamp,open,high,low,close,volume
            2024-07-01T00:00:00Z,100,100,100,100,1
            """)
        #expect(close(result.metrics.totalPnL, -0.1) && result.metrics.realizedPnL == 0 && close(result.metrics.unrealizedPnL, -0.1))
    }
}
