import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// The `detail` fill model: the path through a bar is the finer candles inside it.
///
/// One hourly bar 100 / 110 / 94 / 100 (open, high, low, close), then a quiet bar. The bot buys
/// 10 USDT at the open (0.1 at 100), rests a safety order of 10 USDT at 95 and a take profit
/// at 105; no fees. Worked by hand:
/// - high first (`pessimistic` without a stop, `ohlc`): the take profit fills at 105:
///   PnL 0.1 * 5 = 0.5.
/// - low first (`olhc`): the safety order fills at 95 (10 / 95 base), the average entry becomes
///   20 / (0.1 + 10/95) = 97.4358974..., the take profit moves to 1.05 times that and fills on
///   the way up: proceeds 1.05 * 20 = 21, PnL 1.0.
@Suite struct DetailFillModelTests {
    static let bot = """
        {"symbol": "BTCUSDT", "initial_balance": 1000, "fee_rate": 0, "base_order_size": 10, "safety_order_size": 10,
         "max_safety_orders": 1, "price_deviation": 0.05, "take_profit": 0.05, "fill_model": "FILL"}
        """
    static let bars = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,100,110,94,100,1
        2024-07-01T01:00:00Z,100,100.5,99.5,100,1
        """

    static func run(_ fillModel: String, detail csv: String?) throws -> BacktestResult {
        let configuration = try Fixture.configuration(bot.replacingOccurrences(of: "FILL", with: fillModel))
        let candles = try Fixture.candles(bars)
        let detail = try csv.map { try DetailPath(bars: candles, detail: try Fixture.candles($0)) }
        return Parity.run(configuration: configuration, candles: candles, detail: detail)
    }

    /// Down to 94 first, then up to 110, inside the hour.
    static let downThenUp = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,100,104,100,104,1
        2024-07-01T00:01:00Z,104,104,94,94,1
        2024-07-01T00:02:00Z,94,110,94,100,1
        """
    /// Up to 106 first (the take profit fills), then the dip.
    static let upThenDown = """
        timestamp,open,high,low,close,volume
        2024-07-01T00:00:00Z,100,106,100,106,1
        2024-07-01T00:01:00Z,106,110,94,100,1
        """

    @Test func finerCandlesDecideWhichLevelIsReachedFirst() throws {
        let pessimistic = try Self.run("pessimistic", detail: nil)
        #expect(close(pessimistic.metrics.realizedPnL, 0.5))
        let downFirst = try Self.run("detail", detail: Self.downThenUp)
        #expect(close(downFirst.metrics.realizedPnL, 1.0))
        #expect(downFirst.filledOrders.map(\.role) == [.base, .safety, .takeProfit, .base])
        #expect(close(downFirst.filledOrders[2].averagePrice, 1.05 * 20 / (0.1 + 10.0 / 95)))
        let upFirst = try Self.run("detail", detail: Self.upThenDown)
        #expect(close(upFirst.metrics.realizedPnL, 0.5))
        #expect(upFirst.filledOrders.map(\.role) == [.base, .takeProfit, .base])
        // Fills are dated by the bar they happen in.
        #expect(downFirst.filledOrders.prefix(3).allSatisfy { $0.filledBar == 0 })
    }

    @Test func barWithoutFinerCandlesIsWalkedAsPessimisticAndCounted() throws {
        let candles = try Fixture.candles(Self.bars)
        let path = try DetailPath(bars: candles, detail: try Fixture.candles(Self.downThenUp))
        #expect(path.barsWithoutDetail == 1 && path.candlesUsed == 3)
        // A detail run without finer candles is the pessimistic run.
        let configuration = try Fixture.configuration(Self.bot.replacingOccurrences(of: "FILL", with: "detail"))
        #expect(close(Parity.run(configuration: configuration, candles: candles, detail: nil).metrics.realizedPnL, 0.5))
        // Finer candles of another day are a mistake, not a detail path.
        #expect {
            try DetailPath(bars: candles, detail: try Fixture.candles("timestamp,open,high,low,close,volume\n2024-06-30T00:00:00Z,1,1,1,1,1\n2024-06-30T00:01:00Z,1,1,1,1,1\n"))
        } throws: { error in
            "\(error)".contains("none of the detail candles (2024-06-30T00:00:00.000Z to 2024-06-30T00:01:00.000Z) lies inside the bars (2024-07-01T00:00:00.000Z to 2024-07-01T01:00:00.000Z)")
        }
    }

    @Test func detailOutsideItsBarOrNotFinerIsRefused() throws {
        let candles = try Fixture.candles(Self.bars)
        #expect {
            try DetailPath(bars: candles, detail: try Fixture.candles(Self.downThenUp.replacingOccurrences(of: "94,110,94,100", with: "94,111,94,100")))
        } throws: { error in
            "\(error)".contains("the detail candle at 2024-07-01T00:02:00.000Z (low 94.0, high 111.0) reaches outside its bar at 2024-07-01T00:00:00.000Z (low 94.0, high 110.0)")
        }
        #expect {
            try DetailPath(bars: candles, detail: candles)
        } throws: { error in
            "\(error)".contains("are not finer than the bars")
        }
    }

    /// 60 minutes are not a whole number of 7-minute candles: the one at 00:56 would reach into
    /// the next bar. 20-minute candles (three to the hour) are taken.
    @Test func detailWhoseIntervalDoesNotDivideTheBarsIsRefused() throws {
        let candles = try Fixture.candles(Self.bars)
        let sevenMinutes = Self.downThenUp.replacingOccurrences(of: "00:01:00", with: "00:07:00").replacingOccurrences(of: "00:02:00", with: "00:14:00")
        #expect {
            try DetailPath(bars: candles, detail: try Fixture.candles(sevenMinutes))
        } throws: { error in
            "\(error)".contains("the detail interval (7m) does not divide the bar interval (1h)")
        }
        let twentyMinutes = Self.downThenUp.replacingOccurrences(of: "00:01:00", with: "00:20:00").replacingOccurrences(of: "00:02:00", with: "00:40:00")
        #expect(try DetailPath(bars: candles, detail: try Fixture.candles(twentyMinutes)).candlesUsed == 3)
    }
}
