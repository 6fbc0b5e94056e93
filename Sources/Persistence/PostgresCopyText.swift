import Backtesting
import MarketData
import PostgresNIO

/// Rows in the text format of PostgreSQL's `COPY ... FROM STDIN`: fields separated by tabs, rows
/// by newlines, NULL as `\N`, backslash, tab, newline and carriage return escaped. The server
/// converts each field to its column's type (uuid, timestamptz, double precision...).
///
/// Each row is written in one piece (``row(capacity:_:)``): its fields go through a pointer into
/// bytes the buffer reserved for the whole row, not one `ByteBuffer` write per field (which cost
/// about 19,000 instructions per order row, two thirds of them in ByteBuffer's bounds,
/// uniqueness and exclusivity checks).
struct CopyText {
    var buffer: ByteBuffer

    init(capacity: Int = 1 << 20) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Appends one row: `fields` writes its fields, at most `capacity` bytes in all (see
    /// ``CopyRow/bytes(fields:textBytes:)``; a row that would outgrow it stops the process
    /// rather than write past the reserved bytes).
    mutating func row(capacity: Int, _ fields: (inout CopyRow) -> Void) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { raw in
            var row = CopyRow(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity: capacity)
            fields(&row)
            row.end()
            return row.count
        }
    }

    /// Appends one row of stored values (a merge's rows).
    mutating func row(_ values: [StoredValue]) {
        var textBytes = 0
        for case .text(let string) in values { textBytes += string.utf8.count }
        row(capacity: CopyRow.bytes(fields: values.count, textBytes: textBytes)) { row in
            for value in values { row.value(value) }
        }
    }
}

/// One row of ``CopyText`` being written into the bytes reserved for it.
struct CopyRow {
    private let start: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// Bytes written so far.
    private(set) var count = 0
    private var fields = 0

    fileprivate init(start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.start = start
        self.capacity = capacity
    }

    /// Bytes enough for a row of `fields` fields whose text fields (``text(_:)``) hold
    /// `textBytes` UTF-8 bytes in all: every other field takes at most 36 bytes (a uuid; a
    /// double's shortest form takes at most 24, an integer 20, a time 24) and its separator,
    /// a text field at most twice its bytes (every byte escaped) and its separator, the row its
    /// newline.
    static func bytes(fields: Int, textBytes: Int) -> Int { fields * 40 + 2 * textBytes + 1 }

    /// Starts a field of at most `bytes` bytes.
    private mutating func field(_ bytes: Int) {
        precondition(count + bytes + 2 <= capacity, "a COPY row outgrew the bytes reserved for it")
        if fields > 0 {
            start[count] = UInt8(ascii: "\t")
            count += 1
        }
        fields += 1
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        (start + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    mutating func end() {
        precondition(count < capacity, "a COPY row outgrew the bytes reserved for it")
        start[count] = UInt8(ascii: "\n")
        count += 1
    }

    mutating func null() {
        field(2)
        start[count] = UInt8(ascii: "\\")
        start[count + 1] = UInt8(ascii: "N")
        count += 2
    }

    /// Text without characters to escape (ids, enumerations, times).
    mutating func plain(_ literal: StaticString) {
        field(literal.utf8CodeUnitCount)
        put(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func plain(bytes: [UInt8]) {
        field(bytes.count)
        bytes.withUnsafeBufferPointer { put($0) }
    }

    mutating func text(_ string: String?) {
        guard var string else { null(); return }
        string.withUTF8 { utf8 in
            field(2 * utf8.count)
            for byte in utf8 {
                let escaped: UInt8
                switch byte {
                case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
                case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
                case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
                default:
                    start[count] = byte
                    count += 1
                    continue
                }
                start[count] = UInt8(ascii: "\\")
                start[count + 1] = escaped
                count += 2
            }
        }
    }

    /// A double in Swift's shortest round-trip form (PostgreSQL reads it back exactly); NULL
    /// when absent or not finite, as SQLite stores it.
    mutating func real(_ value: Double?) {
        guard let value, value.isFinite else { null(); return }
        var text = value.description
        text.withUTF8 { utf8 in
            field(utf8.count)
            put(utf8)
        }
    }

    /// An integer's decimal digits, written in place.
    mutating func integer(_ value: Int?) {
        guard let value else { null(); return }
        field(20)
        if value < 0 {
            start[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        for k in stride(from: count + digits - 1, through: count, by: -1) {
            start[k] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        }
        count += digits
    }

    /// A bar's open time as ISO-8601 UTC text with milliseconds, or NULL.
    mutating func time(bar: Int?, times: [Int64]) {
        guard let bar else { null(); return }
        field(UTCTime.iso8601Length)
        UTCTime.writeISO8601(nanoseconds: times[bar], to: start + count)
        count += UTCTime.iso8601Length
    }

    mutating func value(_ value: StoredValue) {
        switch value {
        case .null: null()
        case .integer(let i): integer(Int(i))
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
        let capacity = CopyRow.bytes(fields: dealColumns.count, textBytes: symbol.utf8.count)
        for deal in result.deals {
            out.row(capacity: capacity) { out in
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
            }
        }
    }

    /// Appends orders `range` of the run (all when nil).
    static func appendOrders(_ result: BacktestResult, identity: RunIdentity, symbol: String, userID: String?, range: Range<Int>? = nil, to out: inout CopyText) {
        let times = result.candles.openTimes
        let prefix = Array(ContentIdentifier.orderID(runID: identity.runID, sequence: 0).utf8.prefix(24))
        let botID = Array(identity.botID.utf8), runID = Array(identity.runID.utf8)
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        var orderID = prefix + [UInt8](repeating: 0, count: 12)
        let symbolBytes = symbol.utf8.count
        for k in range ?? result.orders.indices {
            let order = result.orders[k]
            var sequence = UInt64(order.sequence)
            for digit in stride(from: 35, through: 24, by: -1) {
                orderID[digit] = hexDigits[Int(sequence & 15)]
                sequence >>= 4
            }
            let textBytes = (userID?.utf8.count ?? 0) + symbolBytes + (order.reason?.utf8.count ?? 0)
            out.row(capacity: CopyRow.bytes(fields: orderColumns.count, textBytes: textBytes)) { out in
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
            }
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
