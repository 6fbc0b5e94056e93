/// libcsv's field callback: `context` is the ``RowReader`` reading the text.
func libcsvField(_ data: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    context!.assumingMemoryBound(to: RowReader.self).pointee.field(UnsafeRawPointer(data), length)
}

/// libcsv's end-of-row callback: `terminator` is the byte that ended the row (-1 at the end of
/// the text); `context` is the ``RowReader`` reading the text.
func libcsvEndRow(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    context!.assumingMemoryBound(to: RowReader.self).pointee.endRow(terminator)
}

/// What kind of fault a refused row has: rows failing the same way are told in one sentence.
enum ProblemKind: UInt8, Sendable {
    case fieldCount, empty, notNumber, price, volume, high, low
    /// A time in no format read here (or not the file's format).
    case timeText
    /// A date or time that does not exist (February 29 of a common year, hour 24:30).
    case calendar
    /// A time outside 1970-01-02 .. 2200-01-01.
    case range
    case order, duplicate, interval
}

/// The state of reading one file's rows, driven by libcsv's callbacks.
///
/// Fields of the candle columns are copied into a small per-row scratch buffer; at the end of a
/// row they are converted and validated and the candle is appended to the columns.
struct RowReader {
    let file: String
    let layout: ColumnLayout
    let options: LoadOptions
    /// Role of each field index: 0 time, 1 open, 2 high, 3 low, 4 close, 5 volume, 6 time of
    /// day, -1 none; `roleCount` entries.
    let roles: UnsafeMutablePointer<Int8>
    let roleCount: Int
    static let roleSlots = 7

    // Position.
    var line = 1
    var fieldIndex = 0
    var recordsSeen = 0
    /// Records before the data (header, banners) still to skip: the layout's count, or 0 for a
    /// reader that starts part way through the file (``TwoReaderPass``).
    var recordsToSkip: Int
    /// The previous row ended at a CR: an LF right after it ends the same line (CRLF).
    var afterCR = false
    /// Whether the row's first field is empty (a row of one empty field is a whitespace-only line).
    var firstFieldEmpty = true
    /// The text holds a `"`: a quoted field may hold line ends, which are counted too (set by
    /// the loader from the first chunk with a quote on; other texts pay nothing for it).
    var fieldsMayHoldLineEnds = false
    /// Line ends inside the current row's fields.
    var lineEndsInFields = 0

    // The current row's raw fields, in memory owned by the reader (``release()`` frees it):
    // bytes of the candle fields, where each starts and how long it is (-1: absent), and the
    // numbers parsed from the price and volume fields (NaN: empty or not a number).
    static let scratchCapacity = 4096
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: RowReader.scratchCapacity)
    var scratchCount = 0
    let fieldStart = UnsafeMutablePointer<Int>.allocate(capacity: RowReader.roleSlots)
    let fieldLength = UnsafeMutablePointer<Int>.allocate(capacity: RowReader.roleSlots)
    let values = UnsafeMutablePointer<Double>.allocate(capacity: RowReader.roleSlots)
    /// A date and a time of day joined with a space.
    let joined = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
    let fieldsNeeded: Int

    // The time format; for day-first / month-first dates not yet decided, the first line that
    // can only be day-first and the first that can only be month-first.
    let timeFormat: TimeColumnFormat
    var dayFirstEvidence: (line: Int, text: String)? = nil
    var monthFirstEvidence: (line: Int, text: String)? = nil
    var firstUndecidedLine: (line: Int, text: String)? = nil
    /// Set when the values decided a date order other than the one read provisionally: the
    /// file is read again with it.
    var rereadWithOrder: DateOrder? = nil

    // Output.
    var series = CandleSeries()
    var lines: [Int32] = []
    var problems: [DataProblem] = []
    var problemKinds: [ProblemKind] = []
    var dropped: [DataProblem] = []
    var droppedKinds: [ProblemKind] = []
    var rowsRead = 0
    /// Rows per timestamp unit, indexed by ``TimestampUnit/index``.
    var unitCounts = [Int](repeating: 0, count: TimestampUnit.allCases.count)
    var lastEpochUnit: TimestampUnit? = nil
    /// The unit of the first epoch value since ``lastEpochUnit`` was last cleared.
    var firstEpochUnit: TimestampUnit? = nil
    var unitChanges: [UnitChange] = []
    var unitChangeCount = 0

    init(file: String, layout: ColumnLayout, options: LoadOptions, expectedRows: Int) {
        self.file = file
        self.layout = layout
        self.options = options
        timeFormat = layout.timeFormat
        recordsToSkip = layout.skippedRecords
        roleCount = max(layout.fieldsNeeded, 1)
        roles = UnsafeMutablePointer<Int8>.allocate(capacity: roleCount)
        roles.initialize(repeating: -1, count: roleCount)
        roles[layout.time] = 0
        roles[layout.open] = 1
        roles[layout.high] = 2
        roles[layout.low] = 3
        roles[layout.close] = 4
        if let volume = layout.volume { roles[volume] = 5 }
        if let tod = layout.timeOfDay { roles[tod] = 6 }
        fieldsNeeded = layout.fieldsNeeded
        series.reserveCapacity(expectedRows)
        lines.reserveCapacity(expectedRows)
        fieldStart.initialize(repeating: 0, count: RowReader.roleSlots)
        fieldLength.initialize(repeating: -1, count: RowReader.roleSlots)
        values.initialize(repeating: .nan, count: RowReader.roleSlots)
    }

    /// Every row so far was read as a candle or skipped as blank: none refused or dropped, no
    /// epoch-unit change.
    var readEverything: Bool { problems.isEmpty && dropped.isEmpty && unitChangeCount == 0 }

    /// Frees the reader's scratch memory.
    func release() {
        roles.deallocate()
        scratch.deallocate()
        fieldStart.deallocate()
        fieldLength.deallocate()
        values.deallocate()
        joined.deallocate()
    }

    @inline(__always)
    mutating func field(_ data: UnsafeRawPointer?, _ length: Int) {
        if fieldsMayHoldLineEnds, let data { lineEndsInFields += RowReader.lineEnds(data, length) }
        let index = fieldIndex
        fieldIndex = index + 1
        if index == 0 { firstFieldEmpty = length == 0 }
        guard index < roleCount else { return }
        let role = Int(roles[index])
        guard role >= 0 else { return }
        let copied = min(length, RowReader.scratchCapacity - scratchCount)
        fieldStart[role] = scratchCount
        fieldLength[role] = copied
        if copied > 0, let data {
            RowReader.copy(data, to: scratch + scratchCount, count: copied)
            scratchCount += copied
            if role > 0 && role < 6 {
                values[role] = DecimalParser.parse(UnsafeRawBufferPointer(start: data, count: length)) ?? .nan
            }
        }
    }

    /// The line ends in a field's `length` bytes at `data`: each LF, and each CR not followed by
    /// an LF (CRLF, CR and LF each end one line, as between rows).
    static func lineEnds(_ data: UnsafeRawPointer, _ length: Int) -> Int {
        var count = 0
        for k in 0..<length {
            let byte = data.load(fromByteOffset: k, as: UInt8.self)
            if byte == 10 || (byte == 13 && (k + 1 == length || data.load(fromByteOffset: k + 1, as: UInt8.self) != 10)) { count += 1 }
        }
        return count
    }

    /// Copies `count` bytes: fields of 8 to 16 bytes (prices, epoch times, dates) as two
    /// overlapping 8-byte words instead of a call to `memcpy`.
    @inline(__always)
    static func copy(_ source: UnsafeRawPointer, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        if count >= 8 && count <= 16 {
            let first = source.loadUnaligned(as: UInt64.self)
            let last = source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: first, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: last, toByteOffset: count - 8, as: UInt64.self)
        } else {
            target.update(from: source.assumingMemoryBound(to: UInt8.self), count: count)
        }
    }

    mutating func endRow(_ terminator: Int32) {
        let fields = fieldIndex
        fieldIndex = 0
        // CRLF, CR-only and LF each end one physical line; so do those inside quoted fields.
        let rowLine = line
        line += lineEndsInFields
        lineEndsInFields = 0
        if terminator == 13 {
            line += 1
            afterCR = true
        } else if terminator == 10 {
            if !(afterCR && fields == 0) { line += 1 }
            afterCR = false
        }
        // `values[role]` is read only when the row gave the field bytes (`fieldLength[role] > 0`),
        // and then ``field(_:_:)`` set it: only the lengths need resetting.
        defer {
            scratchCount = 0
            for k in 0..<RowReader.roleSlots { fieldLength[k] = -1 }
        }
        guard fields > 0 else { return }  // a blank line, or the LF of a CRLF
        // A whitespace-only line (libcsv trims the blanks of its one field). A line of one field
        // with text in it is a record, whichever columns are read: a banner before the header
        // (the layout counts it among the records to skip), else a row refused for its fields.
        if fields == 1 && firstFieldEmpty && fieldsNeeded > 1 { return }
        recordsSeen += 1
        if recordsSeen <= recordsToSkip { return }
        rowsRead += 1
        readRow(line: rowLine, fields: fields)
    }

    func text(_ role: Int) -> String {
        guard fieldLength[role] > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: scratch + fieldStart[role], count: fieldLength[role]), as: UTF8.self)
    }

    mutating func reject(line: Int, role: Int?, _ kind: ProblemKind, _ reason: String) {
        let problem = DataProblem(file: file, line: line, column: role.map { layout.names[$0] }, reason: reason)
        if options.dropInvalid {
            dropped.append(problem)
            droppedKinds.append(kind)
        } else {
            problems.append(problem)
            problemKinds.append(kind)
        }
    }

    mutating func readRow(line: Int, fields: Int) {
        if fields < fieldsNeeded {
            reject(line: line, role: nil, .fieldCount, "\(fields) field(s), expected at least \(fieldsNeeded)")
            return
        }
        // Prices and volume, parsed as the fields arrived.
        for role in 1...5 {
            if role == 5 && layout.volume == nil { continue }
            guard fieldLength[role] > 0 else {
                reject(line: line, role: role, .empty, "empty field")
                return
            }
            guard !values[role].isNaN else {
                reject(line: line, role: role, .notNumber, "`\(text(role))` is not a number")
                return
            }
        }
        let open = values[1], high = values[2], low = values[3], close = values[4]
        let volume = layout.volume == nil ? 0 : values[5]
        if !(open.isFinite && open > 0 && high.isFinite && high > 0 && low.isFinite && low > 0 && close.isFinite && close > 0) {
            for (role, value) in [(1, open), (2, high), (3, low), (4, close)] where !(value.isFinite && value > 0) {
                reject(line: line, role: role, .price, "`\(text(role))` is not a finite price above 0")
                return
            }
        }
        if !(volume.isFinite && volume >= 0) {
            reject(line: line, role: 5, .volume, "volume `\(text(5))` is negative or not finite")
            return
        }
        if high < max(open, close) || high < low {
            var below: [String] = []
            if high < low { below.append("low \(text(3))") }
            if high < open { below.append("open \(text(1))") }
            if high < close { below.append("close \(text(4))") }
            reject(line: line, role: 2, .high, "high \(text(2)) is below \(below.joined(separator: ", "))")
            return
        }
        if low > min(open, close) {
            var above: [String] = []
            if low > open { above.append("open \(text(1))") }
            if low > close { above.append("close \(text(4))") }
            reject(line: line, role: 3, .low, "low \(text(3)) is above \(above.joined(separator: ", "))")
            return
        }
        // Open time.
        guard fieldLength[0] > 0 else {
            reject(line: line, role: 0, .empty, "empty field")
            return
        }
        if layout.timeOfDay != nil && fieldLength[6] <= 0 {
            reject(line: line, role: 6, .empty, "empty field")
            return
        }
        guard let (time, unit) = parseTime(line: line) else { return }
        if unit != .text {
            if let last = lastEpochUnit {
                if last != unit {
                    unitChangeCount += 1
                    if unitChanges.count < CandleLoader.maximumUnitChangesListed {
                        unitChanges.append(UnitChange(line: line, from: last, to: unit))
                    }
                }
            } else {
                firstEpochUnit = unit
            }
            lastEpochUnit = unit
        }
        unitCounts[unit.index] += 1
        series.append(openTime: time, open: open, high: high, low: low, close: close, volume: volume)
        lines.append(Int32(truncatingIfNeeded: line))
    }

    /// The time field's bytes: the time column, or the date and time-of-day columns joined.
    func timeBytes() -> (UnsafePointer<UInt8>, Int) {
        guard layout.timeOfDay != nil else { return (UnsafePointer(scratch + fieldStart[0]), fieldLength[0]) }
        let dateLength = min(fieldLength[0], 255), todLength = min(fieldLength[6], 255)
        joined.update(from: scratch + fieldStart[0], count: dateLength)
        joined[dateLength] = 32
        (joined + dateLength + 1).update(from: scratch + fieldStart[6], count: todLength)
        return (UnsafePointer(joined), dateLength + 1 + todLength)
    }

    func timeText() -> String {
        let (p, n) = timeBytes()
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The open time in nanoseconds and the unit it was written in, or `nil` after rejecting
    /// the row. No arithmetic here can overflow: epoch products are checked and calendar text
    /// is converted only for years 1900...2200.
    mutating func parseTime(line: Int) -> (Int64, TimestampUnit)? {
        let (p, length) = timeBytes()
        var nanoseconds: Int64
        var unit: TimestampUnit = .text
        switch timeFormat {
        case .epoch:
            var integer: Int64 = 0
            var allDigits = length <= 18
            if allDigits {
                for k in 0..<length {
                    let d = p[k] &- 48
                    if d >= 10 { allDigits = false; break }
                    integer = integer * 10 + Int64(d)
                }
            }
            if allDigits && length == 8, let shape = TimeColumnFormat.compactShape(p, 8) {
                // An 8-digit calendar date is a date, never epoch seconds.
                switch shape {
                case .time(let t): nanoseconds = t
                case .fault(let fault):
                    reject(line: line, role: 0, .range, "`\(timeText())` is \(fault.sentence)")
                    return nil
                }
            } else if allDigits {
                unit = options.timestampUnit ?? TimestampUnit.detect(magnitude: Double(integer))
                let (product, overflow) = integer.multipliedReportingOverflow(by: unit.nanosecondsPerUnit)
                nanoseconds = overflow ? Int64.max : product
            } else if let number = DecimalParser.parse(UnsafeRawBufferPointer(start: p, count: length)) {
                unit = options.timestampUnit ?? TimestampUnit.detect(magnitude: number)
                let scaled = number * Double(unit.nanosecondsPerUnit)
                nanoseconds = scaled.isFinite && abs(scaled) < 9.2e18 ? Int64(scaled.rounded()) : (scaled < 0 ? Int64.min : Int64.max)
            } else {
                switch CalendarText.parse(p, length, order: .ymd) {
                case .time(let t): nanoseconds = t
                case .fault(.notATime), .fault(.shape):
                    reject(line: line, role: 0, .timeText, "`\(timeText())` is not a time (epoch seconds, milliseconds, microseconds, nanoseconds or date text like the column's other values)")
                    return nil
                case .fault(let fault):
                    reject(line: line, role: 0, fault.isRange ? .range : .calendar, "`\(timeText())` is \(fault.sentence)")
                    return nil
                }
            }
        case .compactDate:
            var n = length
            if n > 8 && p[8] == 46 { n = 8 }
            switch TimeColumnFormat.compactShape(p, length) {
            case .time(let t)?: nanoseconds = t
            case .fault(let fault)?:
                reject(line: line, role: 0, fault.isRange ? .range : .calendar, "`\(timeText())` is \(fault.sentence)")
                return nil
            case nil:
                if n == 8, case .fault(let fault) = CalendarText.parse(p, 8, order: .ymd), fault != .notATime {
                    reject(line: line, role: 0, fault.isRange ? .range : .calendar, "`\(timeText())` is \(fault.sentence)")
                } else {
                    reject(line: line, role: 0, .timeText, "`\(timeText())` is not a YYYYMMDD date like the column's other values")
                }
                return nil
            }
        case .text(let decided):
            var order = decided ?? .mdy
            if decided == nil, let (a, b) = CalendarText.leadingPair(p, length) {
                if a > 12 && b <= 12 {
                    order = .dmy
                    if dayFirstEvidence == nil { dayFirstEvidence = (line, timeText()) }
                } else if b > 12 && a <= 12 {
                    if monthFirstEvidence == nil { monthFirstEvidence = (line, timeText()) }
                } else if a != b && firstUndecidedLine == nil {
                    firstUndecidedLine = (line, timeText())
                }
            }
            switch CalendarText.parse(p, length, order: order) {
            case .time(let t): nanoseconds = t
            case .fault(let fault):
                let kind: ProblemKind = fault == .notATime || fault == .shape ? .timeText : fault.isRange ? .range : .calendar
                reject(line: line, role: 0, kind, "`\(timeText())` is \(fault.sentence)")
                return nil
            }
        case .pattern(let pattern):
            switch pattern.parse(p, length) {
            case .time(let t): nanoseconds = t
            case .fault(.notATime):
                reject(line: line, role: 0, .timeText, "`\(timeText())` does not match --time-format `\(pattern)`")
                return nil
            case .fault(let fault):
                reject(line: line, role: 0, fault.isRange ? .range : .calendar, "`\(timeText())` is \(fault.sentence)")
                return nil
            }
        }
        if !UTCTime.isPlausible(nanoseconds) {
            let reading = unit == .text ? "" : " read as \(unit.name)"
            let when = nanoseconds == Int64.max ? "beyond the year 2262" : nanoseconds == Int64.min ? "before the year 1678" : UTCTime.iso8601(nanoseconds: nanoseconds)
            reject(line: line, role: 0, .range, "`\(timeText())`\(reading) is \(when), outside 1970-01-02 .. 2200-01-01")
            return nil
        }
        return (nanoseconds, unit)
    }

    /// The date order the values decided, when it was left open: nil when nothing is to be
    /// done, or a refusal.
    mutating func decideDateOrder() throws(CandleDataError) {
        guard case .text(nil) = timeFormat else { return }
        let column = layout.names[0]
        switch (dayFirstEvidence, monthFirstEvidence) {
        case (let d?, let m?):
            throw CandleDataError(
                problems: [DataProblem(
                    file: file, line: max(d.line, m.line), column: column,
                    reason: "the dates mix day-first and month-first: `\(d.text)` (line \(d.line)) can only be day-first, `\(m.text)` (line \(m.line)) only month-first"
                )],
                advice: "Write every date of the column in one order (or pass --date-order dmy|mdy and fix the lines that do not fit it)."
            )
        case (_?, nil):
            rereadWithOrder = .dmy
        case (nil, _?):
            return
        case (nil, nil):
            guard let u = firstUndecidedLine else { return }
            throw CandleDataError(
                problems: [DataProblem(
                    file: file, line: u.line, column: column,
                    reason: "the dates fit both day-first and month-first readings: no value has a first or second number above 12 (`\(u.text)` is \(CalendarText.describe(u.text, .dmy)) day-first, \(CalendarText.describe(u.text, .mdy)) month-first)"
                )],
                advice: "Say which with --date-order dmy (day first) or --date-order mdy (month first)."
            )
        }
    }

    // MARK: - Whole file

    mutating func finish() throws(CandleDataError) -> (series: CandleSeries, lines: [Int32], report: FileLoadReport) {
        try decideDateOrder()
        var reversed = false
        var sortedRows = false
        var duplicates: [DataProblem] = []
        let count = series.count
        if count > 1 {
            var ascending = 0
            var descending = 0
            var firstEarlier = -1
            let times = series.openTimes
            for i in 1..<count {
                if times[i] > times[i - 1] { ascending += 1 } else if times[i] < times[i - 1] {
                    descending += 1
                    if firstEarlier < 0 { firstEarlier = i }
                }
            }
            if descending > 0 && ascending == 0 {
                reverseRows()
                reversed = true
            } else if descending > 0 {
                if options.sort {
                    sortRows()
                    sortedRows = true
                } else {
                    problems.append(DataProblem(
                        file: file, line: Int(lines[firstEarlier]), column: layout.names[0],
                        reason: "open time \(UTCTime.iso8601(nanoseconds: times[firstEarlier])) is earlier than line \(lines[firstEarlier - 1])'s \(UTCTime.iso8601(nanoseconds: times[firstEarlier - 1])): the rows are neither ascending nor newest-first"
                    ))
                    problemKinds.append(.order)
                }
            }
            if problems.isEmpty || descending == 0 || reversed {
                duplicates = removeDuplicates()
            }
        }
        if let given = options.interval, series.count > 1, problems.isEmpty {
            for i in 1..<series.count where series.openTimes[i] - series.openTimes[i - 1] < given {
                problems.append(DataProblem(
                    file: file, line: Int(lines[i]), column: layout.names[0],
                    reason: "open time \(UTCTime.iso8601(nanoseconds: series.openTimes[i])) is \(SpanText.text(series.openTimes[i] - series.openTimes[i - 1])) after line \(lines[i - 1])'s, less than --interval \(SpanText.text(given))"
                ))
                problemKinds.append(.interval)
            }
        }
        if !problems.isEmpty {
            throw ProblemSummary.error(
                file: file, problems: problems, kinds: problemKinds, validRows: series.count, layout: layout, options: options, dropping: false
            )
        }
        if rowsRead == 0 {
            throw CandleDataError(
                problems: [DataProblem(file: file, line: nil, column: nil, reason: "the file has no data rows after its header")],
                advice: "Give a file with candles."
            )
        }
        if series.isEmpty && !dropped.isEmpty {
            throw ProblemSummary.error(
                file: file, problems: dropped, kinds: droppedKinds, validRows: 0, layout: layout, options: options, dropping: true
            )
        }
        // Computed once here; the loader keeps it (``CandleLoader/load(bytes:file:options:)``).
        if options.interval == nil { series.cacheInterval() }
        let interval = options.interval ?? series.intervalNanoseconds
        var gaps = 0
        var largest: Int64 = 0
        if let interval {
            for i in 1..<series.count {
                let spacing = series.openTimes[i] - series.openTimes[i - 1]
                if spacing > interval { gaps += 1; largest = max(largest, spacing) }
            }
        }
        let usedUnits = TimestampUnit.allCases.filter { unitCounts[$0.index] > 0 }
        let unitText = usedUnits.count == 1 ? usedUnits[0].rawValue : (usedUnits.isEmpty ? "none" : "mixed")
        var defects = dropped + duplicates
        defects += unitChanges.map {
            DataProblem(file: file, line: $0.line, column: layout.names[0], reason: "timestamp unit changes from \($0.from.name) to \($0.to.name)")
        }
        if reversed {
            defects.append(DataProblem(file: file, line: nil, column: nil, reason: "rows were newest-first and have been reversed"))
        }
        if sortedRows {
            defects.append(DataProblem(file: file, line: nil, column: nil, reason: "rows were out of order and have been sorted (--sort)"))
        }
        defects.sort { ($0.line ?? Int.max) < ($1.line ?? Int.max) }
        var report = FileLoadReport(
            file: file, format: layout.format, timestampUnit: unitText, unitChanges: unitChanges, unitChangeCount: unitChangeCount,
            rowsRead: rowsRead, candles: series.count, firstOpenTime: series.openTimes.first, lastOpenTime: series.openTimes.last,
            intervalSeconds: interval.map { Double($0) / 1e9 }, gaps: gaps, largestGapSeconds: gaps > 0 ? Double(largest) / 1e9 : nil,
            duplicatesDropped: duplicates.count, invalidRowsDropped: dropped.count, reversed: reversed, sorted: sortedRows,
            hasVolume: layout.volume != nil, checksumVerified: false, defects: defects
        )
        report.notices = layout.notices
        report.timeFormat = resolvedTimeFormat
        report.intervalGiven = options.interval != nil
        return (series, lines, report)
    }

    /// The time format as decided, for the report.
    var resolvedTimeFormat: String {
        if case .text(nil) = timeFormat { return monthFirstEvidence != nil ? TimeColumnFormat.text(.mdy).name : "text" }
        return timeFormat.name
    }

    mutating func reverseRows() {
        series.openTimes.reverse()
        series.opens.reverse()
        series.highs.reverse()
        series.lows.reverse()
        series.closes.reverse()
        series.volumes.reverse()
        lines.reverse()
    }

    /// Stable sort by open time (rows with equal times keep file order).
    mutating func sortRows() {
        let order = (0..<series.count).sorted { a, b in
            let ta = series.openTimes[a], tb = series.openTimes[b]
            return ta != tb ? ta < tb : a < b
        }
        let old = series
        let oldLines = lines
        series = CandleSeries()
        series.reserveCapacity(order.count)
        lines = []
        lines.reserveCapacity(order.count)
        for i in order {
            series.append(openTime: old.openTimes[i], open: old.opens[i], high: old.highs[i], low: old.lows[i], close: old.closes[i], volume: old.volumes[i])
            lines.append(oldLines[i])
        }
    }

    /// Drops exact duplicates (same time, OHLCV equal as numbers) of neighbouring rows and
    /// records a problem for two different rows with one time. Rows are in time order here.
    mutating func removeDuplicates() -> [DataProblem] {
        var dropped: [DataProblem] = []
        var write = 0
        let n = series.count
        var read = 0
        while read < n {
            if write > 0 && series.openTimes[write - 1] == series.openTimes[read] {
                let same = series.opens[write - 1] == series.opens[read] && series.highs[write - 1] == series.highs[read]
                    && series.lows[write - 1] == series.lows[read] && series.closes[write - 1] == series.closes[read]
                    && series.volumes[write - 1] == series.volumes[read]
                let (earlier, later) = (min(lines[write - 1], lines[read]), max(lines[write - 1], lines[read]))
                if same {
                    dropped.append(DataProblem(file: file, line: Int(later), column: nil, reason: "exact duplicate of line \(earlier), dropped"))
                } else {
                    problemKinds.append(.duplicate)
                    problems.append(DataProblem(
                        file: file, line: Int(later), column: layout.names[0],
                        reason: "open time \(UTCTime.iso8601(nanoseconds: series.openTimes[read])) is also on line \(earlier) with different values"
                    ))
                }
                read += 1
                continue
            }
            if write != read {
                series.openTimes[write] = series.openTimes[read]
                series.opens[write] = series.opens[read]
                series.highs[write] = series.highs[read]
                series.lows[write] = series.lows[read]
                series.closes[write] = series.closes[read]
                series.volumes[write] = series.volumes[read]
                lines[write] = lines[read]
            }
            write += 1
            read += 1
        }
        let removed = n - write
        if removed > 0 {
            series.openTimes.removeLast(removed)
            series.opens.removeLast(removed)
            series.highs.removeLast(removed)
            series.lows.removeLast(removed)
            series.closes.removeLast(removed)
            series.volumes.removeLast(removed)
            lines.removeLast(removed)
        }
        return dropped
    }
}
