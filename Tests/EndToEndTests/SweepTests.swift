import Foundation
import GRDB
import Testing

/// `dca-backtest sweep` and `merge`: the same tables however the work is split.
@Suite(.serialized) struct SweepTests {
    static let sample = ["datasets/BTCUSDT-1m-2020-01-01.zip", "datasets/BTCUSDT-1m-2020-01-02.zip"]

    static func sweep(_ db: String, _ extra: [String] = [], grid: String = "datasets/example-grid.json", environment: [String: String] = [:]) throws -> ProcessResult {
        // The report goes beside the database (a temporary folder for a PostgreSQL URL), not into
        // the repository's reports/.
        let reports = db.contains("://") ? Project.temporaryFolder().path : URL(fileURLWithPath: db).deletingLastPathComponent().path
        return try runCLI(["sweep", "--config", "datasets/btc-1m-ladder.json", "--grid", grid, "--data"] + sample + ["--db", db, "--report-dir", reports] + extra, environment: environment)
    }

    @Test func sameTablesWithOneWorkerTwoWorkersAndThreeMergedShards() throws {
        let folder = Project.temporaryFolder()
        let one = folder.appendingPathComponent("one.sqlite").path
        let two = folder.appendingPathComponent("two.sqlite").path
        #expect(try Self.sweep(one, ["--jobs", "1"]).status == 0)
        #expect(try Self.sweep(two, ["--jobs", "2"]).status == 0)
        var shards: [String] = []
        for i in 1...3 {
            let shard = folder.appendingPathComponent("shard\(i).sqlite").path
            let result = try Self.sweep(shard, ["--shard", "\(i)/3"])
            #expect(result.status == 0, "\(result.stderr)")
            shards.append(shard)
        }
        let merged = folder.appendingPathComponent("merged.sqlite").path
        // The default --orders top:10: shards store no orders, merge runs the best 10 of the whole
        // sweep again on the same candles.
        let merge = try runCLI(["merge", merged] + shards + ["--data"] + Self.sample)
        #expect(merge.status == 0, "\(merge.stderr)")
        let reference = try orderedDump(one)
        #expect(try DatabaseQueue(path: one).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") } == 24)
        // The runs with orders are the 10 best by Sharpe (the default objective), ties by grid point.
        try DatabaseQueue(path: one).read { db throws in
            let withOrders = try Set(String.fetchAll(db, sql: "SELECT DISTINCT run_id FROM order_logs"))
            let best = try String.fetchAll(db, sql: """
                SELECT r.run_id FROM bot_runs r JOIN sweep_runs l ON l.run_id = r.run_id
                ORDER BY json_extract(r.metrics, '$.sharpe_ratio') DESC NULLS LAST, l.point LIMIT 10
                """)
            #expect(withOrders.count == 10 && withOrders == Set(best))
        }
        #expect(try orderedDump(two) == reference)
        #expect(try orderedDump(merged) == reference)
    }

    @Test func kubernetesAndSlurmIndicesPickTheSameShard() throws {
        let folder = Project.temporaryFolder()
        let explicit = folder.appendingPathComponent("explicit.sqlite").path
        #expect(try Self.sweep(explicit, ["--shard", "2/3"]).status == 0)
        let slurm = folder.appendingPathComponent("slurm.sqlite").path
        // The variables go to the sweep's own process only: other tests run sweeps meanwhile.
        #expect(try Self.sweep(slurm, environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3"]).status == 0)
        // Half of Slurm's pair is a mistake, not "run every point".
        let half = try Self.sweep(folder.appendingPathComponent("half.sqlite").path, environment: ["SLURM_ARRAY_TASK_ID": "1"])
        #expect(half.status != 0 && half.stderr.contains("SLURM_ARRAY_TASK_ID is '1' and SLURM_ARRAY_TASK_COUNT not set"), "\(half.stderr)")
        let kubernetes = folder.appendingPathComponent("kubernetes.sqlite").path
        #expect(try Self.sweep(kubernetes, ["--shard-count", "3"], environment: ["JOB_COMPLETION_INDEX": "1"]).status == 0)
        let reference = try orderedDump(explicit)
        #expect(try orderedDump(slurm) == reference)
        #expect(try orderedDump(kubernetes) == reference)
        // Points 1, 4, 7, ... of 24: 8 runs.
        #expect(try DatabaseQueue(path: explicit).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") } == 8)
    }

    @Test func everyPointEqualsAStandaloneRunOfThatPoint() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("sweep.sqlite").path
        let export = folder.appendingPathComponent("points.json").path
        #expect(try Self.sweep(db, ["--export", export, "--orders", "all"]).status == 0)
        // Point 7 of the grid (keys sorted: price_deviation, safety_order_volume_scale,
        // take_profit; 3 x 2 x 4 points, the last key fastest): price_deviation 0.003,
        // safety_order_volume_scale 1, take_profit 0.008.
        var base = try JSONSerialization.jsonObject(with: Data(contentsOf: Project.root.appendingPathComponent("datasets/btc-1m-ladder.json"))) as! [String: Any]
        base["price_deviation"] = 0.003
        base["safety_order_volume_scale"] = 1
        base["take_profit"] = 0.008
        let config = folder.appendingPathComponent("point7.json")
        try JSONSerialization.data(withJSONObject: base).write(to: config)
        let standaloneDB = folder.appendingPathComponent("standalone.sqlite").path
        let standalone = try runCLI(["run", "--config", config.path, "--data"] + Self.sample + ["--db", standaloneDB, "--report-dir", folder.path, "--json"])
        #expect(standalone.status == 0, "\(standalone.stderr)")
        let runID = try #require(try jsonObject(standalone.stdout)["run_id"] as? String)
        let exported = try String(contentsOfFile: export, encoding: .utf8)
        #expect(exported.contains(runID))
        let query = "SELECT metrics, total_pnl, max_drawdown, sharpe_ratio, total_trades FROM bot_runs WHERE run_id = ?"
        let inSweep = try DatabaseQueue(path: db).read { try Row.fetchOne($0, sql: query, arguments: [runID]) }
        let alone = try DatabaseQueue(path: standaloneDB).read { try Row.fetchOne($0, sql: query, arguments: [runID]) }
        #expect(inSweep != nil && inSweep == alone)
        let orders = "SELECT COUNT(*), TOTAL(avg_price * filled_qty) FROM order_logs WHERE run_id = ?"
        #expect(try DatabaseQueue(path: db).read { try Row.fetchOne($0, sql: orders, arguments: [runID]) }
            == DatabaseQueue(path: standaloneDB).read { try Row.fetchOne($0, sql: orders, arguments: [runID]) })
    }

    @Test func killedSweepResumesToTheSameTables() throws {
        let folder = Project.temporaryFolder()
        let (csv, _) = try CrashSafetyTests.largeInput(in: folder)
        let grid = folder.appendingPathComponent("grid.json")
        try #"{"take_profit": [0.002, 0.003, 0.004, 0.005], "price_deviation": [0.002, 0.003, 0.004], "max_safety_orders": [2, 4]}"#.write(to: grid, atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("tight.json").path
        func sweep(_ db: String, _ extra: [String]) -> [String] {
            ["sweep", "--config", config, "--grid", grid.path, "--data", csv, "--db", db, "--jobs", "2", "--report-dir", folder.path] + extra
        }
        let whole = folder.appendingPathComponent("whole.sqlite").path
        let clock = ContinuousClock()
        let started = clock.now
        let complete = try runCLI(sweep(whole, []))
        let duration = clock.now - started
        #expect(complete.status == 0, "\(complete.stderr)")
        // Kill a second sweep part way (earlier each attempt, should one finish first), then resume it.
        var interrupted = false
        for (attempt, fraction) in [0.5, 0.25, 0.1].enumerated() where !interrupted {
            let resumed = folder.appendingPathComponent("resumed\(attempt).sqlite").path
            let process = binaryProcess(sweep(resumed, []))
            try process.run()
            Thread.sleep(forTimeInterval: duration / .seconds(1) * fraction)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let partial = (try? DatabaseQueue(path: resumed).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") ?? 0 }) ?? 0
            guard partial < 24 else { continue }
            interrupted = true
            let again = try runCLI(sweep(resumed, ["--resume"]))
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("\(partial) already stored") || partial == 0)
            #expect(try orderedDump(resumed) == orderedDump(whole))
        }
        #expect(interrupted, "one of the sweeps must have been killed before it finished")
        // Ctrl-C (SIGINT) part way: exit 130 with a message naming what is stored and --resume.
        // The signal is sent once the sweep is seen running (some of its 24 points stored, not
        // all), not after a guessed time: under load a guess could land before the sweep started
        // or after it ended on every attempt.
        var stopped = false
        var readOnly = Configuration()
        readOnly.readonly = true
        for attempt in 0..<5 where !stopped {
            let resumed = folder.appendingPathComponent("interrupted\(attempt).sqlite").path
            let process = binaryProcess(sweep(resumed, []))
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            var signalled = false
            while process.isRunning && !signalled {
                let stored = (try? DatabaseQueue(path: resumed, configuration: readOnly).read {
                    try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") ?? 0
                }) ?? 0
                if stored >= 1 && stored < 24 {
                    kill(process.processIdentifier, SIGINT)
                    signalled = true
                } else {
                    Thread.sleep(forTimeInterval: 0.002)
                }
            }
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // Finished before it was seen part way (or stopped at its last batch): try again.
            guard signalled, process.terminationReason == .exit, process.terminationStatus == 130 else { continue }
            stopped = true
            #expect(message.contains("Interrupted: ") && message.contains("points are stored in \(resumed). Run the same command with --resume"), "\(message)")
            #expect(try runCLI(sweep(resumed, ["--resume"])).status == 0)
            #expect(try orderedDump(resumed) == orderedDump(whole))
        }
        #expect(stopped, "one of the sweeps must have been interrupted while it ran")
    }

    @Test func gridWithInvalidPointsIsRefusedUpFrontNamingEachPoint() throws {
        let folder = Project.temporaryFolder()
        let grid = folder.appendingPathComponent("bad-grid.json")
        try #"{"safety_order_size": [0, 100], "price_deviation": [0, 0.003]}"#.write(to: grid, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("sweep.sqlite").path
        let clock = ContinuousClock()
        let started = clock.now
        let result = try Self.sweep(db, grid: grid.path)
        #expect(clock.now - started < .seconds(20))
        #expect(result.status != 0)
        // Points (price_deviation, safety_order_size): 0 = (0, 0), 1 = (0, 100), 2 = (0.003, 0): invalid; 3 valid.
        #expect(result.stderr.contains("3 of 4 grid points are invalid, so nothing was run"))
        #expect(result.stderr.contains("point 0 (price_deviation=0, safety_order_size=0)"))
        #expect(result.stderr.contains("point 1 (price_deviation=0, safety_order_size=100)"))
        #expect(result.stderr.contains("point 2 (price_deviation=0.003, safety_order_size=0)"))
        #expect(!FileManager.default.fileExists(atPath: db))
        // With --skip-invalid the valid point runs and the invalid ones are recorded.
        let skipping = try Self.sweep(db, ["--skip-invalid"], grid: grid.path)
        #expect(skipping.status == 0, "\(skipping.stderr)")
        let (runs, invalid) = try DatabaseQueue(path: db).read { db throws in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bot_runs"), try String.fetchOne(db, sql: "SELECT invalid_points FROM sweeps"))
        }
        #expect(runs == 1)
        #expect(invalid?.contains("\"point\":2") == true)
    }

    /// A merge whose shard is not a database, or whose output is one of its shards, is refused
    /// before anything is written: no empty output is left behind, the shards are unchanged.
    @Test func mergeRefusesABadShardOrItsOwnOutputAndLeavesNoOutput() throws {
        let folder = Project.temporaryFolder()
        let shard = folder.appendingPathComponent("shard.sqlite").path
        #expect(try Self.sweep(shard, ["--shard", "1/2"]).status == 0)
        let before = try orderedDump(shard)
        let notDatabase = folder.appendingPathComponent("notes.sqlite").path
        try "not a database".write(toFile: notDatabase, atomically: true, encoding: .utf8)
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let bad = try runCLI(["merge", merged, shard, notDatabase])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\(notDatabase) is not an SQLite database"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: merged))
        let onto = try runCLI(["merge", shard, shard])
        #expect(onto.status == 1 && onto.stderr.contains("is also one of the shards") && !onto.stderr.contains("Usage"), "\(onto.stderr)")
        #expect(try orderedDump(shard) == before)
    }

    @Test func exportToAnUnknownExtensionIsRefusedBeforeRunning() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("sweep.sqlite").path
        let result = try Self.sweep(db, ["--export", folder.appendingPathComponent("points.txt").path])
        #expect(result.status != 0 && result.stderr.contains("give a path ending in .csv or .json"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// Grid points that come to the same configuration (a repeated value, or a key the mode
    /// ignores) are one run: run once, stored once, shown for each point.
    @Test func pointsWithTheSameConfigurationAreOneRun() throws {
        let folder = Project.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, grid) in [("repeated", #"{"take_profit": [0.01, 0.01]}"#), ("ignored", #"{"every_bars": [1, 2]}"#)] {
            let path = folder.appendingPathComponent("\(name).json").path
            try grid.write(toFile: path, atomically: true, encoding: .utf8)
            let db = folder.appendingPathComponent("\(name).sqlite").path
            let result = try Self.sweep(db, ["--export", folder.appendingPathComponent("\(name).csv").path], grid: path)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("2 points, 1 run now"), "\(result.stdout)")
            #expect(try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") } == 1)
            let exported = try String(contentsOfFile: folder.appendingPathComponent("\(name).csv").path, encoding: .utf8)
            #expect(exported.split(separator: "\n").count == 3, "header and both points")
        }
    }

    /// The leaderboard shows the objective once, in its unit (drawdown and return in percent);
    /// `runs list --sweep` lists the sweep's runs and `runs show` names a run's configuration.
    @Test func leaderboardShowsTheObjectiveOnceInItsUnit() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("board.sqlite").path
        #expect(try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + Self.sample + ["--db", db, "--report-dir", folder.path]).status == 0)
        let result = try Self.sweep(db, ["--objective", "max_drawdown", "--top", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let sweepID = try #require(result.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let listed = try runCLI(["runs", "list", "--db", db, "--sweep", String(sweepID.prefix(8)), "--limit", "0"]).stdout
        #expect(listed.split(separator: "\n").count == 1 + 24, "the header and the sweep's 24 runs, not the standalone run")
        let runID = try #require(listed.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        #expect(try runCLI(["runs", "show", runID, "--db", db]).stdout.contains("  configuration {\"name\":"))
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("  1. ") }.map(String.init))
        #expect(line.components(separatedBy: "max_drawdown ").count == 2, "\(line)")
        #expect(line.range(of: #"max_drawdown [0-9.]+%  total_pnl [+-]?[0-9,.]+  run "#, options: .regularExpression) != nil, "\(line)")
    }
}
