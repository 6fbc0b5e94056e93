import Foundation
import GRDB
import Testing

/// Multi-pair grids (`symbols` as a grid key) with the sweep's search options, through the binary:
/// a random draw runs each point on its own symbols' candles; the out-of-sample tests and `report`
/// refuse what this version cannot do for several symbols, before anything is written.
@Suite struct MultiPairSweepSearchTests {
    typealias Case36 = MultiPairCommandTests

    struct Inputs {
        var folder: URL
        var bot: String
        var grid: String
        var eth: String
        var btc: String
        var db: String
    }

    static func inputs() throws -> Inputs {
        let folder = Project.temporaryFolder()
        return Inputs(
            folder: folder,
            bot: try Case36.write(Case36.case36Bot, "bot.json", in: folder),
            grid: try Case36.write(#"{"symbols": [["ETHUSDT", "BTCUSDT"], ["BTCUSDT", "ETHUSDT"], ["ETHUSDT"]]}"#, "grid.json", in: folder),
            eth: try Case36.write(Case36.case36ETH, "ETHUSDT-1h.csv", in: folder),
            btc: try Case36.write(Case36.case36BTC, "BTCUSDT-1h.csv", in: folder),
            db: folder.appendingPathComponent("runs.sqlite").path
        )
    }

    @Test func aRandomDrawOverASymbolsGridRunsEachPointOnItsOwnSymbols() throws {
        let x = try Self.inputs()
        // 5 samples of a 3-point grid: every point once. Realized PnL per point as worked out in
        // MultiPairCommandTests' sweep test: [ETHUSDT, BTCUSDT] is case 36 (+6.5), [BTCUSDT,
        // ETHUSDT] +2, [ETHUSDT] alone +4.5.
        let result = try runCLI(["sweep", "--config", x.bot, "--grid", x.grid, "--data", x.eth, x.btc, "--db", x.db,
                                 "--report-dir", x.folder.path, "--progress", "never", "--search", "random", "--samples", "5", "--seed", "7"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 of 3 points drawn (seed 7)"), "\(result.stdout)")
        let queue = try DatabaseQueue(path: x.db)
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT r.realized_pnl, r.data_fingerprint FROM bot_runs r JOIN sweep_runs s ON s.run_id = r.run_id ORDER BY s.point")
        }
        #expect(rows.count == 3)
        for (row, expected) in zip(rows, [6.5, 2, 4.5]) { #expect(abs((row["realized_pnl"] as Double) - expected) < 1e-9) }
        // Each point's data fingerprint is its own symbols' (in its order): three different ones.
        #expect(Set(rows.map { $0["data_fingerprint"] as String }).count == 3)
        // The sweep's report is written; `report` is not offered for a multi-pair grid's best point.
        let sweepID = try #require(try queue.read { try String.fetchOne($0, sql: "SELECT sweep_id FROM sweeps") })
        #expect(FileManager.default.fileExists(atPath: x.folder.appendingPathComponent("sweep-\(sweepID)/report.html").path))
        #expect(!result.stdout.contains("dca-backtest report "), "\(result.stdout)")
    }

    @Test(arguments: [["--walk-forward", "2h/1h"], ["--split", "0.6"]])
    func anOutOfSampleTestOverAMultiPairGridIsRefusedBeforeAnythingIsStored(option: [String]) throws {
        let x = try Self.inputs()
        let result = try runCLI(["sweep", "--config", x.bot, "--grid", x.grid, "--data", x.eth, x.btc, "--db", x.db,
                                 "--report-dir", x.folder.path, "--progress", "never"] + option)
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(option[0]) works with grids over one symbol only in this version"), "\(result.stderr)")
        #expect(result.stderr.contains("this grid's points trade ETHUSDT, BTCUSDT"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: x.db), "nothing is stored")
    }

    @Test func reportOfAMultiPairRunIsRefusedAndWritesNothing() throws {
        let x = try Self.inputs()
        let run = try runCLI(["run", "--config", x.bot, "--data", "ETHUSDT=\(x.eth)", "BTCUSDT=\(x.btc)", "--db", x.db, "--report-dir", x.folder.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let runID = try #require(try jsonObject(run.stdout)["run_id"] as? String)
        let elsewhere = x.folder.appendingPathComponent("replayed")
        let report = try runCLI(["report", runID, "--db", x.db, "--data", "ETHUSDT=\(x.eth)", "BTCUSDT=\(x.btc)", "--report-dir", elsewhere.path])
        #expect(report.status != 0)
        #expect(report.stderr.contains("trades several symbols (ETHUSDT, BTCUSDT): dca-backtest report replays one-pair runs only in this version"), "\(report.stderr)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere.path), "nothing is written")
    }
}
