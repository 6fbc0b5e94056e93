import ArgumentParser
import Backtesting
import DCAStrategy
import Foundation
import Logging
import MarketData
import Persistence
import Reports

/// `dca-backtest run`: one backtest, stored and reported.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Backtest one bot configuration on candle files; store the run (SQLite or PostgreSQL) and write a report.",
        discussion: """
            The configuration is validated before any data is read; the data is validated before anything runs; \
            the run's rows are written in one transaction. Running the same backtest again replaces its rows \
            (ids are derived from the configuration, the candles, the signals, the finer candles of fill_model \
            "detail" and the engine version). A multi-pair bot with fill_model "detail" takes each symbol's finer \
            candles with --detail SYMBOL=FILE (or files named after one symbol).

            Example:
              dca-backtest run --config datasets/btc-1m-ladder.json \\
                --data datasets/BTCUSDT-1m-2020-01-01.zip \\
                       datasets/BTCUSDT-1m-2020-01-02.zip
            """
    )

    @Option(name: .customLong("config"), help: ArgumentHelp("The bot configuration (JSON).", valueName: "BOT.json"))
    var configPath: String

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: ArgumentHelp("Candle files: .csv, .txt, .csv.gz or Binance .zip; several files of one symbol are joined in time order (`--data A B` or `--data A --data B`). A multi-pair bot's files are SYMBOL=FILE, or files whose names each contain one of its symbols.", valueName: "[SYMBOL=]FILE"))
    var dataPaths: [String]

    @Option(name: .customLong("signals"), help: ArgumentHelp("A CSV of signals `time,symbol,action` (action start or close): with start signals, deals start only on them; a close signal sells the symbol's deal at the next open.", valueName: "FILE"))
    var signalsPath: String?

    @Option(name: .customLong("db"), help: ArgumentHelp("Where to store the run: an SQLite file, or a PostgreSQL URL postgresql://USER@HOST:PORT/DB[?sslmode=MODE] (password from PGPASSWORD or ~/.pgpass).", valueName: "PATH|URL"))
    var databasePath = "reports/backtests.sqlite"

    @Option(name: .customLong("user-id"), help: ArgumentHelp("Fill user_id of every stored row with this UUID (the platform's user); NULL otherwise.", valueName: "UUID"))
    var userID: String?

    @Option(name: .customLong("report-dir"), help: ArgumentHelp("Where the run's report folder is created.", valueName: "DIR"))
    var reportDirectory = "reports"

    @Option(name: .customLong("orders"), help: ArgumentHelp("Store the run's order_logs and deals rows (all) or only its run row, final position and balances (none)."))
    var orders = OrderDetail.all

    @Option(name: .customLong("equity"), help: ArgumentHelp("Rows of the report's equity.csv: at most 100,000 (sampled: every N-th bar and the last) or one per bar (full)."))
    var equity = EquityDetail.sampled

    @Flag(name: .customLong("skip-existing"), help: "Do not run the backtest when this exact run is already stored (a stored run is never replaced either way: running it again writes its report and adds what it lacked); with --orders all, a run stored with --orders none is run again.")
    var skipExisting = false

    @Flag(help: "Print one JSON object instead of the human summary.")
    var json = false

    @OptionGroup var data: DataOptions

    @OptionGroup var detail: DetailOptions

    func validate() throws {
        if dataPaths.isEmpty { throw ValidationError("Give at least one --data FILE with candles.") }
    }

    func run() throws {
        let logger = Logger(label: "dca-backtest.run")
        let configuration = try Self.loadConfiguration(path: configPath)
        logger.debug("configuration valid", metadata: ["bot": "\(configuration.name)"])
        if configuration.tradedSymbols.count == 1 { SymbolCheck.warn(paths: dataPaths + detail.paths, symbol: configuration.symbol) }
        let symbolData = try SymbolData.load(arguments: dataPaths, signalsPath: signalsPath, symbols: configuration.tradedSymbols, configurations: [configuration], data: data)
        // Each symbol's finer candles under its own bars (fill_model detail).
        let detailCandles = try detail.load(for: [configuration], symbols: configuration.tradedSymbols, series: symbolData.series, data: data)
        let identity = RunIdentity(
            configuration: configuration,
            dataFingerprint: detailCandles?.fingerprint(barsFingerprint: symbolData.fingerprint, symbols: configuration.tradedSymbols) ?? symbolData.fingerprint
        )
        let store = try RunDatabases.open(databasePath, userID: userID)
        if skipExisting, try store.contains(runID: identity.runID, detail: orders) {
            if json {
                print(JSONValue.object([("run_id", .string(identity.runID)), ("bot_id", .string(identity.botID)), ("skipped", .bool(true))]).text())
            } else {
                print("Run \(identity.runID) is already stored in \(store.location); skipped (--skip-existing).")
            }
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = symbolData.needsPortfolio
            ? Backtester.run(configuration: configuration, symbolCandles: symbolData.series, signals: symbolData.signals, detail: detailCandles?.paths ?? [])
            : Backtester.run(configuration: configuration, candles: symbolData.series[0], detail: detailCandles?.paths[0])
        let elapsed = clock.now - start
        let seconds = elapsed / .seconds(1)
        try store.write(
            result, identity: identity, orders: orders, membership: .standalone,
            executedAt: Self.wallClockISO8601(), wallSeconds: seconds
        )
        let folder = reportDirectory + "/" + identity.runID
        let summary = RunSummary(
            runID: identity.runID, botID: identity.botID, dataFingerprint: identity.dataFingerprint, result: result,
            databasePath: store.location, reportFolder: folder, dataNotes: symbolData.notes + (detailCandles?.notes ?? [])
        )
        do {
            try ReportWriter.write(summary, to: folder, equity: equity)
        } catch {
            throw CommandFailure("The run was stored in \(store.location) but its report could not be written to \(folder): \(error)")
        }
        print(json ? summary.json.text(pretty: true) : summary.text)
    }

    /// Reads and validates a configuration file.
    static func loadConfiguration(path: String) throws -> BotConfiguration {
        let contents = try InputText.read(path, role: "configuration file", option: "--config (datasets/btc-1m-ladder.json and datasets/example-bot.json are examples)")
        do {
            return try BotConfiguration.decode(json: contents)
        } catch {
            throw CommandFailure("\(path): \(error.description)")
        }
    }

    /// Wall-clock time, for `executed_at` only.
    static func wallClockISO8601() -> String {
        let nanoseconds = Int64(Date().timeIntervalSince1970 * 1e9)
        return UTCTime.iso8601(nanoseconds: nanoseconds)
    }
}

/// A failure explained in one paragraph for the user.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
