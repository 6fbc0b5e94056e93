import Foundation
import GRDB
import Testing

/// A writer killed with SIGKILL never corrupts the database nor leaves half a run.
@Suite(.serialized) struct CrashSafetyTests {
    /// 200,000 one-minute candles of a seeded wave with noise, and a tight ladder that trades often,
    /// so that writing the run's orders takes a while.
    static func largeInput(in folder: URL, candles: Int = 200_000) throws -> (csv: String, config: String) {
        var state: UInt64 = 2024
        var price = 100.0
        var text = "timestamp,open,high,low,close,volume\n"
        text.reserveCapacity(200_000 * 60)
        let start: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z
        for i in 0..<candles {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = (Double(state >> 11) / Double(1 << 53) - 0.5) * 0.002
            let open = price
            // A mean-reverting wave, so deals keep closing and the order log is long.
            let close = ((100 * (1 + 0.01 * sin(Double(i) * 0.05) + noise)) * 100).rounded() / 100
            let high = max(open, close) + 0.05
            let low = min(open, close) - 0.05
            text += "\(start + Int64(i) * 60),\(open),\(high),\(low),\(close),1\n"
            price = close
        }
        let csv = folder.appendingPathComponent("large.csv").path
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("tight.json").path
        try #"{"symbol": "TESTUSDT", "initial_balance": 1000000, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 4, "price_deviation": 0.002, "safety_order_step_scale": 1, "safety_order_volume_scale": 1, "take_profit": 0.002, "fee_rate": 0.001}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        return (csv, config)
    }

    @Test func killedWriterLeavesTheDatabaseIntactAndNoPartialRun() throws {
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let (csv, config) = try Self.largeInput(in: folder)
        let arguments = ["run", "--config", config, "--data", csv, "--db", db, "--report-dir", folder.path, "--json"]
        let clock = ContinuousClock()
        let started = clock.now
        let complete = try runCLI(arguments)
        let fullRun = clock.now - started
        #expect(complete.status == 0, "\(complete.stderr)")
        let totalTrades = try #require(try jsonObject(complete.stdout)["total_trades"] as? Int)
        let ordersOfOneRun = try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM order_logs") ?? 0 }
        #expect(ordersOfOneRun > 10_000, "\(ordersOfOneRun) orders")
        #expect(totalTrades > 0)

        // Write the same backtest into a database that holds another run, and kill it at several
        // points of its life: the other run is intact, and this one is stored whole or not at all.
        let base = folder.appendingPathComponent("base.sqlite").path
        let other = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data"] + SweepTests.sample + ["--db", base, "--report-dir", folder.path])
        #expect(other.status == 0, "\(other.stderr)")
        let (otherOrders, otherFilled) = try DatabaseQueue(path: base).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs") ?? -1, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs WHERE status = 'filled'") ?? -1)
        }
        for fraction in [0.3, 0.5, 0.7, 0.85, 0.95] {
            let target = folder.appendingPathComponent("killed-\(fraction).sqlite").path
            try FileManager.default.copyItem(atPath: base, toPath: target)
            let process = binaryProcess(["run", "--config", config, "--data", csv, "--db", target, "--report-dir", folder.path, "--json"])
            try process.run()
            Thread.sleep(forTimeInterval: fullRun / .seconds(1) * fraction)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let queue = try DatabaseQueue(path: target)
            let (integrity, runs, orders, filled, orphans) = try queue.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bot_runs"),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs"),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs WHERE status = 'filled'"),
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_logs o LEFT JOIN bot_runs r ON r.run_id = o.run_id WHERE r.run_id IS NULL")
                )
            }
            #expect(integrity == "ok", "killed at \(fraction) of a run")
            #expect(runs == 1 || runs == 2)
            #expect(orders == otherOrders + ordersOfOneRun * ((runs ?? 1) - 1))
            #expect(filled == otherFilled + totalTrades * ((runs ?? 1) - 1))
            #expect(orphans == 0)
        }
    }
}
