import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// The multi-pair loop (docs/SEMANTICS.md sections 7 and 8): one engine per symbol, one shared
/// quote balance, bars merged by open time and processed in two phases. Every expected number is
/// worked out by hand in the comments (or taken from `../shared/cases`).
@Suite struct PortfolioReplayTests {
    // MARK: One symbol is the one-pair bot

    @Test(arguments: 0..<100)
    func aOneSymbolPortfolioGivesTheOnePairRunBitForBit(seed: Int) throws {
        var random = EnginePropertyTests.Random(state: UInt64(seed) &+ 7000)
        let candles = EnginePropertyTests.series(&random, count: 400)
        let configuration = seed % 2 == 0 ? try EnginePropertyTests.configuration(&random) : try EngineV2PropertyTests.configuration(&random)
        let single = Backtester.run(configuration: configuration, candles: candles)
        let portfolio = Backtester.run(configuration: configuration, symbolCandles: [candles])
        Parity.expectIdentical(portfolio, single)
        #expect(portfolio.botStopped == single.botStopped)
    }

    @Test func aOneSymbolPortfolioWithAStartConditionGivesTheOnePairRun() throws {
        let configuration = try Fixture.configuration(StartConditionCaseTests.case37Bot)
        let candles = try Fixture.candles(StartConditionCaseTests.case37Candles)
        Parity.expectIdentical(
            Backtester.run(configuration: configuration, symbolCandles: [candles]), Backtester.run(configuration: configuration, candles: candles)
        )
    }

    // MARK: 36 multi-pair slot competition

    static let case36Bot = """
        {"name": "two pairs, one slot", "symbols": ["ETHUSDT", "BTCUSDT"], "quote_currency": "USDT", "initial_balance": 1000,
         "max_active_deals": 1, "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.02, "fee_rate": 0, "max_deals": 3}
        """
    static let case36ETH = """
        timestamp,open,high,low,close,volume
        2025-03-11T00:00:00Z,2000,2010,1995,2005,10
        2025-03-11T01:00:00Z,2005,2045,2000,2040,10
        2025-03-11T02:00:00Z,2000,2030,1990,2030,10
        2025-03-11T03:00:00Z,2050,2060,2040,2055,10
        2025-03-11T04:00:00Z,2055,2065,2045,2060,10
        """
    static let case36BTC = """
        timestamp,open,high,low,close,volume
        2025-03-11T00:00:00Z,50000,50100,49900,50000,10
        2025-03-11T01:00:00Z,50000,50200,49950,50100,10
        2025-03-11T02:00:00Z,50100,50300,49900,50000,10
        2025-03-11T03:00:00Z,50000,51100,49950,51050,10
        2025-03-11T04:00:00Z,51050,51200,50900,51100,10
        """

    @Test func case36SlotsGoInSymbolOrderAndASlotFreedInsideABarWaitsForTheNextOpen() throws {
        let result = Backtester.run(
            configuration: try Fixture.configuration(Self.case36Bot),
            symbolCandles: [try Fixture.candles(Self.case36ETH), try Fixture.candles(Self.case36BTC)]
        )
        let fills = result.filledOrders
        let symbols = ["ETHUSDT", "BTCUSDT"]
        let got = fills.map { "\(symbols[$0.symbol]) \($0.role.rawValue) \(result.barTime($0.filledBar)!) \($0.averagePrice!) \($0.filledQuantity)" }
        #expect(got == [
            "ETHUSDT base 2025-03-11T00:00:00.000Z 2000.0 0.05",
            "ETHUSDT take_profit 2025-03-11T01:00:00.000Z 2040.0 0.05",
            "ETHUSDT base 2025-03-11T02:00:00.000Z 2000.0 0.05",
            "ETHUSDT take_profit 2025-03-11T03:00:00.000Z 2050.0 0.05",
            "BTCUSDT base 2025-03-11T03:00:00.000Z 50000.0 0.002",
            "BTCUSDT take_profit 2025-03-11T03:00:00.000Z 51000.0 0.002",
        ])
        #expect(close(result.metrics.realizedPnL, 6.5))
        #expect(close(result.quoteFree + result.quoteLocked, 1006.5))
        #expect(result.baseFree + result.baseLocked == 0)
        #expect(result.metrics.totalTrades == 6 && result.metrics.dealsClosed == 3)
        #expect(result.deals.allSatisfy { $0.closeReason == .takeProfit })
        #expect(result.metrics.candles == 10 && result.candles.count == 5)
        let expectedEquity = [1000.25, 1002, 1003.5, 1006.5, 1006.5]
        #expect(result.equity.count == 5)
        for (a, e) in zip(result.equity, expectedEquity) { #expect(close(a, e)) }
        #expect(result.metrics.maxDrawdown == 0)
        #expect(close(result.metrics.buyAndHoldReturn, 0.026))
        // Per symbol: ETHUSDT two deals (+2, +2.5), BTCUSDT one (+2).
        let perSymbol = result.symbolOutcomes
        #expect(perSymbol.map(\.symbol) == symbols)
        #expect(perSymbol.map(\.dealsClosed) == [2, 1])
        #expect(close(perSymbol[0].realizedPnL, 4.5) && close(perSymbol[1].realizedPnL, 2))
        #expect(perSymbol.map(\.winRate) == [1, 1])
        #expect(close(perSymbol[0].maxCapitalInUse, 100) && close(perSymbol[1].maxCapitalInUse, 100))
        // Deals numbered over the run, in start order.
        #expect(result.deals.map(\.number) == [1, 2, 3] && result.deals.map(\.symbol) == [0, 0, 1])
    }

    // MARK: 38 signals

    static let case38Bot = """
        {"name": "deals on signals", "symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 1000,
         "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.05, "fee_rate": 0, "max_deals": null}
        """
    static let case38Candles = """
        timestamp,open,high,low,close,volume
        2025-03-15T00:00:00Z,100,100.5,99.5,100,10
        2025-03-15T01:00:00Z,100,100.5,99.5,100,10
        2025-03-15T02:00:00Z,100,101,99.5,100.5,10
        2025-03-15T03:00:00Z,100.5,102,100,101.5,10
        2025-03-15T04:00:00Z,102,102.5,101,101.5,10
        2025-03-15T05:00:00Z,101.5,102,101,101.5,10
        2025-03-15T06:00:00Z,101.5,101.8,100.5,101,10
        2025-03-15T07:00:00Z,100,101,99.5,100.5,10
        2025-03-15T08:00:00Z,100.5,101,100,100.8,10
        """
    static let case38Signals = """
        time,symbol,action
        2025-03-15T01:30:00Z,TESTUSDT,start
        2025-03-15T03:00:00Z,TESTUSDT,start
        2025-03-15 04:00,TESTUSDT,close
        2025-03-15T06:15:00Z,TESTUSDT,start
        2025-03-15T20:00:00Z,TESTUSDT,start
        """

    @Test func case38DealsStartAndCloseOnSignalsAndTheRestAreDroppedNeverQueued() throws {
        let signals = try SignalFile.parse(bytes: Array(Self.case38Signals.utf8), file: "signals.csv", symbols: ["TESTUSDT"])
        let result = Backtester.run(
            configuration: try Fixture.configuration(Self.case38Bot), symbolCandles: [try Fixture.candles(Self.case38Candles)], signals: signals
        )
        let fills = result.filledOrders
        let got = fills.map { "\($0.role.rawValue) \($0.side.rawValue) \(result.barTime($0.filledBar)!) \($0.averagePrice!) \($0.filledQuantity)" }
        #expect(got == [
            "base buy 2025-03-15T02:00:00.000Z 100.0 1.0",
            "signal sell 2025-03-15T04:00:00.000Z 102.0 1.0",
            "base buy 2025-03-15T07:00:00.000Z 100.0 1.0",
        ])
        #expect(result.signals == SignalTally(read: 5, used: 3, dropped: [.init(reason: "deal_already_open", count: 1), .init(reason: "no_later_bar", count: 1)]))
        #expect(close(result.metrics.realizedPnL, 2))
        #expect(result.deals.count == 2 && result.deals[0].closeReason == .signal && result.deals[1].closedBar == nil)
        #expect(close(result.quoteFree + result.quoteLocked, 902))
        #expect(result.baseFree + result.baseLocked == 1.0)
        #expect(close(result.metrics.finalEquity, 1002.8))
        #expect(result.metrics.totalTrades == 3 && result.metrics.dealsClosed == 1)
    }

    @Test func aStartSignalThatFindsNoFreeSlotIsDroppedAndCounted() throws {
        // Both symbols signal at 00:00 (BBBUSDT first in the file); one slot: AAAUSDT, first in the
        // symbol order, starts; BBBUSDT's signal is dropped for want of a slot, not queued (its bar at
        // 01:00 starts nothing though AAAUSDT's deal is still open... and no later signal exists).
        let bot = """
            {"name": "n", "symbols": ["AAAUSDT", "BBBUSDT"], "initial_balance": 1000, "max_active_deals": 1, "base_order_size": 100,
             "max_safety_orders": 0, "take_profit": 0.5, "fee_rate": 0, "max_deals": null}
            """
        let candles = """
            timestamp,open,high,low,close,volume
            2025-03-15T00:00:00Z,100,100,100,100,1
            2025-03-15T01:00:00Z,100,100,100,100,1
            """
        let signals = try SignalFile.parse(bytes: Array("time,symbol\n2025-03-15T00:00:00Z,BBBUSDT\n2025-03-15T00:00:00Z,AAAUSDT\n".utf8), file: "s.csv", symbols: ["AAAUSDT", "BBBUSDT"])
        let result = Backtester.run(configuration: try Fixture.configuration(bot), symbolCandles: [try Fixture.candles(candles), try Fixture.candles(candles)], signals: signals)
        #expect(result.deals.map(\.symbol) == [0])
        #expect(result.signals == SignalTally(read: 2, used: 1, dropped: [.init(reason: "no_free_slot", count: 1)]))
    }

    // MARK: Shared balance, missing bars, equity

    @Test func aDealOnOnePairCanMakeAnotherPairsSafetyOrderBeRejected() throws {
        // Balance 300, base 100, one safety order of 100 at 1 % below. At 00:00 AAAUSDT opens first:
        // base 100 (free 200), its safety order at 99 locks 100 (free 100). BBBUSDT's base takes the
        // last 100 (free 0): its safety order at 99 needs 100 and 0 is free: rejected, logged with both.
        let bot = """
            {"name": "n", "symbols": ["AAAUSDT", "BBBUSDT"], "initial_balance": 300, "max_active_deals": 2, "base_order_size": 100,
             "safety_order_size": 100, "max_safety_orders": 1, "price_deviation": 0.01, "take_profit": 0.5, "fee_rate": 0}
            """
        let candles = "timestamp,open,high,low,close,volume\n2025-03-15T00:00:00Z,100,100,100,100,1\n"
        let result = Backtester.run(configuration: try Fixture.configuration(bot), symbolCandles: [try Fixture.candles(candles), try Fixture.candles(candles)])
        let safeties = result.orders.filter { $0.role == .safety }
        #expect(safeties.map(\.symbol) == [0, 1])
        #expect(safeties[0].status == .new && close(safeties[0].price, 99))
        #expect(safeties[1].status == .rejected && safeties[1].reason == "insufficient funds")
        #expect(close(safeties[1].needed, 100, 1e-9) && close(safeties[1].available, 0, 1e-9))
        // Alone, BBBUSDT's safety order rests.
        let alone = Backtester.run(configuration: try Fixture.configuration(bot.replacingOccurrences(of: #"["AAAUSDT", "BBBUSDT"]"#, with: #"["BBBUSDT"]"#).replacingOccurrences(of: #""max_active_deals": 2"#, with: #""max_active_deals": 1"#)), symbolCandles: [try Fixture.candles(candles)])
        #expect(alone.orders.filter { $0.role == .safety }.map(\.status) == [.new])
    }

    @Test func aSymbolMissingABarIsSkippedAndEquityUsesEachSymbolsLastClose() throws {
        // AAAUSDT has bars at 00, 01, 02 (closes 100, 110, 120); BBBUSDT at 00 and 02 only (closes
        // 50, 60). Both start at 00: AAAUSDT 1.0 at 100, BBBUSDT 2.0 at 50 (free 800).
        // Equity: 00: 800 + 100 + 2 x 50 = 1000; 01: 800 + 110 + 2 x 50 (BBBUSDT's last close) = 1010;
        // 02: 800 + 120 + 2 x 60 = 1040.
        let bot = """
            {"name": "n", "symbols": ["AAAUSDT", "BBBUSDT"], "initial_balance": 1000, "max_active_deals": 2, "base_order_size": 100,
             "max_safety_orders": 0, "take_profit": 0.9, "fee_rate": 0}
            """
        let a = """
            timestamp,open,high,low,close,volume
            2025-03-15T00:00:00Z,100,100,100,100,1
            2025-03-15T01:00:00Z,100,110,100,110,1
            2025-03-15T02:00:00Z,110,120,110,120,1
            """
        let b = """
            timestamp,open,high,low,close,volume
            2025-03-15T00:00:00Z,50,50,50,50,1
            2025-03-15T02:00:00Z,50,60,50,60,1
            """
        let bSeries = try Fixture.candles(b, options: LoadOptions(interval: 3_600_000_000_000))
        let result = Backtester.run(configuration: try Fixture.configuration(bot), symbolCandles: [try Fixture.candles(a), bSeries])
        #expect(result.candles.count == 3 && result.metrics.candles == 5)
        let expected = [1000.0, 1010, 1040]
        #expect(result.equity.count == 3)
        for (x, e) in zip(result.equity, expected) { #expect(close(x, e)) }
        #expect(result.orders.filter { $0.role == .base }.map(\.createdBar) == [0, 0])
        #expect(result.metrics.intervalSeconds == 3600)
    }

    @Test func cooldownCountsEachSymbolsOwnBarsInTheLoop() throws {
        // Take profit 1 % reached inside every bar; cooldown 1 bar. AAAUSDT: deal at 00 (sold in its
        // bar), cooldown at 01, deal at 02. BBBUSDT, second, starts at 00 too (2 slots) and at 02.
        let bot = """
            {"name": "n", "symbols": ["AAAUSDT", "BBBUSDT"], "initial_balance": 1000, "max_active_deals": 2, "base_order_size": 100,
             "max_safety_orders": 0, "take_profit": 0.01, "fee_rate": 0, "cooldown_bars": 1}
            """
        let candles = """
            timestamp,open,high,low,close,volume
            2025-03-15T00:00:00Z,100,102,100,100,1
            2025-03-15T01:00:00Z,100,102,100,100,1
            2025-03-15T02:00:00Z,100,102,100,100,1
            """
        let result = Backtester.run(configuration: try Fixture.configuration(bot), symbolCandles: [try Fixture.candles(candles), try Fixture.candles(candles)])
        #expect(result.deals.map { "\($0.symbol)@\($0.openedBar)" } == ["0@0", "1@0", "0@2", "1@2"])
    }

    @Test func compoundSizesByTheWholePortfolioAndCapitalInUseAddsTheOpenDeals() throws {
        // Balance 1000, base 100, compound. 00:00: AAAUSDT (BBBUSDT has no bar yet) buys 100 / 100 =
        // 1.0 (free 900); it closes at 140 (take profit 150 not reached). 01:00: AAAUSDT opens at 130;
        // BBBUSDT's base order is sized by the equity at its open, 900 + 1.0 x 130 (AAAUSDT's open,
        // the latest price) = 1030: scale 1.03, 103 / 50 = 2.06. Two deals open at once: 100 + 103.
        let bot = """
            {"name": "n", "symbols": ["AAAUSDT", "BBBUSDT"], "initial_balance": 1000, "max_active_deals": 2, "base_order_size": 100,
             "max_safety_orders": 0, "take_profit": 0.5, "fee_rate": 0, "compound": true}
            """
        let a = """
            timestamp,open,high,low,close,volume
            2025-03-15T00:00:00Z,100,140,100,140,1
            2025-03-15T01:00:00Z,130,130,130,130,1
            """
        let b = "timestamp,open,high,low,close,volume\n2025-03-15T01:00:00Z,50,50,50,50,1\n"
        let bSeries = try Fixture.candles(b, options: LoadOptions(interval: 3_600_000_000_000))
        let result = Backtester.run(configuration: try Fixture.configuration(bot), symbolCandles: [try Fixture.candles(a), bSeries])
        let bases = result.orders.filter { $0.role == .base && $0.status == .filled }
        #expect(bases.map(\.symbol) == [0, 1])
        #expect(close(bases[0].filledQuantity, 1.0) && close(bases[1].filledQuantity, 2.06))
        #expect(close(result.metrics.maxCapitalInUse, 203))
        #expect(result.symbolOutcomes.map(\.maxCapitalInUse).map { ($0 * 1e9).rounded() / 1e9 } == [100, 103])
    }
}
