import Backtesting
import DCAStrategy
import Foundation
import MarketData
import Persistence

/// One backtest a sweep schedules: a validated configuration, its run identity and the first
/// sweep point (grid index) it stands for.
public struct SweepJob: Sendable {
    public var configuration: BotConfiguration
    public var identity: RunIdentity
    public var point: Int
    public init(configuration: BotConfiguration, identity: RunIdentity, point: Int) {
        self.configuration = configuration
        self.identity = identity
        self.point = point
    }
}

/// The scheduler of a sweep, shared by `dca-backtest sweep`, the benchmarks and the tests.
///
/// `workers` threads take jobs a few at a time (dynamic scheduling: a slow point never holds up a
/// stripe of others; one-pair jobs over shared candles up to 64 at a time, which step together
/// over one pass of the candles, ``Backtester/run(batch:candles:detail:)``, each take at most
/// half of a worker's share of what is left, so the last ones spread over the workers, and
/// fewer when the runs' order logs are long, see ``SweepExchange/take(upTo:workers:)``) and hand each
/// finished run to one writer thread, which passes them to
/// `sink` in batches. A batch is handed over once it holds `batchSize` runs, or `batchRows`
/// order and deal rows, or its first run has waited `batchDelay`, or no run is left to come.
/// Large batches are what make storing cheap: a transaction's commit writes every page it
/// touched (docs/SWEEPS.md, "Storage"); the delay bounds what an interrupted sweep has to run
/// again. A worker waits only when the writer is two batches behind (`2 * batchSize` runs or
/// `2 * batchRows` rows), which bounds memory whatever the number of jobs. The sink is called on
/// the writer thread, one batch at a time, in completion order (not job order); a sink error
/// stops the workers after the runs in flight and is rethrown.
///
/// Results are deterministic: each run depends only on its configuration and the candles, never
/// on which worker ran it or when. Only how runs are grouped into batches depends on timing.
public struct SweepRunner: Sendable {
    public var workers: Int
    public var batchSize: Int
    public var batchRows: Int
    public var batchDelay: Duration

    /// - Parameters:
    ///   - workers: worker threads (at least 1).
    ///   - batchSize: runs per batch handed to the sink (the last may hold fewer); default 256.
    ///   - batchRows: a batch is handed over as soon as its runs hold this many order and deal
    ///     rows; default 200,000.
    ///   - batchDelay: a batch is handed over once its first run has waited this long; default 1 s.
    public init(workers: Int, batchSize: Int = 256, batchRows: Int = 200_000, batchDelay: Duration = .seconds(1)) {
        precondition(workers >= 1, "a sweep needs at least one worker")
        self.workers = workers
        self.batchSize = max(batchSize, 1)
        self.batchRows = max(batchRows, 1)
        self.batchDelay = batchDelay
    }

    /// Runs every job over `candles` (and `detail` for the `detail` fill model).
    /// - Parameters:
    ///   - keepOrders: keep each result's orders (and deals) for the sink; false drops the orders
    ///     and the closed deals as soon as a run ends (`--orders none`), so memory stays flat.
    ///   - sink: receives each batch on the writer thread (stores it, say).
    ///   - stored: called on the writer thread after each batch with the total handed over so far.
    /// - Throws: the first error the sink threw.
    public func run(
        _ jobs: [SweepJob], candles: CandleSeries, detail: DetailPath? = nil, keepOrders: Bool,
        sink: @escaping @Sendable ([SweepRun]) throws -> Void, stored: (@Sendable (Int) -> Void)? = nil
    ) throws {
        try run(jobs, keepOrders: keepOrders, batchLimit: 64, sink: sink, stored: stored) { configurations in
            Backtester.run(batch: configurations, candles: candles, detail: detail)
        }
    }

    /// Runs every job with `backtest` (a multi-pair grid point on its own symbols' candles, say),
    /// scheduled, handed over and stored as ``run(_:candles:detail:keepOrders:sink:stored:)`` does.
    /// - Parameter backtest: one job's backtest, called on the worker threads; it must depend only
    ///   on the configuration (and data fixed beforehand), and need not record the equity curve.
    public func run(
        _ jobs: [SweepJob], keepOrders: Bool,
        sink: @escaping @Sendable ([SweepRun]) throws -> Void, stored: (@Sendable (Int) -> Void)? = nil,
        backtest: @escaping @Sendable (BotConfiguration) -> BacktestResult
    ) throws {
        try run(jobs, keepOrders: keepOrders, batchLimit: 1, sink: sink, stored: stored) { $0.map(backtest) }
    }

    /// The scheduler itself: each worker takes up to `batchLimit` jobs at a time (fewer as the
    /// jobs run out, so both workers stay busy to the end, and fewer when their order logs are
    /// long) and backtests them with one call of `backtests`, which returns one result per
    /// configuration in their order (``Backtester/run(batch:candles:detail:)``, say). Scheduled,
    /// handed over and stored as ``run(_:candles:detail:keepOrders:sink:stored:)`` does.
    public func run(
        _ jobs: [SweepJob], keepOrders: Bool, batchLimit: Int,
        sink: @escaping @Sendable ([SweepRun]) throws -> Void, stored: (@Sendable (Int) -> Void)? = nil,
        backtests: @escaping @Sendable ([BotConfiguration]) -> [BacktestResult]
    ) throws {
        if jobs.isEmpty { return }
        let exchange = SweepExchange(
            total: jobs.count, batchSize: batchSize, batchRows: batchRows, delaySeconds: batchDelay / .seconds(1)
        )
        let writer = Thread {
            while let batch = exchange.nextBatch() {
                do {
                    try sink(batch)
                    stored?(exchange.stored(batch.count))
                } catch {
                    exchange.fail(error)
                }
            }
            exchange.writerFinished()
        }
        writer.start()
        let clock = ContinuousClock()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let taken = exchange.take(upTo: batchLimit, workers: workers) {
                let start = clock.now
                // The equity curve is never kept: only its statistics are, in the metrics.
                let results = backtests(taken.map { jobs[$0].configuration })
                exchange.noteLogs(results.reduce(0) { max($0, $1.orders.count + $1.deals.count) })
                // A batched job's share of its batch's time.
                let elapsed = (clock.now - start) / taken.count
                for (k, var result) in zip(taken, results) {
                    if !keepOrders {
                        // Each symbol's figures (symbol_results: fees, filled and rejected orders)
                        // are counted from the orders: count them before the orders go.
                        result.storedSymbols = result.symbolOutcomes
                        result.orders = []
                        // The deals go too, but a deal still open: the run's final position (the
                        // `positions` row) is read from it. A batch holds up to 256 runs until it is
                        // stored, so closed deals kept here made a sweep's peak memory grow with its
                        // grid.
                        result.deals = result.deals.filter { $0.closedBar == nil }
                    }
                    // Made here, on a worker: the run's metrics JSON is written by its initialiser.
                    exchange.deliver(SweepRun(result: result, identity: jobs[k].identity, wallSeconds: elapsed / .seconds(1), point: jobs[k].point))
                }
            }
        }
        exchange.waitForWriter()
        if let error = exchange.failure { throw error }
    }
}

/// Hands points to the workers and finished runs to the writer (one condition variable guards
/// all of it): at most two batches' worth of finished runs (``SweepRunner``) wait for the writer.
public final class SweepExchange: @unchecked Sendable {
    private let condition = NSCondition()
    private let total: Int
    private let batchSize: Int
    private let batchRows: Int
    private let delaySeconds: Double
    private var next = 0
    private var delivered = 0
    private var storedCount = 0
    private var buffer: [SweepRun] = []
    /// Order and deal rows of the runs in `buffer`.
    private var bufferedRows = 0
    /// When the first run in `buffer` arrived.
    private var firstBufferedAt = Date.distantFuture
    private var error: (any Error)?
    private var writerDone = false

    init(total: Int, batchSize: Int, batchRows: Int, delaySeconds: Double) {
        self.total = total
        self.batchSize = batchSize
        self.batchRows = batchRows
        self.delaySeconds = delaySeconds
    }

    /// The next points to compute, or `nil` when all are taken (or the writer failed): half of
    /// each worker's share of what is left, at least 1 and at most `limit`, so the last points
    /// spread over the workers; and no more than ``logBudget`` order and deal records' worth
    /// of points of the longest log seen so far (1 before any run has finished), since points
    /// stepped together hold their logs at once until the last of them ends.
    func take(upTo limit: Int, workers: Int) -> Range<Int>? {
        condition.lock()
        defer { condition.unlock() }
        guard error == nil, next < total else { return nil }
        let byMemory = longestLog == 0 ? 1 : max(1, Self.logBudget / longestLog)
        let count = min(limit, byMemory, max(1, (total - next) / (2 * workers)))
        next += count
        return next - count..<next
    }

    /// Order and deal records the points a worker steps together may hold at once (about 8 MB
    /// of records): a bot logging 25,000 orders a run goes 2 at a time, one logging 50,000 alone,
    /// a typical ladder's few hundred up to the 64 a batch takes.
    static let logBudget = 50_000
    /// The longest order log plus deals of a finished run so far.
    private var longestLog = 0

    /// Records the longest log of a group of finished runs (``take(upTo:workers:)``).
    func noteLogs(_ records: Int) {
        condition.lock()
        longestLog = max(longestLog, records)
        condition.unlock()
    }

    /// Hands a finished run to the writer; waits while two batches' worth are waiting.
    func deliver(_ run: SweepRun) {
        condition.lock()
        while !buffer.isEmpty && (buffer.count >= 2 * batchSize || bufferedRows >= 2 * batchRows) && error == nil { condition.wait() }
        if buffer.isEmpty { firstBufferedAt = Date() }
        buffer.append(run)
        bufferedRows += run.result.orders.count + run.result.deals.count
        delivered += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch for the writer (see ``SweepRunner``); `nil` when all runs are handed over
    /// (or a write failed).
    func nextBatch() -> [SweepRun]? {
        condition.lock()
        defer { condition.unlock() }
        while error == nil && delivered < total && buffer.count < batchSize && bufferedRows < batchRows {
            if buffer.isEmpty {
                condition.wait()
            } else {
                let due = firstBufferedAt.addingTimeInterval(delaySeconds)
                if Date() >= due || !condition.wait(until: due) { break }
            }
        }
        guard error == nil, !buffer.isEmpty else { return nil }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        bufferedRows = 0
        firstBufferedAt = .distantFuture
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
