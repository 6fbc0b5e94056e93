/// Units an epoch timestamp can be written in.
public enum TimestampUnit: String, Sendable, Codable, CaseIterable, Comparable {
    case seconds = "s"
    case milliseconds = "ms"
    case microseconds = "us"
    case nanoseconds = "ns"
    /// ISO-8601 or `YYYY-MM-DD[ HH:MM[:SS]]` text.
    case text = "text"

    /// Nanoseconds in one unit (1 for `.text`, whose values are converted directly).
    public var nanosecondsPerUnit: Int64 {
        switch self {
        case .seconds: 1_000_000_000
        case .milliseconds: 1_000_000
        case .microseconds: 1_000
        case .nanoseconds, .text: 1
        }
    }

    /// The unit of an epoch number, from its magnitude (docs/SEMANTICS.md, "Candles"): below 1e11
    /// seconds, below 1e14 milliseconds, below 1e17 microseconds, otherwise nanoseconds.
    @inlinable
    public static func detect(magnitude value: Double) -> TimestampUnit {
        let a = abs(value)
        if a < 1e11 { return .seconds }
        if a < 1e14 { return .milliseconds }
        if a < 1e17 { return .microseconds }
        return .nanoseconds
    }

    public var name: String {
        switch self {
        case .seconds: "seconds"
        case .milliseconds: "milliseconds"
        case .microseconds: "microseconds"
        case .nanoseconds: "nanoseconds"
        case .text: "text"
        }
    }

    /// Position in `allCases` (seconds 0 ... text 4).
    @inlinable public var index: Int {
        switch self {
        case .seconds: 0
        case .milliseconds: 1
        case .microseconds: 2
        case .nanoseconds: 3
        case .text: 4
        }
    }

    public static func < (lhs: TimestampUnit, rhs: TimestampUnit) -> Bool { lhs.index < rhs.index }
}

/// Conversions between calendar dates and nanoseconds since the Unix epoch (UTC).
public enum UTCTime {
    public static let nanosecondsPerSecond: Int64 = 1_000_000_000
    public static let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

    /// Earliest plausible open time: 1970-01-02T00:00:00Z, in nanoseconds.
    public static let earliestPlausible: Int64 = nanosecondsPerDay
    /// Latest plausible open time: 2200-01-01T00:00:00Z, in nanoseconds.
    public static let latestPlausible: Int64 = daysFromCivil(year: 2200, month: 1, day: 1) * nanosecondsPerDay

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The calendar date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO-8601 UTC text with milliseconds, e.g. `2024-03-01T00:00:00.000Z` (docs/SCHEMA.md).
    public static func iso8601(nanoseconds: Int64) -> String {
        String(decoding: iso8601Bytes(nanoseconds: nanoseconds), as: UTF8.self)
    }

    /// The 24 ASCII bytes of ``iso8601(nanoseconds:)``.
    public static func iso8601Bytes(nanoseconds: Int64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: iso8601Length) { buffer, count in
            writeISO8601(nanoseconds: nanoseconds, to: buffer.baseAddress!)
            count = iso8601Length
        }
    }

    /// Length in bytes of ``iso8601(nanoseconds:)``'s text.
    public static let iso8601Length = 24

    /// Writes the 24 ASCII bytes of ``iso8601(nanoseconds:)`` at `destination`, digit by digit,
    /// without allocating (storage writes one per order and deal; string interpolation was once
    /// the writer's largest cost). Years outside 0...9999 are not representable; validation
    /// refuses such times before anything is stored.
    public static func writeISO8601(nanoseconds: Int64, to destination: UnsafeMutablePointer<UInt8>) {
        let days = floorDiv(nanoseconds, nanosecondsPerDay)
        let rest = nanoseconds - days * nanosecondsPerDay
        let (y, m, d) = civilFromDays(days)
        let seconds = rest / nanosecondsPerSecond
        let millis = (rest % nanosecondsPerSecond) / 1_000_000
        func put(_ value: Int64, at index: Int, width: Int) {
            var v = value
            for k in stride(from: index + width - 1, through: index, by: -1) {
                destination[k] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(y, at: 0, width: 4); destination[4] = 45
        put(m, at: 5, width: 2); destination[7] = 45
        put(d, at: 8, width: 2); destination[10] = 84
        put(seconds / 3600, at: 11, width: 2); destination[13] = 58
        put(seconds / 60 % 60, at: 14, width: 2); destination[16] = 58
        put(seconds % 60, at: 17, width: 2); destination[19] = 46
        put(millis, at: 20, width: 3); destination[23] = 90
    }

    /// `YYYY-MM-DD HH:MM` UTC, for people.
    public static func shortText(nanoseconds: Int64) -> String {
        let days = floorDiv(nanoseconds, nanosecondsPerDay)
        let rest = nanoseconds - days * nanosecondsPerDay
        let (y, m, d) = civilFromDays(days)
        let seconds = rest / nanosecondsPerSecond
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2))"
    }

    /// The UTC day number (days since 1970-01-01) of a time in nanoseconds.
    @inlinable
    public static func dayNumber(nanoseconds: Int64) -> Int64 { floorDiv(nanoseconds, nanosecondsPerDay) }

    @inlinable
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// True when `nanoseconds` is inside 1970-01-02 .. 2200-01-01 (the open times a loader accepts).
    @inlinable
    public static func isPlausible(_ nanoseconds: Int64) -> Bool {
        nanoseconds >= earliestPlausible && nanoseconds < latestPlausible
    }

    /// Parses year-first date text (``CalendarText``): ISO-8601 (`2024-01-01T00:00:00Z`, with
    /// fraction and `Z` or `±HH:MM` offset) and `YYYY-MM-DD[ HH:MM[:SS[.fff]]]`; text without an
    /// offset is UTC.
    /// - Returns: nanoseconds since the epoch, or `nil` when the text is not such a date or is
    ///   not a real date or time (never traps: years outside 1900...2200 are nil).
    public static func parse<C: Collection<UInt8>>(_ bytes: C) -> Int64? where C.Index == Int {
        let copy = Array(bytes)
        return copy.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            if case .time(let t) = CalendarText.parse(base, buffer.count, order: .ymd) { return t }
            return nil
        }
    }

    /// Parses ISO date text given as a `String`.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        return parse(bytes)
    }
}
