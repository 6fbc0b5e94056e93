import Backtesting
import MarketData
import PostgresNIO

/// Rows in the text format of PostgreSQL's `COPY ... FROM STDIN`: fields separated by tabs, rows
/// by newlines, NULL as `\N`, backslash, tab, newline and carriage return escaped. The server
/// converts each field to its column's type (uuid, timestamptz, double precision...).
struct CopyText {
    var buffer: ByteBuffer
    private var fieldsInRow = 0

    init(capacity: Int = 1 << 20) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        fieldsInRow = 0
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("\\N")
    }

    /// Text without characters to escape (ids, enumerations, times).
    mutating func plain(_ literal: StaticString) {
        separate()
        buffer.writeStaticString(literal)
    }

    mutating func plain(bytes: [UInt8]) {
        separate()
        buffer.writeBytes(bytes)
    }

    mutating func text(_ string: String?) {
        guard let string else { null(); return }
        separate()
        var bytes = string
        bytes.withUTF8 { utf8 in
            if !utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
                buffer.writeBytes(utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    /// A double in Swift's shortest round-trip form (PostgreSQL reads it back exactly); NULL
    /// when absent or not finite, as SQLite stores it.
    mutating func real(_ value: Double?) {
        guard let value, value.isFinite else { null(); return }
        separate()
        buffer.writeString(value.description)
    }

    mutating func integer(_ value: Int?) {
        guard let value else { null(); return }
        separate()
        buffer.writeString(String(value))
    }

    /// A bar's open time as ISO-8601 UTC text with milliseconds, or NULL.
    mutating func time(bar: Int?, times: [Int64]) {
        guard let bar else { null(); return }
        separate()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: UTCTime.iso8601Length) { raw in
            UTCTime.writeISO8601(nanoseconds: times[bar], to: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            return UTCTime.iso8601Length
        }
    }

    mutating func value(_ value: StoredValue) {
        switch value {
        case .null: null()
        case .integer(let i): separate(); buffer.writeString(String(i))
        case .real(let d): real(d)
        case .text(let s): text(s)
        }
    }
}

/// A run's `order_logs` and `deals` rows as COPY text: the same columns, in the same order and
/// with the same values, as ``RunRowsWriter`` binds into SQLite.
enum PostgresRunRows {
    static let orderColumns = RunRowsWriter.orderColumns
    static let dealColumns = RunRowsWriter.deals.columns

    static func appendDeals(_ result: BacktestResult, identity: RunIdentity, symbol: String, to out: inout CopyText) {
        let times = result.candles.openTimes
        let runID = Array(identity.runID.utf8)
        for deal in result.deals {
            out.plain(bytes: runID)
            out.integer(deal.number)
            out.text(symbol)
            out.time(bar: deal.openedBar, times: times)
            out.time(bar: deal.closedBar, times: times)
            out.integer(deal.safetyOrdersFilled)
            out.real(deal.averageEntry)
            out.real(deal.quantity)
            out.real(deal.cost)
            out.real(deal.proceeds)
            out.real(deal.realizedPnL)
            out.real(deal.fees)
            if let reason = deal.closeReason { out.plain(RunRowsWriter.literal(reason)) } else { out.null() }
            out.endRow()
        }
    }

    /// Appends orders `range` of the run (all when nil).
    static func appendOrders(_ result: BacktestResult, identity: RunIdentity, symbol: String, userID: String?, range: Range<Int>? = nil, to out: inout CopyText) {
        let times = result.candles.openTimes
        let prefix = Array(ContentIdentifier.orderID(runID: identity.runID, sequence: 0).utf8.prefix(24))
        let botID = Array(identity.botID.utf8), runID = Array(identity.runID.utf8)
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        var orderID = prefix + [UInt8](repeating: 0, count: 12)
        for k in range ?? result.orders.indices {
            let order = result.orders[k]
            var sequence = UInt64(order.sequence)
            for digit in stride(from: 35, through: 24, by: -1) {
                orderID[digit] = hexDigits[Int(sequence & 15)]
                sequence >>= 4
            }
            out.plain(bytes: orderID)
            out.plain(bytes: botID)
            out.plain(bytes: runID)
            out.text(userID)
            out.text(symbol)
            out.plain(order.side == .buy ? "buy" : "sell")
            out.real(order.quantity)
            switch order.type {
            case .market: out.plain("market")
            case .limit: out.plain("limit")
            case .stopMarket: out.plain("stop_market")
            }
            switch order.status {
            case .new: out.plain("new")
            case .filled: out.plain("filled")
            case .cancelled: out.plain("cancelled")
            case .rejected: out.plain("rejected")
            }
            out.real(order.filledQuantity)
            out.real(order.averagePrice)
            out.real(order.fees)
            out.time(bar: order.createdBar, times: times)
            out.real(order.price)
            out.time(bar: order.filledBar, times: times)
            out.integer(order.deal)
            out.plain(RunRowsWriter.literal(order.role))
            out.integer(order.safetyOrderIndex)
            out.text(order.reason)
            out.real(order.needed)
            out.real(order.available)
            out.integer(order.sequence)
            out.integer(order.takeProfitStep)
            out.endRow()
        }
    }
}

extension PostgresConnection {
    /// Streams rows into `table` by `COPY table (columns) FROM STDIN`. `next` appends a few rows
    /// to the text and returns false when it has no more; the text is sent whenever it passes
    /// `chunkBytes`, so a large table never sits whole in memory.
    func copy(into table: String, columns: [String], logger: Logger, chunkBytes: Int = 1 << 19, next: (inout CopyText) -> Bool) async throws {
        try await copyFrom(table: table, columns: columns, logger: logger) { writer in
            var text = CopyText(capacity: chunkBytes + (1 << 16))
            while next(&text) {
                if text.buffer.readableBytes >= chunkBytes {
                    try await writer.write(text.buffer)
                    text.buffer.clear()
                }
            }
            if text.buffer.readableBytes > 0 { try await writer.write(text.buffer) }
        }
    }
}
