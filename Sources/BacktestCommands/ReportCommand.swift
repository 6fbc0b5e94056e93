import ArgumentParser
import Backtesting
import DCAStrategy
import Foundation
import MarketData
import Persistence
import Reports

/// `dca-backtest report RUN_ID`: the full report of a stored run, whether it was stored by
/// `run` or as a sweep point, with or without its orders.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the full report (report.html, summary.md, equity.csv) of any stored run, a sweep's best point say.",
        discussion: """
            The database keeps a run's configuration, metrics and (unless it was stored with --orders none) its \
            orders and deals, but not its equity curve, bar by bar. So the run is replayed from its stored \
            configuration over the candles it used, given with --data (and --detail for fill_model "detail"): the \
            backtest is deterministic, and the candles are checked against the run's data fingerprint first. Other \
            candles are refused, naming both fingerprints; nothing is written then. The stored rows are never \
            changed.

            Example (the best point of a sweep):
              dca-backtest runs list --sweep SWEEP_ID --sort sharpe_ratio --limit 1
              dca-backtest report 3f2a --data datasets/BTCUSDT-1m-2020-01-01.zip \\
                                              datasets/BTCUSDT-1m-2020-01-02.zip
            """
    )

    @Argument(help: ArgumentHelp("The run id, or the first characters of one (see dca-backtest runs list --all).", valueName: "RUN_ID"))
    var runID: String

    @OptionGroup var database: ReadDatabaseOption

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: ArgumentHelp("The candle files the run used (the same files and data options as when it ran).", valueName: "FILE"))
    var dataPaths: [String] = []

    @Option(name: .customLong("report-dir"), help: ArgumentHelp("Where the run's report folder (RUN_ID/) is created.", valueName: "DIR"))
    var reportDirectory = "reports"

    @Option(name: .customLong("equity"), help: ArgumentHelp("Rows of the report's equity.csv: at most 100,000 (sampled) or one per bar (full)."))
    var equity = EquityDetail.sampled

    @Flag(help: "Print the run's summary as one JSON object.")
    var json = false

    @OptionGroup var data: DataOptions

    @OptionGroup var detail: DetailOptions

    /// Why a multi-pair run is refused: its replay would need each symbol's candles (and signals),
    /// which this version's `report` does not read.
    static func multiPairRefusal(runID: String, symbols: [String]) -> String {
        "Run \(runID) trades several symbols (\(symbols.joined(separator: ", "))): dca-backtest report replays one-pair runs only in this version; its stored summary is in dca-backtest runs show \(runID.prefix(8)), and dca-backtest run with the same --data SYMBOL=FILE files writes its full report. Nothing was written."
    }

    func run() throws {
        guard !runID.isEmpty else { throw ValidationError("Give a run id, or the first characters of one (see dca-backtest runs list --all).") }
        let store = try database.open()
        let found = try ShowRun.find(runID, in: store)
        let runID = found.run["run_id"].text ?? runID
        guard let stored = try store.configuration(ofRun: runID) else {
            throw CommandFailure("Run \(runID) has no stored configuration in \(store.location): it cannot be replayed for its report.")
        }
        let ordersStored = try store.contains(runID: runID, detail: .all)
        guard !dataPaths.isEmpty else {
            throw CommandFailure("Run \(runID)'s report charts its equity bar by bar, which the database does not keep\(ordersStored ? "" : " (nor, for this run, its orders: it was stored with --orders none)"): give the candles it ran on with --data FILE ... (data fingerprint \(stored.dataFingerprint.prefix(16))...), and it is replayed from its stored configuration.")
        }
        // A multi-pair run is refused before its configuration is decoded: it lists its symbols.
        if let object = try? JSONSerialization.jsonObject(with: Data(stored.config.utf8)) as? [String: Any],
           let symbols = object["symbols"] as? [String], symbols.count > 1 {
            throw CommandFailure(Self.multiPairRefusal(runID: runID, symbols: symbols))
        }
        let configuration: BotConfiguration
        do { configuration = try BotConfiguration.decode(json: Data(stored.config.utf8)) } catch {
            throw CommandFailure("Run \(runID): its stored configuration does not decode in this version: \(error.description)")
        }
        guard configuration.tradedSymbols.count == 1 else {
            throw CommandFailure(Self.multiPairRefusal(runID: runID, symbols: configuration.tradedSymbols))
        }
        let loaded = try CandleLoader.load(paths: dataPaths, options: data.loadOptions, useCache: data.cache)
        guard !loaded.series.isEmpty else { throw CommandFailure("The data files hold no candles: \(dataPaths.joined(separator: ", ")).") }
        let barsFingerprint = loaded.series.fingerprint
        let detailPath = try detail.load(for: [configuration], bars: loaded.series, barsFingerprint: barsFingerprint, data: data)
        let identity = RunIdentity(configuration: configuration, dataFingerprint: detailPath?.fingerprint ?? barsFingerprint)
        guard identity.dataFingerprint == stored.dataFingerprint else {
            throw CommandFailure("The --data candles are not the ones run \(runID) used: their data fingerprint is \(identity.dataFingerprint.prefix(16))..., the run's \(stored.dataFingerprint.prefix(16))... (\(loaded.series.count) candles from \(UTCTime.iso8601(nanoseconds: loaded.series.openTimes[0])) given). Give the same files with the same data options (a walk-forward window's run used only its window's candles). Nothing was written.")
        }
        guard identity.runID == runID else {
            throw CommandFailure("Run \(runID) was made by another engine version (its id differs from this version's \(identity.runID) for the same configuration and candles): this version's report would not be that run's. Run it again with dca-backtest run to compare.")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = Backtester.run(configuration: configuration, candles: loaded.series, detail: detailPath?.path)
        let seconds = (clock.now - start) / .seconds(1)
        // With its orders stored, the replay must place the very same orders.
        if ordersStored, found.orders.count != result.orders.count {
            throw CommandFailure("Run \(runID) replayed with \(result.orders.count) orders, but \(found.orders.count) are stored: the database and this version disagree, so no report was written.")
        }
        let folder = reportDirectory + "/" + runID
        let summary = RunSummary(
            runID: runID, botID: identity.botID, dataFingerprint: identity.dataFingerprint, result: result,
            databasePath: store.location, reportFolder: folder, dataNotes: loaded.notes + (detailPath?.notes ?? [])
        )
        do {
            try ReportWriter.write(summary, to: folder, equity: equity)
        } catch {
            throw CommandFailure("The report of run \(runID) could not be written to \(folder): \(error)")
        }
        if json {
            print(summary.json.text(pretty: true))
        } else {
            print(summary.text)
            print("Replayed from its stored configuration in \(Format.fixed(seconds, decimals: 3)) s (\(ordersStored ? "its \(found.orders.count) stored orders matched" : "its orders were not stored")); the database was not changed.")
        }
    }
}
