import ArgumentParser
import DCAStrategy
import Foundation
import GRDB
import Persistence
import Reports

/// `dca-backtest runs`: read back stored runs.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List stored runs, or show one with its deals and orders.",
        subcommands: [ListRuns.self, ShowRun.self]
    )
}

struct ListRuns: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "One line per stored run with its key metrics, newest first.")

    @Option(name: .customLong("db"), help: ArgumentHelp("The SQLite database.", valueName: "PATH"))
    var databasePath = "reports/backtests.sqlite"

    @Option(help: "Only runs of this bot (its id, or the first characters of it).")
    var bot: String?

    @Option(help: "Only runs on this symbol (any letter case).")
    var symbol: String?

    @Option(help: "Only runs of this sweep (its id, or the first characters of it).")
    var sweep: String?

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw CommandFailure("No database at \(databasePath): run a backtest first (dca-backtest run ...) or pass --db.")
        }
        let store = try RunStoreReader(path: databasePath)
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.run_id, r.bot_id, b.name, b.symbol, json_extract(r.metrics, '$.interval_seconds') AS interval_seconds,
                       r.started_at, r.ended_at, r.candles, r.total_trades,
                       r.total_pnl, r.max_drawdown, r.sharpe_ratio, r.final_equity, r.fill_model, r.executed_at
                FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id
                WHERE (?1 IS NULL OR substr(r.bot_id, 1, length(?1)) = ?1) AND (?2 IS NULL OR upper(b.symbol) = upper(?2))
                  AND (?3 IS NULL OR substr(r.sweep_id, 1, length(?3)) = ?3)
                ORDER BY r.executed_at DESC, r.run_id
                """, arguments: [bot, symbol, sweep])
        }
        if json {
            let items: [JSONValue] = rows.map { row in
                .object([
                    ("run_id", .string(row["run_id"])), ("bot_id", .string(row["bot_id"])), ("name", .string(row["name"])),
                    ("symbol", .string(row["symbol"])),
                    ("interval", (row["interval_seconds"] as Double?).map { .string(RunStore.intervalName(seconds: $0)) } ?? .null),
                    ("started_at", .string(row["started_at"])), ("ended_at", .string(row["ended_at"])),
                    ("candles", .integer(row["candles"])), ("total_trades", .integer(row["total_trades"])),
                    ("total_pnl", .optional(row["total_pnl"])), ("max_drawdown", .optional(row["max_drawdown"])),
                    ("sharpe_ratio", .optional(row["sharpe_ratio"])), ("final_equity", .optional(row["final_equity"])),
                    ("fill_model", .string(row["fill_model"])), ("executed_at", .string(row["executed_at"])),
                ])
            }
            print(JSONValue.array(items).text(pretty: true))
            return
        }
        if rows.isEmpty {
            print(bot == nil && symbol == nil && sweep == nil ? "No runs stored in \(databasePath)." : "No runs in \(databasePath) match the filter.")
            return
        }
        print("run_id                               symbol     interval  fill         candles  trades       total_pnl  max_dd   sharpe  executed_at")
        for row in rows {
            let sharpe: Double? = row["sharpe_ratio"]
            let cells: [String] = [
                row["run_id"], pad(row["symbol"], 10), pad((row["interval_seconds"] as Double?).map { RunStore.intervalName(seconds: $0) } ?? "-", 8),
                pad(row["fill_model"], 11), leftPad("\(row["candles"] as Int)", 8),
                leftPad("\(row["total_trades"] as Int)", 7), leftPad(Format.signedMoney(row["total_pnl"]), 15),
                leftPad(Format.percent(row["max_drawdown"]), 7), leftPad(sharpe.map { Format.ratio($0) } ?? "n/a", 8), row["executed_at"],
            ]
            print(cells.joined(separator: " "))
        }
    }
}

struct ShowRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run: its metrics, its deals and its orders.")

    @Argument(help: "The run id (a unique prefix is enough).")
    var runID: String

    @Option(name: .customLong("db"), help: ArgumentHelp("The SQLite database.", valueName: "PATH"))
    var databasePath = "reports/backtests.sqlite"

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        guard !runID.isEmpty else { throw ValidationError("Give a run id, or the first characters of one (see dca-backtest runs list).") }
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw CommandFailure("No database at \(databasePath): run a backtest first or pass --db.")
        }
        let store = try RunStoreReader(path: databasePath)
        let (matched, run, deals, orders) = try store.read { db -> (Int, Row?, [Row], [Row]) in
            let matches = try Row.fetchAll(db, sql: "SELECT r.*, b.name, b.symbol, b.config FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id WHERE substr(r.run_id, 1, length(?1)) = ?1", arguments: [runID])
            guard matches.count == 1, let run = matches.first else { return (matches.count, nil, [], []) }
            let id: String = run["run_id"]
            let deals = try Row.fetchAll(db, sql: "SELECT * FROM deals WHERE run_id = ? ORDER BY deal_id", arguments: [id])
            let orders = try Row.fetchAll(db, sql: "SELECT * FROM order_logs WHERE run_id = ? ORDER BY sequence", arguments: [id])
            return (1, run, deals, orders)
        }
        if matched > 1 { throw CommandFailure("The prefix '\(runID)' matches \(matched) runs: give more of the run id.") }
        guard let run else { throw CommandFailure("No run with id \(runID) in \(databasePath) (see dca-backtest runs list).") }
        func value(_ row: Row, _ column: String) -> JSONValue {
            let databaseValue: DatabaseValue = row[column]
            switch databaseValue.storage {
            case .null: return .null
            case .int64(let i): return .integer(i)
            case .double(let d): return .number(d)
            case .string(let s): return .string(s)
            case .blob(let data): return .string(data.base64EncodedString())
            }
        }
        func object(_ row: Row, skipping: Set<String> = []) -> JSONValue {
            .object(row.columnNames.filter { !skipping.contains($0) }.map { ($0, value(row, $0)) })
        }
        if json {
            print(JSONValue.object([
                ("run", object(run)), ("deals", .array(deals.map { object($0) })), ("orders", .array(orders.map { object($0) })),
            ]).text(pretty: true))
            return
        }
        print("Run \(run["run_id"] as String) of \(run["name"] as String) on \(run["symbol"] as String)")
        print("  bars \(run["started_at"] as String) .. \(run["ended_at"] as String), \(run["candles"] as Int) candles, fill model \(run["fill_model"] as String)")
        print("  configuration \(run["config"] as String)")
        print("  total PnL \(Format.signedMoney(run["total_pnl"])), final equity \(Format.money(run["final_equity"])), max drawdown \(Format.percent(run["max_drawdown"])), Sharpe \((run["sharpe_ratio"] as Double?).map { Format.ratio($0) } ?? "n/a"), trades \(run["total_trades"] as Int)")
        // Every run logs at least its base order: none stored means the run was written with
        // --orders none.
        if orders.isEmpty {
            print("\nDeals and orders: not stored (the run was written with --orders none; run it again with --orders all to keep them).")
            return
        }
        print("\nDeals (\(deals.count)):")
        for deal in deals {
            let closed: String? = deal["closed_at"]
            print("  #\(deal["deal_id"] as Int) opened \(deal["opened_at"] as String) \(closed.map { "closed \($0)" } ?? "still open") safety orders \(deal["safety_orders_filled"] as Int) avg entry \(Format.fixed(deal["avg_entry"], decimals: 6))" + (closed == nil ? " (see positions for its unrealized PnL)" : " PnL \(Format.signedMoney(deal["realized_pnl"])) \((deal["close_reason"] as String?) ?? "")"))
        }
        print("\nOrders (\(orders.count)):")
        for order in orders {
            let price: Double? = order["price"]
            let average: Double? = order["avg_price"]
            let step: Int? = order.hasColumn("take_profit_step") ? order["take_profit_step"] : nil
            var line = "  \(order["sequence"] as Int) \(order["created_at"] as String) \(order["role"] as String)\(step.map { " step \($0)" } ?? "") \(order["side"] as String) \(order["order_type"] as String) qty \(Format.significant(order["qty"]))"
            if let price { line += " @ \(Format.significant(price))" }
            line += " \(order["status"] as String)"
            if let average { line += " \(Format.significant(order["filled_qty"])) at \(Format.significant(average)) on \(order["filled_at"] as String? ?? "")" }
            if let reason = order["reason"] as String? { line += " (\(reason))" }
            print(line)
        }
    }
}

func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
func leftPad(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
