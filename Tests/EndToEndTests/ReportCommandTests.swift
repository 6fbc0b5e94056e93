import Foundation
import GRDB
import Testing

/// `dca-backtest report RUN_ID`: the full report of a stored run, replayed from its stored
/// configuration over the same candles.
@Suite(.serialized) struct ReportCommandTests {
    static let sample = SweepTests.sample

    @Test func reportOfARunStoredWithItsOrdersEqualsTheOneRunWrote() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let first = folder.appendingPathComponent("first"), again = folder.appendingPathComponent("again")
        let run = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", first.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let runID = try #require(try jsonObject(run.stdout)["run_id"] as? String)
        let report = try runCLI(["report", String(runID.prefix(8)), "--db", db, "--data"] + Self.sample + ["--report-dir", again.path])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("stored orders matched"), "\(report.stdout)")
        // The same equity curve, bar for bar, and the same report page but for its folder.
        let equityA = try Data(contentsOf: first.appendingPathComponent("\(runID)/equity.csv"))
        let equityB = try Data(contentsOf: again.appendingPathComponent("\(runID)/equity.csv"))
        #expect(equityA == equityB && !equityA.isEmpty)
        let htmlA = try String(contentsOf: first.appendingPathComponent("\(runID)/report.html"), encoding: .utf8).replacingOccurrences(of: first.path, with: "DIR")
        let htmlB = try String(contentsOf: again.appendingPathComponent("\(runID)/report.html"), encoding: .utf8).replacingOccurrences(of: again.path, with: "DIR")
        #expect(htmlA == htmlB)
    }

    @Test func reportOfASweepPointStoredWithoutOrdersReplaysIt() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("sweep.sqlite").path
        let export = folder.appendingPathComponent("points.json")
        let sweep = try runCLI(["sweep", "--config", "datasets/btc-1m-ladder.json", "--grid", "datasets/example-grid.json", "--data"] + Self.sample
            + ["--db", db, "--report-dir", folder.path, "--orders", "none", "--progress", "never", "--export", export.path])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        // Keys sorted (price_deviation 3 values, safety_order_volume_scale 2, take_profit 4), the
        // last fastest: point 8 * 1 + 4 * 0 + 3 = 11 is price_deviation 0.003,
        // safety_order_volume_scale 1, take_profit 0.008.
        let points = try SweepSearchCommandTests.exported(export)
        let runID = try #require(points.first { $0["point"] as? Int == 11 }?["run_id"] as? String)
        let before = try orderedDump(db)
        let report = try runCLI(["report", runID, "--db", db, "--data"] + Self.sample + ["--report-dir", folder.appendingPathComponent("replayed").path])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("its orders were not stored"))
        // The database is untouched.
        #expect(try orderedDump(db) == before)
        // The same equity curve as a standalone run of point 11's configuration.
        var base = try JSONSerialization.jsonObject(with: Data(contentsOf: Project.root.appendingPathComponent("datasets/btc-1m-ladder.json"))) as! [String: Any]
        base["price_deviation"] = 0.003
        base["safety_order_volume_scale"] = 1
        base["take_profit"] = 0.008
        let config = folder.appendingPathComponent("point11.json")
        try JSONSerialization.data(withJSONObject: base).write(to: config)
        let standalone = try runCLI(["run", "--config", config.path, "--data"] + Self.sample + ["--db", folder.appendingPathComponent("one.sqlite").path, "--report-dir", folder.appendingPathComponent("standalone").path, "--json"])
        #expect(try jsonObject(standalone.stdout)["run_id"] as? String == runID)
        let replayed = try Data(contentsOf: folder.appendingPathComponent("replayed/\(runID)/equity.csv"))
        #expect(replayed == (try Data(contentsOf: folder.appendingPathComponent("standalone/\(runID)/equity.csv"))))
    }

    @Test func reportRefusesOtherCandlesAndMissingData() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let run = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path, "--orders", "none", "--json"])
        let runID = try #require(try jsonObject(run.stdout)["run_id"] as? String)
        let out = folder.appendingPathComponent("out")
        // One day of the two: other candles, another fingerprint.
        let wrong = try runCLI(["report", runID, "--db", db, "--data", Self.sample[0], "--report-dir", out.path])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("The --data candles are not the ones run \(runID) used"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("Nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let missing = try runCLI(["report", runID, "--db", db, "--report-dir", out.path])
        #expect(missing.status != 0 && missing.stderr.contains("give the candles it ran on with --data FILE"), "\(missing.stderr)")
        #expect(missing.stderr.contains("it was stored with --orders none"))
        let unknown = try runCLI(["report", "ffffffff", "--db", db, "--data"] + Self.sample)
        #expect(unknown.status != 0 && unknown.stderr.contains("No run with id ffffffff"), "\(unknown.stderr)")
    }
}
