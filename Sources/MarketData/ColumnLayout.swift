import Foundation

/// Where the candle fields are in a row, and how the time is written: inferred once per file
/// from its first lines (docs/DATA.md, "How a layout is inferred").
struct ColumnLayout: Sendable {
    var format: CandleFileFormat
    /// Non-blank records to skip before data (banner, comment and header lines).
    var skippedRecords: Int
    var time: Int
    var open: Int
    var high: Int
    var low: Int
    var close: Int
    /// `nil` when the file has no volume column.
    var volume: Int?
    /// A separate time-of-day column joined to the date column, or nil.
    var timeOfDay: Int? = nil
    /// The column names used in messages, by role: time, open, high, low, close, volume, time of day.
    var names: [String]
    /// Bytes of a data line near the top (with its line end), to size the columns up front.
    var sampleLineLength = 64
    /// The field separator (`,` `;` tab or `|`).
    var separator: UInt8 = 44
    /// Bytes to skip at the start (3 for a UTF-8 byte-order mark).
    var startOffset = 0
    /// How the time column is written.
    var timeFormat: TimeColumnFormat = .epoch
    /// The physical line of the header, or nil when the file has none.
    var headerLine: Int? = nil
    /// What inference decided that a user should be told (banner lines skipped, no volume, ...).
    var notices: [DataProblem] = []

    var fieldsNeeded: Int { max(time, open, high, low, close, volume ?? 0, timeOfDay ?? 0) + 1 }

    /// One non-blank line of the sample.
    struct SampleLine {
        var number: Int
        var text: String
        var length: Int
    }

    /// Lines read for inference.
    static let sampleLines = 64

    /// Infers the layout from the first lines of a file.
    /// - Throws: ``DataProblem`` naming the line that cannot be read and why.
    static func detect(bytes: UnsafeRawBufferPointer, file: String, options: LoadOptions) throws(DataProblem) -> ColumnLayout {
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        var firstByte = start
        while firstByte < bytes.count, [9, 10, 13, 32].contains(bytes[firstByte]) { firstByte += 1 }
        if firstByte < bytes.count, bytes[firstByte] == UInt8(ascii: "[") || bytes[firstByte] == UInt8(ascii: "{") {
            throw DataProblem(
                file: file, line: nil, column: nil,
                reason: "the file is JSON, not CSV (a Binance REST klines response?); save the candles as CSV with a header or in Binance's archive layout"
            )
        }
        // The first non-blank lines; CRLF, CR-only and LF line ends all count one line.
        var lines: [SampleLine] = []
        var position = start
        var lineNumber = 1
        while position < bytes.count && lines.count < sampleLines && position - start < 1 << 20 {
            var end = position
            while end < bytes.count && bytes[end] != 10 && bytes[end] != 13 { end += 1 }
            var next = end
            if next < bytes.count {
                next += (bytes[next] == 13 && next + 1 < bytes.count && bytes[next + 1] == 10) ? 2 : 1
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
            if !isBlankLine(text) {
                lines.append(SampleLine(number: lineNumber, text: text, length: next - position))
            }
            position = next
            lineNumber += 1
        }
        guard !lines.isEmpty else {
            throw DataProblem(file: file, line: nil, column: nil, reason: "the file holds no rows")
        }
        let separator = chooseSeparator(lines)
        let rows = lines.map { splitFields($0.text, separator: separator) }
        let mode = modalCount(rows.map(\.count))

        // Banner and comment lines before the header or the first row.
        var first = 0
        while first < lines.count - 1, isBanner(lines[first].text, fields: rows[first], mode: mode) { first += 1 }
        var notices: [DataProblem] = []
        if first > 0 {
            let shown = lines[0..<first].map { "`\(String($0.text.prefix(60)))`" }.joined(separator: ", ")
            notices.append(DataProblem(
                file: file, line: lines[0].number, column: nil,
                reason: "\(first) line(s) before the \(isData(rows[first]) ? "first row" : "header") skipped as a banner or comment: \(shown)"
            ))
        }
        var layout: ColumnLayout
        let forced = options.format
        let positional = forced == .binanceKline || forced == .kraken
        let named = forced == .generic || forced == .yahoo || forced == .cryptoDataDownload
        let hasHeader = named || (!positional && !isData(rows[first])) || (positional && !isData(rows[first]))
        if hasHeader && !positional {
            if named && isData(rows[first]) {
                throw DataProblem(
                    file: file, line: lines[first].number, column: nil,
                    reason: "--format \(forced!.rawValue) reads columns by their header names, but line \(lines[first].number) is a data row, not a header"
                )
            }
            layout = try headed(lines: lines, rows: rows, header: first, file: file, options: options)
        } else {
            let dataIndex = hasHeader ? first + 1 : first
            guard dataIndex < lines.count else {
                throw DataProblem(file: file, line: nil, column: nil, reason: "the file has no data rows after its header")
            }
            layout = try positionalLayout(lines: lines, rows: rows, dataIndex: dataIndex, file: file, forced: forced, separator: separator)
            layout.skippedRecords = dataIndex
            if hasHeader { layout.headerLine = lines[first].number }
        }
        layout.separator = separator
        layout.startOffset = start
        layout.notices = notices + layout.notices
        if separator != 44 {
            layout.notices.append(DataProblem(file: file, line: nil, column: nil, reason: "fields are separated by `\(separator == 9 ? "tab" : String(UnicodeScalar(separator)))`"))
        }
        if layout.volume == nil {
            layout.notices.append(DataProblem(file: file, line: nil, column: nil, reason: "no volume column: volume is 0 on every bar"))
        }
        // The time format, from the sample (the full pass checks every value).
        let dataRows = rows[min(layout.skippedRecords, rows.count)...]
        var samples: [String] = []
        for row in dataRows where row.count > layout.time {
            var value = row[layout.time]
            if let tod = layout.timeOfDay, row.count > tod { value += " " + row[tod] }
            samples.append(value)
        }
        layout.timeFormat = TimeColumnFormat.infer(samples: samples, options: options)
        if let last = lines.last { layout.sampleLineLength = last.length }
        return layout
    }

    // MARK: - Header names

    /// Lowercase letters and digits only: `Open Time`, `open_time` and `<OPEN_TIME>` are `opentime`.
    static func normalize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }))
    }

    /// Names of an epoch or full date-time column, best first.
    static let timeNames = [
        "opentime", "timestamp", "unix", "unixtimestamp", "unixtime", "timestampms", "timestamputc", "epoch", "ts", "mts",
        "starttime", "timeopen", "periodstart", "timeperiodstart", "bartime", "candletime", "opentimestamp", "opendatetime",
        "datetime", "datetimeutc", "utcdatetime", "gmttime", "utctime", "timeutc", "timegmt", "localtime", "dateutc", "dategmt",
        "opendate", "isotime", "time", "date", "day", "dt", "t",
    ]
    static let dateNames: Set<String> = ["date", "day", "dateutc", "dategmt", "tradedate", "opendate"]
    static let timeOfDayNames: Set<String> = ["time", "timeutc", "timegmt", "timeofday", "hour"]
    static let openNames = ["open", "o", "openprice", "opening", "openbid", "openask", "openmid"]
    static let highNames = ["high", "h", "highprice", "highest", "highbid", "highask", "highmid", "max"]
    static let lowNames = ["low", "l", "lowprice", "lowest", "lowbid", "lowask", "lowmid", "min"]
    static let closeNames = ["close", "c", "closeprice", "last", "lastprice", "closing", "closebid", "closeask", "closemid"]
    static let volumeNames = ["volume", "vol", "v", "basevolume", "volumebase", "volumefrom", "baseassetvolume", "tickvol", "tickvolume", "qty"]
    /// Every name that marks a line as a header.
    static let knownNames: Set<String> = Set(timeNames + openNames + highNames + lowNames + closeNames + volumeNames + ["adjclose", "closetime"])

    static func headed(lines: [SampleLine], rows: [[String]], header: Int, file: String, options: LoadOptions) throws(DataProblem) -> ColumnLayout {
        let fields = rows[header]
        let headerLine = lines[header].number
        let normalized = fields.map(normalize)
        var notices: [DataProblem] = []
        let data = Array(rows[(header + 1)...])
        let dataLines = Array(lines[(header + 1)...])
        guard !data.isEmpty else {
            throw DataProblem(file: file, line: nil, column: nil, reason: "the file has no data rows after its header")
        }
        if let firstRow = data.first, firstRow.count > fields.count {
            var reason = "the header on line \(headerLine) names \(fields.count) columns but line \(dataLines[0].number) has \(firstRow.count) fields, so the columns cannot be matched to their names"
            if let extra = (0..<firstRow.count).first(where: { $0 > 0 && CalendarText.isTimeOfDay(firstRow[$0]) && !CalendarText.isTimeOfDay(fields[min($0, fields.count - 1)]) }) {
                reason += " (field \(extra + 1), `\(firstRow[extra])`, is a time of day with no name: add one, e.g. `Time`, to the header)"
            }
            throw DataProblem(file: file, line: dataLines[0].number, column: nil, reason: reason)
        }
        func column(_ aliases: [String], prefix: String? = nil, excluding: Set<String> = []) -> Int? {
            for alias in aliases { if let index = normalized.firstIndex(of: alias) { return index } }
            if let prefix {
                return normalized.firstIndex { $0.hasPrefix(prefix) && !excluding.contains(String($0.dropFirst(prefix.count))) }
            }
            return nil
        }
        let openIndex = column(openNames, prefix: "open", excluding: ["time", "timestamp", "date", "datetime", "interest"])
        let highIndex = column(highNames, prefix: "high")
        let lowIndex = column(lowNames, prefix: "low")
        let closeIndex = column(closeNames, prefix: "close", excluding: ["time", "timestamp", "date", "datetime"])
        let volumeIndex = column(volumeNames, prefix: "volume")
        let priceColumns = Set([openIndex, highIndex, lowIndex, closeIndex, volumeIndex].compactMap { $0 })

        // The time: a date column and a time-of-day column, a named time column, pandas'
        // unnamed index, or the one column whose values all read as times.
        var timeIndex: Int? = nil
        var timeOfDay: Int? = nil
        if let dateIndex = normalized.firstIndex(where: { dateNames.contains($0) }),
           let todIndex = normalized.indices.first(where: { $0 != dateIndex && timeOfDayNames.contains(normalized[$0]) }),
           data.allSatisfy({ $0.count > todIndex && CalendarText.isTimeOfDay($0[todIndex]) }),
           data.allSatisfy({ $0.count > dateIndex && !$0[dateIndex].contains(":") }) {
            timeIndex = dateIndex
            timeOfDay = todIndex
            notices.append(DataProblem(file: file, line: headerLine, column: nil, reason: "date column `\(fields[dateIndex])` and time-of-day column `\(fields[todIndex])` joined as the open time"))
        }
        if timeIndex == nil {
            for name in timeNames {
                if let index = normalized.indices.first(where: { normalized[$0] == name && !priceColumns.contains($0) }) { timeIndex = index; break }
            }
        }
        if timeIndex == nil, normalized.first == "", data.allSatisfy({ !$0.isEmpty && TimeColumnFormat.readsAsPlausibleTime($0[0]) }) {
            timeIndex = 0
            notices.append(DataProblem(file: file, line: headerLine, column: nil, reason: "the unnamed first column (a pandas index) holds the open times"))
        }
        // With --time-format, a value reads as a time when the pattern reads it.
        func readsAsTime(_ value: String) -> Bool {
            if let pattern = options.timeFormat {
                var bytes = Array(value.utf8)
                guard !bytes.isEmpty else { return false }
                if case .time(let t) = bytes.withUnsafeMutableBufferPointer({ pattern.parse($0.baseAddress!, $0.count) }) { return UTCTime.isPlausible(t) }
                return false
            }
            return TimeColumnFormat.readsAsPlausibleTime(value)
        }
        if timeIndex == nil {
            let candidates = fields.indices.filter { index in
                !priceColumns.contains(index) && data.allSatisfy { $0.count > index && readsAsTime($0[index]) }
            }
            if candidates.count == 1 {
                timeIndex = candidates[0]
                notices.append(DataProblem(file: file, line: headerLine, column: nil, reason: "column `\(fields[candidates[0]])` holds the open times (found by its values)"))
            } else if candidates.count > 1 {
                throw DataProblem(
                    file: file, line: headerLine, column: nil,
                    reason: "no column is named as the time and columns \(candidates.map { "`\(fields[$0])`" }.joined(separator: " and ")) all hold times: rename the open-time column `time` in the header"
                )
            }
        }
        var missing: [String] = []
        if timeIndex == nil { missing.append("time (a column named e.g. time, timestamp, date, datetime, open_time or unix, or one whose values are all times)") }
        if openIndex == nil { missing.append("open") }
        if highIndex == nil { missing.append("high") }
        if lowIndex == nil { missing.append("low") }
        if closeIndex == nil { missing.append("close") }
        guard missing.isEmpty, let timeIndex, let openIndex, let highIndex, let lowIndex, let closeIndex else {
            throw DataProblem(
                file: file, line: headerLine, column: nil,
                reason: "the header `\(fields.joined(separator: ","))` has no column for \(missing.joined(separator: ", "))"
            )
        }
        let format: CandleFileFormat = options.format ?? {
            if normalized.contains("unix") { return .cryptoDataDownload }
            if normalized.contains("adjclose") { return .yahoo }
            if normalized.count == 12 && normalized[0] == "opentime" { return .binanceKline }
            return .generic
        }()
        func label(_ index: Int) -> String { fields[index].isEmpty ? "(unnamed column 1)" : fields[index].trimmingCharacters(in: [" ", "\""]).lowercased() }
        var names = [timeIndex, openIndex, highIndex, lowIndex, closeIndex].map(label)
        names.append(volumeIndex.map(label) ?? "volume")
        names.append(timeOfDay.map(label) ?? "time")
        var layout = ColumnLayout(
            format: format, skippedRecords: header + 1, time: timeIndex, open: openIndex, high: highIndex, low: lowIndex,
            close: closeIndex, volume: volumeIndex, timeOfDay: timeOfDay, names: names
        )
        layout.headerLine = headerLine
        if header > 0 {
            notices.append(DataProblem(file: file, line: headerLine, column: nil, reason: "line \(headerLine) taken as the header"))
        }
        layout.notices = notices
        return layout
    }

    // MARK: - No header

    static func positionalLayout(lines: [SampleLine], rows: [[String]], dataIndex: Int, file: String, forced: CandleFileFormat?, separator: UInt8) throws(DataProblem) -> ColumnLayout {
        let row = rows[dataIndex]
        let count = row.count
        let joined = forced == nil && count >= 6 && CalendarText.isTimeOfDay(row[1]) && !row[0].contains(":")
        let needed = joined ? 6 : 5
        if count < needed {
            let name = separator == 44 ? "comma" : separator == 59 ? "semicolon" : separator == 9 ? "tab" : "`\(String(UnicodeScalar(separator)))`"
            throw DataProblem(
                file: file, line: lines[dataIndex].number, column: nil,
                reason: "\(count) \(name)-separated field(s) and no header; a candle row needs at least time, open, high, low, close"
            )
        }
        let detected: CandleFileFormat = forced ?? (count == 12 ? .binanceKline : count == 7 && !joined ? .kraken : .generic)
        let timeName = detected == .binanceKline ? "open_time" : "time"
        if joined {
            var layout = ColumnLayout(
                format: detected, skippedRecords: 0, time: 0, open: 2, high: 3, low: 4, close: 5, volume: count >= 7 ? 6 : nil,
                timeOfDay: 1, names: ["date", "open", "high", "low", "close", "volume", "time"]
            )
            layout.notices = [DataProblem(file: file, line: nil, column: nil, reason: "no header: fields 1 and 2 (date and time of day) joined as the open time, then open, high, low, close\(count >= 7 ? ", volume" : "")")]
            return layout
        }
        return ColumnLayout(
            format: detected, skippedRecords: 0, time: 0, open: 1, high: 2, low: 3, close: 4, volume: count >= 6 ? 5 : nil,
            names: [timeName, "open", "high", "low", "close", "volume", "time"]
        )
    }

    // MARK: - Lines and fields

    /// True when `fields` read as a candle row: a time first and numbers for four prices.
    static func isData(_ fields: [String]) -> Bool {
        guard let first = fields.first, !first.isEmpty else { return false }
        if knownNames.contains(normalize(first)) { return false }
        let numbers = fields.dropFirst().filter { DecimalParser.parse($0) != nil }.count
        return numbers >= 4 && (TimeColumnFormat.readsAsTime(first) || DecimalParser.parse(first) != nil)
    }

    /// A banner, title or comment line before the header: `#` or `//` first, or far fewer
    /// fields than the lines that follow.
    static func isBanner(_ text: String, fields: [String], mode: Int) -> Bool {
        let trimmed = Substring(text.utf8.drop { $0 == 32 || $0 == 9 })
        if trimmed.hasPrefix("#") || trimmed.hasPrefix("//") || trimmed.hasPrefix(";") { return true }
        return fields.count < min(mode, 4)
    }

    static func modalCount(_ counts: [Int]) -> Int {
        var tally: [Int: Int] = [:]
        for c in counts { tally[c, default: 0] += 1 }
        return tally.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key ?? 1
    }

    /// The separator that splits the sample's lines into the most fields, consistently: `,`
    /// unless `;`, tab or `|` gives more.
    static func chooseSeparator(_ lines: [SampleLine]) -> UInt8 {
        var best: UInt8 = 44
        var bestCount = 0
        let tail = Array(lines.suffix(max(1, lines.count - 2)))
        for candidate: UInt8 in [44, 59, 9, 124] {
            let counts = tail.map { fieldCount($0.text, separator: candidate) }
            let mode = modalCount(counts)
            let agreeing = counts.filter { $0 == mode }.count
            if mode >= 3 && agreeing * 2 > counts.count && mode > bestCount {
                best = candidate
                bestCount = mode
            }
        }
        return best
    }

    /// Splits one line at `separator` outside double quotes (for inference only; rows go
    /// through libcsv). Each field loses its surrounding blanks (space, tab, CR), trimmed on
    /// the bytes before one `String` is made of it: no Foundation in this per-line work.
    static func splitFields(_ line: String, separator: UInt8 = 44) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        current.reserveCapacity(64)
        var quoted = false
        func flush() {
            var start = 0, end = current.count
            while start < end && isBlank(current[start]) { start += 1 }
            while end > start && isBlank(current[end - 1]) { end -= 1 }
            fields.append(start == end ? "" : String(decoding: current[start..<end], as: UTF8.self))
            current.removeAll(keepingCapacity: true)
        }
        for byte in line.utf8 {
            if byte == 34 { quoted.toggle(); continue }
            if byte == separator && !quoted {
                flush()
                continue
            }
            current.append(byte)
        }
        flush()
        return fields
    }

    /// The number of fields ``splitFields(_:separator:)`` gives, counted without making them.
    static func fieldCount(_ line: String, separator: UInt8) -> Int {
        func count(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            var fields = 1
            var quoted = false
            for byte in bytes {
                if byte == 34 { quoted.toggle() } else if byte == separator && !quoted { fields += 1 }
            }
            return fields
        }
        if let counted = line.utf8.withContiguousStorageIfAvailable(count) { return counted }
        return Array(line.utf8).withUnsafeBufferPointer(count)
    }

    /// Space, tab or CR: what ``splitFields(_:separator:)`` trims from a field.
    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 }

    /// True when `text` holds only spaces and tabs (or nothing).
    static func isBlankLine(_ text: String) -> Bool { text.utf8.allSatisfy { $0 == 32 || $0 == 9 } }
}
