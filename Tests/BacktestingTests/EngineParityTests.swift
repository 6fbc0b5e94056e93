import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// The restructured engine (deal states, balances, one close path) against the engine it
/// replaced: bit-identical orders, deals, equity, balances and metrics. Every run of the engine
/// tests goes through ``Parity/run(configuration:candles:detail:)``, so each of them is also a
/// case of this comparison; here the 200 seeded property runs and the shared cases' bots.
/// Delete with `LegacyDCAEngine`.
enum Parity {
    /// Runs both engines, expects them to agree bit for bit, and returns the new engine's result.
    static func run(configuration: BotConfiguration, candles: CandleSeries, detail: DetailPath? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) -> BacktestResult {
        let new = Backtester.run(configuration: configuration, candles: candles, detail: detail)
        if usesOnlyLegacyOptions(configuration) {
            let old = Backtester.runLegacy(configuration: configuration, candles: candles, detail: detail)
            expectIdentical(new, old, sourceLocation: sourceLocation)
        }
        return new
    }

    /// Whether the configuration uses only what the old engine knew (it cannot run the rest).
    static func usesOnlyLegacyOptions(_ configuration: BotConfiguration) -> Bool {
        // Engine v2's options, start conditions and multi-pair bots are new behaviour the old engine never had.
        !configuration.usesEngineV2Options && configuration.startConditions.isEmpty && configuration.tradedSymbols.count == 1
    }

    static func expectIdentical(_ new: BacktestResult, _ old: BacktestResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(new.orders == old.orders, "orders differ", sourceLocation: sourceLocation)
        #expect(new.deals == old.deals, "deals differ", sourceLocation: sourceLocation)
        #expect(new.equity.map(\.bitPattern) == old.equity.map(\.bitPattern), "equity differs", sourceLocation: sourceLocation)
        #expect(new.metrics == old.metrics, "metrics differ", sourceLocation: sourceLocation)
        #expect(new.quoteFree.bitPattern == old.quoteFree.bitPattern && new.quoteLocked.bitPattern == old.quoteLocked.bitPattern,
                "quote balances differ", sourceLocation: sourceLocation)
        #expect(new.baseFree.bitPattern == old.baseFree.bitPattern && new.baseLocked.bitPattern == old.baseLocked.bitPattern,
                "base balances differ", sourceLocation: sourceLocation)
    }
}

@Suite struct EngineParityTests {
    @Test(arguments: 0..<200)
    func restructuredEngineMatchesTheOldOneOnTheSeededPropertyRuns(seed: Int) throws {
        var random = EnginePropertyTests.Random(state: UInt64(seed) &+ 1000)
        let candles = EnginePropertyTests.series(&random, count: 600)
        let configuration = try EnginePropertyTests.configuration(&random)
        Parity.expectIdentical(
            Backtester.run(configuration: configuration, candles: candles),
            Backtester.runLegacy(configuration: configuration, candles: candles)
        )
    }

    /// Every bot of `../shared/cases` that the old engine can run, on its own candles.
    @Test func restructuredEngineMatchesTheOldOneOnTheSharedCases() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/cases").standardized
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else {
            print("skipped: ../shared/cases is absent (a clone without the shared cases)")
            return
        }
        var compared = 0
        for entry in entries.sorted() {
            let folder = root.appendingPathComponent(entry)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for bot in files.sorted() where bot.hasSuffix(".json") && bot.hasPrefix("bot") {
                let suffix = bot.dropFirst(3).dropLast(5)  // "bot-base.json" -> "-base"
                let csv = "candles\(suffix).csv"
                guard files.contains(csv),
                      let configuration = try? BotConfiguration.decode(json: Data(contentsOf: folder.appendingPathComponent(bot))),
                      Parity.usesOnlyLegacyOptions(configuration),
                      let candles = try? CandleLoader.load(bytes: Array(Data(contentsOf: folder.appendingPathComponent(csv))), file: csv, options: LoadOptions()).series
                else { continue }
                Parity.expectIdentical(
                    Backtester.run(configuration: configuration, candles: candles),
                    Backtester.runLegacy(configuration: configuration, candles: candles)
                )
                compared += 1
            }
        }
        #expect(compared >= 5)
    }
}
