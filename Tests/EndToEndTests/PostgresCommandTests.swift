import Foundation
import GRDB
import Testing

@testable import Persistence

/// The commands with `--db postgresql://...` against a real server (``PostgresTestServer``),
/// each test in a database of its own: the README's sequence loses nothing, a killed writer
/// leaves no partial run, two writers both land, merge and the read-back commands work, and
/// connection failures are one sentence.
@Suite(.enabled(if: PostgresTestServer.enabled, Comment(rawValue: PostgresTestServer.skipMessage)))
struct PostgresCommandTests {
    /// One number from a query on `database`.
    static func number(_ database: PostgresTestServer.Database, _ sql: String) throws -> Int {
        let session = try PostgresSession(url: database.url)
        return try session.query(sql).first?.values.first?.integer ?? -1
    }

    static func counts(_ database: PostgresTestServer.Database, _ runID: String) throws -> (orders: Int, deals: Int, standalone: Bool, sweeps: Int, filled: Int) {
        let session = try PostgresSession(url: database.url)
        let row = try #require(try session.query("""
            SELECT (SELECT COUNT(*) FROM order_logs WHERE run_id = '\(runID)') AS orders, (SELECT COUNT(*) FROM deals WHERE run_id = '\(runID)') AS deals,
                   (SELECT standalone FROM bot_runs WHERE run_id = '\(runID)') AS standalone, (SELECT COUNT(*) FROM sweep_runs WHERE run_id = '\(runID)') AS sweeps,
                   (SELECT COUNT(*) FROM order_logs WHERE run_id = '\(runID)' AND status = 'filled') AS filled
            """).first)
        return (row["orders"].integer ?? -1, row["deals"].integer ?? -1, row["standalone"].integer == 1, row["sweeps"].integer ?? -1, row["filled"].integer ?? -1)
    }

    /// The sequence of NoRunIsLostTests on PostgreSQL: `run` with orders, the README's sweep with
    /// `--orders none`, `run` of a sweep point, `sweep --resume --orders none`.
    @Test func readmeSequenceKeepsEveryOrderDealAndSweepMembershipInPostgres() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let db = database.urlText
        let folder = Project.temporaryFolder()
        func run(_ config: String) throws -> String {
            let result = try runCLI(["run", "--config", config, "--data"] + SweepTests.sample + ["--db", db, "--report-dir", folder.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(try jsonObject(result.stdout)["run_id"] as? String)
        }
        // The README's run: 12 filled orders and 3 deals (README's summary).
        let first = try run("datasets/btc-1m-ladder.json")
        let stored = try Self.counts(database, first)
        #expect(stored.filled == 12 && stored.deals == 3 && stored.orders > 12)

        let sweep = try SweepTests.sweep(db, ["--orders", "none"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains(first), "the first run is a point of the sweep: \(sweep.stdout)")
        var afterFirst = try Self.counts(database, first)
        #expect(afterFirst.orders == stored.orders && afterFirst.deals == 3 && afterFirst.standalone && afterFirst.sweeps == 1)

        let point = folder.appendingPathComponent("point.json")
        let base = try String(contentsOfFile: Project.root.appendingPathComponent("datasets/btc-1m-ladder.json").path, encoding: .utf8)
        try base.replacingOccurrences(of: "\"take_profit\": 0.004", with: "\"take_profit\": 0.006").write(to: point, atomically: true, encoding: .utf8)
        let second = try run(point.path)
        let afterSecond = try Self.counts(database, second)
        #expect(afterSecond.orders > 0 && afterSecond.deals > 0 && afterSecond.standalone)
        #expect(afterSecond.sweeps == 1, "a run of a sweep point stays in its sweep")

        let resumed = try SweepTests.sweep(db, ["--resume", "--orders", "none"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("24 points, 0 run now, 24 already stored"), "\(resumed.stdout)")
        afterFirst = try Self.counts(database, first)
        #expect(afterFirst.orders == stored.orders && afterFirst.deals == 3 && afterFirst.standalone && afterFirst.sweeps == 1)
        let stillSecond = try Self.counts(database, second)
        #expect(stillSecond.orders == afterSecond.orders && stillSecond.deals == afterSecond.deals && stillSecond.standalone && stillSecond.sweeps == 1)
        #expect(try Self.number(database, "SELECT COUNT(*) FROM bot_runs") == 24)
        #expect(try Self.number(database, "SELECT COUNT(*) FROM sweep_runs") == 24)
        #expect(try Self.number(database, "SELECT COUNT(DISTINCT run_id) FROM order_logs") == 2)

        // The read-back commands on PostgreSQL.
        let shown = try runCLI(["runs", "show", String(first.prefix(8)), "--db", db])
        #expect(shown.status == 0 && shown.stdout.contains("Orders (\(stored.orders)):"), "\(shown.stdout)\(shown.stderr)")
        let listed = try runCLI(["runs", "list", "--db", db])
        #expect(listed.status == 0 && listed.stdout.contains(String(first.prefix(8))) && listed.stdout.contains(String(second.prefix(8))), "\(listed.stdout)\(listed.stderr)")
        let compared = try runCLI(["runs", "compare", first, second, "--db", db])
        #expect(compared.status == 0, "\(compared.stderr)")
        let deleted = try runCLI(["runs", "delete", second, "--db", db])
        #expect(deleted.status == 0 && deleted.stdout.contains("Deleted 1 run(s)"), "\(deleted.stdout)\(deleted.stderr)")
        #expect(try Self.number(database, "SELECT COUNT(*) FROM bot_runs") == 23)
        #expect(try Self.number(database, "SELECT COUNT(*) FROM order_logs WHERE run_id = '\(second)'") == 0)
    }

    /// The same backtest run twice is one run; `--user-id` fills user_id of every row.
    @Test func theSameBacktestTwiceIsOneRunWithItsUser() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let folder = Project.temporaryFolder()
        let user = "123e4567-e89b-42d3-a456-426614174000"
        let arguments = ["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + SweepTests.sample + ["--db", database.urlText, "--report-dir", folder.path, "--user-id", user]
        for _ in 0..<2 {
            let result = try runCLI(arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try Self.number(database, "SELECT COUNT(*) FROM bot_runs") == 1)
        for table in ["bots", "bot_runs", "order_logs", "positions", "funds", "holdings"] {
            #expect(try Self.number(database, "SELECT COUNT(*) FROM \(table) WHERE user_id IS DISTINCT FROM '\(user)'") == 0, "\(table)")
        }
    }

    /// Shards of a sweep merged into PostgreSQL hold what the same sweep holds in one SQLite file.
    @Test func shardsMergedIntoPostgresEqualTheUnshardedSweep() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let folder = Project.temporaryFolder()
        let whole = folder.appendingPathComponent("whole.sqlite").path
        #expect(try SweepTests.sweep(whole).status == 0)
        var shards: [String] = []
        for i in 1...2 {
            let shard = folder.appendingPathComponent("shard\(i).sqlite").path
            let result = try SweepTests.sweep(shard, ["--shard", "\(i)/2"])
            #expect(result.status == 0, "\(result.stderr)")
            shards.append(shard)
        }
        let merge = try runCLI(["merge", database.urlText] + shards + ["--data"] + SweepTests.sample)
        #expect(merge.status == 0, "\(merge.stderr)")
        // Merging again changes nothing.
        #expect(try runCLI(["merge", database.urlText] + shards + ["--data"] + SweepTests.sample).status == 0)
        let sqlite = try DatabaseQueue(path: whole)
        for table in Schema.tables {
            let expected = try sqlite.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
            #expect(try Self.number(database, "SELECT COUNT(*) FROM \(table)") == expected, "\(table)")
        }
        let expectedRuns = try sqlite.read { try Set(String.fetchAll($0, sql: "SELECT DISTINCT run_id FROM order_logs")) }
        let session = try PostgresSession(url: database.url)
        let runs = Set(try session.query("SELECT DISTINCT run_id FROM order_logs").compactMap { $0["run_id"].text })
        #expect(runs == expectedRuns)
    }

    /// A SIGKILL while the binary writes a run's orders by COPY leaves no row of that run: the
    /// server rolls the open transaction back when the connection drops.
    @Test func aKilledWriterLeavesNoPartialRun() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let folder = Project.temporaryFolder()
        let (csv, config) = try CrashSafetyTests.largeInput(in: folder)
        // Another run first: it must stay whole.
        let other = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + SweepTests.sample + ["--db", database.urlText, "--report-dir", folder.path])
        #expect(other.status == 0, "\(other.stderr)")
        let otherOrders = try Self.number(database, "SELECT COUNT(*) FROM order_logs")

        let watcher = try PostgresSession(url: database.url)
        let process = binaryProcess(["run", "--config", config, "--data", csv, "--db", database.urlText, "--report-dir", folder.path])
        try process.run()
        // Wait until the run's transaction is open (its bot_runs row written, orders under way).
        var seen = false
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            let writing = try watcher.query("""
                SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'dca-backtest'
                AND xact_start IS NOT NULL AND pid <> pg_backend_pid() AND query ILIKE 'COPY%order_logs%'
                """)
            if writing.first?["n"].integer ?? 0 > 0 { seen = true; break }
            Thread.sleep(forTimeInterval: 0.002)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(seen, "the writer was seen copying its orders before it was killed")
        // The server ends the dropped connection's transaction; wait for it to go.
        for _ in 0..<500 {
            if try Self.number(database, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'dca-backtest' AND pid <> pg_backend_pid()") == 0 { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(try Self.number(database, "SELECT COUNT(*) FROM bot_runs") == 1)
        #expect(try Self.number(database, "SELECT COUNT(*) FROM order_logs") == otherOrders)
        for table in ["deals", "positions", "funds", "holdings"] {
            #expect(try Self.number(database, "SELECT COUNT(*) FROM \(table) t WHERE NOT EXISTS (SELECT 1 FROM bot_runs r WHERE r.run_id = t.run_id)") == 0, "\(table)")
        }
        // The same run afterwards is stored whole.
        let again = try runCLI(["run", "--config", config, "--data", csv, "--db", database.urlText, "--report-dir", folder.path, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.number(database, "SELECT COUNT(*) FROM bot_runs") == 2)
        #expect(try Self.number(database, "SELECT COUNT(*) FROM order_logs") > otherOrders + 10_000)
        // And `runs delete` removes it (its deals cascade to their orders through an index).
        let largeRun = try #require(try jsonObject(again.stdout)["run_id"] as? String)
        let deleted = try runCLI(["runs", "delete", largeRun, "--db", database.urlText])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(try Self.number(database, "SELECT COUNT(*) FROM order_logs") == otherOrders)
    }

    /// Two processes writing different runs into one new database at once both land, each with
    /// the orders the same run stores in SQLite.
    @Test func twoProcessesWritingAtOnceBothLand() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let folder = Project.temporaryFolder()
        let point = folder.appendingPathComponent("point.json")
        let base = try String(contentsOfFile: Project.root.appendingPathComponent("datasets/btc-1m-ladder.json").path, encoding: .utf8)
        try base.replacingOccurrences(of: "\"take_profit\": 0.004", with: "\"take_profit\": 0.006").write(to: point, atomically: true, encoding: .utf8)
        let configs = ["datasets/btc-1m-ladder.json", point.path]
        let processes = configs.map { binaryProcess(["run", "--config", $0, "--data"] + SweepTests.sample + ["--db", database.urlText, "--report-dir", folder.path]) }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit(); #expect(process.terminationStatus == 0) }
        #expect(try Self.number(database, "SELECT COUNT(*) FROM bot_runs") == 2)
        // The reference: the same two runs in one SQLite file.
        let sqlite = folder.appendingPathComponent("reference.sqlite").path
        for config in configs {
            #expect(try runCLI(["run", "--config", config, "--data"] + SweepTests.sample + ["--db", sqlite, "--report-dir", folder.path]).status == 0)
        }
        let expected = try DatabaseQueue(path: sqlite).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM order_logs") ?? -1 }
        #expect(try Self.number(database, "SELECT COUNT(*) FROM order_logs") == expected)
    }

    /// Wrong password, nothing listening, no such database, a newer schema: exit 1 with one
    /// sentence on standard error, and nothing written.
    @Test func connectionFailuresAreOneSentenceAndWriteNothing() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let folder = Project.temporaryFolder()
        func run(_ db: String, environment: [String: String] = [:]) throws -> ProcessResult {
            try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + SweepTests.sample + ["--db", db, "--report-dir", folder.path], environment: environment)
        }
        func oneSentence(_ result: ProcessResult, _ phrase: String) {
            let text = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(result.status != 0)
            #expect(text.contains(phrase), "\(text)")
            #expect(!text.contains("\n"), "one line: \(text)")
            #expect(!text.contains("PSQLError") && !text.contains("wrong-password"), "\(text)")
        }
        oneSentence(try run(database.urlText, environment: ["PGPASSWORD": "wrong-password"]), "refused the password of user \(database.url.user)")
        var closed = database.url
        closed.port = 1
        oneSentence(try run(closed.description), "cannot reach the PostgreSQL server at \(closed.host):1")
        var missing = database.url
        missing.database = database.url.database + "_missing"
        oneSentence(try run(missing.description), "the database \(missing.database) does not exist")
        // Nothing was written, and no database was created.
        #expect(try Self.number(database, "SELECT COUNT(*) FROM pg_database WHERE datname = '\(missing.database)'") == 0)
        #expect(try Self.number(database, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'") == 0)

        let stored = try run(database.urlText)
        #expect(stored.status == 0, "\(stored.stderr)")
        let session = try PostgresSession(url: database.url)
        try session.execute("INSERT INTO dca_migrations (name) VALUES ('v99_from_a_newer_version')")
        oneSentence(try runCLI(["runs", "list", "--db", database.urlText]), "was written by a newer version of dca-backtest")
        oneSentence(try run("mysql://dca@127.0.0.1:3306/runs"), "the scheme 'mysql://' is not supported")
    }

    /// A two-shard multi-pair sweep (case 36's bot over three take profits, --orders top:2)
    /// merged into PostgreSQL with --data SYMBOL=FILE holds the best two points' orders, deals and
    /// figures as the sweep run whole in SQLite does; runs show reads each symbol's figures of a
    /// point stored without orders from PostgreSQL.
    @Test func mergeOfAMultiPairSweepIntoPostgresStoresTheBestPointsAndRunsShowReadsTheirFigures() throws {
        let database = try PostgresTestServer.freshDatabase()
        defer { database.drop() }
        let x = try MultiPairStorageTests.inputs()
        let grid = try MultiPairCommandTests.write(#"{"take_profit": [0.01, 0.02, 0.03]}"#, "grid.json", in: x.folder)
        let data = ["--data", "ETHUSDT=\(x.eth)", "BTCUSDT=\(x.btc)"]
        func sweep(_ db: String, _ extra: [String]) throws {
            let result = try runCLI(["sweep", "--config", x.bot, "--grid", grid] + data + ["--db", db, "--report-dir", x.folder.path, "--progress", "never", "--orders", "top:2"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let whole = x.folder.appendingPathComponent("whole.sqlite").path
        try sweep(whole, [])
        let shards = try (1...2).map { i in
            let shard = x.folder.appendingPathComponent("shard\(i).sqlite").path
            try sweep(shard, ["--shard", "\(i)/2"])
            return shard
        }
        let merge = try runCLI(["merge", database.urlText] + shards + data)
        #expect(merge.status == 0, "\(merge.stderr)")
        let reference = try RunStore(path: whole)
        let merged = try PostgresStore(url: database.url)
        for table in ["bot_runs", "order_logs", "deals", "symbol_results", "sweep_runs"] {
            #expect(try merged.count(table) == reference.count(table), "\(table)")
        }
        let withOrders = { (store: any RunDatabase, ids: [String]) in try store.storedRunIDs(among: ids, detail: .all) }
        let ids = try reference.rows(of: "bot_runs").compactMap { $0["run_id"].text }
        #expect(ids.count == 3)
        #expect(try withOrders(merged, ids) == withOrders(reference, ids) && withOrders(reference, ids).count == 2)
        // The point left without orders shows each symbol's figures from PostgreSQL.
        let bare = try #require(ids.first { !((try? withOrders(reference, ids))?.contains($0) ?? true) })
        let show = try runCLI(["runs", "show", bare, "--db", database.urlText, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let json = try jsonObject(show.stdout)
        #expect(json["per_symbol_source"] as? String == "symbol_results")
        #expect((json["per_symbol"] as? [[String: Any]])?.map { $0["symbol"] as? String } == ["ETHUSDT", "BTCUSDT"])
    }
}
