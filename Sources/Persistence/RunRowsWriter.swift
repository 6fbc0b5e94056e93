import Backtesting
import GRDB
import GRDBSQLite
import MarketData

/// Binds one row's values at parameter offset `offset` of a multi-row `INSERT`.
struct RowBinder {
    let statement: OpaquePointer
    let offset: Int32
    /// This row's text scratch (``MultiRowInsert/textBytesPerRow`` bytes), valid until the
    /// statement has run: text written here is bound without a copy.
    let scratch: UnsafeMutablePointer<UInt8>

    /// `SQLITE_TRANSIENT` (a macro cast, not imported into Swift): SQLite copies the text.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds `count` bytes of this row's scratch from `start`, without a copy.
    func scratchText(_ index: Int32, from start: Int, count: Int) {
        _ = sqlite3_bind_text(statement, offset + index, UnsafeRawPointer(scratch + start).assumingMemoryBound(to: CChar.self), Int32(count), nil)
    }
    /// A literal: SQLite may keep the pointer (static storage).
    func text(_ index: Int32, _ literal: StaticString) {
        _ = sqlite3_bind_text(statement, offset + index, UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self), Int32(literal.utf8CodeUnitCount), nil)
    }
    /// Text SQLite copies (ids, configurations, a rejection's reason); NULL for `nil`.
    func text(_ index: Int32, _ string: String?) {
        guard var string else { null(index); return }
        // withUTF8 reads a native string in place (it copies a bridged one first).
        string.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { text(index, ""); return }
            _ = sqlite3_bind_text(statement, offset + index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buffer.count), RowBinder.transient)
        }
    }
    func null(_ index: Int32) {
        sqlite3_bind_null(statement, offset + index)
    }
    func real(_ index: Int32, _ value: Double?) {
        if let value, value.isFinite { sqlite3_bind_double(statement, offset + index, value) } else { null(index) }
    }
    func integer(_ index: Int32, _ value: Int?) {
        if let value { sqlite3_bind_int64(statement, offset + index, Int64(value)) } else { null(index) }
    }
}

/// Inserts many rows into one table through SQLite's C API on GRDB's own connection, inside the
/// caller's transaction: 256 rows per `INSERT` statement, then 16, then 1 for the rest.
///
/// Each execution of an `INSERT` opens cursors on the table, its indexes and the parent tables of
/// its foreign keys, which costs more than binding a row; a multi-row statement pays that once
/// per batch (measured: GRDB's cached statements cost about twice as much per row as the C
/// API). Three statement lengths keep GRDB's statement cache at three entries per table
/// whatever the run lengths of a sweep. Columns with one value for the whole call (a run's ids)
/// are bound once per statement, into every row; per-row text is formatted into a scratch area
/// that lives until the statement has run, so nothing is copied or allocated per row.
struct MultiRowInsert {
    let table: String
    /// Column names in the table's order.
    let columns: [String]
    /// Columns written as a constant SQL expression (no parameter).
    let literals: [String: String]
    /// Columns with one value for every row of an ``insert(count:db:shared:bind:)`` call.
    let shared: [String]
    /// Bytes of scratch text each row may use (``RowBinder/scratch``).
    let textBytesPerRow: Int
    /// What follows `VALUES (...), ...`: an `ON CONFLICT` clause, or nothing.
    let conflict: String
    static let batchSizes = [256, 16, 1]
    /// The `INSERT` text of each of ``batchSizes``, built once (GRDB's statement cache is keyed
    /// by the text; building the 256-row one took longer than writing a short run).
    private(set) var statementTexts: [String]

    init(table: String, columns: [String], literals: [String: String], shared: [String], textBytesPerRow: Int, conflict: String = "") {
        self.table = table
        self.conflict = conflict
        self.columns = columns
        self.literals = literals
        self.shared = shared
        self.textBytesPerRow = textBytesPerRow
        statementTexts = []
        statementTexts = Self.batchSizes.map { sql(rows: $0) }
    }

    /// Each row's own parameters (neither literal nor shared).
    var parametersPerRow: Int32 { Int32(columns.count - literals.count - shared.count) }
    /// Parameters of a row in the statement: its own, then the shared ones again.
    var rowStride: Int32 { parametersPerRow + Int32(shared.count) }

    /// The statement of `rows` rows. Every parameter is an anonymous `?`: a row's own columns
    /// first (in column order), then its literals, then the shared columns, whose values are
    /// bound again in every row. Numbered parameters (`?12`) would make SQLite look each one up
    /// in a list of all the numbered ones so far while it parses: preparing a 256-row statement
    /// of 23 columns took about 0.2 billion instructions that way.
    func sql(rows: Int) -> String {
        let own = columns.filter { literals[$0] == nil && !shared.contains($0) }
        let literal = columns.filter { literals[$0] != nil }
        let tuple = "(" + (own.map { _ in "?" } + literal.map { literals[$0]! } + shared.map { _ in "?" }).joined(separator: ", ") + ")"
        var text = "INSERT INTO \(table) (\((own + literal + shared).joined(separator: ", "))) VALUES "
        text.reserveCapacity(text.utf8.count + rows * (tuple.utf8.count + 2) + conflict.utf8.count + 1)
        for row in 0..<rows {
            if row > 0 { text += ", " }
            text += tuple
        }
        return conflict.isEmpty ? text : text + " " + conflict
    }

    /// Inserts `count` rows; `shared` holds the UTF-8 values of ``shared`` in order, and
    /// `bind(k, binder)` binds row k's own parameters (numbered from 1 in column order).
    /// - Throws: `DatabaseError` with SQLite's message when a row is refused.
    func insert(count: Int, db: Database, shared sharedValues: [[UInt8]], bind: (Int, RowBinder) -> Void) throws {
        guard let connection = db.sqliteConnection, count > 0 else { return }
        precondition(sharedValues.count == shared.count, "one value per shared column")
        // The shared values and the scratch live for the whole call; every statement's
        // bindings are cleared before they are freed.
        let sharedBytes = sharedValues.map { value in
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(value.count, 1))
            _ = copy.initialize(from: value)
            return (copy, value.count)
        }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: max(Self.batchSizes[0] * textBytesPerRow, 1))
        var used: [OpaquePointer] = []
        defer {
            for statement in used { sqlite3_clear_bindings(statement) }
            for (copy, _) in sharedBytes { copy.deallocate() }
            scratch.deallocate()
        }
        var start = 0
        for (size, rows) in Self.batchSizes.enumerated() where count - start >= rows {
            // GRDB's statement cache keeps the compiled statement for the connection's life.
            let statement = try db.cachedStatement(sql: statementTexts[size]).sqliteStatement
            used.append(statement)
            // The shared values are bound once into every row of the statement; the bindings
            // stay for each execution.
            for row in 0..<Int32(rows) {
                for (k, (copy, length)) in sharedBytes.enumerated() {
                    let index = row * rowStride + parametersPerRow + Int32(k) + 1
                    _ = sqlite3_bind_text(statement, index, UnsafeRawPointer(copy.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(length), nil)
                }
            }
            while count - start >= rows {
                for row in 0..<rows {
                    bind(start + row, RowBinder(statement: statement, offset: Int32(row) * rowStride, scratch: scratch + row * textBytesPerRow))
                }
                let code = sqlite3_step(statement)
                guard code == SQLITE_DONE else {
                    let message = String(cString: sqlite3_errmsg(connection))
                    sqlite3_reset(statement)
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: "INSERT INTO \(table)")
                }
                sqlite3_reset(statement)
                start += rows
            }
        }
    }
}

/// A run's `order_logs` and `deals` rows.
enum RunRowsWriter {
    /// Scratch of an order row: its id (36 bytes), then `created_at` and `filled_at` (24 each).
    static let orders = MultiRowInsert(
        table: "order_logs",
        columns: orderColumns,
        literals: ["user_id": "NULL"],
        shared: ["bot_id", "run_id", "symbol"],
        textBytesPerRow: 36 + 2 * UTCTime.iso8601Length
    )
    /// The same with `user_id` (`--user-id`) bound once per run.
    static let ordersOfAUser = MultiRowInsert(
        table: "order_logs",
        columns: orderColumns,
        literals: [:],
        shared: ["bot_id", "run_id", "symbol", "user_id"],
        textBytesPerRow: 36 + 2 * UTCTime.iso8601Length
    )
    static let orderColumns = ["order_id", "bot_id", "run_id", "user_id", "symbol", "side", "qty", "order_type", "status", "filled_qty", "avg_price",
                               "fees", "created_at", "price", "filled_at", "deal_id", "role", "safety_order_index", "reason", "needed", "available", "sequence",
                               "take_profit_step"]
    /// Scratch of a deal row: `opened_at` and `closed_at`.
    static let deals = MultiRowInsert(
        table: "deals",
        columns: ["run_id", "deal_id", "symbol", "opened_at", "closed_at", "safety_orders_filled", "avg_entry", "qty", "cost", "proceeds",
                  "realized_pnl", "fees", "close_reason"],
        literals: [:],
        shared: ["run_id", "symbol"],
        textBytesPerRow: 2 * UTCTime.iso8601Length
    )

    /// A role's stored name as static text (bound without a copy); the same as its `rawValue`.
    static func literal(_ role: OrderRole) -> StaticString {
        switch role {
        case .base: "base"
        case .safety: "safety"
        case .takeProfit: "take_profit"
        case .trailingTakeProfit: "trailing_take_profit"
        case .stopLoss: "stop_loss"
        case .recurring: "recurring"
        case .closeCondition: "close_condition"
        case .signal: "signal"
        }
    }

    /// Binds a bar's open time (or NULL) as ISO-8601 text written into the row's scratch at `start`.
    static func bindTime(_ row: RowBinder, _ index: Int32, bar: Int?, times: [Int64], at start: Int) {
        guard let bar else { row.null(index); return }
        UTCTime.writeISO8601(nanoseconds: times[bar], to: row.scratch + start)
        row.scratchText(index, from: start, count: UTCTime.iso8601Length)
    }

    static func insertDeals(_ result: BacktestResult, identity: RunIdentity, symbol: String, db: Database) throws {
        let times = result.candles.openTimes
        try deals.insert(count: result.deals.count, db: db, shared: [Array(identity.runID.utf8), Array(symbol.utf8)]) { k, row in
            let deal = result.deals[k]
            row.integer(1, deal.number)
            bindTime(row, 2, bar: deal.openedBar, times: times, at: 0)
            bindTime(row, 3, bar: deal.closedBar, times: times, at: UTCTime.iso8601Length)
            row.integer(4, deal.safetyOrdersFilled)
            row.real(5, deal.averageEntry)
            row.real(6, deal.quantity)
            row.real(7, deal.cost)
            row.real(8, deal.proceeds)
            row.real(9, deal.realizedPnL)
            row.real(10, deal.fees)
            if let reason = deal.closeReason { row.text(11, literal(reason)) } else { row.null(11) }
        }
    }

    static func insertOrders(_ result: BacktestResult, identity: RunIdentity, symbol: String, userID: String? = nil, db: Database) throws {
        let times = result.candles.openTimes
        // Order ids: the run id's first 10 bytes, then the sequence in 12 hex digits.
        let prefix = Array(ContentIdentifier.orderID(runID: identity.runID, sequence: 0).utf8.prefix(24))
        let hexDigits: StaticString = "0123456789abcdef"
        let shared = [Array(identity.botID.utf8), Array(identity.runID.utf8), Array(symbol.utf8)] + (userID.map { [Array($0.utf8)] } ?? [])
        try (userID == nil ? orders : ordersOfAUser).insert(count: result.orders.count, db: db, shared: shared) { k, row in
            let order = result.orders[k]
            var sequence = UInt64(order.sequence)
            for digit in 0..<24 { row.scratch[digit] = prefix[digit] }
            for digit in stride(from: 35, through: 24, by: -1) {
                row.scratch[digit] = hexDigits.utf8Start[Int(sequence & 15)]
                sequence >>= 4
            }
            row.scratchText(1, from: 0, count: 36)
            row.text(2, order.side == .buy ? "buy" : "sell")
            row.real(3, order.quantity)
            switch order.type {
            case .market: row.text(4, "market")
            case .limit: row.text(4, "limit")
            case .stopMarket: row.text(4, "stop_market")
            }
            switch order.status {
            case .new: row.text(5, "new")
            case .filled: row.text(5, "filled")
            case .cancelled: row.text(5, "cancelled")
            case .rejected: row.text(5, "rejected")
            }
            row.real(6, order.filledQuantity)
            row.real(7, order.averagePrice)
            row.real(8, order.fees)
            bindTime(row, 9, bar: order.createdBar, times: times, at: 36)
            row.real(10, order.price)
            bindTime(row, 11, bar: order.filledBar, times: times, at: 36 + UTCTime.iso8601Length)
            row.integer(12, order.deal)
            row.text(13, literal(order.role))
            row.integer(14, order.safetyOrderIndex)
            row.text(15, order.reason)
            row.real(16, order.needed)
            row.real(17, order.available)
            row.integer(18, order.sequence)
            row.integer(19, order.takeProfitStep)
        }
    }
}
