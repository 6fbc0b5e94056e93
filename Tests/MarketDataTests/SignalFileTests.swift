import Foundation
import Testing

@testable import MarketData

/// `--signals FILE`: columns by name, times in candle-file formats, refusals naming the line.
@Suite struct SignalFileTests {
    static func parse(_ text: String, symbols: [String] = ["TESTUSDT"]) throws(SignalFileError) -> [Signal] {
        try SignalFile.parse(bytes: Array(text.utf8), file: "signals.csv", symbols: symbols)
    }

    static func time(_ iso: String) -> Int64 { UTCTime.parse(iso)! }

    @Test func case38SignalsReadInTimeOrderWithTheirActions() throws {
        let signals = try Self.parse("""
            time,symbol,action
            2025-03-15T01:30:00Z,TESTUSDT,start
            2025-03-15T03:00:00Z,TESTUSDT,start
            2025-03-15 04:00,TESTUSDT,close
            2025-03-15T06:15:00Z,TESTUSDT,start
            2025-03-15T20:00:00Z,TESTUSDT,start
            """)
        #expect(signals.map(\.action) == [.start, .start, .close, .start, .start])
        #expect(signals.map(\.line) == [2, 3, 4, 5, 6])
        #expect(signals[0].time == Self.time("2025-03-15T01:30:00Z"))
        #expect(signals[2].time == Self.time("2025-03-15T04:00:00Z"))
        #expect(signals.allSatisfy { $0.symbolIndex == 0 })
    }

    @Test func withoutAnActionColumnEverySignalStarts() throws {
        let signals = try Self.parse("symbol,time\r\nETHUSDT,1741998600\r\n\r\nBTCUSDT,1741998600000\r\n", symbols: ["BTCUSDT", "ETHUSDT"])
        // Epoch seconds and milliseconds of the same instant; equal times keep file order.
        #expect(signals.map(\.symbolIndex) == [1, 0])
        #expect(signals.map(\.time) == [1_741_998_600_000_000_000, 1_741_998_600_000_000_000])
        #expect(signals.allSatisfy { $0.action == .start })
    }

    @Test func rowsAreSortedByTimeAndTradingViewSymbolsMatch() throws {
        let signals = try Self.parse("""
            \u{FEFF}time,symbol,action,comment
            2025-03-15T05:00:00+02:00,BINANCE:ETHUSDT,close,"a, quoted note"
            2025-03-15T02:00:00Z,btc/usdt,START,
            """, symbols: ["BTCUSDT", "ETHUSDT"])
        #expect(signals.map(\.line) == [3, 2])
        #expect(signals[1].time == Self.time("2025-03-15T03:00:00Z") && signals[1].symbolIndex == 1 && signals[1].action == .close)
    }

    @Test func everyBadRowIsRefusedNamingItsLine() {
        #expect {
            try Self.parse("""
                time,symbol,action
                2025-03-15T01:30:00Z,XRPUSDT,start
                yesterday,TESTUSDT,start
                2025-03-15T03:00:00Z,TESTUSDT,buy
                2025-03-15T04:00:00Z
                """)
        } throws: { error in
            let text = "\(error)"
            return text.contains("signals.csv:2, column symbol: symbol `XRPUSDT` is not one the bot trades (TESTUSDT)")
                && text.contains("signals.csv:3, column time: `yesterday` is not a time")
                && text.contains("signals.csv:4, column action: action `buy` must be `start` or `close`")
                && text.contains("signals.csv:5: has 1 field(s); the header names 3")
        }
    }

    @Test func aFileWithoutTimeOrSymbolColumnsIsRefused() {
        #expect {
            try Self.parse("when,what\n2025-03-15,start\n")
        } throws: { error in
            "\(error)".contains("signals.csv:1: the header `when,what` has no `time` and `symbol` column")
        }
    }
}

/// Which `--data` files belong to which symbol.
@Suite struct SymbolDataAssignmentTests {
    @Test func explicitSymbolsAndNamesThatContainOneSymbolAreAssigned() throws {
        let files = try SymbolDataAssignment.assign(
            arguments: ["ETHUSDT=/data/eth.csv", "/data/BTCUSDT-1h-2021-10.csv", "/data/Binance_BTCUSDT_1h-2021-11.csv", "btcusdt=b.csv"],
            symbols: ["ETHUSDT", "BTCUSDT"]
        )
        #expect(files == [["/data/eth.csv"], ["/data/BTCUSDT-1h-2021-10.csv", "/data/Binance_BTCUSDT_1h-2021-11.csv", "b.csv"]])
    }

    @Test func aOneSymbolBotTakesEveryPlainFile() throws {
        #expect(try SymbolDataAssignment.assign(arguments: ["candles.csv", "more.csv"], symbols: ["TESTUSDT"]) == [["candles.csv", "more.csv"]])
    }

    @Test func filesNamingNoneOrSeveralSymbolsAndSymbolsWithoutDataAreAllRefused() {
        #expect {
            try SymbolDataAssignment.assign(
                arguments: ["candles.csv", "BTCUSDT-vs-ETHUSDT.csv", "XRPUSDT=x.csv", "XBTCUSDT-1h.csv", "/x=y/BTCUSDT.csv", "/x=y/BTCUSDT.csv"],
                symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
            )
        } throws: { error in
            guard let error = error as? SymbolDataAssignmentError else { return false }
            return error.problems == [
                "candles.csv: its name contains none of the bot's symbols (BTCUSDT, ETHUSDT, SOLUSDT); write `--data SYMBOL=candles.csv`",
                "BTCUSDT-vs-ETHUSDT.csv: its name contains several of the bot's symbols (BTCUSDT, ETHUSDT); write `--data SYMBOL=BTCUSDT-vs-ETHUSDT.csv`",
                "`--data XRPUSDT=x.csv` names XRPUSDT, which is not one of the bot's symbols (BTCUSDT, ETHUSDT, SOLUSDT)",
                "XBTCUSDT-1h.csv: its name contains none of the bot's symbols (BTCUSDT, ETHUSDT, SOLUSDT); write `--data SYMBOL=XBTCUSDT-1h.csv`",
                "/x=y/BTCUSDT.csv is given twice",
                "ETHUSDT has no candle file",
                "SOLUSDT has no candle file",
            ]
        }
    }
}
