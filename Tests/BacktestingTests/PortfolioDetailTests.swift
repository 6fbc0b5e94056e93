import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// The `detail` fill model in the multi-pair loop (docs/SEMANTICS.md "Fills" and section 7): each
/// symbol's bars are walked through its own finer candles by the one-pair engine's detail walk.
@Suite struct PortfolioDetailTests {
    // MARK: One symbol is the one-pair bot

    /// Four 15-minute candles under each hourly bar: from the open through the high and the low
    /// (in a random order) and a point between them to the close, each inside the bar.
    static func finer(under bars: CandleSeries, _ random: inout EnginePropertyTests.Random) -> CandleSeries {
        var series = CandleSeries()
        for i in 0..<bars.count {
            let open = bars.opens[i], high = bars.highs[i], low = bars.lows[i], close = bars.closes[i]
            let extremes = random.uniform() < 0.5 ? [high, low] : [low, high]
            let waypoints = [open] + extremes + [low + (high - low) * random.uniform(), close]
            for k in 0..<4 {
                let a = waypoints[k], b = waypoints[k + 1]
                series.append(
                    openTime: bars.openTimes[i] + Int64(k) * 900_000_000_000, open: a, high: max(a, b), low: min(a, b), close: b, volume: 1
                )
            }
        }
        return series
    }

    @Test(arguments: 0..<60)
    func aOneSymbolPortfolioWithDetailGivesTheOnePairDetailRunBitForBit(seed: Int) throws {
        var random = EnginePropertyTests.Random(state: UInt64(seed) &+ 9100)
        let candles = EnginePropertyTests.series(&random, count: 300)
        var configuration = seed % 2 == 0 ? try EnginePropertyTests.configuration(&random) : try EngineV2PropertyTests.configuration(&random)
        configuration.fillModel = .detail
        let path = try DetailPath(bars: candles, detail: Self.finer(under: candles, &random))
        let single = Backtester.run(configuration: configuration, candles: candles, detail: path)
        let portfolio = Backtester.run(configuration: configuration, symbolCandles: [candles], detail: [path])
        Parity.expectIdentical(portfolio, single)
        #expect(portfolio.botStopped == single.botStopped)
    }

    // MARK: Two symbols, each on its own finer candles

    /// Two symbols with one slot each (`max_active_deals` 2), 100 USDT base orders, one safety
    /// order of 100 USDT 5% below, take profit 5%, no fees, at most 2 deals (no restart).
    ///
    /// At 00:00 both open a deal, AAAUSDT first: 1 AAA at 100 (take profit 105, safety order at
    /// 95), then 2 BBB at 50 (take profit 52.5, safety order at 47.5). Free quote
    /// 1000 - 200 = 800.
    ///
    /// AAAUSDT's hour 100 / 110 / 94 / 100 goes, by its minutes, 100 -> 104, then down to 94,
    /// then up to 110: the safety order fills first, at 95 (100 / 95 = 1.0526315789... AAA), the
    /// average entry becomes 200 / (1 + 100/95) = 19000/195 = 97.4358974..., the take profit moves
    /// to 1.05 times that, 102.3076923..., and fills on the way up: proceeds 1.05 * 200 = 210,
    /// PnL 10. (Walked `pessimistic`, high first, the take profit at 105 would fill before the
    /// dip: PnL 5.)
    ///
    /// BBBUSDT's hour 50 / 55 / 47 / 52 goes, by its minutes, 50 -> 53 first: the take profit at
    /// 52.5 fills before the dip to 47 (which would have filled its safety order at 47.5 had the
    /// dip come first): proceeds 2 * 52.5 = 105, PnL 5. Its safety order is cancelled with the deal.
    ///
    /// Both deals close inside the first hour; `max_deals` 2 keeps the second hour quiet. Realized
    /// PnL 15, final equity 1015, all in USDT. With `pessimistic`: 5 + 5 = 10, equity 1010.
    static let bot = """
        {"name": "two pairs on finer candles", "symbols": ["AAAUSDT", "BBBUSDT"], "quote_currency": "USDT", "initial_balance": 1000,
         "max_active_deals": 2, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 1, "price_deviation": 0.05,
         "take_profit": 0.05, "fee_rate": 0, "max_deals": 2, "fill_model": "FILL"}
        """
    static let aaa = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,100,110,94,100,1
        2024-07-01T01:00:00Z,100,100.5,99.5,100,1
        """
    static let aaaMinutes = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,100,104,100,104,1
        2024-07-01T00:01:00Z,104,104,94,94,1
        2024-07-01T00:02:00Z,94,110,94,100,1
        """
    static let bbb = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,50,55,47,52,1
        2024-07-01T01:00:00Z,52,52.5,51.5,52,1
        """
    static let bbbMinutes = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,50,53,50,53,1
        2024-07-01T00:01:00Z,53,55,53,54,1
        2024-07-01T00:02:00Z,54,54,47,52,1
        """

    static func run(_ fillModel: String) throws -> BacktestResult {
        let configuration = try Fixture.configuration(bot.replacingOccurrences(of: "FILL", with: fillModel))
        let bars = [try Fixture.candles(aaa), try Fixture.candles(bbb)]
        let detail = fillModel == "detail"
            ? [try DetailPath(bars: bars[0], detail: try Fixture.candles(aaaMinutes)), try DetailPath(bars: bars[1], detail: try Fixture.candles(bbbMinutes))]
            : []
        return Backtester.run(configuration: configuration, symbolCandles: bars, detail: detail)
    }

    @Test func eachSymbolsFinerCandlesDecideWhetherItsSafetyOrderOrItsTakeProfitFillsFirst() throws {
        let result = try Self.run("detail")
        #expect(result.deals.count == 2)
        let aaaDeal = try #require(result.deals.first { $0.symbol == 0 }), bbbDeal = try #require(result.deals.first { $0.symbol == 1 })
        #expect(close(aaaDeal.realizedPnL, 10) && close(bbbDeal.realizedPnL, 5))
        #expect(aaaDeal.closedBar == 0 && bbbDeal.closedBar == 0)
        // AAAUSDT: base at 100, safety order at 95, take profit at 19950/195 = 102.3076923...
        let aaaFills = result.filledOrders.filter { $0.symbol == 0 }
        #expect(aaaFills.count == 3)
        #expect(aaaFills.map(\.averagePrice).enumerated().allSatisfy { i, price in close(price, [100, 95, 19950.0 / 195][i]) })
        // BBBUSDT: base at 50, take profit at 52.5; no safety order filled.
        let bbbFills = result.filledOrders.filter { $0.symbol == 1 }
        #expect(bbbFills.count == 2)
        #expect(bbbFills.map(\.averagePrice).enumerated().allSatisfy { i, price in close(price, [50, 52.5][i]) })
        #expect(close(result.metrics.realizedPnL, 15) && close(result.metrics.finalEquity, 1015))
        #expect(close(result.quoteFree, 1015) && result.quoteLocked == 0 && result.baseFree == 0 && result.baseLocked == 0)
    }

    @Test func withoutFinerCandlesTheSameBarsWalkHighFirst() throws {
        let result = try Self.run("pessimistic")
        #expect(result.deals.map(\.realizedPnL).allSatisfy { close($0, 5) } && result.deals.count == 2)
        #expect(close(result.metrics.realizedPnL, 10) && close(result.metrics.finalEquity, 1010))
    }
}
