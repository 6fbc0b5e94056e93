import ArgumentParser
import DCAStrategy
import Foundation
import Persistence
import Reports

/// `dca-backtest runs`: read back, compare and delete stored runs, in SQLite or PostgreSQL.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List stored runs, show one with its deals and orders, compare runs side by side, or delete runs.",
        subcommands: [ListRuns.self, ShowRun.self, CompareRuns.self, DeleteRuns.self]
    )
}

/// `--db` of the read-back commands: an existing SQLite file or a PostgreSQL URL.
struct ReadDatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("The database: an SQLite file or a PostgreSQL URL postgresql://USER@HOST:PORT/DB.", valueName: "PATH|URL"))
    var databasePath = "reports/backtests.sqlite"

    /// Opens the database; a missing SQLite file is an error here (nothing is created).
    func open() throws -> any RunDatabase {
        guard RunDatabases.exists(databasePath) else {
            throw CommandFailure("No database at \(databasePath): run a backtest first (dca-backtest run ...) or pass --db.")
        }
        return try RunDatabases.open(databasePath)
    }
}

struct ListRuns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "One line per stored run with its symbol(s), quote currency, return and key metrics; newest first.",
        discussion: """
            Runs stored by `run` are listed; sweep points only with --all or --sweep ID (a sweep can hold thousands). \
            --sort takes \(RunListing.sortKeys.map(\.key).joined(separator: ", ")) (larger first, except max_drawdown, name and symbol). \
            Amounts are in each run's quote currency, shown beside them.
            """
    )

    @OptionGroup var database: ReadDatabaseOption

    @Option(help: "Only runs of this bot (its id, or the first characters of it).")
    var bot: String?

    @Option(help: "Only runs on this symbol (any letter case).")
    var symbol: String?

    @Option(help: "Only runs of this sweep (its id, or the first characters of it).")
    var sweep: String?

    @Flag(help: "Also list sweep points (hidden otherwise).")
    var all = false

    @Option(help: "Show at most N runs (0: all).")
    var limit = 20

    @Option(help: ArgumentHelp("Order by this column."))
    var sort = RunSortKey("executed_at")

    @Flag(help: "Print a JSON array.")
    var json = false

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more (got \(limit)).") }
    }

    func run() throws {
        let store = try database.open()
        let filter = RunFilter(bot: bot, symbol: symbol, sweep: sweep, includeSweepPoints: all, limit: limit == 0 ? nil : limit + 1, sort: sort.key)
        var runs = try store.listRuns(filter)
        let more = limit > 0 && runs.count > limit
        if more { runs.removeLast() }
        if json {
            let items: [JSONValue] = runs.map { listing in
                .object(listing.row.columns.enumerated().map { (k, column) in (column, jsonValue(listing.row.values[k])) } + [("symbol", jsonValue(listing.row["symbols"]))])
            }
            print(JSONValue.array(items).text(pretty: true))
            return
        }
        if runs.isEmpty {
            print(bot == nil && symbol == nil && sweep == nil ? "No runs stored in \(store.location)\(all ? "" : " (sweep points are listed with --all)")." : "No runs in \(store.location) match the filter.")
            return
        }
        print("run_id                               name                 symbol     quote  interval  fill            return       total_pnl  max_dd   sharpe  trades  executed_at")
        for listing in runs {
            let r = listing.row
            let cells: [String] = [
                r["run_id"].text ?? "", pad(String((r["name"].text ?? "").prefix(20)), 20), pad(r["symbols"].text ?? "", 10), pad(r["quote_currency"].text ?? "-", 6),
                pad(r["interval"].text ?? "-", 9), pad(r["fill_model"].text ?? "", 11),
                leftPad(r["total_return"].double.map { Format.percent($0, signed: true) } ?? "n/a", 10),
                leftPad(r["total_pnl"].double.map { Format.signedMoney($0) } ?? "n/a", 15),
                leftPad(r["max_drawdown"].double.map { Format.percent($0) } ?? "n/a", 7),
                leftPad(r["sharpe_ratio"].double.map { Format.ratio($0) } ?? "n/a", 8),
                leftPad(r["total_trades"].integer.map(String.init) ?? "", 7), r["executed_at"].text ?? "",
            ]
            print(cells.joined(separator: " "))
        }
        // Hints go to standard error: standard output stays the table alone.
        if more { FileHandle.standardError.write(Data("(showing the \(limit) \(sort.key == "executed_at" ? "newest" : "first by \(sort.key)"); --limit 0 shows all\(all ? "" : ", --all adds sweep points"))\n".utf8)) }
        else if !all && sweep == nil { FileHandle.standardError.write(Data("(sweep points are hidden; --all lists them)\n".utf8)) }
    }
}

func jsonValue(_ value: StoredValue) -> JSONValue {
    switch value {
    case .null: .null
    case .integer(let i): .integer(i)
    case .real(let d): .number(d)
    case .text(let s): .string(s)
    }
}

struct ShowRun: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run: its metrics, each symbol's figures (multi-pair runs), its deals and its orders.")

    @Argument(help: "The run id (a unique prefix is enough).")
    var runID: String

    @OptionGroup var database: ReadDatabaseOption

    @Flag(help: "Print one JSON object.")
    var json = false

    static func find(_ prefix: String, in store: any RunDatabase) throws -> RunDetail {
        switch try store.lookUp(runIDPrefix: prefix) {
        case .none: throw CommandFailure("No run with id \(prefix) in \(store.location) (see dca-backtest runs list --all).")
        case .ambiguous: throw CommandFailure("The prefix '\(prefix)' matches more than one run: give more of the run id.")
        case .found(let detail): return detail
        }
    }

    func run() throws {
        guard !runID.isEmpty else { throw ValidationError("Give a run id, or the first characters of one (see dca-backtest runs list).") }
        let store = try database.open()
        let detail = try Self.find(runID, in: store)
        let run = detail.run, deals = detail.deals, orders = detail.orders
        func object(_ row: StoredRow) -> JSONValue {
            .object(row.columns.enumerated().map { ($1, jsonValue(row.values[$0])) })
        }
        let symbols = Self.symbols(configuration: run["config"].text ?? "")
        // A multi-pair run's figures per symbol: its symbol_results rows, or, for a run stored
        // before they existed, figures derived from its stored deals (none without them).
        let source: PerSymbolSource? =
            symbols.count < 2 ? nil : !detail.symbols.isEmpty ? .stored : !orders.isEmpty ? .deals : nil
        let perSymbol: [SymbolRow]
        switch source {
        case .stored?: perSymbol = detail.symbols.map(Self.storedSymbolRow)
        case .deals?: perSymbol = Self.perSymbol(deals: deals, symbols: symbols)
        case nil: perSymbol = []
        }
        if json {
            var pairs: [(String, JSONValue)] = [("run", object(run))]
            if let source {
                pairs.append(("per_symbol_source", .string(source.rawValue)))
                pairs.append(("per_symbol", .array(perSymbol.map { row in
                    .object([
                        ("symbol", .string(row.symbol)), ("deals_opened", .integer(Int64(row.opened))), ("deals_closed", .integer(Int64(row.closed))),
                        ("win_rate", .optional(row.winRate)), ("realized_pnl", .optional(row.pnl)), ("fees_paid", .optional(row.fees)),
                        ("max_capital_in_use", .optional(row.maxCost)), ("candles", row.candles.map { .integer(Int64($0)) } ?? .null),
                        ("filled_orders", row.filledOrders.map { .integer(Int64($0)) } ?? .null),
                        ("rejected_orders", row.rejectedOrders.map { .integer(Int64($0)) } ?? .null),
                        ("buy_and_hold_return", .optional(row.buyAndHoldReturn)),
                    ])
                })))
            }
            pairs += [("deals", .array(deals.map { object($0) })), ("orders", .array(orders.map { object($0) }))]
            print(JSONValue.object(pairs).text(pretty: true))
            return
        }
        let text = { (column: String) in run[column].text ?? "" }
        print("Run \(text("run_id")) of \(text("name")) on \(symbols.count > 1 ? symbols.joined(separator: ", ") : text("symbol"))")
        print("  bars \(text("started_at")) .. \(text("ended_at")), \(run["candles"].integer ?? 0) candles, fill model \(text("fill_model"))")
        print("  configuration \(text("config"))")
        print("  total PnL \(Format.signedMoney(run["total_pnl"].double ?? 0)), final equity \(Format.money(run["final_equity"].double ?? 0)), max drawdown \(Format.percent(run["max_drawdown"].double ?? 0)), Sharpe \(run["sharpe_ratio"].double.map { Format.ratio($0) } ?? "n/a"), trades \(run["total_trades"].integer ?? 0)")
        if !perSymbol.isEmpty {
            print(source == .stored ? "\nPer symbol (amounts in the quote currency):" : "\nPer symbol (from the stored deals; amounts in the quote currency):")
            let header = ["Symbol", "Deals", "Closed", "Win rate", "Realized PnL", "Fees", "Max capital"]
            let rows = perSymbol.map { row in
                [row.symbol, String(row.opened), String(row.closed), row.winRate.map { Format.fixed($0 * 100, decimals: 1) + " %" } ?? "n/a",
                 Format.signedMoney(row.pnl), Format.money(row.fees), Format.money(row.maxCost)]
            }
            let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
            for cells in [header] + rows {
                print("  " + cells.indices.map { i in i == 0 ? pad(cells[i], widths[i]) : leftPad(cells[i], widths[i]) }.joined(separator: "  "))
            }
        } else if symbols.count > 1 {
            print("\nPer symbol: not stored (the run was stored by an earlier version of dca-backtest without its orders; storing it again, e.g. with dca-backtest run on the same data, adds them).")
        }
        // Every run logs at least its base order: none stored means the run was written with
        // --orders none.
        if orders.isEmpty {
            print("\nDeals and orders: not stored (the run was written with --orders none; run it again with --orders all to keep them).")
            return
        }
        print("\nDeals (\(deals.count)):")
        for deal in deals {
            let closed = deal["closed_at"].text
            print("  #\(deal["deal_id"].integer ?? 0)\(symbols.count > 1 ? " " + (deal["symbol"].text ?? "") : "") opened \(deal["opened_at"].text ?? "") \(closed.map { "closed \($0)" } ?? "still open") safety orders \(deal["safety_orders_filled"].integer ?? 0) avg entry \(Format.fixed(deal["avg_entry"].double ?? 0, decimals: 6))" + (closed == nil ? " (see positions for its unrealized PnL)" : " PnL \(Format.signedMoney(deal["realized_pnl"].double ?? 0)) \(deal["close_reason"].text ?? "")"))
        }
        print("\nOrders (\(orders.count)):")
        for order in orders {
            var line = "  \(order["sequence"].integer ?? 0)\(symbols.count > 1 ? " " + (order["symbol"].text ?? "") : "") \(order["created_at"].text ?? "") \(order["role"].text ?? "")\(order["take_profit_step"].integer.map { " step \($0)" } ?? "") \(order["side"].text ?? "") \(order["order_type"].text ?? "") qty \(Format.significant(order["qty"].double ?? 0))"
            if let price = order["price"].double { line += " @ \(Format.significant(price))" }
            line += " \(order["status"].text ?? "")"
            if let average = order["avg_price"].double { line += " \(Format.significant(order["filled_qty"].double ?? 0)) at \(Format.significant(average)) on \(order["filled_at"].text ?? "")" }
            if let reason = order["reason"].text { line += " (\(reason))" }
            print(line)
        }
    }
}


extension ShowRun {
    /// The symbols of a stored configuration, in its order (`symbols`, or `[symbol]`).
    static func symbols(configuration text: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
        if let list = object["symbols"] as? [String], !list.isEmpty { return list }
        return (object["symbol"] as? String).map { [$0] } ?? []
    }

    /// One symbol's figures from its stored deals: the deals it opened and closed, the share of
    /// closed deals with a positive PnL, their PnL, the deals' fees and the largest deal cost.
    struct SymbolRow {
        var symbol: String
        var opened = 0, closed = 0, wins = 0
        var pnl = 0.0, fees = 0.0, maxCost = 0.0
        /// The stored win rate (symbol_results), else the share of winning closed deals.
        var storedWinRate: Double?? = nil
        var winRate: Double? { storedWinRate ?? (closed == 0 ? nil : Double(wins) / Double(closed)) }
        /// Only in symbol_results (nil when derived from deals).
        var candles: Int?, filledOrders: Int?, rejectedOrders: Int?
        var buyAndHoldReturn: Double?
    }

    /// Where `runs show` took a multi-pair run's per-symbol figures from.
    enum PerSymbolSource: String {
        /// The run's `symbol_results` rows: the engine's own figures, stored with every run.
        case stored = "symbol_results"
        /// Its stored deals (a run stored before `symbol_results` existed): the fees of its
        /// deals and its largest deal cost.
        case deals
    }

    static func storedSymbolRow(_ row: StoredRow) -> SymbolRow {
        SymbolRow(
            symbol: row["symbol"].text ?? "", opened: row["deals_opened"].integer ?? 0, closed: row["deals_closed"].integer ?? 0,
            pnl: row["realized_pnl"].double ?? 0, fees: row["fees"].double ?? 0, maxCost: row["max_capital_in_use"].double ?? 0,
            storedWinRate: .some(row["win_rate"].double), candles: row["candles"].integer, filledOrders: row["filled_orders"].integer,
            rejectedOrders: row["rejected_orders"].integer, buyAndHoldReturn: row["buy_and_hold_return"].double
        )
    }

    static func perSymbol(deals: [StoredRow], symbols: [String]) -> [SymbolRow] {
        var rows = symbols.map { SymbolRow(symbol: $0) }
        for deal in deals {
            guard let index = symbols.firstIndex(of: deal["symbol"].text ?? "") else { continue }
            rows[index].opened += 1
            rows[index].fees += deal["fees"].double ?? 0
            rows[index].maxCost = max(rows[index].maxCost, deal["cost"].double ?? 0)
            if deal["closed_at"].text != nil {
                let pnl = deal["realized_pnl"].double ?? 0
                rows[index].closed += 1
                rows[index].pnl += pnl
                if pnl > 0 { rows[index].wins += 1 }
            }
        }
        return rows
    }
}

struct CompareRuns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare runs side by side: data, metrics, and the configuration keys where they differ.",
        discussion: "Amounts are in each run's quote currency (named in the quote row); fractions are shown in percent."
    )

    @Argument(help: "Two or more run ids (unique prefixes are enough).")
    var runIDs: [String]

    @OptionGroup var database: ReadDatabaseOption

    @Flag(help: "Print a JSON array with one object per run.")
    var json = false

    func validate() throws {
        if runIDs.count < 2 { throw ValidationError("Give at least two run ids to compare (see dca-backtest runs list).") }
    }

    /// Rows of the comparison: label, key (a bot_runs column or a metric), kind.
    enum Kind { case text, integer, money, percent, ratio, seconds }
    static let rows: [(label: String, key: String, kind: Kind)] = [
        ("name", "name", .text), ("symbol", "symbol", .text), ("quote", "quote_currency", .text), ("fill model", "fill_model", .text),
        ("first bar", "started_at", .text), ("last bar", "ended_at", .text), ("candles", "candles", .integer),
        ("initial balance", "initial_balance", .money), ("final equity", "final_equity", .money), ("total return", "total_return", .percent),
        ("total PnL", "total_pnl", .money), ("realized PnL", "realized_pnl", .money), ("unrealized PnL", "unrealized_pnl", .money),
        ("max drawdown", "max_drawdown", .percent), ("Sharpe", "sharpe_ratio", .ratio), ("Sortino", "sortino_ratio", .ratio),
        ("Calmar", "calmar_ratio", .ratio), ("CAGR", "cagr", .percent), ("win rate", "win_rate", .percent), ("profit factor", "profit_factor", .ratio),
        ("trades", "total_trades", .integer), ("deals closed", "deals_closed", .integer), ("rejected orders", "rejected_orders", .integer),
        ("fees paid", "fees_paid", .money), ("max capital in use", "max_capital_in_use", .money), ("exposure", "exposure", .percent),
        ("avg deal duration", "average_deal_duration_seconds", .seconds), ("buy and hold", "buy_and_hold_return", .percent),
    ]

    func run() throws {
        let store = try database.open()
        let details = try runIDs.map { try ShowRun.find($0, in: store) }
        struct Column { var values: [String: JSONValue]; var config: [String: JSONValue] }
        let columns: [Column] = details.map { detail in
            var values: [String: JSONValue] = [:]
            for (k, name) in detail.run.columns.enumerated() { values[name] = jsonValue(detail.run.values[k]) }
            if let text = detail.run["metrics"].text, case .object(let metrics)? = try? JSONDecoder().decode(JSONInput.self, from: Data(text.utf8)) {
                for (key, value) in metrics where values[key] == nil || key == "total_return" { values[key] = value.value }
            }
            var config: [String: JSONValue] = [:]
            if let text = detail.run["config"].text, case .object(let object)? = try? JSONDecoder().decode(JSONInput.self, from: Data(text.utf8)) {
                for (key, value) in object { config[key] = value.value }
                values["quote_currency"] = config["quote_currency"] ?? .null
            }
            return Column(values: values, config: config)
        }
        let configKeys = Set(columns.flatMap(\.config.keys)).sorted().filter { key in
            Set(columns.map { ($0.config[key] ?? .null).text() }).count > 1 && key != "name"
        }
        if json {
            print(JSONValue.array(zip(details, columns).map { detail, column in
                .object([("run_id", .string(detail.run["run_id"].text ?? ""))] + Self.rows.map { ($0.key, column.values[$0.key] ?? .null) }
                    + [("config_differences", .object(configKeys.map { ($0, column.config[$0] ?? .null) }))])
            }).text(pretty: true))
            return
        }
        func cell(_ value: JSONValue?, _ kind: Kind) -> String {
            guard let value else { return "n/a" }
            switch (value, kind) {
            case (.null, _): return "n/a"
            case (.string(let s), _): return s
            case (.integer(let i), .money), (.integer(let i), .percent), (.integer(let i), .ratio), (.integer(let i), .seconds): return cell(.number(Double(i)), kind)
            case (.integer(let i), _): return "\(i)"
            case (.number(let d), .money): return Format.fixed(d, decimals: 2)
            case (.number(let d), .percent): return Format.percent(d)
            case (.number(let d), .ratio): return Format.ratio(d)
            case (.number(let d), .seconds): return Format.fixed(d / 3600, decimals: 1) + " h"
            case (.number(let d), _): return Format.significant(d)
            default: return value.text()
            }
        }
        let width = max(20, details.map { min(($0.run["run_id"].text ?? "").count, 36) }.max() ?? 20)
        print(pad("", 20) + details.map { " " + pad($0.run["run_id"].text ?? "", width) }.joined())
        for row in Self.rows {
            print(pad(row.label, 20) + columns.map { " " + pad(cell($0.values[row.key], row.kind), width) }.joined())
        }
        if configKeys.isEmpty {
            print("\nSame configuration (the runs differ in their data, fill model or engine version).")
        } else {
            print("\nConfiguration keys that differ:")
            for key in configKeys { print(pad(key, 20) + columns.map { " " + pad(($0.config[key] ?? .null).text(), width) }.joined()) }
        }
    }
}

struct DeleteRuns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete runs and every row of theirs (orders, deals, final position, funds, holdings, sweep links).",
        discussion: "The only command that removes rows. Give full run ids (see dca-backtest runs list --all). Bots no run uses any more go too; sweeps keep their rows. One transaction: every run named or none."
    )

    @Argument(help: "The run ids to delete.")
    var runIDs: [String]

    @OptionGroup var database: ReadDatabaseOption

    func validate() throws {
        if runIDs.isEmpty { throw ValidationError("Give the ids of the runs to delete (see dca-backtest runs list --all).") }
    }

    func run() throws {
        let store = try database.open()
        let deleted = try store.delete(runIDs: runIDs.uniqued())
        let missing = runIDs.uniqued().filter { !deleted.contains($0) }
        print("Deleted \(deleted.count) run(s) from \(store.location)." + (missing.isEmpty ? "" : " Not stored there: \(missing.joined(separator: ", ")) (runs delete takes full run ids)."))
    }
}

func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
func leftPad(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
