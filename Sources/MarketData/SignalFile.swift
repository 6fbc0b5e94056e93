import Foundation

/// What a signal asks for (docs/SEMANTICS.md section 8, signals).
public enum SignalAction: String, Sendable, Equatable, CaseIterable {
    /// Let a deal start on the symbol at the open of its first bar at or after the signal's time.
    case start
    /// Sell the symbol's open deal at market at the open of its first bar at or after the time.
    case close
}

/// One row of a signals file: a TradingView-style alert.
public struct Signal: Sendable, Equatable {
    /// Nanoseconds since the epoch, UTC.
    public var time: Int64
    /// The index of the symbol in the list the file was read against (the bot's symbol order).
    public var symbolIndex: Int
    public var action: SignalAction
    /// The 1-based line of the file it was read from.
    public var line: Int

    public init(time: Int64, symbolIndex: Int, action: SignalAction, line: Int) {
        self.time = time
        self.symbolIndex = symbolIndex
        self.action = action
        self.line = line
    }
}

/// A signals file that cannot be used: every bad row, each naming its line.
public struct SignalFileError: Error, Sendable, CustomStringConvertible {
    public var problems: [DataProblem]
    public var moreProblems: Int

    public var description: String {
        var text = "Cannot read signals: " + problems.map(\.description).joined(separator: "; ")
        if moreProblems > 0 { text += "; and \(moreProblems) more problem(s)" }
        return text + ". Each row is `time,symbol,action` (action `start` or `close`; the column may be left out, then every row is `start`)."
    }
}

/// A `--signals FILE`: CSV with a header naming `time`, `symbol` and optionally `action`.
///
/// Columns are found by their header names in any order (`time`, `timestamp`, `date` or
/// `datetime`; `symbol`, `ticker` or `pair`; `action`), extra columns are ignored. Times are
/// epoch seconds, milliseconds, microseconds or nanoseconds (the unit found from each value's
/// magnitude, as for candles) or ISO-8601 / `YYYY-MM-DD HH:MM[:SS]` text, UTC unless an offset is
/// given. Symbols are matched to the bot's symbols ignoring case, separators (`BTC/USDT`,
/// `BTC-USDT`) and an exchange prefix (`BINANCE:BTCUSDT`, as TradingView alerts write them). A
/// byte-order mark, CRLF line ends and blank lines are accepted.
public enum SignalFile {
    /// Problems listed before the rest are only counted.
    public static let maximumProblemsReported = 20

    /// Reads and checks a signals file.
    /// - Returns: the signals in time order (rows with the same time in file order).
    /// - Throws: ``SignalFileError`` naming every unreadable row (a time that is no time, an
    ///   unknown action, a symbol the bot does not trade, a missing field) by its line; or when the
    ///   file cannot be read or has no header with `time` and `symbol`.
    public static func load(path: String, symbols: [String]) throws(SignalFileError) -> [Signal] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SignalFileError(problems: [DataProblem(file: path, line: nil, column: nil, reason: "cannot be read (\(error.localizedDescription))")], moreProblems: 0)
        }
        return try parse(bytes: Array(data), file: path, symbols: symbols)
    }

    /// Parses the bytes of a signals file named `file` (in messages).
    public static func parse(bytes: [UInt8], file: String, symbols: [String]) throws(SignalFileError) -> [Signal] {
        var bytes = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        var problems: [DataProblem] = []
        var more = 0
        func problem(_ line: Int?, _ column: String?, _ reason: String) {
            if problems.count < maximumProblemsReported {
                problems.append(DataProblem(file: file, line: line, column: column, reason: reason))
            } else {
                more += 1
            }
        }
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw SignalFileError(problems: [DataProblem(file: file, line: nil, column: nil, reason: "is empty; it needs a header `time,symbol,action` and one row per signal")], moreProblems: 0)
        }
        let header = ColumnLayout.splitFields(String(lines[headerIndex])).map { $0.lowercased() }
        func column(_ names: [String]) -> Int? { header.firstIndex { names.contains($0) } }
        let timeColumn = column(["time", "timestamp", "date", "datetime", "open_time"])
        let symbolColumn = column(["symbol", "ticker", "pair"])
        let actionColumn = column(["action"])
        guard let timeColumn, let symbolColumn else {
            let missing = [timeColumn == nil ? "`time`" : nil, symbolColumn == nil ? "`symbol`" : nil].compactMap { $0 }.joined(separator: " and ")
            throw SignalFileError(problems: [DataProblem(file: file, line: headerIndex + 1, column: nil, reason: "the header `\(lines[headerIndex])` has no \(missing) column; the first line must be `time,symbol,action`")], moreProblems: 0)
        }
        let wanted = symbols.map(normalizedSymbol)
        var signals: [Signal] = []
        for index in (headerIndex + 1)..<lines.count {
            let raw = String(lines[index])
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let line = index + 1
            let fields = ColumnLayout.splitFields(raw)
            let needed = max(timeColumn, symbolColumn, actionColumn ?? 0)
            guard fields.count > needed else {
                problem(line, nil, "has \(fields.count) field(s); the header names \(header.count)")
                continue
            }
            let timeText = fields[timeColumn]
            let time = parseTime(timeText)
            if time == nil {
                problem(line, header[timeColumn], timeText.isEmpty ? "empty time" : "`\(timeText)` is not a time (epoch seconds, milliseconds, microseconds, nanoseconds, or ISO-8601 text such as 2025-03-15T01:30:00Z)")
            }
            let symbolText = fields[symbolColumn]
            let symbolIndex = wanted.firstIndex(of: normalizedSymbol(symbolText))
            if symbolIndex == nil {
                problem(line, header[symbolColumn], symbolText.isEmpty ? "empty symbol" : "symbol `\(symbolText)` is not one the bot trades (\(symbols.joined(separator: ", ")))")
            }
            var action = SignalAction.start
            if let actionColumn {
                let actionText = fields[actionColumn].lowercased()
                if let parsed = SignalAction(rawValue: actionText) {
                    action = parsed
                } else if !actionText.isEmpty {
                    problem(line, header[actionColumn], "action `\(fields[actionColumn])` must be `start` or `close`")
                    continue
                }
            }
            if let time, let symbolIndex {
                signals.append(Signal(time: time, symbolIndex: symbolIndex, action: action, line: line))
            }
        }
        guard problems.isEmpty else { throw SignalFileError(problems: problems, moreProblems: more) }
        // A stable sort: rows with the same time keep their file order.
        return signals.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// Upper case without separators and without an exchange prefix: `binance:btc/usdt` -> `BTCUSDT`.
    public static func normalizedSymbol(_ text: String) -> String {
        let withoutExchange = text.split(separator: ":").last.map(String.init) ?? text
        return withoutExchange.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// A time as candle files write them, or `nil`: integers and decimals are epoch values in the
    /// unit their magnitude gives (8-digit calendar dates `YYYYMMDD` are dates), else date text.
    static func parseTime(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let integer = Int64(trimmed) {
            if trimmed.count == 8, let date = calendarDate(integer) { return date }
            let unit = TimestampUnit.detect(magnitude: Double(integer))
            let (product, overflow) = integer.multipliedReportingOverflow(by: unit.nanosecondsPerUnit)
            return overflow ? nil : plausible(product)
        }
        if let number = Double(trimmed), number.isFinite, trimmed.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) {
            let unit = TimestampUnit.detect(magnitude: number)
            let scaled = number * Double(unit.nanosecondsPerUnit)
            return abs(scaled) < 9.2e18 ? plausible(Int64(scaled.rounded())) : nil
        }
        return UTCTime.parse(trimmed).flatMap(plausible)
    }

    static func plausible(_ nanoseconds: Int64) -> Int64? {
        nanoseconds >= UTCTime.earliestPlausible && nanoseconds < UTCTime.latestPlausible ? nanoseconds : nil
    }

    static func calendarDate(_ value: Int64) -> Int64? {
        let year = value / 10_000, month = value / 100 % 100, day = value % 100
        guard (1970...2199).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let days = UTCTime.daysFromCivil(year: year, month: month, day: day)
        guard UTCTime.civilFromDays(days) == (year, month, day) else { return nil }
        return days * UTCTime.nanosecondsPerDay
    }
}
