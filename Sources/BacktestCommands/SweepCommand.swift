import ArgumentParser
import Backtesting
import DCAStrategy
import Dispatch
import Foundation
import MarketData
import Persistence
import Reports
import Sweeps

/// `dca-backtest sweep`: a parameter sweep over a grid, on every core, resumable and shardable.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Backtest every point of a parameter grid over the same candles, on every core; store each run; print a leaderboard.",
        discussion: """
            The grid maps configuration keys to lists of values; the points are the cartesian product with keys \
            sorted and values in the order given (the last key varies fastest), each applied to the base \
            configuration. Every point is validated before anything runs. Candles are loaded once and shared by \
            all workers; results are written in batches, each in its own transaction, so an interrupted sweep keeps \
            what it finished and --resume skips it. A point's stored run is the same, bit for bit, as a standalone \
            `dca-backtest run` of that point's configuration.

            A grid key maps to a list of values or to a range {"min": a, "max": b, "step": c} (a, a + c, ... up to b). \
            --search random --samples N --seed S runs N distinct points drawn from the product with a seeded \
            generator (the same seed, the same points). --walk-forward 90d/30d optimises --objective on each training \
            window and runs the best point on the window that follows (rolling by the test length); --split 0.7 does it \
            once. The leaderboard flags keys whose value is the first or last of three or more ([edge: KEY]). Every \
            sweep writes REPORT_DIR/sweep-ID/report.html (leaderboard, heatmaps, a line per key, the walk-forward \
            table); a walk-forward also writes walk-forward.json there. See docs/SWEEPS.md.

            --signals FILE is read once and used by every point as `run --signals` uses it (the signals take part in \
            each point's run id, as for `run`); not with --walk-forward or --split. With fill_model "detail", \
            --detail gives the finer candles: SYMBOL=FILE for each symbol of a multi-pair grid (or files named after \
            one symbol).

            Sharding: --shard I/N runs the points whose index modulo N is I - 1 (I from 1). Without --shard, \
            SLURM_ARRAY_TASK_ID (0-based) and SLURM_ARRAY_TASK_COUNT are used when set, or JOB_COMPLETION_INDEX \
            (Kubernetes Indexed Jobs, 0-based) with --shard-count N. Give each shard its own --db and combine them \
            with `dca-backtest merge`.

            Example:
              dca-backtest sweep --config datasets/btc-1m-ladder.json \\
                --grid datasets/example-grid.json --orders none \\
                --data datasets/BTCUSDT-1m-2020-01-01.zip \\
                       datasets/BTCUSDT-1m-2020-01-02.zip
              dca-backtest sweep --config BOT.json --grid GRID.json --data FILE ... \\
                --search random --samples 500 --seed 7 --walk-forward 90d/30d --objective total_pnl
            """
    )

    @Option(name: .customLong("config"), help: ArgumentHelp("The base bot configuration (JSON).", valueName: "BOT.json"))
    var configPath: String

    @Option(name: .customLong("grid"), help: ArgumentHelp("The grid: {\"key\": [values] or {\"min\": a, \"max\": b, \"step\": c}, ...}.", valueName: "GRID.json"))
    var gridPath: String

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: ArgumentHelp("Candle files of one symbol; with several symbols over the grid, SYMBOL=FILE or files whose names each contain one symbol.", valueName: "[SYMBOL=]FILE"))
    var dataPaths: [String]

    @Option(name: .customLong("signals"), help: ArgumentHelp("A CSV of signals `time,symbol,action` (action start or close), read once and used by every point as `run --signals` uses it; not with --walk-forward or --split.", valueName: "FILE"))
    var signalsPath: String?

    @Option(help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "N"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only shard I of N (I from 1).", valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("shard-count"), help: ArgumentHelp("The shard count to use with JOB_COMPLETION_INDEX.", valueName: "N"))
    var shardCount: Int?

    @Option(name: .customLong("db"), help: ArgumentHelp("Where to store the runs: an SQLite file, or a PostgreSQL URL postgresql://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass).", valueName: "PATH|URL"))
    var databasePath = "reports/backtests.sqlite"

    @Option(name: .customLong("user-id"), help: ArgumentHelp("Fill user_id of every stored row with this UUID; NULL otherwise.", valueName: "UUID"))
    var userID: String?

    @Option(name: .customLong("orders"), help: ArgumentHelp("Which points keep their order_logs and deals rows: all, none (only each run's row, final position and balances), or top:N, the best N by --objective (run again after the ranking, which is exact). With --shard, merge chooses the best N of the whole sweep.", valueName: "all|none|top:N"))
    var orders = SweepOrders.top(10)

    @Flag(help: "Finish an interrupted sweep. Points whose runs are already stored (by this sweep, another one or `run`) are always linked to the sweep instead of run again; with --orders all, a point stored with --orders none is run again for its orders.")
    var resume = false

    @Flag(name: .customLong("skip-invalid"), help: "Record invalid points and run the valid ones, instead of refusing the sweep.")
    var skipInvalid = false

    @Option(help: ArgumentHelp("Rank by this metric (larger is better, except max_drawdown)."))
    var objective = SweepObjective(metric: MetricDefinition.named("sharpe_ratio")!)

    @Option(help: "Leaderboard length (0: none).")
    var top = 10

    @Option(help: ArgumentHelp("Write every point's parameters and metrics to a .csv or .json file.", valueName: "FILE"))
    var export: String?

    @Option(name: .customLong("max-points"), help: ArgumentHelp("Run grids of up to N points (default \(ParameterGrid.defaultMaximumPoints)); a larger grid is refused with its count.", valueName: "N"))
    var maxPoints = ParameterGrid.defaultMaximumPoints

    @Option(help: ArgumentHelp("How points are chosen: grid (every point of the product) or random (--samples distinct points drawn with --seed)."))
    var search = SweepSearch.grid

    @Option(help: ArgumentHelp("With --search random: how many distinct points to draw (all of them when the grid has fewer).", valueName: "N"))
    var samples: Int?

    @Option(help: ArgumentHelp("With --search random: the seed of the draw (the same seed, grid and --samples give the same points on every machine).", valueName: "S"))
    var seed: UInt64 = 1

    @Option(name: .customLong("walk-forward"), help: ArgumentHelp("Rolling windows, e.g. 90d/30d (units m, h, d, w): optimise --objective on each training span, run the best point on the test span that follows, roll on by the test length. Prints and writes (walk-forward.json in the report folder) in-sample and out-of-sample figures per window and in total.", valueName: "TRAIN/TEST"))
    var walkForward: String?

    @Option(help: ArgumentHelp("One in-sample/out-of-sample split: optimise on the first FRACTION of the bars (0 < FRACTION < 1), run the best point on the rest.", valueName: "FRACTION"))
    var split: Double?

    @Option(name: .customLong("report-dir"), help: ArgumentHelp("Where the sweep's report folder (sweep-ID/report.html) is created.", valueName: "DIR"))
    var reportDirectory = "reports"

    @Option(help: ArgumentHelp("Progress on standard error: auto (a live line on a terminal, a line every few seconds when piped), always (lines every few seconds), never."))
    var progress = ProgressMode.auto

    @Option(name: .customLong("progress-interval"), help: .hidden)
    var progressInterval = 5.0

    @OptionGroup var data: DataOptions

    @OptionGroup var detailCandles: DetailOptions


    /// Threads that prepare the points (decode, identities): `--jobs`, or every core.
    var preparationWorkers: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if search == .random {
            guard let samples else { throw ValidationError("--search random draws --samples N points: give --samples (and --seed S to choose the draw).") }
            if samples < 1 { throw ValidationError("--samples must be at least 1 (got \(samples)).") }
        } else if samples != nil {
            throw ValidationError("--samples takes effect with --search random only: add --search random, or leave --samples out to run every grid point.")
        }
        if let walkForward, WalkForwardPlan.parseLengths(walkForward) == nil {
            throw ValidationError("--walk-forward takes TRAIN/TEST lengths with a unit m, h, d or w, e.g. 90d/30d (got '\(walkForward)').")
        }
        if let split, !(split > 0 && split < 1) { throw ValidationError("--split takes the in-sample fraction of the bars, above 0 and below 1, e.g. 0.7 (got \(split)).") }
        if walkForward != nil && split != nil { throw ValidationError("--walk-forward and --split are two ways to test out of sample: give one of them.") }
        if progressInterval <= 0 { throw ValidationError("--progress-interval must be above 0 seconds.") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if maxPoints < 1 { throw ValidationError("--max-points must be at least 1 (got \(maxPoints)).") }
        if top < 0 { throw ValidationError("--top must be 0 (no leaderboard) or more (got \(top)).") }
        if let shard, Self.parseShard(shard) == nil { throw ValidationError("--shard takes I/N with 1 <= I <= N, e.g. 2/3 (got '\(shard)').") }
        if let export, !export.lowercased().hasSuffix(".csv"), !export.lowercased().hasSuffix(".json") {
            throw ValidationError("--export writes CSV or JSON, chosen by the file's extension: give a path ending in .csv or .json (got '\(export)').")
        }
    }

    static func parseShard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else { return nil }
        return (i - 1, n)
    }

    /// The shard to run (0-based index, count), from --shard or the batch scheduler's variables.
    func resolvedShard() throws -> (index: Int, count: Int) {
        if let shard { return Self.parseShard(shard)! }
        let environment = ProcessInfo.processInfo.environment
        let slurmID = environment["SLURM_ARRAY_TASK_ID"], slurmCount = environment["SLURM_ARRAY_TASK_COUNT"]
        if (slurmID != nil) != (slurmCount != nil) || slurmID.map({ Int($0) == nil }) == true || slurmCount.map({ Int($0) == nil }) == true {
            throw CommandFailure("SLURM_ARRAY_TASK_ID is \(slurmID.map { "'\($0)'" } ?? "not set") and SLURM_ARRAY_TASK_COUNT \(slurmCount.map { "'\($0)'" } ?? "not set"): a Slurm array job sets both to numbers. Pass --shard I/N to choose the shard yourself (--shard 1/1 runs every point).")
        }
        if let id = slurmID.flatMap(Int.init), let count = slurmCount.flatMap(Int.init) {
            guard id >= 0, id < count else { throw CommandFailure("SLURM_ARRAY_TASK_ID \(id) is not within 0..<SLURM_ARRAY_TASK_COUNT \(count): submit the array as --array=0-\(count - 1).") }
            return (id, count)
        }
        if let count = shardCount {
            guard let index = environment["JOB_COMPLETION_INDEX"].flatMap(Int.init), index >= 0, index < count else {
                throw CommandFailure("--shard-count \(count) needs JOB_COMPLETION_INDEX set to 0..<\(count) (a Kubernetes Indexed Job sets it).")
            }
            return (index, count)
        }
        return (0, 1)
    }

    struct Point {
        var index: Int
        var values: [(key: String, value: JSONInput)]
        var configuration: BotConfiguration
        var identity: RunIdentity
    }

    /// Whether this sweep tests out of sample (`--walk-forward` or `--split`).
    var outOfSample: Bool { walkForward != nil || split != nil }

    /// Why `--walk-forward` or `--split` is refused for a grid trading several symbols: its windows
    /// would have to be cut from every symbol's candles, which this version does not do.
    static func outOfSampleMultiPairRefusal(option: String, symbols: [String]) -> String {
        "\(option) works with grids over one symbol only in this version (its windows are cut from one symbol's candles), and this grid's points trade \(symbols.joined(separator: ", ")): run the out-of-sample test per symbol, or sweep this grid without \(option)."
    }

    func run() throws {
        let baseData = try InputText.read(configPath, role: "configuration file", option: "--config")
        let gridData = try InputText.read(gridPath, role: "grid file", option: "--grid")
        let base: [String: JSONInput]
        do {
            guard case .object(let object) = try JSONInput.decode(baseData) else { throw CommandFailure("\(configPath): the configuration must be a JSON object.") }
            base = object
        } catch let failure as CommandFailure {
            throw failure
        } catch let duplicate as JSONDuplicateKey {
            throw CommandFailure("\(configPath): \(duplicate).")
        } catch {
            throw CommandFailure("\(configPath): the file is not valid JSON: \(JSONInput.locateSyntaxError(in: baseData) ?? JSONInput.explain(error)).")
        }
        let grid: ParameterGrid
        // A random search runs --samples points of a product that may be far larger than --max-points.
        do { grid = try ParameterGrid(json: gridData, maximumPoints: search == .random ? Int.max : maxPoints) } catch { throw CommandFailure("\(gridPath): \(error.description)") }
        if search == .random, let samples, samples > maxPoints {
            throw CommandFailure("--samples \(samples) is above the limit of \(maxPoints) points: pass --max-points \(samples) to run them all.")
        }
        let shard = try resolvedShard()
        if outOfSample && shard.count > 1 {
            throw CommandFailure("\(walkForward != nil ? "--walk-forward" : "--split") chooses each window's best point from all of its points, so it cannot run in shards: run it without --shard (and without a Slurm or Kubernetes array).")
        }
        // The points: every grid index, or the random draw's (ascending, distinct).
        let drawn: [Int]? = search == .random ? RandomSearch.pointIndices(pointCount: grid.count, samples: samples ?? 1, seed: seed) : nil
        let selectedCount = drawn?.count ?? grid.count

        // Validate every point before reading any data, streaming: points are generated one at a
        // time, and only the first invalid ones are kept for the message (all with --skip-invalid).
        // Each valid point's configuration is kept: decoding is most of a point's preparation.
        var validIndices: [Int] = []
        var validConfigurations: [BotConfiguration] = []
        var invalid: [(index: Int, text: String, reason: String)] = []
        var invalidCount = 0
        // Every symbol of the valid points, in order of first appearance (`symbols` may be a grid key).
        var allSymbols: [String] = []
        // Decoded on every core, 4,096 points at a time (about 28 us each), then taken in order.
        let shardPoints = selectedCount > shard.index ? (selectedCount - shard.index + shard.count - 1) / shard.count : 0
        for chunkStart in stride(from: 0, to: shardPoints, by: 4_096) {
            let indices = (chunkStart..<min(chunkStart + 4_096, shardPoints)).map { k in
                let position = shard.index + k * shard.count
                return drawn?[position] ?? position
            }
            let decoded = ParallelMap.map(indices, workers: preparationWorkers) { index in
                Swift.Result { () throws(ConfigurationError) in try BotConfiguration.decode(dictionary: grid.configurationObject(base: base, at: index)) }
            }
            for (index, outcome) in zip(indices, decoded) {
                switch outcome {
                case .success(let configuration):
                    for symbol in configuration.tradedSymbols where !allSymbols.contains(symbol) { allSymbols.append(symbol) }
                    validIndices.append(index)
                    validConfigurations.append(configuration)
                case .failure(let error):
                    invalidCount += 1
                    if skipInvalid || invalid.count < 20 { invalid.append((index, Self.describe(grid.values(at: index)), error.problems.joined(separator: "; "))) }
                }
            }
        }
        if invalidCount > 0 && !skipInvalid {
            let listed = invalid.prefix(20).map { "point \($0.index) (\($0.text)): \($0.reason)" }.joined(separator: "; ")
            throw CommandFailure("\(invalidCount) of \(selectedCount) \(drawn == nil ? "grid" : "drawn") points are invalid, so nothing was run: \(listed)\(invalidCount > 20 ? "; and \(invalidCount - 20) more" : ""). Fix the grid, or pass --skip-invalid to record them and run the valid points.")
        }
        // Every shard of a grid over `symbols` takes the whole sweep's symbols (its id and data).
        if shard.count > 1, let every = Self.symbolsOfEveryPoint(grid: grid, base: base, selected: selectedCount, drawn: drawn) { allSymbols = every }
        // The detail option needs to know whether any point uses fill_model detail, and which.
        let firstDetail = validConfigurations.first { $0.fillModel == .detail }
        let usesDetail = firstDetail != nil
        if outOfSample && usesDetail {
            throw CommandFailure("fill_model \"detail\" is not supported with \(walkForward != nil ? "--walk-forward" : "--split") in this version: its finer candles are not cut into windows. Use the bars' own fill model (pessimistic, say) for the out-of-sample test.")
        }
        if outOfSample && signalsPath != nil {
            throw CommandFailure("--signals is not supported with \(walkForward != nil ? "--walk-forward" : "--split") in this version: the signals are not cut into windows (a signal before a window would start a deal at its first bar). Sweep with --signals without \(walkForward != nil ? "--walk-forward" : "--split"), or test out of sample without signals.")
        }
        if outOfSample && allSymbols.count > 1 {
            throw CommandFailure(Self.outOfSampleMultiPairRefusal(option: walkForward != nil ? "--walk-forward" : "--split", symbols: allSymbols))
        }

        // Several symbols over the grid, or signals: each symbol's files (`--data SYMBOL=FILE` or
        // named files), one interval, the signals read once; each point runs on its own symbols'
        // candles (and finer candles) with its own symbols' signals.
        let symbolData: SymbolData?
        var finer: DetailCandles? = nil
        if allSymbols.count > 1 || signalsPath != nil {
            if allSymbols.count == 1, let symbol = validConfigurations.first?.symbol { SymbolCheck.warn(paths: dataPaths + detailCandles.paths, symbol: symbol) }
            let loaded = try SymbolData.load(arguments: dataPaths, signalsPath: signalsPath, symbols: allSymbols, configurations: [], data: data)
            // `run --signals` refuses a signal for a symbol its bot does not trade: so does every point.
            if !loaded.signals.isEmpty {
                var refused: [String] = []
                for (index, configuration) in zip(validIndices, validConfigurations) where SymbolData.signals(loaded.signals, of: allSymbols, for: configuration.tradedSymbols) == nil {
                    let foreign = loaded.signals.first { !configuration.tradedSymbols.contains(allSymbols[$0.symbolIndex]) }!
                    refused.append("point \(index) (\(Self.describe(grid.values(at: index)))) does not trade \(allSymbols[foreign.symbolIndex]), which line \(foreign.line) of \(signalsPath ?? "the signals file") names")
                    if refused.count == 20 { break }
                }
                if !refused.isEmpty {
                    throw CommandFailure("Cannot run: \(refused.joined(separator: "; ")); `run --signals` refuses such a file for such a bot, so nothing was run. Give the signals of the symbols every point trades, or sweep each symbol list with its own signals file.")
                }
            }
            finer = try detailCandles.load(for: validConfigurations, symbols: allSymbols, series: loaded.series, data: data)
            symbolData = loaded
        } else {
            symbolData = nil
            if let symbol = validConfigurations.first?.symbol { SymbolCheck.warn(paths: dataPaths + detailCandles.paths, symbol: symbol) }
        }
        let candles: CandleSeries
        if let symbolData {
            candles = symbolData.series.min { ($0.openTimes.first ?? .max) < ($1.openTimes.first ?? .max) }!
        } else {
            let loaded = try CandleLoader.load(paths: dataPaths, options: data.loadOptions, useCache: data.cache)
            guard !loaded.series.isEmpty else { throw CommandFailure("The data files hold no candles.") }
            candles = loaded.series
        }
        // A hash of every candle: computed once (a 900k-candle series takes 25 ms).
        let barsFingerprint = symbolData?.fingerprint ?? candles.fingerprint
        var detailPath: (path: DetailPath, fingerprint: String, notes: [String])? = nil
        if symbolData == nil {
            detailPath = try detailCandles.load(for: [firstDetail ?? validConfigurations.first].compactMap { $0 }, bars: candles, barsFingerprint: barsFingerprint, data: data)
        }
        // Runs with fill_model detail used the finer candles too: their data fingerprint covers both.
        let fingerprint = detailPath?.fingerprint ?? finer?.fingerprint(barsFingerprint: barsFingerprint, symbols: allSymbols) ?? barsFingerprint
        let runner = PointRunner(candles: candles, detail: detailPath?.path, symbolData: symbolData, symbols: allSymbols, detailCandles: finer)
        // Each identity (canonical text and three SHA-256 hashes, about 25 us) on every core.
        let fingerprints = validConfigurations.map { configuration in
            symbolData != nil ? runner.fingerprint(of: configuration) : configuration.fillModel == .detail ? fingerprint : barsFingerprint
        }
        let identities = ParallelMap.map(Array(zip(validConfigurations, fingerprints)), workers: preparationWorkers) { configuration, used in
            RunIdentity(configuration: configuration, dataFingerprint: used)
        }
        let points = validIndices.indices.map { k in
            Point(index: validIndices[k], values: grid.values(at: validIndices[k]), configuration: validConfigurations[k], identity: identities[k])
        }
        validIndices = []
        validConfigurations = []
        try ConditionCheck.refuseUnfit(points.map(\.configuration), interval: symbolData?.interval ?? candles.intervalNanoseconds)

        let baseText = JSONInput.object(base).value.text()
        // A grid search keeps the sweep id it always had; a random draw or an out-of-sample test is
        // another sweep of the same grid.
        var method = ""
        if search == .random { method += "|random|\(samples ?? 0)|\(seed)" }
        if let walkForward { method += "|walk-forward|\(walkForward)" }
        if let split { method += "|split|\(JSONValue.format(split))" }
        let sweepID = ContentIdentifier.uuid(of: "sweep|\(baseText)|\(grid.canonicalJSON.text())|\(fingerprint)|\(engineVersion)" + method)
        let store = try RunDatabases.open(databasePath, userID: userID)
        let invalidJSON = JSONValue.array(invalid.map { .object([("point", .integer(Int64($0.index))), ("values", .string($0.text)), ("reason", .string($0.reason))]) }).text()
        try store.recordSweep(SweepRecord(
            id: sweepID, grid: grid.canonicalJSON.text(), baseConfig: baseText, dataFingerprint: fingerprint, runs: selectedCount,
            invalidPoints: invalidJSON, createdAt: UTCTime.iso8601(nanoseconds: candles.openTimes[0]),
            // An out-of-sample test's points (its training runs) keep their orders with --orders all
            // only, and merge must not pick "the best N" among runs of different windows: its row
            // says all or none, and each window's test run keeps its orders besides (docs/SWEEPS.md).
            orders: outOfSample ? (orders == .all ? "all" : "none") : orders.description, objective: objective.metric.key
        ))
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let context = Context(store: store, sweepID: sweepID, grid: grid, candles: candles, detail: detailPath?.path, workers: workers)
        if outOfSample {
            try runOutOfSample(points: points, context: context, invalidCount: invalid.count)
            return
        }

        let plan = orders
        // With top:N every point is stored without its orders first; the best N get them after
        // the ranking (below; for a shard, by merge over the whole sweep).
        let detail: OrderDetail = plan == .all ? .all : .none
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try runPoints(points, runner: runner, detail: detail, context: context, progressTotal: nil)
        let seconds = (clock.now - started) / .seconds(1)

        // Leaderboard and export: the runs' own metrics, and the stored ones of points stored
        // before (resumed or shared with another sweep).
        let metrics = outcome.metrics
        let objective = self.objective.metric.key
        let ranked = rank(points, metrics: metrics)
        let what = drawn == nil ? "\(grid.count) points" : "\(selectedCount) of \(grid.count) points drawn (seed \(seed))"
        print("Sweep \(sweepID): \(what)\(shard.count > 1 ? ", shard \(shard.index + 1)/\(shard.count) with \(points.count)" : ""), \(outcome.ran) run now\(outcome.alreadyStored == 0 ? "" : ", \(outcome.alreadyStored) already stored") in \(Format.fixed(seconds, decimals: 2)) s on \(workers) worker(s) (\(Format.fixed(Double(outcome.ran) / max(seconds, 1e-9), decimals: 1)) backtests/s); \(invalid.count) invalid; stored in \(store.location)")
        for note in detailPath?.notes ?? finer?.notes ?? [] { print("  " + note) }
        if case .top(let n) = plan, n > 0 {
            if shard.count > 1 {
                print("Orders and deals of the best \(n) points of the whole sweep are stored by merge (dca-backtest merge OUT SHARDS... --data FILE...).")
            } else {
                let best = SweepOrders.best(n, members: points.map { ($0.identity.runID, $0.index) }, metrics: metrics, objective: objective)
                let configurations = Dictionary(points.map { ($0.identity.runID, $0) }, uniquingKeysWith: { a, _ in a })
                let withOrders = try store.storedRunIDs(among: best, detail: .all)
                let rerun = best.filter { !withOrders.contains($0) }.compactMap { configurations[$0] }
                for point in rerun {
                    let start = clock.now
                    let result = runner.run(point.configuration)
                    try store.write(result, identity: point.identity, orders: .all, membership: .sweep(sweepID, point: point.index),
                                    executedAt: RunCommand.wallClockISO8601(), wallSeconds: (clock.now - start) / .seconds(1))
                }
                print("Orders and deals stored for the best \(best.count) points by \(objective)\(rerun.isEmpty ? "" : " (\(rerun.count) run again for them)").")
            }
        }
        printLeaderboard(ranked, metrics: metrics, grid: grid)
        // Shards of one sweep may share a file system: each writes the report of its own points.
        let folder = reportDirectory + "/sweep-" + sweepID + (shard.count > 1 ? "/shard-\(shard.index + 1)-of-\(shard.count)" : "")
        do {
            try sweepReport(points: points, metrics: metrics, grid: grid, sweepID: sweepID).write(to: folder)
            print("Report: \(folder)/report.html")
            // `report` replays one-pair runs only (a multi-pair point's candles are several files).
            if let best = ranked.first, top > 0, symbolData == nil {
                print("Full report of the best point (with the same data options, if any): dca-backtest report \(best.identity.runID.prefix(8)) --db \(store.location) --data \(dataPaths.joined(separator: " "))")
            }
        } catch {
            throw CommandFailure("The sweep was stored in \(store.location) but its report could not be written to \(folder): \(error)")
        }
        if let export {
            try Self.export(points: points, grid: grid, metrics: metrics, to: export)
            print("Exported \(points.count) points to \(export)")
        }
    }

    /// What every part of a sweep shares.
    struct Context {
        var store: any RunDatabase
        var sweepID: String
        var grid: ParameterGrid
        var candles: CandleSeries
        var detail: DetailPath?
        var workers: Int
    }

    /// Runs the points not yet stored with `runner` (each on its own symbols' candles) through the
    /// shared scheduler, ``SweepRunner``,
    /// storing each batch in its own transaction, and links those already stored to the sweep.
    /// - Parameter progressTotal: the progress line's total and the points done before these
    ///   (a walk-forward counts every window's points); nil: these points alone.
    /// - Returns: how many ran now and how many were stored already, and every point's metrics:
    ///   those run now as the runs gave them (the numbers stored, bit for bit: stored JSON numbers
    ///   read back exactly), the others read from the database.
    func runPoints(_ points: [Point], runner: PointRunner, detail: OrderDetail, context: Context, progressTotal: (total: Int, before: Int)?) throws -> (ran: Int, alreadyStored: Int, metrics: [String: [String: Double]]) {
        let store = context.store, sweepID = context.sweepID
        // A point whose run is already stored with at least the rows asked for (by an earlier
        // attempt of this sweep, another sweep, `run` or a merge) is the same deterministic run:
        // it is linked to this sweep, not run again, and its rows are left as they are.
        let done = try store.storedRunIDs(among: points.map(\.identity.runID), detail: detail)
        var firstPoints: [(runID: String, point: Int)] = []
        var linked = Set<String>()
        for point in points where done.contains(point.identity.runID) && linked.insert(point.identity.runID).inserted {
            firstPoints.append((point.identity.runID, point.index))
        }
        try store.link(firstPoints, toSweep: sweepID)
        // Points that come to the same configuration (a repeated value, a key the mode ignores)
        // are one run: it runs once and every such point shows it.
        var scheduled = Set<String>()
        let pending = points.filter { !done.contains($0.identity.runID) && scheduled.insert($0.identity.runID).inserted }

        let terminal = isatty(STDERR_FILENO) == 1
        let total = progressTotal?.total ?? pending.count, before = progressTotal?.before ?? 0
        let meter = SweepProgress(total: total, style: SweepProgress.style(for: progress, terminal: terminal, interval: progressInterval))
        let counter = StoredCounter()
        // Ctrl-C: say what is kept and how to go on. Each batch is its own transaction, so the
        // one being written when the process exits is rolled back, never half stored.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let location = store.location, pointCount = points.count, alreadyStored = done.count
        interrupt.setEventHandler {
            FileHandle.standardError.write(Data("\nInterrupted: \(counter.value + alreadyStored) of \(pointCount) points are stored in \(location). Run the same command with --resume to finish the others.\n".utf8))
            Foundation.exit(130)
        }
        interrupt.resume()
        defer {
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
        }
        let jobs = pending.map { SweepJob(configuration: $0.configuration, identity: $0.identity, point: $0.index) }
        let collected = CollectedMetrics()
        // One-pair points over one series step together (docs/SWEEPS.md, "Batched backtests").
        try SweepRunner(workers: context.workers).run(
            jobs, keepOrders: detail == .all, batchLimit: runner.symbolData == nil ? 64 : 1,
            sink: { batch in
                try store.write(batch: batch, orders: detail, sweepID: sweepID, executedAt: RunCommand.wallClockISO8601())
                collected.add(batch)
            },
            stored: { count in
                counter.set(count)
                meter.update(done: before + count)
            },
            backtests: { runner.run(batch: $0) }
        )
        if progressTotal == nil || before + pending.count == total { meter.finish() }
        var metrics = collected.metrics
        if !done.isEmpty {
            metrics.merge(try store.metrics(runIDs: Array(done)), uniquingKeysWith: { ran, _ in ran })
        }
        return (pending.count, done.count, metrics)
    }

    /// The points best first by the objective (undefined last), ties by point index.
    func rank(_ points: [Point], metrics: [String: [String: Double]]) -> [Point] {
        let smallerIsBetter = objective.metric.ranking == .lowerIsBetter
        let objective = self.objective.metric.key
        // Each point's value looked up once, not in every comparison.
        let values = points.map { metrics[$0.identity.runID]?[objective] }
        let order = points.indices.sorted { i, j in
            switch (values[i], values[j]) {
            case let (x?, y?) where x != y: return smallerIsBetter ? x < y : x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return points[i].index < points[j].index
            }
        }
        return order.map { points[$0] }
    }

    /// The top points, each with the varied keys whose value is the first or last of its values
    /// (of three or more) named: the best settings may lie outside the range searched.
    func printLeaderboard(_ ranked: [Point], metrics: [String: [String: Double]], grid: ParameterGrid) {
        let objective = self.objective.metric.key
        if top > 0 { print("Top \(min(top, ranked.count)) by \(objective):") }
        let counts = grid.axes.map(\.values.count)
        for (rank, point) in ranked.prefix(top).enumerated() {
            let m = metrics[point.identity.runID] ?? [:]
            func show(_ key: String) -> String {
                MetricDefinition.named(key).map { Format.metric($0, value: m[key]) } ?? "n/a"
            }
            // The objective first, then total PnL and max drawdown unless one of them is it.
            let shown = [objective] + ["total_pnl", "max_drawdown"].filter { $0 != objective }
            let edges = RangeEdge.keysOnEdge(valueIndices: grid.valueIndices(at: point.index), valueCounts: counts).map { grid.axes[$0].key }
            let flag = edges.isEmpty ? "" : "  [edge: \(edges.joined(separator: ", "))]"
            print("  \(rank + 1). \(Self.describe(point.values))  " + shown.map { "\($0) \(show($0))" }.joined(separator: "  ") + "  run \(point.identity.runID)" + flag)
        }
        if let best = ranked.first, top > 0 {
            let edges = RangeEdge.keysOnEdge(valueIndices: grid.valueIndices(at: best.index), valueCounts: counts).map { grid.axes[$0].key }
            if !edges.isEmpty {
                print("Note: the best point is on the edge of \(edges.joined(separator: ", ")) (the first or last value given): the best settings may lie beyond; widen the range to check.")
            }
        }
    }

    /// The sweep report of `points` (`reports/sweep-ID/report.html`).
    func sweepReport(points: [Point], metrics: [String: [String: Double]], grid: ParameterGrid, sweepID: String, walkForward: [SweepReport.WalkForwardRow] = [], note: String? = nil) -> SweepReport {
        let key = objective.metric.key
        let columns = ["total_pnl", "total_return", "max_drawdown", "total_trades"].filter { $0 != key }.compactMap { MetricDefinition.named($0) }
        // The columns' labels, made once per quote currency rather than once per point.
        var labelsByQuote: [String: [String]] = [:]
        for quote in Set(points.map(\.configuration.quoteCurrency)) { labelsByQuote[quote] = columns.map { $0.label(quoteCurrency: quote) } }
        let reportPoints = points.map { point in
            let m = metrics[point.identity.runID] ?? [:]
            let labels = labelsByQuote[point.configuration.quoteCurrency]!
            return SweepReport.Point(
                index: point.index, valueIndices: grid.valueIndices(at: point.index), objective: m[key],
                columns: zip(labels, columns).map { ($0, Format.metric($1, value: m[$1.key])) }, runID: point.identity.runID
            )
        }
        var report = SweepReport(
            sweepID: sweepID, objectiveKey: key, objectiveLabel: objective.metric.label(quoteCurrency: points.first?.configuration.quoteCurrency ?? "quote"),
            higherIsBetter: objective.metric.ranking != .lowerIsBetter, axes: grid.axes.map { .init(key: $0.key, values: $0.values.map { $0.value.text() }) },
            points: reportPoints, leaderboardLength: max(top, 1), walkForward: walkForward
        )
        report.note = note
        return report
    }

    /// The first valid point whose configuration uses fill_model detail.
    static func describe(_ values: [(key: String, value: JSONInput)]) -> String {
        values.map { "\($0.key)=\($0.value.value.text())" }.joined(separator: ", ")
    }

    /// The metrics table's exported metrics, in its order.
    static let exportedMetrics = BacktestMetrics.table.filter(\.exported).map(\.key)

    static func export(points: [Point], grid: ParameterGrid, metrics: [String: [String: Double]], to path: String) throws {
        let keys = grid.axes.map(\.key)
        if path.lowercased().hasSuffix(".json") {
            let rows: [JSONValue] = points.map { point in
                .object([("point", .integer(Int64(point.index)))] + point.values.map { ($0.key, $0.value.value) } + [("run_id", .string(point.identity.runID))]
                    + exportedMetrics.map { ($0, JSONValue.optional(metrics[point.identity.runID]?[$0])) })
            }
            try JSONValue.array(rows).text(pretty: true).write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            var text = (["point"] + keys + ["run_id"] + exportedMetrics).joined(separator: ",") + "\n"
            for point in points {
                let m = metrics[point.identity.runID] ?? [:]
                text += ([String(point.index)] + point.values.map { $0.value.value.text() } + [point.identity.runID] + exportedMetrics.map { m[$0].map { JSONValue.format($0) } ?? "" }).joined(separator: ",") + "\n"
            }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}

/// The runs a sweep has stored so far, for the interrupt message.
final class StoredCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func set(_ value: Int) { lock.lock(); count = value; lock.unlock() }
}

/// Every numeric metric of the runs a sweep stored, as the database holds them (`bot_runs.metrics`
/// numbers; a non-finite metric is stored as null and left out), gathered on the writer thread.
final class CollectedMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var byRun: [String: [String: Double]] = [:]

    func add(_ batch: [SweepRun]) {
        var numbers: [(String, [String: Double])] = []
        numbers.reserveCapacity(batch.count)
        for run in batch {
            var m: [String: Double] = [:]
            for (key, value) in run.result.metrics.jsonPairs {
                switch value {
                case .number(let d) where d.isFinite: m[key] = d
                case .integer(let i): m[key] = Double(i)
                default: break
                }
            }
            numbers.append((run.identity.runID, m))
        }
        lock.lock()
        for (runID, m) in numbers { byRun[runID] = m }
        lock.unlock()
    }

    var metrics: [String: [String: Double]] {
        lock.lock()
        defer { lock.unlock() }
        return byRun
    }
}

/// `--search`: every grid point, or a seeded random draw of them.
enum SweepSearch: String, CaseIterable, ExpressibleByArgument {
    case grid, random
}

extension ProgressMode: ExpressibleByArgument {}

/// `dca-backtest merge OUT SHARD.sqlite...`.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the databases of sweep shards (or any runs) into one SQLite file or PostgreSQL database.",
        discussion: """
            Rows are content-addressed, so merging the same shard twice changes nothing; a run already in the output \
            keeps its rows and gains the orders and sweep memberships it lacked. The merge is one transaction.

            Example (shards of a cluster sweep into the platform's PostgreSQL):
              dca-backtest merge postgresql://dca@db.internal:5432/backtests shard1.sqlite shard2.sqlite
            """
    )

    @Argument(help: ArgumentHelp("The database to write: an SQLite file (created if missing) or a PostgreSQL URL.", valueName: "OUT"))
    var output: String

    @Argument(help: "The shard databases (SQLite files).")
    var shards: [String]

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: ArgumentHelp("The sweep's candle files: the best N points of a --orders top:N sweep run in shards are run again with them, to store their orders and deals. A multi-pair sweep's as SYMBOL=FILE, or files whose names each contain one symbol.", valueName: "[SYMBOL=]FILE"))
    var dataPaths: [String] = []

    @OptionGroup var data: DataOptions

    @OptionGroup var detailCandles: DetailOptions

    func run() throws {
        func canonical(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        let location = try DatabaseLocation(output)
        for shard in shards {
            guard FileManager.default.fileExists(atPath: shard) else { throw CommandFailure("No database at \(shard).") }
            if case .sqlite(let path) = location, canonical(shard) == canonical(path) {
                throw CommandFailure("The output \(output) is also one of the shards: give a new file for the merged database.")
            }
        }
        // Every shard must open (and is migrated to this schema) before the output is created,
        // so a bad shard leaves no empty output behind.
        for shard in shards {
            try DatabaseHealth.requireHealthy(path: shard, role: "the shard")
            _ = try RunStore(path: shard)
        }
        let existed: Bool
        if case .sqlite(let path) = location { existed = FileManager.default.fileExists(atPath: path) } else { existed = true }
        let store = try RunDatabases.open(output)
        do {
            try store.merge(paths: shards)
        } catch {
            if !existed, case .sqlite(let path) = location {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            throw error
        }
        let count = try store.count("bot_runs")
        print("Merged \(shards.count) database(s) into \(store.location): \(count) runs.")
        try storeOrdersOfTheBest(in: store)
    }

    /// For each `top:N` sweep of the shards, the best N runs of the whole sweep get their orders
    /// and deals (run again from their stored configuration on the --data candles), so a merged
    /// sweep's tables equal an unsharded one's.
    func storeOrdersOfTheBest(in store: any RunDatabase) throws {
        var sweepIDs = Set<String>()
        for shard in shards { for sweep in try RunStore(path: shard).sweeps() { sweepIDs.insert(sweep.id) } }
        var loaded: (candles: CandleSeries, barsFingerprint: String)?
        var multiPairData: [[String]: SymbolData] = [:]
        for sweep in try store.sweeps() where sweepIDs.contains(sweep.id) {
            guard let orders = sweep.orders, case .top(let n)? = SweepOrders(orders), n > 0 else { continue }
            let objective = sweep.objective ?? "sharpe_ratio"
            let members = try store.members(ofSweep: sweep.id)
            let metrics = try store.metrics(runIDs: members.map(\.runID))
            let best = SweepOrders.best(n, members: members.map { ($0.runID, $0.point ?? Int.max) }, metrics: metrics, objective: objective)
            let withOrders = try store.storedRunIDs(among: best, detail: .all)
            let lacking = best.filter { !withOrders.contains($0) }
            if lacking.isEmpty { continue }
            guard !dataPaths.isEmpty else {
                print("Sweep \(sweep.id) (--orders \(orders)): \(lacking.count) of its best \(best.count) runs have no orders stored yet; merge again with --data FILE ... (the sweep's candles; SYMBOL=FILE for each symbol of a multi-pair sweep) to store them.")
                continue
            }
            let points = Dictionary(members.map { ($0.runID, $0.point) }, uniquingKeysWith: { a, _ in a })
            let stored = try Self.storedPoints(lacking, in: store)
            if try storeOrdersOfMultiPairPoints(stored, of: sweep, points: points, in: store, loaded: &multiPairData) {
                print("Sweep \(sweep.id): orders and deals stored for its best \(best.count) runs by \(objective) (\(lacking.count) run again).")
                continue
            }
            if loaded == nil {
                let files = try CandleLoader.load(paths: dataPaths, options: data.loadOptions, useCache: data.cache)
                guard !files.series.isEmpty else { throw CommandFailure("The --data files hold no candles.") }
                loaded = (files.series, files.series.fingerprint)
            }
            guard let loaded else { continue }
            let candles = loaded.candles, barsFingerprint = loaded.barsFingerprint
            for (runID, configuration, storedFingerprint) in stored {
                let detailPath = try detailCandles.load(for: [configuration], bars: candles, barsFingerprint: barsFingerprint, data: data)
                let identity = RunIdentity(configuration: configuration, dataFingerprint: detailPath?.fingerprint ?? barsFingerprint)
                guard identity.runID == runID else {
                    throw CommandFailure("The --data files are not the candles of sweep \(sweep.id) (data fingerprint \(identity.dataFingerprint.prefix(12))..., the sweep's \(storedFingerprint.prefix(12))...): give the files the sweep ran on. A sweep run with --signals cannot get its best points' orders here: run each of them with `run` and the same --data, --signals and --detail.")
                }
                try Self.storeAgain(identity, of: sweep, point: points[runID] ?? nil, in: store) {
                    Backtester.run(configuration: configuration, candles: candles, detail: detailPath?.path, recordEquity: false)
                }
            }
            print("Sweep \(sweep.id): orders and deals stored for its best \(best.count) runs by \(objective) (\(lacking.count) run again).")
        }
    }
}

/// What a sweep stores of its points (`--orders`).
enum SweepOrders: Equatable, CustomStringConvertible {
    case all, none
    case top(Int)

    init?(_ text: String) {
        switch text {
        case "all": self = .all
        case "none": self = .none
        default:
            guard text.hasPrefix("top:"), let n = Int(text.dropFirst(4)), n >= 0 else { return nil }
            self = .top(n)
        }
    }

    var description: String {
        switch self {
        case .all: "all"
        case .none: "none"
        case .top(let n): "top:\(n)"
        }
    }

    /// The best `n` distinct runs of a sweep by `objective` (max_drawdown: smallest first; runs
    /// without the metric last), ties by their first grid point: the same choice whether the sweep
    /// ran whole or in shards.
    static func best(_ n: Int, members: [(runID: String, point: Int)], metrics: [String: [String: Double]], objective: String) -> [String] {
        var first: [String: Int] = [:]
        for member in members { first[member.runID] = min(first[member.runID] ?? Int.max, member.point) }
        let smallerIsBetter = objective == "max_drawdown"
        let ranked = first.sorted { a, b in
            let x = metrics[a.key]?[objective], y = metrics[b.key]?[objective]
            switch (x, y) {
            case let (x?, y?) where x != y: return smallerIsBetter ? x < y : x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.value != b.value ? a.value < b.value : a.key < b.key
            }
        }
        return ranked.prefix(n).map(\.key)
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

/// `--objective`: a metric of the metrics table that has a ranking.
struct SweepObjective: ExpressibleByArgument {
    let metric: MetricDefinition

    init(metric: MetricDefinition) { self.metric = metric }

    init?(argument: String) {
        guard let metric = BacktestMetrics.objectives.first(where: { $0.key == argument }) else { return nil }
        self.metric = metric
    }

    var defaultValueDescription: String { metric.key }
    static var allValueStrings: [String] { BacktestMetrics.objectives.map(\.key) }
}

/// Runs one grid point: a one-pair point on the candles (and finer candles), a multi-pair point
/// or a point with signals on its own symbols' candles (finer candles and signals), exactly as
/// `run` does for that configuration; equity statistics only (no curve).
struct PointRunner: Sendable {
    let candles: CandleSeries
    let detail: DetailPath?
    let symbolData: SymbolData?
    /// The symbols ``symbolData`` holds, in its order.
    let symbols: [String]
    /// The finer candles of the symbols walked with fill_model detail, with ``symbolData``.
    var detailCandles: DetailCandles? = nil

    func series(of configuration: BotConfiguration) -> [CandleSeries] {
        guard let symbolData else { return [candles] }
        return configuration.tradedSymbols.map { symbolData.series[symbols.firstIndex(of: $0)!] }
    }

    /// The data fingerprint of a point: the same as `run` gives for that configuration and data
    /// (its own symbols' candles, the signals, its own symbols' finer candles with fill_model detail).
    func fingerprint(of configuration: BotConfiguration) -> String {
        let traded = configuration.tradedSymbols
        let bars = SymbolData.fingerprint(symbols: traded, series: series(of: configuration), signalsText: symbolData?.signalsText)
        guard configuration.fillModel == .detail, let detailCandles else { return bars }
        return detailCandles.fingerprint(barsFingerprint: bars, symbols: traded)
    }

    /// Every configuration's backtest, in their order: one-pair points over the one series step
    /// together (``Backtester/run(batch:candles:detail:)``), the same bits as ``run(_:)`` each.
    func run(batch configurations: [BotConfiguration]) -> [BacktestResult] {
        guard symbolData == nil else { return configurations.map(run) }
        return Backtester.run(batch: configurations, candles: candles, detail: detail)
    }

    func run(_ configuration: BotConfiguration) -> BacktestResult {
        guard let symbolData else { return Backtester.run(configuration: configuration, candles: candles, detail: detail, recordEquity: false) }
        let own = series(of: configuration)
        // Validated before anything ran: every signal names one of the point's symbols.
        let signals = symbolData.signals.isEmpty ? [] : SymbolData.signals(symbolData.signals, of: symbols, for: configuration.tradedSymbols) ?? []
        let detail = configuration.fillModel == .detail ? detailCandles?.paths(of: configuration.tradedSymbols) ?? [] : []
        return own.count > 1 || !signals.isEmpty
            ? Backtester.run(configuration: configuration, symbolCandles: own, signals: signals, detail: detail, recordEquity: false)
            : Backtester.run(configuration: configuration, candles: own[0], detail: detail.first ?? nil, recordEquity: false)
    }
}
