import Backtesting
import GRDB
import GRDBSQLite
import MarketData

/// Inserts a run's `order_logs` rows through SQLite's C API on GRDB's own connection (TOOLCHAIN.md:
/// GRDB's cached statements cost about twice as much per row), inside the caller's transaction.
///
/// Rows go in batches of ``batchSize`` per `INSERT` statement: each execution of an `INSERT`
/// opens cursors on the table, its two indexes and the three parent tables of its foreign keys,
/// which costs more than binding a row; a multi-row statement pays that once per batch.
struct OrderLogWriter {
    static let columns = """
        INSERT INTO order_logs (order_id, bot_id, run_id, user_id, symbol, side, qty, order_type, status, filled_qty, avg_price,
            fees, created_at, price, filled_at, deal_id, role, safety_order_index, reason, needed, available, sequence) VALUES
        """
    /// Parameters bound per row.
    static let parametersPerRow: Int32 = 21
    static let batchSize = 64

    /// `INSERT ... VALUES (...), (...)` for `rows` rows; parameters numbered row by row.
    static func sql(rows: Int) -> String {
        var text = columns
        for row in 0..<rows {
            let base = row * Int(parametersPerRow)
            let p = (1...21).map { "?\(base + $0)" }
            text += (row == 0 ? " " : ", ") + "(\(p[0]), \(p[1]), \(p[2]), NULL, " + p[3...].joined(separator: ", ") + ")"
        }
        return text
    }

    /// `SQLITE_TRANSIENT` (a macro cast, not imported into Swift): SQLite copies the text.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Writes every order of `result`.
    /// - Throws: `DatabaseError` with SQLite's message when a row is refused.
    static func insert(_ result: BacktestResult, identity: RunIdentity, symbol: String, db: Database) throws {
        guard let connection = db.sqliteConnection, !result.orders.isEmpty else { return }
        func prepare(rows: Int) throws -> OpaquePointer {
            var statement: OpaquePointer?
            let text = sql(rows: rows)
            let code = sqlite3_prepare_v2(connection, text, -1, &statement, nil)
            guard code == SQLITE_OK, let statement else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: text)
            }
            return statement
        }
        let full = try prepare(rows: min(batchSize, result.orders.count))
        defer { sqlite3_finalize(full) }

        // Order ids: the run id's first 10 bytes, then the sequence in 12 hex digits.
        let prefix = Array(ContentIdentifier.orderID(runID: identity.runID, sequence: 0).utf8.prefix(24))
        let hexDigits = Array("0123456789abcdef".utf8)
        var orderID = prefix + [UInt8](repeating: 48, count: 12)
        let times = result.candles.openTimes
        var timeCache: [Int: [UInt8]] = [:]
        func timeText(_ bar: Int) -> [UInt8] {
            if let cached = timeCache[bar] { return cached }
            let text = Array(UTCTime.iso8601(nanoseconds: times[bar]).utf8)
            if timeCache.count > 4096 { timeCache.removeAll(keepingCapacity: true) }
            timeCache[bar] = text
            return text
        }
        let botID = Array(identity.botID.utf8), runID = Array(identity.runID.utf8), symbolText = Array(symbol.utf8)

        var start = 0
        while start < result.orders.count {
            let rows = min(batchSize, result.orders.count - start)
            let statement = rows == batchSize || start == 0 && rows == min(batchSize, result.orders.count) ? full : try prepare(rows: rows)
            defer { if statement != full { sqlite3_finalize(statement) } }
            func bind(_ index: Int32, _ bytes: [UInt8]) {
                bytes.withUnsafeBufferPointer { buffer in
                    _ = sqlite3_bind_text(statement, index, UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(buffer.count), transient)
                }
            }
            func bind(_ index: Int32, _ text: StaticString) {
                _ = sqlite3_bind_text(statement, index, UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self), Int32(text.utf8CodeUnitCount), nil)
            }
            func bind(_ index: Int32, _ value: Double?) {
                if let value, value.isFinite { sqlite3_bind_double(statement, index, value) } else { sqlite3_bind_null(statement, index) }
            }
            func bind(_ index: Int32, _ value: Int?) {
                if let value { sqlite3_bind_int64(statement, index, Int64(value)) } else { sqlite3_bind_null(statement, index) }
            }
            for row in 0..<rows {
                let order = result.orders[start + row]
                let o = Int32(row) * parametersPerRow
                var sequence = UInt64(order.sequence)
                for k in stride(from: 35, through: 24, by: -1) {
                    orderID[k] = hexDigits[Int(sequence & 15)]
                    sequence >>= 4
                }
                bind(o + 1, orderID)
                bind(o + 2, botID)
                bind(o + 3, runID)
                bind(o + 4, symbolText)
                bind(o + 5, order.side == .buy ? "buy" : "sell")
                bind(o + 6, order.quantity)
                switch order.type {
                case .market: bind(o + 7, "market")
                case .limit: bind(o + 7, "limit")
                case .stopMarket: bind(o + 7, "stop_market")
                }
                switch order.status {
                case .new: bind(o + 8, "new")
                case .filled: bind(o + 8, "filled")
                case .cancelled: bind(o + 8, "cancelled")
                case .rejected: bind(o + 8, "rejected")
                }
                bind(o + 9, order.filledQuantity)
                bind(o + 10, order.averagePrice)
                bind(o + 11, order.fees)
                bind(o + 12, timeText(order.createdBar))
                bind(o + 13, order.price)
                if let filledBar = order.filledBar { bind(o + 14, timeText(filledBar)) } else { sqlite3_bind_null(statement, o + 14) }
                bind(o + 15, order.deal)
                switch order.role {
                case .base: bind(o + 16, "base")
                case .safety: bind(o + 16, "safety")
                case .takeProfit: bind(o + 16, "take_profit")
                case .trailingTakeProfit: bind(o + 16, "trailing_take_profit")
                case .stopLoss: bind(o + 16, "stop_loss")
                case .recurring: bind(o + 16, "recurring")
                }
                bind(o + 17, order.safetyOrderIndex)
                if let reason = order.reason { bind(o + 18, Array(reason.utf8)) } else { sqlite3_bind_null(statement, o + 18) }
                bind(o + 19, order.needed)
                bind(o + 20, order.available)
                bind(o + 21, order.sequence)
            }
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: columns)
            }
            sqlite3_reset(statement)
            start += rows
        }
    }
}
