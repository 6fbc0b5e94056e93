import Backtesting
import GRDB
import GRDBSQLite
import MarketData

/// Binds one row's values at parameter offset `offset` of a multi-row `INSERT`.
struct RowBinder {
    let statement: OpaquePointer
    let offset: Int32

    /// `SQLITE_TRANSIENT` (a macro cast, not imported into Swift): SQLite copies the text.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func text(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            _ = sqlite3_bind_text(statement, offset + index, UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buffer.count), RowBinder.transient)
        }
    }
    /// A literal: SQLite may keep the pointer (static storage).
    func text(_ index: Int32, _ literal: StaticString) {
        _ = sqlite3_bind_text(statement, offset + index, UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self), Int32(literal.utf8CodeUnitCount), nil)
    }
    func text(_ index: Int32, _ string: String?) {
        guard let string else { sqlite3_bind_null(statement, offset + index); return }
        text(index, Array(string.utf8))
    }
    func real(_ index: Int32, _ value: Double?) {
        if let value, value.isFinite { sqlite3_bind_double(statement, offset + index, value) } else { sqlite3_bind_null(statement, offset + index) }
    }
    func integer(_ index: Int32, _ value: Int?) {
        if let value { sqlite3_bind_int64(statement, offset + index, Int64(value)) } else { sqlite3_bind_null(statement, offset + index) }
    }
}

/// Inserts many rows into one table through SQLite's C API on GRDB's own connection, inside the
/// caller's transaction, ``batchSize`` rows per `INSERT` statement.
///
/// Each execution of an `INSERT` opens cursors on the table, its indexes and the parent tables of
/// its foreign keys, which costs more than binding a row; a multi-row statement pays that once
/// per batch (TOOLCHAIN.md: GRDB's cached statements cost about twice as much per row as the C
/// API; measured here, 582,205 `order_logs` rows went from 76K to 136K rows/s).
struct MultiRowInsert {
    let table: String
    /// Column names; `NULL` stands for a column always written as NULL (no parameter).
    let columns: [String]
    let literals: [String: String]
    static let batchSize = 64

    var parametersPerRow: Int32 { Int32(columns.count - literals.count) }

    func sql(rows: Int) -> String {
        var text = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES"
        var parameter = 0
        for row in 0..<rows {
            var values: [String] = []
            for column in columns {
                if let literal = literals[column] { values.append(literal) } else { parameter += 1; values.append("?\(parameter)") }
            }
            text += (row == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")"
        }
        return text
    }

    /// Inserts `count` rows; `bind(k, binder)` binds row k's parameters (numbered from 1).
    /// - Throws: `DatabaseError` with SQLite's message when a row is refused.
    func insert(count: Int, db: Database, bind: (Int, RowBinder) -> Void) throws {
        guard let connection = db.sqliteConnection, count > 0 else { return }
        // GRDB's statement cache keeps the compiled statements (one per batch length) for the
        // connection's life: a sweep writing thousands of runs compiles each once.
        func prepare(rows: Int) throws -> OpaquePointer {
            try db.cachedStatement(sql: sql(rows: rows)).sqliteStatement
        }
        let fullRows = min(Self.batchSize, count)
        let full = try prepare(rows: fullRows)
        var start = 0
        while start < count {
            let rows = min(Self.batchSize, count - start)
            let statement = rows == fullRows ? full : try prepare(rows: rows)
            for row in 0..<rows {
                bind(start + row, RowBinder(statement: statement, offset: Int32(row) * parametersPerRow))
            }
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: "INSERT INTO \(table)")
            }
            sqlite3_reset(statement)
            start += rows
        }
    }
}

/// A run's `order_logs` and `deals` rows.
enum RunRowsWriter {
    static let orders = MultiRowInsert(
        table: "order_logs",
        columns: ["order_id", "bot_id", "run_id", "user_id", "symbol", "side", "qty", "order_type", "status", "filled_qty", "avg_price",
                  "fees", "created_at", "price", "filled_at", "deal_id", "role", "safety_order_index", "reason", "needed", "available", "sequence"],
        literals: ["user_id": "NULL"]
    )
    static let deals = MultiRowInsert(
        table: "deals",
        columns: ["run_id", "deal_id", "symbol", "opened_at", "closed_at", "safety_orders_filled", "avg_entry", "qty", "cost", "proceeds",
                  "realized_pnl", "fees", "close_reason"],
        literals: [:]
    )

    /// ISO-8601 texts of bar open times, cached: a run's events cluster on few bars.
    struct TimeTexts {
        let times: [Int64]
        var cache: [Int: [UInt8]] = [:]
        mutating func text(_ bar: Int) -> [UInt8] {
            if let cached = cache[bar] { return cached }
            let text = UTCTime.iso8601Bytes(nanoseconds: times[bar])
            if cache.count > 4096 { cache.removeAll(keepingCapacity: true) }
            cache[bar] = text
            return text
        }
    }

    static func insertDeals(_ result: BacktestResult, identity: RunIdentity, symbol: String, db: Database) throws {
        var times = TimeTexts(times: result.candles.openTimes)
        let runID = Array(identity.runID.utf8), symbolText = Array(symbol.utf8)
        try deals.insert(count: result.deals.count, db: db) { k, row in
            let deal = result.deals[k]
            row.text(1, runID)
            row.integer(2, deal.number)
            row.text(3, symbolText)
            row.text(4, times.text(deal.openedBar))
            if let closed = deal.closedBar { row.text(5, times.text(closed)) } else { row.text(5, nil as String?) }
            row.integer(6, deal.safetyOrdersFilled)
            row.real(7, deal.averageEntry)
            row.real(8, deal.quantity)
            row.real(9, deal.cost)
            row.real(10, deal.proceeds)
            row.real(11, deal.realizedPnL)
            row.real(12, deal.fees)
            row.text(13, deal.closeReason?.rawValue)
        }
    }

    static func insertOrders(_ result: BacktestResult, identity: RunIdentity, symbol: String, db: Database) throws {
        var times = TimeTexts(times: result.candles.openTimes)
        // Order ids: the run id's first 10 bytes, then the sequence in 12 hex digits.
        let prefix = Array(ContentIdentifier.orderID(runID: identity.runID, sequence: 0).utf8.prefix(24))
        let hexDigits = Array("0123456789abcdef".utf8)
        var orderID = prefix + [UInt8](repeating: 48, count: 12)
        let botID = Array(identity.botID.utf8), runID = Array(identity.runID.utf8), symbolText = Array(symbol.utf8)
        try orders.insert(count: result.orders.count, db: db) { k, row in
            let order = result.orders[k]
            var sequence = UInt64(order.sequence)
            for digit in stride(from: 35, through: 24, by: -1) {
                orderID[digit] = hexDigits[Int(sequence & 15)]
                sequence >>= 4
            }
            row.text(1, orderID)
            row.text(2, botID)
            row.text(3, runID)
            row.text(4, symbolText)
            row.text(5, order.side == .buy ? "buy" : "sell")
            row.real(6, order.quantity)
            switch order.type {
            case .market: row.text(7, "market")
            case .limit: row.text(7, "limit")
            case .stopMarket: row.text(7, "stop_market")
            }
            switch order.status {
            case .new: row.text(8, "new")
            case .filled: row.text(8, "filled")
            case .cancelled: row.text(8, "cancelled")
            case .rejected: row.text(8, "rejected")
            }
            row.real(9, order.filledQuantity)
            row.real(10, order.averagePrice)
            row.real(11, order.fees)
            row.text(12, times.text(order.createdBar))
            row.real(13, order.price)
            if let filledBar = order.filledBar { row.text(14, times.text(filledBar)) } else { row.text(14, nil as String?) }
            row.integer(15, order.deal)
            switch order.role {
            case .base: row.text(16, "base")
            case .safety: row.text(16, "safety")
            case .takeProfit: row.text(16, "take_profit")
            case .trailingTakeProfit: row.text(16, "trailing_take_profit")
            case .stopLoss: row.text(16, "stop_loss")
            case .recurring: row.text(16, "recurring")
            }
            row.integer(17, order.safetyOrderIndex)
            row.text(18, order.reason)
            row.real(19, order.needed)
            row.real(20, order.available)
            row.integer(21, order.sequence)
        }
    }
}
