import Foundation
import GRDB
import Testing

/// A stored run is never replaced by a poorer copy of itself, and never leaves a sweep: the
/// sequence a new user follows from the README (`run`, the README's `--orders none` sweep, a
/// `run` of one sweep point, `sweep --resume --orders none`).
@Suite(.serialized) struct NoRunIsLostTests {
    static func counts(_ db: String, _ runID: String) throws -> (orders: Int, deals: Int, standalone: Bool, sweeps: Int, filled: Int) {
        try DatabaseQueue(path: db).read { db throws in
            let row = try #require(try Row.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM order_logs WHERE run_id = ?1), (SELECT COUNT(*) FROM deals WHERE run_id = ?1),
                       (SELECT standalone FROM bot_runs WHERE run_id = ?1), (SELECT COUNT(*) FROM sweep_runs WHERE run_id = ?1),
                       (SELECT COUNT(*) FROM order_logs WHERE run_id = ?1 AND status = 'filled')
                """, arguments: [runID]))
            return (row[0], row[1], row[2] as Bool? ?? false, row[3], row[4])
        }
    }

    @Test func readmeSequenceKeepsEveryOrderDealAndSweepMembership() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        func run(_ config: String) throws -> String {
            let result = try runCLI(["run", "--config", config, "--data"] + SweepTests.sample + ["--db", db, "--report-dir", folder.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try #require(try jsonObject(result.stdout)["run_id"] as? String)
        }
        // 1. `make backtest`: the README's run, 12 filled orders and 3 deals opened (README's
        // summary), with the take profits it placed and cancelled.
        let first = try run("datasets/btc-1m-ladder.json")
        let stored = try Self.counts(db, first)
        #expect(stored.filled == 12 && stored.deals == 3 && stored.orders > 12)

        // 2. The README's sweep with --orders none: its grid holds the same configuration.
        let sweep = try SweepTests.sweep(db, ["--orders", "none"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let sweepID = try #require(sweep.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        #expect(sweep.stdout.contains(first), "the first run is a point of the sweep: \(sweep.stdout)")
        var afterFirst = try Self.counts(db, first)
        #expect(afterFirst.orders == stored.orders && afterFirst.deals == 3 && afterFirst.standalone && afterFirst.sweeps == 1)

        // 3. `run` of another sweep point (take profit 0.006), with its orders.
        let point = folder.appendingPathComponent("point.json")
        let base = try String(contentsOfFile: Project.root.appendingPathComponent("datasets/btc-1m-ladder.json").path, encoding: .utf8)
        try base.replacingOccurrences(of: "\"take_profit\": 0.004", with: "\"take_profit\": 0.006").write(to: point, atomically: true, encoding: .utf8)
        let second = try run(point.path)
        let afterSecond = try Self.counts(db, second)
        #expect(afterSecond.orders > 0 && afterSecond.deals > 0 && afterSecond.standalone)
        #expect(afterSecond.sweeps == 1, "a run of a sweep point stays in its sweep")

        // 4. `sweep --resume --orders none`: nothing run again, nothing removed.
        let resumed = try SweepTests.sweep(db, ["--resume", "--orders", "none"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("24 points, 0 run now, 24 already stored"), "\(resumed.stdout)")
        afterFirst = try Self.counts(db, first)
        #expect(afterFirst.orders == stored.orders && afterFirst.deals == 3 && afterFirst.standalone && afterFirst.sweeps == 1)
        let stillSecond = try Self.counts(db, second)
        #expect(stillSecond.orders == afterSecond.orders && stillSecond.deals == afterSecond.deals && stillSecond.standalone && stillSecond.sweeps == 1)
        try DatabaseQueue(path: db).read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bot_runs") == 24)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sweep_runs WHERE sweep_id = ?", arguments: [sweepID]) == 24)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT run_id) FROM order_logs") == 2)
        }
        // runs show still finds the first run's orders.
        let shown = try runCLI(["runs", "show", first, "--db", db])
        #expect(shown.stdout.contains("Orders (\(stored.orders)):"), "\(shown.stdout)")
    }

    /// `runs delete` is the one way rows go: the run, its orders, deals, final state and sweep
    /// links, and its bot when no other run uses it.
    @Test func runsDeleteRemovesARunAndEverythingOfIt() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let result = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + SweepTests.sample + ["--db", db, "--report-dir", folder.path, "--json"])
        let runID = try #require(try jsonObject(result.stdout)["run_id"] as? String)
        #expect(try SweepTests.sweep(db, ["--orders", "none"]).status == 0)
        let deleted = try runCLI(["runs", "delete", runID, "00000000-0000-8000-8000-000000000000", "--db", db])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout.contains("Deleted 1 run(s)") && deleted.stdout.contains("Not stored there: 00000000-0000-8000-8000-000000000000"), "\(deleted.stdout)")
        try DatabaseQueue(path: db).read { db throws in
            for table in ["order_logs", "deals", "positions", "funds", "holdings", "sweep_runs", "bot_runs"] {
                #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE run_id = ?", arguments: [runID]) == 0, "\(table)")
            }
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bot_runs") == 23)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bots") == 23)
            #expect(try String.fetchOne(db, sql: "PRAGMA foreign_key_check") == nil)
        }
    }
}
