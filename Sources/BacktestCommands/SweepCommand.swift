import ArgumentParser
import Backtesting
import DCAStrategy
import Dispatch
import Foundation
import MarketData
import Persistence
import Reports

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

            Sharding: --shard I/N runs the points whose index modulo N is I - 1 (I from 1). Without --shard, \
            SLURM_ARRAY_TASK_ID (0-based) and SLURM_ARRAY_TASK_COUNT are used when set, or JOB_COMPLETION_INDEX \
            (Kubernetes Indexed Jobs, 0-based) with --shard-count N. Give each shard its own --db and combine them \
            with `dca-backtest merge`.

            Example:
              dca-backtest sweep --config datasets/btc-1m-ladder.json \\
                --grid datasets/example-grid.json --orders none \\
                --data datasets/BTCUSDT-1m-2020-01-01.zip \\
                       datasets/BTCUSDT-1m-2020-01-02.zip
            """
    )

    @Option(name: .customLong("config"), help: ArgumentHelp("The base bot configuration (JSON).", valueName: "BOT.json"))
    var configPath: String

    @Option(name: .customLong("grid"), help: ArgumentHelp("The grid: {\"key\": [values], ...}.", valueName: "GRID.json"))
    var gridPath: String

    @Option(name: .customLong("data"), parsing: .upToNextOption, help: ArgumentHelp("Candle files of one symbol.", valueName: "FILE"))
    var dataPaths: [String]

    @Option(help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "N"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only shard I of N (I from 1).", valueName: "I/N"))
    var shard: String?

    @Option(name: .customLong("shard-count"), help: ArgumentHelp("The shard count to use with JOB_COMPLETION_INDEX.", valueName: "N"))
    var shardCount: Int?

    @Option(name: .customLong("db"), help: ArgumentHelp("The SQLite database to write.", valueName: "PATH"))
    var databasePath = "reports/backtests.sqlite"

    @Option(name: .customLong("orders"), help: ArgumentHelp("Store each run's order_logs and deals rows (all) or only its run row, final position and balances (none).", valueName: "all|none"))
    var orders = "all"

    @Flag(help: "Skip the points already stored for this sweep (after an interruption); with --orders all, a point stored with --orders none is run again.")
    var resume = false

    @Flag(name: .customLong("skip-invalid"), help: "Record invalid points and run the valid ones, instead of refusing the sweep.")
    var skipInvalid = false

    @Option(help: ArgumentHelp("Rank by this metric (larger is better, except max_drawdown).", valueName: BacktestMetrics.objectives.map(\.key).joined(separator: "|")))
    var objective = SweepObjective(metric: MetricDefinition.named("sharpe_ratio")!)

    @Option(help: "Leaderboard length (0: none).")
    var top = 10

    @Option(help: ArgumentHelp("Write every point's parameters and metrics to a .csv or .json file.", valueName: "FILE"))
    var export: String?

    @OptionGroup var data: DataOptions

    @OptionGroup var detailCandles: DetailOptions


    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if top < 0 { throw ValidationError("--top must be 0 (no leaderboard) or more (got \(top)).") }
        if OrderDetail(rawValue: orders) == nil { throw ValidationError("--orders must be 'all' or 'none'.") }
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

    func run() throws {
        guard let baseData = FileManager.default.contents(atPath: configPath) else {
            throw CommandFailure("Cannot read the configuration file \(configPath). Check the path given to --config.")
        }
        guard let gridData = FileManager.default.contents(atPath: gridPath) else {
            throw CommandFailure("Cannot read the grid file \(gridPath). Check the path given to --grid.")
        }
        let base: [String: JSONInput]
        do {
            guard case .object(let object) = try JSONDecoder().decode(JSONInput.self, from: baseData) else { throw CommandFailure("\(configPath): the configuration must be a JSON object.") }
            base = object
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("\(configPath): the file is not valid JSON: \(JSONInput.locateSyntaxError(in: baseData) ?? JSONInput.explain(error)).")
        }
        let grid: ParameterGrid
        do { grid = try ParameterGrid(json: gridData) } catch { throw CommandFailure("\(gridPath): \(error.description)") }
        let shard = try resolvedShard()

        // Validate every point before reading any data.
        var configurations: [(index: Int, values: [(key: String, value: JSONInput)], configuration: BotConfiguration)] = []
        var invalid: [(index: Int, text: String, reason: String)] = []
        for index in 0..<grid.count where index % shard.count == shard.index {
            let values = grid.values(at: index)
            do {
                configurations.append((index, values, try BotConfiguration.decode(dictionary: grid.configurationObject(base: base, at: index))))
            } catch {
                invalid.append((index, Self.describe(values), error.problems.joined(separator: "; ")))
            }
        }
        if !invalid.isEmpty && !skipInvalid {
            let listed = invalid.prefix(20).map { "point \($0.index) (\($0.text)): \($0.reason)" }.joined(separator: "; ")
            throw CommandFailure("\(invalid.count) of \(grid.count) grid points are invalid, so nothing was run: \(listed)\(invalid.count > 20 ? "; and \(invalid.count - 20) more" : ""). Fix the grid, or pass --skip-invalid to record them and run the valid points.")
        }

        if let symbol = configurations.first?.configuration.symbol { SymbolCheck.warn(paths: dataPaths + detailCandles.paths, symbol: symbol) }
        let loaded = try CandleLoader.load(paths: dataPaths, options: data.loadOptions, useCache: data.cache)
        guard !loaded.series.isEmpty else { throw CommandFailure("The data files hold no candles.") }
        let candles = loaded.series
        // A hash of every candle: computed once (a 900k-candle series takes 25 ms).
        let barsFingerprint = candles.fingerprint
        let detailPath = try detailCandles.load(for: configurations.map(\.configuration), bars: candles, barsFingerprint: barsFingerprint, data: data)
        // Runs with fill_model detail used the finer candles too: their data fingerprint covers both.
        let fingerprint = detailPath?.fingerprint ?? barsFingerprint
        let points = configurations.map { point in
            let used = point.configuration.fillModel == .detail ? fingerprint : barsFingerprint
            return Point(index: point.index, values: point.values, configuration: point.configuration, identity: RunIdentity(configuration: point.configuration, dataFingerprint: used))
        }

        let baseText = JSONInput.object(base).value.text()
        let sweepID = ContentIdentifier.uuid(of: "sweep|\(baseText)|\(grid.canonicalJSON.text())|\(fingerprint)|\(engineVersion)")
        let store = try RunStore(path: databasePath)
        let invalidJSON = JSONValue.array(invalid.map { .object([("point", .integer(Int64($0.index))), ("values", .string($0.text)), ("reason", .string($0.reason))]) }).text()
        try store.recordSweep(
            id: sweepID, grid: grid.canonicalJSON.text(), baseConfig: baseText, dataFingerprint: fingerprint, runs: grid.count,
            invalidPoints: invalidJSON, createdAt: UTCTime.iso8601(nanoseconds: candles.openTimes[0])
        )
        let detail = OrderDetail(rawValue: orders) ?? .all
        let done = resume ? try store.completedRunIDs(sweepID: sweepID, detail: detail) : []
        // Points that come to the same configuration (a repeated value, a key the mode ignores)
        // are one run: it runs once and every such point shows it.
        var scheduled = Set<String>()
        let pending = points.filter { !done.contains($0.identity.runID) && scheduled.insert($0.identity.runID).inserted }

        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let progress = Progress(total: pending.count, enabled: isatty(STDERR_FILENO) == 1)
        let clock = ContinuousClock()
        let started = clock.now
        // Workers take points one at a time and hand each reduced run to a writer thread, which
        // stores them in batches, each in its own transaction. No barrier between batches: a
        // worker only waits when the writer is a full buffer behind, which also bounds memory.
        let batchSize = max(workers * 4, 8)
        let exchange = SweepExchange(total: pending.count, capacity: batchSize * 2)
        let writer = Thread {
            while let batch = exchange.nextBatch(minimum: batchSize) {
                let items = batch.map { (result: $0.result, identity: pending[$0.index].identity, wallSeconds: $0.seconds) }
                do {
                    try store.write(batch: items, orders: detail, sweepID: sweepID, executedAt: RunCommand.wallClockISO8601())
                    progress.update(done: exchange.stored(batch.count))
                } catch {
                    exchange.fail(error)
                }
            }
            exchange.writerFinished()
        }
        // Ctrl-C: say what is kept and how to go on. Each batch is its own transaction, so the
        // one being written when the process exits is rolled back, never half stored.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler { [databasePath] in
            let stored = exchange.stored(0) + done.count
            FileHandle.standardError.write(Data("\nInterrupted: \(stored) of \(points.count) points are stored in \(databasePath). Run the same command with --resume to finish the others.\n".utf8))
            Foundation.exit(130)
        }
        interrupt.resume()
        defer {
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
        }
        writer.start()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let k = exchange.take() {
                let start = clock.now
                // The equity curve is not stored: only its statistics are kept, and the orders are
                // dropped with --orders none. Memory then stays flat whatever the grid's size.
                var result = Backtester.run(configuration: pending[k].configuration, candles: candles, detail: detailPath?.path, recordEquity: false)
                let elapsed = clock.now - start
                if detail == .none { result.orders = [] }
                exchange.deliver(index: k, result: result, seconds: elapsed / .seconds(1))
            }
        }
        exchange.waitForWriter()
        if let error = exchange.failure { throw error }
        progress.finish()
        let elapsed = clock.now - started
        let seconds = elapsed / .seconds(1)

        // Leaderboard and export, from the stored rows (resumed points included).
        let metrics = try store.read { db in
            try Dictionary(points.compactMap { point -> (String, [String: Double])? in
                guard let text = try String.fetchOne(db, sql: "SELECT metrics FROM bot_runs WHERE run_id = ?", arguments: [point.identity.runID]),
                      case .object(let object)? = try? JSONDecoder().decode(JSONInput.self, from: Data(text.utf8))
                else { return nil }
                return (point.identity.runID, object.compactMapValues { if case .number(let n) = $0 { return n } else { return nil } })
            }, uniquingKeysWith: { first, _ in first })
        }
        let smallerIsBetter = objective.metric.ranking == .lowerIsBetter
        let objective = self.objective.metric.key
        let ranked = points.sorted { a, b in
            let x = metrics[a.identity.runID]?[objective], y = metrics[b.identity.runID]?[objective]
            switch (x, y) {
            case let (x?, y?) where x != y: return smallerIsBetter ? x < y : x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.index < b.index
            }
        }
        print("Sweep \(sweepID): \(grid.count) points\(shard.count > 1 ? ", shard \(shard.index + 1)/\(shard.count) with \(points.count)" : ""), \(pending.count) run now\(done.isEmpty ? "" : ", \(done.count) already stored") in \(Format.fixed(seconds, decimals: 2)) s on \(workers) worker(s) (\(Format.fixed(Double(pending.count) / max(seconds, 1e-9), decimals: 1)) backtests/s); \(invalid.count) invalid; stored in \(databasePath)")
        for note in detailPath?.notes ?? [] { print("  " + note) }
        if top > 0 { print("Top \(min(top, ranked.count)) by \(objective):") }
        for (rank, point) in ranked.prefix(top).enumerated() {
            let m = metrics[point.identity.runID] ?? [:]
            func show(_ key: String) -> String {
                MetricDefinition.named(key).map { Format.metric($0, value: m[key]) } ?? "n/a"
            }
            // The objective first, then total PnL and max drawdown unless one of them is it.
            let shown = [objective] + ["total_pnl", "max_drawdown"].filter { $0 != objective }
            print("  \(rank + 1). \(Self.describe(point.values))  " + shown.map { "\($0) \(show($0))" }.joined(separator: "  ") + "  run \(point.identity.runID)")
        }
        if let export {
            try Self.export(points: points, grid: grid, metrics: metrics, to: export)
            print("Exported \(points.count) points to \(export)")
        }
    }

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

/// Hands points to the workers and finished runs to the writer (one condition variable guards
/// all of it): at most `capacity` finished runs wait for the writer at a time.
final class SweepExchange: @unchecked Sendable {
    private let condition = NSCondition()
    private let total: Int
    private let capacity: Int
    private var next = 0
    private var delivered = 0
    private var storedCount = 0
    private var buffer: [(index: Int, result: BacktestResult, seconds: Double)] = []
    private var error: (any Error)?
    private var writerDone = false

    init(total: Int, capacity: Int) {
        self.total = total
        self.capacity = capacity
    }

    /// The next point to compute, or `nil` when all are taken (or the writer failed).
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard error == nil, next < total else { return nil }
        next += 1
        return next - 1
    }

    /// Hands a finished run to the writer; waits while the buffer is full.
    func deliver(index: Int, result: BacktestResult, seconds: Double) {
        condition.lock()
        while buffer.count >= capacity && error == nil { condition.wait() }
        buffer.append((index, result, seconds))
        delivered += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch for the writer: at least `minimum` runs unless the last ones; `nil` when all
    /// runs are stored (or a write failed).
    func nextBatch(minimum: Int) -> [(index: Int, result: BacktestResult, seconds: Double)]? {
        condition.lock()
        defer { condition.unlock() }
        while error == nil && buffer.count < minimum && delivered < total { condition.wait() }
        guard error == nil, !buffer.isEmpty else { return nil }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        condition.broadcast()
        return batch
    }

    /// Counts stored runs; returns the total stored so far.
    func stored(_ count: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        storedCount += count
        return storedCount
    }

    func fail(_ failure: any Error) {
        condition.lock()
        if error == nil { error = failure }
        condition.broadcast()
        condition.unlock()
    }

    var failure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return error
    }

    func writerFinished() {
        condition.lock()
        writerDone = true
        condition.broadcast()
        condition.unlock()
    }

    func waitForWriter() {
        condition.lock()
        while !writerDone { condition.wait() }
        condition.unlock()
    }
}

/// Points done, rate and ETA on a terminal's stderr; silent otherwise.
final class Progress: @unchecked Sendable {
    let total: Int
    let enabled: Bool
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    init(total: Int, enabled: Bool) { self.total = total; self.enabled = enabled; started = clock.now }
    func update(done: Int) {
        guard enabled, total > 0 else { return }
        let elapsed = clock.now - started
        let seconds = elapsed / .seconds(1)
        let rate = Double(done) / max(seconds, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        FileHandle.standardError.write(Data("\r\(done)/\(total) points, \(Format.fixed(rate, decimals: 1))/s, ETA \(Int(eta.rounded())) s   ".utf8))
    }
    func finish() { if enabled && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// `dca-backtest merge OUT.sqlite SHARD.sqlite...`.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the databases of sweep shards (or any runs) into one.",
        discussion: "Rows are content-addressed, so merging the same shard twice changes nothing; the merge is one transaction."
    )

    @Argument(help: "The database to write (created if missing).")
    var output: String

    @Argument(help: "The shard databases.")
    var shards: [String]

    func run() throws {
        func canonical(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        for shard in shards {
            guard FileManager.default.fileExists(atPath: shard) else { throw CommandFailure("No database at \(shard).") }
            if canonical(shard) == canonical(output) {
                throw CommandFailure("The output \(output) is also one of the shards: give a new file for the merged database.")
            }
        }
        // Every shard must open (and is migrated to this schema) before the output is created,
        // so a bad shard leaves no empty output behind.
        for shard in shards { _ = try RunStore(path: shard) }
        let existed = FileManager.default.fileExists(atPath: output)
        let store = try RunStore(path: output)
        do {
            try store.merge(paths: shards)
        } catch {
            if !existed {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: output + suffix) }
            }
            throw error
        }
        let count = try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") ?? 0 }
        print("Merged \(shards.count) database(s) into \(output): \(count) runs.")
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
