import Foundation

/// How a file's time column is written, decided once per file from a sample of its values
/// (docs/DATA.md); the full pass then reads every value this one way and refuses those that do
/// not fit, naming the line.
enum TimeColumnFormat: Sendable, Equatable {
    /// Epoch numbers, the unit detected per value from its magnitude (or forced).
    case epoch
    /// Dates written as numbers `YYYYMMDD` (`20040817`, `20040817.0`).
    case compactDate
    /// Date text; the order of day-first / month-first dates, nil while the values leave it open
    /// (the full pass decides, or refuses the file as ambiguous).
    case text(DateOrder?)
    /// A `--time-format` pattern.
    case pattern(TimePattern)

    var name: String {
        switch self {
        case .epoch: "epoch"
        case .compactDate: "YYYYMMDD"
        case .text(let order): order.map { "text (\($0.rawValue))" } ?? "text"
        case .pattern(let p): "pattern \(p)"
        }
    }

    /// Decides the format from sample values of the time column.
    static func infer(samples: [String], options: LoadOptions) -> TimeColumnFormat {
        if let pattern = options.timeFormat { return .pattern(pattern) }
        let values = samples.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !values.isEmpty else { return .epoch }
        let numeric = values.allSatisfy { DecimalParser.parse($0) != nil }
        if numeric {
            if options.timestampUnit == nil, values.allSatisfy({ value in
                var bytes = Array(value.utf8)
                return bytes.withUnsafeMutableBufferPointer { compactShape($0.baseAddress!, $0.count) } != nil
            }) { return .compactDate }
            return .epoch
        }
        // Text: year-first unless the values are day-first or month-first.
        var yearFirst = 0, yearLast = 0
        var maxFirst: Int64 = 0, maxSecond: Int64 = 0
        for value in values {
            var bytes = Array(value.utf8)
            let pair = bytes.withUnsafeMutableBufferPointer { CalendarText.leadingPair($0.baseAddress!, $0.count) }
            if let pair {
                yearLast += 1
                maxFirst = max(maxFirst, pair.0)
                maxSecond = max(maxSecond, pair.1)
            } else {
                yearFirst += 1
            }
        }
        if yearLast > yearFirst {
            if let order = options.dateOrder { return .text(order) }
            if maxFirst > 12 && maxSecond <= 12 { return .text(.dmy) }
            if maxSecond > 12 && maxFirst <= 12 { return .text(.mdy) }
            return .text(nil)
        }
        return .text(.ymd)
    }

    /// The nanoseconds of `YYYYMMDD` or `YYYYMMDD.0...` text that is a calendar date of
    /// 1900...2200, or nil.
    static func compactDate(_ text: String) -> Int64? {
        let bytes = Array(text.trimmingSpaces().utf8)
        return bytes.withUnsafeBufferPointer { compactDate($0.baseAddress!, $0.count) }
    }

    /// For `YYYYMMDD` or `YYYYMMDD.0...` text whose month and day exist in its year: the time, or
    /// a ``TimeFault/year(_:)`` fault when the year is outside 1900...2200; nil for anything else
    /// (month 13, day 32, other text).
    static func compactShape(_ p: UnsafePointer<UInt8>, _ n: Int) -> TimeValue? {
        guard n >= 8 else { return nil }
        var v: Int64 = 0
        for k in 0..<8 {
            let d = p[k] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
        }
        if n > 8 {
            guard p[8] == 46 else { return nil }
            for k in 9..<n where p[k] != 48 { return nil }
        }
        let year = v / 10_000, month = v / 100 % 100, day = v % 100
        guard year >= 1, month >= 1 && month <= 12, day >= 1 && day <= CalendarText.daysInMonth(year: year, month: month) else { return nil }
        return CalendarText.assemble(year: year, month: month, day: day, hour: 0, minute: 0, second: 0, nanosecond: 0, meridiem: 0, offsetSeconds: 0)
    }

    @inline(__always)
    static func compactDate(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n >= 8 else { return nil }
        var v: Int64 = 0
        for k in 0..<8 {
            let d = p[k] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
        }
        if n > 8 {
            guard p[8] == 46 else { return nil }
            for k in 9..<n where p[k] != 48 { return nil }
        }
        if case .time(let t) = CalendarText.assemble(
            year: v / 10_000, month: v / 100 % 100, day: v % 100, hour: 0, minute: 0, second: 0, nanosecond: 0, meridiem: 0, offsetSeconds: 0
        ) { return t }
        return nil
    }

    /// True when `text` reads as date text (in any order) or as an epoch number.
    static func readsAsTime(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return false }
        if DecimalParser.parse(text) != nil { return true }
        return bytes.withUnsafeMutableBufferPointer { b in
            for order in [DateOrder.ymd, .dmy, .mdy] {
                if case .time = CalendarText.parse(b.baseAddress!, b.count, order: order) { return true }
            }
            return false
        }
    }

    /// True when `text` reads as a time inside 1970-01-02 .. 2200-01-01: date text, a
    /// `YYYYMMDD` date or an epoch number (prices and volumes read as epoch seconds fall in 1970).
    static func readsAsPlausibleTime(_ text: String) -> Bool {
        let trimmed = text.trimmingSpaces()
        if let t = compactDate(trimmed) { return UTCTime.isPlausible(t) }
        if let number = DecimalParser.parse(trimmed) {
            guard number.isFinite, number >= 0 else { return false }
            let unit = TimestampUnit.detect(magnitude: number)
            let ns = number * Double(unit.nanosecondsPerUnit)
            return ns >= Double(UTCTime.earliestPlausible) && ns < Double(UTCTime.latestPlausible)
                && number >= 1e8  // epoch seconds before 1973 are not taken for times
        }
        var bytes = Array(trimmed.utf8)
        guard !bytes.isEmpty else { return false }
        return bytes.withUnsafeMutableBufferPointer { b in
            for order in [DateOrder.ymd, .dmy, .mdy] {
                if case .time(let t) = CalendarText.parse(b.baseAddress!, b.count, order: order), UTCTime.isPlausible(t) { return true }
            }
            return false
        }
    }
}
