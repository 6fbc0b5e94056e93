import Backtesting
import DCAStrategy
import Foundation
import GRDB
import MarketData
import Persistence
import Sweeps
import Testing

/// The sweep scheduler the command, the benchmarks and these tests share.
@Suite struct SweepRunnerTests {
    /// 200 hourly candles of a zigzag around 100 (fills and take profits on most bars).
    static let candles: CandleSeries = {
        var series = CandleSeries()
        for i in 0..<200 {
            let open = 100 + 3 * sin(Double(i) / 3), close = 100 + 3 * sin(Double(i + 1) / 3)
            series.append(openTime: Int64(i) * 3_600_000_000_000, open: open, high: max(open, close) + 0.4, low: min(open, close) - 0.4, close: close, volume: 1)
        }
        series.cacheInterval()
        return series
    }()

    static func jobs(_ count: Int) throws -> [SweepJob] {
        try (0..<count).map { k in
            let configuration = try BotConfiguration.decode(json: Data("""
                {"symbol": "BTCUSDT", "initial_balance": 1000, "base_order_size": 10, "safety_order_size": 10, "max_safety_orders": 3,
                 "price_deviation": \(0.005 + 0.001 * Double(k % 7)), "take_profit": \(0.004 + 0.002 * Double(k / 7)), "fee_rate": 0.001}
                """.utf8))
            return SweepJob(configuration: configuration, identity: RunIdentity(configuration: configuration, dataFingerprint: "test"), point: k)
        }
    }

    final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var batches: [[SweepRun]] = []
        var stored: [Int] = []
        func add(_ batch: [SweepRun]) { lock.lock(); batches.append(batch); lock.unlock() }
        func count(_ n: Int) { lock.lock(); stored.append(n); lock.unlock() }
    }

    @Test(arguments: [1, 2, 3])
    func everyJobRunsOnceAndEqualsASeparateBacktest(workers: Int) throws {
        let jobs = try Self.jobs(35)
        let collected = Collected()
        try SweepRunner(workers: workers, batchSize: 8, batchDelay: .seconds(3600)).run(jobs, candles: Self.candles, keepOrders: true, sink: collected.add, stored: collected.count)
        let runs = collected.batches.flatMap { $0 }
        #expect(runs.map(\.point).sorted() == Array(0..<35))
        // Batches of at least 8 but the last (35 = 4 * 8 + 3 at worst); counts handed over grow to 35.
        #expect(collected.batches.dropLast().allSatisfy { $0.count >= 8 })
        #expect(collected.stored.last == 35 && collected.stored == collected.stored.sorted())
        for run in runs {
            let alone = Backtester.run(configuration: jobs[run.point].configuration, candles: Self.candles, recordEquity: false)
            #expect(run.identity == jobs[run.point].identity)
            #expect(run.result.orders.count == alone.orders.count && !alone.orders.isEmpty)
            #expect(run.result.metrics.totalPnL.bitPattern == alone.metrics.totalPnL.bitPattern)
            #expect(run.result.metrics.finalEquity.bitPattern == alone.metrics.finalEquity.bitPattern)
            #expect(run.result.metrics.jsonText == alone.metrics.jsonText)
        }
    }

    @Test func aJobsOwnBacktestRunsEachJobOnceOnTheDataItChooses() throws {
        // Even points on the candles as given, odd points on their first 100 (as a multi-pair
        // sweep runs each point on its own symbols' candles): each run equals that backtest alone.
        let jobs = try Self.jobs(12)
        let firstHalf = Self.candles.window(0..<100)
        let collected = Collected()
        try SweepRunner(workers: 2, batchSize: 4).run(jobs, keepOrders: true, sink: collected.add) { configuration in
            let k = jobs.firstIndex { $0.configuration == configuration }!
            return Backtester.run(configuration: configuration, candles: k % 2 == 0 ? Self.candles : firstHalf, recordEquity: false)
        }
        let runs = collected.batches.flatMap { $0 }
        #expect(runs.map(\.point).sorted() == Array(0..<12))
        for run in runs {
            let alone = Backtester.run(configuration: jobs[run.point].configuration, candles: run.point % 2 == 0 ? Self.candles : firstHalf, recordEquity: false)
            #expect(run.result.orders.count == alone.orders.count && !alone.orders.isEmpty)
            #expect(run.result.metrics.totalPnL.bitPattern == alone.metrics.totalPnL.bitPattern)
            #expect(run.result.metrics.finalEquity.bitPattern == alone.metrics.finalEquity.bitPattern)
            #expect(run.result.metrics.jsonText == alone.metrics.jsonText)
        }
    }

    @Test func aBatchIsHandedOverWhenItsFirstRunHasWaitedTheDelay() throws {
        // One worker; the third job finishes only after the writer has received a batch. With
        // 100 runs to a batch, only the 0.05 s delay can hand over the first two runs.
        let jobs = try Self.jobs(3)
        let collected = Collected()
        let firstBatch = DispatchSemaphore(value: 0)
        try SweepRunner(workers: 1, batchSize: 100, batchDelay: .milliseconds(50)).run(jobs, keepOrders: false, sink: { batch in
            collected.add(batch)
            if collected.batches.count == 1 { firstBatch.signal() }
        }) { configuration in
            if configuration == jobs[2].configuration {
                #expect(firstBatch.wait(timeout: .now() + 60) == .success, "the first two runs were not handed over after the delay")
            }
            return Backtester.run(configuration: configuration, candles: Self.candles, recordEquity: false)
        }
        #expect(collected.batches.map { $0.map(\.point) } == [[0, 1], [2]])
    }

    @Test func aBatchIsHandedOverOnceItsRunsHoldTheRowBudget() throws {
        // Every run logs several orders, so one run is over a budget of 1 row: each batch holds
        // one run (a worker waits while two budgets' worth are unwritten).
        let collected = Collected()
        try SweepRunner(workers: 2, batchSize: 100, batchRows: 1, batchDelay: .seconds(3600)).run(try Self.jobs(12), candles: Self.candles, keepOrders: true, sink: collected.add)
        #expect(collected.batches.count == 12 && collected.batches.allSatisfy { $0.count == 1 })
        #expect(collected.batches.flatMap { $0.map(\.point) }.sorted() == Array(0..<12))
    }

    @Test func withoutOrdersTheResultsDropTheOrdersAndTheClosedDeals() throws {
        let collected = Collected()
        try SweepRunner(workers: 2).run(try Self.jobs(10), candles: Self.candles, keepOrders: false, sink: collected.add)
        let runs = collected.batches.flatMap { $0 }
        #expect(runs.count == 10 && runs.allSatisfy { $0.result.orders.isEmpty && $0.result.equity.isEmpty })
        // A one-pair run keeps at most its deal still open (its final position is read from it).
        #expect(runs.allSatisfy { $0.result.deals.count <= 1 && $0.result.deals.allSatisfy { $0.closedBar == nil } })
        #expect(runs.allSatisfy { $0.result.metrics.dealsClosed > 0 })
    }

    @Test func withoutOrdersTheSymbolFiguresAndFinalPositionEqualTheRunStoredWithItsOrders() throws {
        // symbol_results is written whatever --orders says: a one-pair run stored without its
        // orders has the figures of the same run stored with them (they were 0 once).
        let jobs = try Self.jobs(6)
        let collected = Collected()
        try SweepRunner(workers: 2).run(jobs, candles: Self.candles, keepOrders: false, sink: collected.add)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-runner-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let swept = try RunStore(path: folder.appendingPathComponent("swept.sqlite").path)
        let alone = try RunStore(path: folder.appendingPathComponent("alone.sqlite").path)
        try swept.recordSweep(SweepRecord(id: "00000000-0000-4000-8000-000000000001", grid: "{}", baseConfig: "{}", dataFingerprint: "test", runs: 6, invalidPoints: "[]", createdAt: "2026-01-01T00:00:00.000Z"))
        for batch in collected.batches {
            try swept.write(batch: batch, orders: .none, sweepID: "00000000-0000-4000-8000-000000000001", executedAt: "2026-01-01T00:00:00.000Z")
        }
        for job in jobs {
            let result = Backtester.run(configuration: job.configuration, candles: Self.candles, recordEquity: false)
            try alone.write(result, identity: job.identity, orders: .all, executedAt: "2026-01-01T00:00:00.000Z", wallSeconds: 0)
            // Filled orders are the run's trades; every run here fills and pays fees.
            #expect(result.metrics.totalTrades > 0 && result.metrics.feesPaid > 0)
        }
        let columns = "run_id, symbol, fees, filled_orders, rejected_orders, deals_opened, deals_closed, realized_pnl"
        let query = "SELECT \(columns) FROM symbol_results ORDER BY run_id"
        let sweptRows = try swept.read { try Row.fetchAll($0, sql: query) }
        let aloneRows = try alone.read { try Row.fetchAll($0, sql: query) }
        #expect(sweptRows.count == 6 && sweptRows == aloneRows)
        let trades = try alone.read { try Row.fetchAll($0, sql: "SELECT s.filled_orders = r.total_trades AS same FROM symbol_results s JOIN bot_runs r USING (run_id)") }
        #expect(trades.allSatisfy { $0["same"] == true })
        // The final position and balances too: they come from the deal still open, which the
        // sweep keeps when it drops the others. Some of these runs end inside a deal.
        for table in ["positions", "funds", "holdings"] {
            let sweptTable = try swept.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table) ORDER BY run_id, 2, 3") }
            let aloneTable = try alone.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table) ORDER BY run_id, 2, 3") }
            #expect(sweptTable.count >= 6 && sweptTable == aloneTable, "\(table)")
        }
        let holding = try alone.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM positions WHERE qty > 0") }
        #expect((holding ?? 0) > 0)
    }

    struct SinkFailure: Error {}

    @Test func aSinkErrorStopsTheSweepAndIsRethrown() throws {
        let collected = Collected()
        #expect(throws: SinkFailure.self) {
            try SweepRunner(workers: 2, batchSize: 4).run(try Self.jobs(200), candles: Self.candles, keepOrders: false, sink: { _ in throw SinkFailure() }, stored: collected.count)
        }
        #expect(collected.stored.isEmpty)
    }

    @Test func noJobsIsNoWork() throws {
        try SweepRunner(workers: 2).run([], candles: Self.candles, keepOrders: false, sink: { _ in Issue.record("no batch expected") })
    }

    @Test func aWindowKeepsTheSeriesInterval() {
        let window = Self.candles.window(10..<11)
        #expect(window.count == 1 && window.openTimes == [36_000_000_000_000])
        #expect(window.intervalNanoseconds == 3_600_000_000_000)
    }
}

@Suite struct SweepProgressTests {
    final class Output: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
        func write(_ s: String) { lock.lock(); text += s; lock.unlock() }
    }

    @Test func styleFollowsTheModeAndTheTerminal() {
        #expect(SweepProgress.style(for: .auto, terminal: true) == .live)
        #expect(SweepProgress.style(for: .auto, terminal: false, interval: 5) == .lines(interval: 5))
        #expect(SweepProgress.style(for: .always, terminal: true, interval: 2) == .lines(interval: 2))
        #expect(SweepProgress.style(for: .never, terminal: true) == .silent)
        #expect(SweepProgress.style(for: .never, terminal: false) == .silent)
    }

    @Test func pipedLinesAreWholeAndEndWithTheTotal() {
        let out = Output()
        let progress = SweepProgress(total: 4, style: .lines(interval: 0), write: out.write)
        progress.update(done: 1)
        progress.update(done: 3)
        progress.finish()
        let lines = out.text.split(separator: "\n", omittingEmptySubsequences: false)
        // Three lines and the final newline; 3 of 4 is 75.0%.
        #expect(lines.count == 4 && lines[3].isEmpty)
        #expect(lines[0].hasPrefix("progress: 1/4 points (25.0%), ") && lines[1].hasPrefix("progress: 3/4 points (75.0%), "))
        #expect(lines[2].hasPrefix("progress: 3/4 points (75.0%), "))
        #expect(!out.text.contains("\r"))
    }

    @Test func linesWaitForTheInterval() {
        let out = Output()
        let progress = SweepProgress(total: 10, style: .lines(interval: 3600), write: out.write)
        for done in 1...10 { progress.update(done: done) }
        #expect(out.text.isEmpty)
        progress.finish()
        #expect(out.text.hasPrefix("progress: 10/10 points (100.0%), ") && out.text.hasSuffix(" s\n"))
    }

    @Test func aTerminalLineIsRewrittenInPlace() {
        let out = Output()
        let progress = SweepProgress(total: 2, style: .live, write: out.write)
        progress.update(done: 1)
        progress.update(done: 2)
        progress.finish()
        #expect(out.text.hasPrefix("\r1/2 points (50.0%), ") && out.text.contains("\r2/2 points (100.0%), ") && out.text.hasSuffix("\n"))
        let silent = Output()
        let none = SweepProgress(total: 2, style: .silent, write: silent.write)
        none.update(done: 2)
        none.finish()
        #expect(silent.text.isEmpty)
    }
}

@Suite struct WalkForwardTotalsTests {
    static func window(_ w: Int, inSample: Double?, outOfSample: Double?, pnl: Double, ret: Double) -> WalkForwardWindowResult {
        WalkForwardWindowResult(
            window: w, train: 0..<1, test: 1..<2, bestPoint: 0, bestValues: "", inSampleRunID: "", outOfSampleRunID: "",
            inSample: inSample.map { ["sharpe_ratio": $0] } ?? [:], outOfSample: (outOfSample.map { ["sharpe_ratio": $0] } ?? [:]).merging(["total_pnl": pnl, "total_return": ret]) { a, _ in a })
    }

    @Test func totalsAverageTheObjectiveSumThePnLAndCompoundTheReturns() {
        let totals = WalkForwardTotals([
            Self.window(0, inSample: 2, outOfSample: 1, pnl: 10, ret: 0.1),
            Self.window(1, inSample: 1, outOfSample: nil, pnl: -5, ret: -0.05),
            Self.window(2, inSample: nil, outOfSample: -0.5, pnl: 2.5, ret: 0),
        ], objective: "sharpe_ratio")
        // In sample: (2 + 1) / 2 over 2 windows; out of sample (1 - 0.5) / 2 over 2 windows.
        #expect(totals.windows == 3 && totals.inSampleWindows == 2 && totals.outOfSampleWindows == 2)
        #expect(totals.inSampleMean == 1.5 && totals.outOfSampleMean == 0.25)
        // 10 - 5 + 2.5; 1.1 * 0.95 * 1 - 1 = 0.045.
        #expect(totals.outOfSamplePnL == 7.5)
        #expect(abs(totals.outOfSampleReturn - 0.045) < 1e-12)
        let none = WalkForwardTotals([], objective: "sharpe_ratio")
        #expect(none.inSampleMean == nil && none.outOfSampleMean == nil && none.outOfSamplePnL == 0 && none.outOfSampleReturn == 0)
    }
}
