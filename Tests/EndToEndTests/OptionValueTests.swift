import ArgumentParser
import Testing

@testable import BacktestCommands
import MarketData
import Persistence

/// Options that take a fixed set of values are closed types: `--help` lists the values and any
/// other value is refused by the parser, naming the allowed ones.
@Suite struct OptionValueTests {
    @Test func timestampUnitTakesTheFourEpochUnits() {
        #expect(EpochUnitOption.allValueStrings == ["s", "ms", "us", "ns"])
        #expect(EpochUnitOption(argument: "ms")?.unit == .milliseconds)
        #expect(EpochUnitOption(argument: "ns")?.unit == .nanoseconds)
        #expect(EpochUnitOption(argument: "h") == nil)
        #expect(EpochUnitOption(argument: "MS") == nil)
    }

    @Test func anUnknownTimestampUnitIsRefusedNamingTheAllowedValues() {
        #expect {
            _ = try DCABacktestCommand.parseAsRoot(["run", "--config", "bot.json", "--data", "candles.csv", "--timestamp-unit", "h"])
        } throws: { error in
            let message = DCABacktestCommand.message(for: error)
            return message.contains("'h'") && message.contains("'s', 'ms', 'us' or 'ns'")
        }
    }

    @Test func runOrdersTakesAllOrNone() {
        #expect(OrderDetail.allValueStrings == ["all", "none"])
        #expect(OrderDetail(argument: "none") == OrderDetail.none)
        #expect(OrderDetail(argument: "top:3") == nil)
    }

    @Test func sweepOrdersTakesAllNoneOrTopN() {
        #expect(SweepOrders(argument: "all") == SweepOrders.all)
        #expect(SweepOrders(argument: "none") == SweepOrders.none)
        #expect(SweepOrders(argument: "top:3") == SweepOrders.top(3))
        #expect(SweepOrders(argument: "top:") == nil)
        #expect(SweepOrders(argument: "best") == nil)
        #expect(SweepOrders.allValueStrings == ["all", "none", "top:N"])
    }

    @Test func dataFetchTakesBinanceAndItsThreeMarkets() {
        #expect(ArchiveSource.allValueStrings == ["binance"])
        #expect(BinanceMarket.allValueStrings == ["spot", "um", "cm"])
        #expect(ArchiveSource(argument: "kraken") == nil)
        #expect(BinanceMarket(argument: "futures") == nil)
    }

    @Test func runsListSortTakesOnlyListedColumns() {
        #expect(RunSortKey(argument: "executed_at")?.key == "executed_at")
        #expect(RunSortKey(argument: "no_such_column") == nil)
        #expect(RunSortKey.allValueStrings.contains("executed_at"))
    }
}
