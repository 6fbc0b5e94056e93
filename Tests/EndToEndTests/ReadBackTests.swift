import Foundation
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
