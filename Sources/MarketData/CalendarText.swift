import Foundation

/// The order of the day, month and year fields of a date written with `/`, `.` or `-`
/// (`--date-order`). ISO dates (`2024-03-01`) are year-first whatever the order.
public enum DateOrder: String, Sendable, Codable, CaseIterable {
    /// Year first (`2024-03-01`, `2024.03.01`, `20240301`).
    case ymd
    /// Day first (`01.03.2024`, `01/03/2024`: 1 March).
    case dmy
    /// Month first (`03/01/2024`: March 1).
    case mdy
}

/// Why text that looks like a date or time is not one (a closed list: each has one sentence).
public enum TimeFault: Sendable, Equatable {
    /// Not date text in any shape read here.
    case notATime
    /// Month outside 1...12.
    case month(Int64)
    /// Day 0, or beyond the last day of its month (`2023-02-29`).
    case day(year: Int64, month: Int64, day: Int64)
    /// Hour 24 with minutes, seconds or a fraction (`24:30`): only `24:00:00` is midnight.
    case hour24
    case hour(Int64)
    case minute(Int64)
    case second(Int64)
    /// An AM/PM time whose hour is not 1...12.
    case twelveHour(Int64)
    /// A UTC offset beyond +-18:00 or with minutes above 59.
    case offset
    /// A year outside 1900...2200: no arithmetic is done on it (the time is implausible).
    case year(Int64)
    /// A day-first or month-first date in a file whose dates are year-first (or the reverse).
    case shape

    /// True for a time outside the plausible range.
    public var isRange: Bool { if case .year = self { return true }; return false }

    /// The reason, after "`text` is ".
    public var sentence: String {
        switch self {
        case .notATime: "not a time"
        case .month(let m): "not a date (month \(m))"
        case .day(let y, let m, let d):
            m >= 1 && m <= 12
                ? "not a date (\(CalendarText.monthNames[Int(m) - 1]) \(y) has \(CalendarText.daysInMonth(year: y, month: m)) days\(d == 0 ? ", day 0 does not exist" : ""))"
                : "not a date"
        case .hour24: "not a time (hour 24 only as 24:00:00)"
        case .hour(let h): "not a time (hour \(h))"
        case .minute(let m): "not a time (minute \(m))"
        case .second(let s): "not a time (second \(s))"
        case .twelveHour(let h): "not a time (hour \(h) with AM/PM, which needs 1 to 12)"
        case .offset: "not a time (the UTC offset is beyond +-18:00)"
        case .year(let y): "outside 1970-01-02 .. 2200-01-01 (\(y > 9999 ? "beyond the year 9999" : "year \(y)"))"
        case .shape: "not written like the other dates of the column"
        }
    }
}

/// The result of reading one time value: nanoseconds since the epoch (UTC) or why not.
public enum TimeValue: Sendable, Equatable {
    case time(Int64)
    case fault(TimeFault)
}

/// Date and time text (SEMANTICS.md section 1): ISO-8601 and `YYYY-MM-DD HH:MM[:SS[.fff]]`,
/// day-first and month-first dates with `/`, `.` or `-`, compact `YYYYMMDD`, 12-hour times with
/// AM/PM, and a UTC offset (`Z`, `UTC`, `GMT`, `+HH:MM`, `+HHMM`, `+HH`); text without an offset
/// is UTC. Every field is checked against the calendar (February 29 only in leap years, hour 24
/// only as `24:00:00`, minute and second at most 59). Arithmetic is done only on years
/// 1900...2200, so no value can overflow (nanoseconds since 1970 overflow in 2262).
public enum CalendarText {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    @inlinable
    public static func isLeapYear(_ year: Int64) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    @inlinable
    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Checks the fields and converts them to nanoseconds since the epoch.
    /// - Parameters:
    ///   - meridiem: 0 none, 1 AM, 2 PM.
    ///   - offsetSeconds: the UTC offset written (east positive).
    @inlinable
    public static func assemble(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, nanosecond: Int64,
        meridiem: Int, offsetSeconds: Int64
    ) -> TimeValue {
        guard month >= 1 && month <= 12 else { return .fault(.month(month)) }
        guard year >= 1900 && year <= 2200 else {
            // Check the day anyway, so `0001-02-30` is called a wrong date, not just an old one.
            if day < 1 || day > daysInMonth(year: year, month: month) { return .fault(.day(year: year, month: month, day: day)) }
            return .fault(.year(year))
        }
        guard day >= 1 && day <= daysInMonth(year: year, month: month) else { return .fault(.day(year: year, month: month, day: day)) }
        var h = hour
        if meridiem != 0 {
            guard h >= 1 && h <= 12 else { return .fault(.twelveHour(h)) }
            if meridiem == 1 { if h == 12 { h = 0 } } else if h != 12 { h += 12 }
        }
        if h == 24 {
            guard minute == 0 && second == 0 && nanosecond == 0 else { return .fault(.hour24) }
        } else if h > 23 {
            return .fault(.hour(h))
        }
        guard minute <= 59 else { return .fault(.minute(minute)) }
        guard second <= 59 else { return .fault(.second(second)) }
        guard abs(offsetSeconds) <= 18 * 3600 else { return .fault(.offset) }
        let days = UTCTime.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + h * 3600 + minute * 60 + second - offsetSeconds
        return .time(seconds * 1_000_000_000 + nanosecond)
    }

    /// The first two numbers of a day-first or month-first date (`13/05/2022` gives 13, 5), or
    /// nil when the text does not start that way. Used to decide a file's date order.
    @inlinable
    public static func leadingPair(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int64, Int64)? {
        var i = 0
        while i < n && p[i] == 32 { i += 1 }
        var a: Int64 = 0, b: Int64 = 0
        let s0 = i
        while i < n && i - s0 < 3 && p[i] &- 48 < 10 { a = a * 10 + Int64(p[i] &- 48); i += 1 }
        guard i - s0 >= 1 && i - s0 <= 2, i < n, p[i] == 47 || p[i] == 46 || p[i] == 45 else { return nil }
        let sep = p[i]
        i += 1
        let s1 = i
        while i < n && i - s1 < 3 && p[i] &- 48 < 10 { b = b * 10 + Int64(p[i] &- 48); i += 1 }
        guard i - s1 >= 1 && i - s1 <= 2, i < n, p[i] == sep else { return nil }
        return (a, b)
    }

    /// Reads date text (see the type's description) with `order` deciding day-first and
    /// month-first dates (`.ymd`: such dates are a ``TimeFault/shape`` fault).
    @inlinable
    public static func parse(_ p: UnsafePointer<UInt8>, _ n: Int, order: DateOrder) -> TimeValue {
        // `YYYY-MM-DD HH:MM:SS` (or with `T`), what pandas and most exports write: read at fixed
        // places, then checked like any other (the general reading below gives the same fields).
        if n == 19, p[4] == 45, p[7] == 45, p[10] == 32 || p[10] == 84, p[13] == 58, p[16] == 58 {
            @inline(__always) func two(_ k: Int) -> Int64? {
                let a = p[k] &- 48, b = p[k + 1] &- 48
                return a < 10 && b < 10 ? Int64(a) * 10 + Int64(b) : nil
            }
            if let c = two(0), let y = two(2), let month = two(5), let day = two(8), let hour = two(11), let minute = two(14), let second = two(17) {
                return assemble(
                    year: c * 100 + y, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: 0,
                    meridiem: 0, offsetSeconds: 0
                )
            }
        }
        var i = 0
        @inline(__always) func digits(max: Int) -> (value: Int64, count: Int) {
            var v: Int64 = 0
            let s = i
            while i < n && i - s < max && p[i] &- 48 < 10 { v = v * 10 + Int64(p[i] &- 48); i += 1 }
            return (v, i - s)
        }
        while i < n && p[i] == 32 { i += 1 }
        var year: Int64, month: Int64, day: Int64
        let g1 = digits(max: 8)
        guard g1.count > 0 else { return .fault(.notATime) }
        if g1.count == 8 && (i == n || p[i] == 32 || p[i] == 84 || p[i] == 116) {
            year = g1.value / 10_000
            month = g1.value / 100 % 100
            day = g1.value % 100
        } else if g1.count == 4 && i < n && (p[i] == 45 || p[i] == 47 || p[i] == 46) {
            let sep = p[i]
            i += 1
            let m = digits(max: 2)
            guard m.count > 0, i < n, p[i] == sep else { return .fault(.notATime) }
            i += 1
            let d = digits(max: 2)
            guard d.count > 0 else { return .fault(.notATime) }
            year = g1.value
            month = m.value
            day = d.value
        } else if g1.count <= 2 && i < n && (p[i] == 45 || p[i] == 47 || p[i] == 46) {
            let sep = p[i]
            i += 1
            let g2 = digits(max: 2)
            guard g2.count > 0, i < n, p[i] == sep else { return .fault(.notATime) }
            i += 1
            let y = digits(max: 4)
            guard y.count == 4 else { return .fault(.notATime) }
            switch order {
            case .ymd: return .fault(.shape)
            case .dmy: day = g1.value; month = g2.value
            case .mdy: month = g1.value; day = g2.value
            }
            year = y.value
        } else {
            return .fault(.notATime)
        }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanosecond: Int64 = 0
        var meridiem = 0
        var offset: Int64 = 0
        // Date and time are separated by `T` or spaces.
        var hasTime = false
        if i < n && (p[i] == 84 || p[i] == 116) {
            i += 1
            hasTime = true
        } else if i < n && p[i] == 32 {
            while i < n && p[i] == 32 { i += 1 }
            hasTime = i < n && p[i] &- 48 < 10
        }
        if hasTime {
            let h = digits(max: 2)
            guard h.count > 0, i < n, p[i] == 58 else { return .fault(.notATime) }
            i += 1
            let m = digits(max: 2)
            guard m.count == 2 else { return .fault(.notATime) }
            hour = h.value
            minute = m.value
            if i < n && p[i] == 58 {
                i += 1
                let s = digits(max: 2)
                guard s.count == 2 else { return .fault(.notATime) }
                second = s.value
                if i < n && (p[i] == 46 || p[i] == 44) {
                    i += 1
                    var scale: Int64 = 100_000_000
                    let s0 = i
                    while i < n && p[i] &- 48 < 10 {
                        nanosecond += Int64(p[i] &- 48) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > s0 else { return .fault(.notATime) }
                }
            }
            while i < n && p[i] == 32 { i += 1 }
            if i + 1 < n, p[i + 1] | 0x20 == 109, p[i] | 0x20 == 97 || p[i] | 0x20 == 112 {  // AM / PM
                meridiem = p[i] | 0x20 == 97 ? 1 : 2
                i += 2
            }
        }
        while i < n && p[i] == 32 { i += 1 }
        if i < n {
            let c = p[i]
            if c == 90 || c == 122 {  // Z
                i += 1
            } else if c == 43 || c == 45 {  // + or -
                i += 1
                let oh = digits(max: 2)
                guard oh.count == 2 else { return .fault(.notATime) }
                var om: Int64 = 0
                if i < n && p[i] == 58 { i += 1 }
                if i < n && p[i] != 32 {
                    let m = digits(max: 2)
                    guard m.count == 2 else { return .fault(.notATime) }
                    guard m.value <= 59 else { return .fault(.offset) }
                    om = m.value
                }
                offset = (oh.value * 3600 + om * 60) * (c == 43 ? 1 : -1)
            } else if n - i >= 3, (p[i] == 85 && p[i + 1] == 84 && p[i + 2] == 67) || (p[i] == 71 && p[i + 1] == 77 && p[i + 2] == 84) {  // UTC, GMT
                i += 3
            }
        }
        while i < n && (p[i] == 32 || p[i] == 13) { i += 1 }
        guard i == n else { return .fault(.notATime) }
        return assemble(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond,
            meridiem: meridiem, offsetSeconds: offset
        )
    }

    /// `13 May 2022`-style text for a day-first or month-first reading of `text`, for messages.
    static func describe(_ text: String, _ order: DateOrder) -> String {
        var bytes = Array(text.utf8)
        guard let (a, b) = bytes.withUnsafeMutableBufferPointer({ leadingPair($0.baseAddress!, $0.count) }) else { return "?" }
        let (day, month) = order == .dmy ? (a, b) : (b, a)
        guard month >= 1 && month <= 12 else { return "?" }
        return "\(day) \(monthNames[Int(month) - 1])"
    }

    /// Reads a time of day (`HH:MM[:SS[.fff]]`, optionally AM/PM) as nanoseconds after midnight,
    /// or nil when the text is not one. Used to recognise a separate time-of-day column.
    public static func isTimeOfDay(_ text: String) -> Bool {
        var bytes = Array(("2000-01-01 " + text.trimmingSpaces()).utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            if case .time = parse(buffer.baseAddress!, buffer.count, order: .ymd) { return true }
            return false
        } && text.contains(":")
    }
}
