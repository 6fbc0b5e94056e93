import Foundation
import GRDB
import Testing

/// `runs list`, `runs show` and `data inspect`: what a user reads back.
@Suite(.serialized) struct ReadBackTests {
    @Test func runsListAndShowReadTheStoredRunBack() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let run = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + RunCommandTests.sample + ["--db", db, "--report-dir", folder.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try jsonObject(run.stdout)
        let runID = try #require(summary["run_id"] as? String)

        let list = try runCLI(["runs", "list", "--db", db, "--json"])
        #expect(list.status == 0)
        #expect(list.stdout.contains(runID) && list.stdout.contains("\"symbol\": \"BTCUSDT\""))
        let filtered = try runCLI(["runs", "list", "--db", db, "--symbol", "ETHUSDT"])
        #expect(filtered.stdout.contains("No runs in \(db) match the filter."))

        let show = try runCLI(["runs", "show", String(runID.prefix(8)), "--db", db, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let shown = try jsonObject(show.stdout)
        let orders = try #require(shown["orders"] as? [Any?])
        let deals = try #require(shown["deals"] as? [Any?])
        let statuses = orders.compactMap { ($0 as? [String: Any?])?["status"] as? String }
        #expect(statuses.count == orders.count)
        #expect(statuses.filter { $0 == "filled" }.count == summary["total_trades"] as? Int)
        #expect(statuses.filter { $0 == "rejected" }.count == summary["rejected_orders"] as? Int)
        #expect(deals.count == summary["deals_opened"] as? Int)
        let text = try runCLI(["runs", "show", runID, "--db", db])
        #expect(text.stdout.contains("Run \(runID) of BTC 1-minute ladder on BTCUSDT"))
        #expect(try runCLI(["runs", "show", "ffffffff", "--db", db]).stderr.contains("No run with id ffffffff"))
        // A prefix is text, not a pattern: % and _ match only themselves.
        #expect(try runCLI(["runs", "show", "%", "--db", db]).stderr.contains("No run with id %"))
        #expect(try runCLI(["runs", "show", "_", "--db", db]).stderr.contains("No run with id _"))
    }

    @Test func dataInspectReportsTheBundledArchive() throws {
        let result = try runCLI(["data", "inspect", "datasets/BTCUSDT-1m-2020-01-01.zip", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try jsonObject(result.stdout)
        #expect(json["format"] as? String == "binance_kline")
        #expect(json["timestamp_unit"] as? String == "ms")
        #expect(json["rows"] as? Int == 1440)
        #expect(json["first_open_time"] as? String == "2020-01-01T00:00:00.000Z")
        #expect(json["last_open_time"] as? String == "2020-01-01T23:59:00.000Z")
        #expect(json["interval_seconds"] as? Int == 60)
        #expect(json["gaps"] as? Int == 0)
        #expect(json["duplicates_dropped"] as? Int == 0)
        #expect(json["checksum_verified"] as? Bool == true)
    }

    @Test(.enabled(if: Project.sharedAvailable, Comment(rawValue: Project.skipMessage)))
    func dataInspectNamesTheLineOfAConflictingDuplicate() throws {
        let result = try runCLI(["data", "inspect", Project.sharedDatasets.appendingPathComponent("cryptodatadownload/Binance_BTCUSDT_d.csv").path])
        #expect(result.status != 0)
        // MANIFEST.tsv: 2017-12-18 appears twice with different values, lines 1273/1274.
        #expect(result.stderr.contains("Binance_BTCUSDT_d.csv:1274, column unix"))
        #expect(result.stderr.contains("also on line 1273 with different values"))
    }
}

@Suite(.serialized) struct StoredDetailTests {
    @Test func skipExistingLeavesAStoredRunAloneAndOrdersNoneStoresOnlyTheRunRow() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let base = ["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + RunCommandTests.sample + ["--db", db, "--report-dir", folder.path]
        let lean = try runCLI(base + ["--orders", "none", "--json"])
        #expect(lean.status == 0, "\(lean.stderr)")
        let runID = try #require(try jsonObject(lean.stdout)["run_id"] as? String)
        let counts = "SELECT (SELECT COUNT(*) FROM bot_runs), (SELECT COUNT(*) FROM order_logs), (SELECT COUNT(*) FROM deals), (SELECT COUNT(*) FROM funds)"
        func countRows() throws -> [Int] {
            let row = try DatabaseQueue(path: db).read { try Row.fetchOne($0, sql: counts) }
            return (0..<4).map { row?[$0] as Int? ?? -1 }
        }
        let afterLean = try countRows()
        // One run row, no orders, no deals, two funds rows (USDT and BTC).
        #expect(afterLean == [1, 0, 0, 2])
        let shown = try runCLI(["runs", "show", runID, "--db", db])
        #expect(shown.stdout.contains("Deals and orders: not stored (the run was written with --orders none"), "\(shown.stdout)")
        let empty = try runCLI(["runs", "show", "", "--db", db])
        #expect(empty.status != 0 && empty.stderr.contains("Give a run id"), "\(empty.stderr)")
        let skipped = try runCLI(base + ["--orders", "none", "--skip-existing"])
        #expect(skipped.status == 0)
        #expect(skipped.stdout.contains("Run \(runID) is already stored"))
        #expect(try countRows() == afterLean)
        // Asking for the orders of a run stored without them runs it again, now with its
        // orders and deals, still one run row.
        let withOrders = try runCLI(base + ["--skip-existing"])
        #expect(withOrders.status == 0 && !withOrders.stdout.contains("already stored"))
        let full = try countRows()
        #expect(full[0] == 1 && full[1] > 0 && full[2] > 0)
        // Now stored with everything: skipped whatever detail is asked for, nothing removed.
        for extra in [["--skip-existing"], ["--orders", "none", "--skip-existing"]] {
            let again = try runCLI(base + extra)
            #expect(again.stdout.contains("Run \(runID) is already stored"))
            #expect(try countRows() == full)
        }
    }

    /// `sweep --resume` with `--orders all` runs again the points a sweep stored with
    /// `--orders none`, and skips them once their orders are stored.
    @Test func resumeWithOrdersRunsAgainThePointsStoredWithout() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("sweep.sqlite").path
        let lean = try SweepTests.sweep(db, ["--orders", "none"])
        #expect(lean.status == 0, "\(lean.stderr)")
        let orders = { try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT run_id) FROM order_logs") ?? -1 } }
        #expect(try orders() == 0)
        let full = try SweepTests.sweep(db, ["--resume", "--orders", "all"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.contains("24 points, 24 run now"), "\(full.stdout)")
        #expect(try orders() == 24)
        let again = try SweepTests.sweep(db, ["--resume", "--orders", "all"])
        #expect(again.stdout.contains("24 points, 0 run now, 24 already stored"), "\(again.stdout)")
        let leanAgain = try SweepTests.sweep(db, ["--resume", "--orders", "none"])
        #expect(leanAgain.stdout.contains("0 run now, 24 already stored"), "\(leanAgain.stdout)")
        #expect(try orders() == 24)
    }
}
