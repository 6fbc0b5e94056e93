import Foundation
import Testing

@testable import BacktestCommands

/// Data file names that suggest another symbol than the bot's are warned about, not refused.
@Suite struct SymbolCheckTests {
    @Test(arguments: [
        ("ETHUSDT-1h-2021-10.csv", "ETHUSDT"),
        ("Binance_BTCUSDT_1h.csv", "BTCUSDT"),
        ("BTC_USDT_1h.csv", "BTCUSDT"),
        ("FILUSDT-1m-2023-02_to_2026-06-21months.csv.gz", "FILUSDT"),
        ("ADABTC-1m-2021-11-27.csv", "ADABTC"),
        ("candles.csv", nil),
        ("yahoofinance-SPY-20080101-20180101.csv", nil),
    ] as [(String, String?)])
    func fileNameSuggestsItsSymbol(name: String, symbol: String?) {
        #expect(SymbolCheck.suggestedSymbol(fileName: name) == symbol)
    }

    @Test func onlyAnotherSymbolIsWarnedAbout() {
        #expect(SymbolCheck.warnings(paths: ["data/BTCUSDT-1m-2020-01-01.zip", "data/btc_usdt_1h.csv", "data/candles.csv"], symbol: "BTCUSDT").isEmpty)
        // Kraken calls bitcoin XBT.
        #expect(SymbolCheck.warnings(paths: ["kraken/XBTUSD_60.csv"], symbol: "BTCUSD").isEmpty)
        #expect(SymbolCheck.warnings(paths: ["data/ETHUSDT-1h-2021-10.csv"], symbol: "BTCUSDT")
            == [#"Warning: ETHUSDT-1h-2021-10.csv looks like ETHUSDT data, but the bot trades BTCUSDT. Check the file or the configuration's "symbol"."#])
        // A name holding the bot's symbol with more letters is another market.
        #expect(SymbolCheck.warnings(paths: ["data/BTCUSDT-1m-2020-01-01.zip"], symbol: "BTCUSD").count == 1)
    }

    @Test func runWarnsButStillRunsWhenTheFileNameNamesAnotherSymbol() throws {
        let folder = Project.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let renamed = folder.appendingPathComponent("ETHUSDT-1m-2020-01-01.zip").path
        try FileManager.default.copyItem(atPath: "datasets/BTCUSDT-1m-2020-01-01.zip", toPath: renamed)
        let result = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data", renamed, "--db", folder.appendingPathComponent("runs.sqlite").path, "--report-dir", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Warning: ETHUSDT-1m-2020-01-01.zip looks like ETHUSDT data, but the bot trades BTCUSDT."), "\(result.stderr)")
    }
}
