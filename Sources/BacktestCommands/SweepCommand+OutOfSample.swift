import Backtesting
import DCAStrategy
import Foundation
import MarketData
import Persistence
import Reports
import Sweeps

/// `sweep --walk-forward TRAIN/TEST` and `sweep --split FRACTION` (docs/SWEEPS.md).
extension SweepCommand {
    /// Optimises the objective on each training span, runs the best point on the test span that
    /// follows, prints each window and the totals, writes `walk-forward.json` and `report.html`.
    func runOutOfSample(points: [Point], context: Context, invalidCount: Int) throws {
        let candles = context.candles, store = context.store, sweepID = context.sweepID, grid = context.grid
        guard let interval = candles.intervalNanoseconds else {
            throw CommandFailure("The data holds a single candle: there is nothing to split into training and test spans.")
        }
        let windows: [WalkForwardPlan.Window]
        let barsLeftOut: Int
        if let walkForward, let lengths = WalkForwardPlan.parseLengths(walkForward) {
            let plan = WalkForwardPlan(openTimes: candles.openTimes, interval: interval, train: lengths.train, test: lengths.test)
            guard !plan.windows.isEmpty else {
                let span = candles.openTimes[candles.count - 1] + interval - candles.openTimes[0]
                throw CommandFailure("--walk-forward \(walkForward) needs \(walkForward.replacingOccurrences(of: "/", with: " + ")) of candles for one window; the data spans \(Self.length(span)) (\(UTCTime.iso8601(nanoseconds: candles.openTimes[0])) to \(UTCTime.iso8601(nanoseconds: candles.openTimes[candles.count - 1] + interval))). Give shorter lengths or more data.")
            }
            windows = plan.windows
            barsLeftOut = plan.barsLeftOut
        } else {
            let cut = WalkForwardPlan.split(count: candles.count, fraction: split ?? 0.5)
            guard !cut.inSample.isEmpty, !cut.outOfSample.isEmpty else {
                throw CommandFailure("--split \(JSONValue.format(split ?? 0)) of \(candles.count) candles leaves \(cut.inSample.count) in sample and \(cut.outOfSample.count) out of sample: each side needs at least one candle.")
            }
            windows = [.init(train: cut.inSample, test: cut.outOfSample)]
            barsLeftOut = 0
        }
        let key = objective.metric.key
        // Training points keep their orders only with --orders all; each window's test run (the
        // point chosen) keeps them unless --orders none.
        let trainingDetail: OrderDetail = orders == .all ? .all : .none
        let testDetail: OrderDetail = orders == .none ? .none : .all
        let usable = windows.filter { !$0.train.isEmpty && !$0.test.isEmpty }
        let total = usable.count * points.count
        var done = 0
        var results: [WalkForwardWindowResult] = []
        var lastTraining: (points: [Point], metrics: [String: [String: Double]])?
        let clock = ContinuousClock()
        let started = clock.now
        var ran = 0
        print("Sweep \(sweepID): \(points.count) points\(search == .random ? " drawn (seed \(seed))" : "") optimised by \(key) on \(windows.count) \(walkForward != nil ? "walk-forward window(s) (\(walkForward!))" : "in-sample span (--split \(JSONValue.format(split ?? 0)))"); \(invalidCount) invalid; stored in \(store.location)")
        for (w, window) in windows.enumerated() {
            let spans = "train \(Self.span(window.train, of: candles)), test \(Self.span(window.test, of: candles))"
            guard !window.train.isEmpty, !window.test.isEmpty else {
                print("Window \(w + 1): \(spans): skipped, a span holds no candles (a gap in the data).")
                continue
            }
            let training = candles.window(window.train)
            let trainingFingerprint = training.fingerprint
            let trainingPoints = points.map { point in
                Point(index: point.index, values: point.values, configuration: point.configuration, identity: RunIdentity(configuration: point.configuration, dataFingerprint: trainingFingerprint))
            }
            // Out-of-sample tests are refused for multi-pair grids: `training` is the one symbol's window.
            let trainingRunner = PointRunner(candles: training, detail: context.detail, symbolData: nil, symbols: [])
            let outcome = try runPoints(trainingPoints, runner: trainingRunner, detail: trainingDetail, context: context, progressTotal: (total, done))
            done += trainingPoints.count
            ran += outcome.ran
            let metrics = outcome.metrics
            let ranked = rank(trainingPoints, metrics: metrics)
            guard let best = ranked.first else { continue }
            lastTraining = (trainingPoints, metrics)
            // The chosen point on the test span: a fresh bot from the initial balance.
            let test = candles.window(window.test)
            let testIdentity = RunIdentity(configuration: best.configuration, dataFingerprint: test.fingerprint)
            if try store.contains(runID: testIdentity.runID, detail: testDetail) {
                try store.link([(testIdentity.runID, best.index)], toSweep: sweepID)
            } else {
                let start = clock.now
                let result = Backtester.run(configuration: best.configuration, candles: test, recordEquity: false)
                try store.write(result, identity: testIdentity, orders: testDetail, membership: .sweep(sweepID, point: best.index),
                                executedAt: RunCommand.wallClockISO8601(), wallSeconds: (clock.now - start) / .seconds(1))
                ran += 1
            }
            let testMetrics = try store.metrics(runIDs: [testIdentity.runID])[testIdentity.runID] ?? [:]
            let result = WalkForwardWindowResult(
                window: w, train: window.train, test: window.test, bestPoint: best.index, bestValues: Self.describe(best.values),
                inSampleRunID: best.identity.runID, outOfSampleRunID: testIdentity.runID, inSample: metrics[best.identity.runID] ?? [:], outOfSample: testMetrics
            )
            results.append(result)
            print("Window \(w + 1): \(spans): best point \(best.index) (\(result.bestValues)): \(key) in sample \(show(key, result.inSample)), out of sample \(show(key, result.outOfSample)); total_pnl in sample \(show("total_pnl", result.inSample)), out of sample \(show("total_pnl", result.outOfSample)); test run \(testIdentity.runID)")
        }
        let seconds = (clock.now - started) / .seconds(1)
        let totals = WalkForwardTotals(results, objective: key)
        print("In total over \(totals.windows) window(s): \(key) mean in sample \(Self.optional(totals.inSampleMean, key)) (\(totals.inSampleWindows) window(s) defined), out of sample \(Self.optional(totals.outOfSampleMean, key)) (\(totals.outOfSampleWindows)); out-of-sample PnL \(Format.metric(MetricDefinition.named("total_pnl")!, value: totals.outOfSamplePnL)) (sum of the test runs), return \(Format.metric(MetricDefinition.named("total_return")!, value: totals.outOfSampleReturn)) (compounded)\(barsLeftOut > 0 ? "; \(barsLeftOut) candle(s) after the last test span not evaluated" : "").")
        print("\(ran) backtests run in \(Format.fixed(seconds, decimals: 2)) s on \(context.workers) worker(s).")

        let folder = reportDirectory + "/sweep-" + sweepID
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try walkForwardJSON(results, totals: totals, sweepID: sweepID, barsLeftOut: barsLeftOut, candles: candles).text(pretty: true)
                .write(toFile: folder + "/walk-forward.json", atomically: true, encoding: .utf8)
            let rows = results.map {
                SweepReport.WalkForwardRow(window: $0.window, trainSpan: Self.span($0.train, of: candles), testSpan: Self.span($0.test, of: candles), bestPoint: $0.bestPoint, inSample: $0.inSample[key], outOfSample: $0.outOfSample[key])
            }
            let shown = lastTraining ?? (points, [:])
            let note = walkForward != nil ? "Leaderboard and charts: the last training window's points (\(results.last.map { Self.span($0.train, of: candles) } ?? "none"))." : "Leaderboard and charts: the in-sample points (\(results.first.map { Self.span($0.train, of: candles) } ?? "none"))."
            try sweepReport(points: shown.points, metrics: shown.metrics, grid: grid, sweepID: sweepID, walkForward: rows, note: note).write(to: folder)
            print("Report: \(folder)/report.html (walk-forward table: \(folder)/walk-forward.json)")
        } catch {
            throw CommandFailure("The sweep was stored in \(store.location) but its report could not be written to \(folder): \(error)")
        }
    }

    /// `2020-01-01T00:00:00.000Z to 2020-01-02T00:00:00.000Z (24 candles)`: first open to last close.
    static func span(_ bars: Range<Int>, of candles: CandleSeries) -> String {
        guard !bars.isEmpty, let interval = candles.intervalNanoseconds else { return "no candles" }
        return "\(UTCTime.iso8601(nanoseconds: candles.openTimes[bars.lowerBound])) to \(UTCTime.iso8601(nanoseconds: candles.openTimes[bars.upperBound - 1] + interval)) (\(bars.count) candles)"
    }

    func show(_ key: String, _ metrics: [String: Double]) -> String {
        Self.optional(metrics[key], key)
    }

    static func optional(_ value: Double?, _ key: String) -> String {
        MetricDefinition.named(key).map { Format.metric($0, value: value) } ?? "n/a"
    }

    /// `90 days`, `36 hours`, `15 minutes`.
    static func length(_ nanoseconds: Int64) -> String {
        let minutes = nanoseconds / 60_000_000_000
        if minutes % 1_440 == 0 { return "\(minutes / 1_440) day(s)" }
        if minutes % 60 == 0 { return "\(minutes / 60) hour(s)" }
        return "\(minutes) minute(s)"
    }

    /// `walk-forward.json`: every window's spans, chosen point, run ids and metrics, and the totals.
    func walkForwardJSON(_ results: [WalkForwardWindowResult], totals: WalkForwardTotals, sweepID: String, barsLeftOut: Int, candles: CandleSeries) -> JSONValue {
        let interval = candles.intervalNanoseconds ?? 0
        func times(_ bars: Range<Int>) -> [(String, JSONValue)] {
            [("from", .string(UTCTime.iso8601(nanoseconds: candles.openTimes[bars.lowerBound]))),
             ("to", .string(UTCTime.iso8601(nanoseconds: candles.openTimes[bars.upperBound - 1] + interval))),
             ("first_candle", .integer(Int64(bars.lowerBound))), ("candles", .integer(Int64(bars.count)))]
        }
        func metrics(_ m: [String: Double]) -> JSONValue {
            .object(Self.exportedMetrics.map { ($0, JSONValue.optional(m[$0])) })
        }
        let windows: [JSONValue] = results.map { r in
            .object([
                ("window", .integer(Int64(r.window + 1))), ("train", .object(times(r.train))), ("test", .object(times(r.test))),
                ("best_point", .integer(Int64(r.bestPoint))), ("best_values", .string(r.bestValues)),
                ("in_sample_run_id", .string(r.inSampleRunID)), ("out_of_sample_run_id", .string(r.outOfSampleRunID)),
                ("in_sample", metrics(r.inSample)), ("out_of_sample", metrics(r.outOfSample)),
            ])
        }
        return .object([
            ("sweep_id", .string(sweepID)), ("objective", .string(objective.metric.key)),
            ("method", .string(walkForward.map { "walk-forward \($0)" } ?? "split \(JSONValue.format(split ?? 0))")),
            ("windows", .array(windows)),
            ("totals", .object([
                ("windows", .integer(Int64(totals.windows))),
                ("in_sample_mean", .optional(totals.inSampleMean)), ("in_sample_windows", .integer(Int64(totals.inSampleWindows))),
                ("out_of_sample_mean", .optional(totals.outOfSampleMean)), ("out_of_sample_windows", .integer(Int64(totals.outOfSampleWindows))),
                ("out_of_sample_total_pnl", .optional(totals.outOfSamplePnL)), ("out_of_sample_compounded_return", .optional(totals.outOfSampleReturn)),
            ])),
            ("candles_left_out", .integer(Int64(barsLeftOut))),
        ])
    }
}
