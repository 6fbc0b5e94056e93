/// A strftime-style pattern given with `--time-format` (for example `%d.%m.%Y %H:%M:%S.%f`),
/// compiled once and used for every value of the time column.
///
/// Directives: `%Y` year (4 digits), `%y` year (2 digits: 69-99 are 19xx, 00-68 20xx, as
/// POSIX), `%m` month, `%d` day, `%e` day (space padded), `%H` hour (0-23), `%I` hour (1-12,
/// with `%p`), `%M` minute, `%S` second, `%f` fraction of a second (1-9 digits), `%p` AM/PM,
/// `%b`/`%h` month abbreviation (`Jan`), `%B` month name, `%j` day of the year, `%z` UTC offset
/// (`+0100`, `+01:00`, `Z`), `%Z` zone name (`UTC`, `GMT`, `Z`), `%s` epoch seconds, `%T` =
/// `%H:%M:%S`, `%F` = `%Y-%m-%d`, `%R` = `%H:%M`, `%%` a percent sign. A space matches one or more
/// spaces; every other character matches itself.
public struct TimePattern: Sendable, Equatable, CustomStringConvertible {
    enum Token: Sendable, Equatable {
        case literal(UInt8)
        case space
        case year4, year2, month, day, hour24, hour12, minute, second, fraction, meridiem
        case monthName, dayOfYear, offset, zoneName, epochSeconds
    }

    let tokens: [Token]
    public let description: String

    /// Compiles `pattern`.
    /// - Throws: a sentence naming the unknown directive.
    public init(_ pattern: String) throws(TimePatternError) {
        description = pattern
        var tokens: [Token] = []
        var bytes = Array(pattern.utf8)[...]
        func expand(_ s: String) -> [UInt8] { Array(s.utf8) }
        while let c = bytes.popFirst() {
            if c == 37 {  // %
                guard let d = bytes.popFirst() else { throw TimePatternError(message: "--time-format `\(pattern)` ends with a lone %") }
                switch d {
                case UInt8(ascii: "Y"): tokens.append(.year4)
                case UInt8(ascii: "y"): tokens.append(.year2)
                case UInt8(ascii: "m"): tokens.append(.month)
                case UInt8(ascii: "d"), UInt8(ascii: "e"): tokens.append(.day)
                case UInt8(ascii: "H"), UInt8(ascii: "k"): tokens.append(.hour24)
                case UInt8(ascii: "I"), UInt8(ascii: "l"): tokens.append(.hour12)
                case UInt8(ascii: "M"): tokens.append(.minute)
                case UInt8(ascii: "S"): tokens.append(.second)
                case UInt8(ascii: "f"): tokens.append(.fraction)
                case UInt8(ascii: "p"), UInt8(ascii: "P"): tokens.append(.meridiem)
                case UInt8(ascii: "b"), UInt8(ascii: "h"), UInt8(ascii: "B"): tokens.append(.monthName)
                case UInt8(ascii: "j"): tokens.append(.dayOfYear)
                case UInt8(ascii: "z"): tokens.append(.offset)
                case UInt8(ascii: "Z"): tokens.append(.zoneName)
                case UInt8(ascii: "s"): tokens.append(.epochSeconds)
                case UInt8(ascii: "T"): tokens += [.hour24, .literal(58), .minute, .literal(58), .second]
                case UInt8(ascii: "R"): tokens += [.hour24, .literal(58), .minute]
                case UInt8(ascii: "F"): tokens += [.year4, .literal(45), .month, .literal(45), .day]
                case 37: tokens.append(.literal(37))
                default:
                    throw TimePatternError(message: "--time-format `\(pattern)` has the unknown directive %\(Character(Unicode.Scalar(d))) (known: %Y %y %m %d %e %H %I %M %S %f %p %b %B %j %z %Z %s %T %R %F %%)")
                }
            } else if c == 32 {
                if tokens.last != .space { tokens.append(.space) }
            } else {
                tokens.append(.literal(c))
            }
        }
        guard tokens.contains(where: { [.year4, .year2, .epochSeconds].contains($0) }) else {
            throw TimePatternError(message: "--time-format `\(pattern)` has no year (%Y or %y) and no %s: it cannot place a bar in time")
        }
        self.tokens = tokens
    }

    /// Reads one value. Whitespace around the value is ignored.
    public func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> TimeValue {
        var i = 0
        var end = n
        while i < end && p[i] == 32 { i += 1 }
        while end > i && (p[end - 1] == 32 || p[end - 1] == 13) { end -= 1 }
        func number(min: Int, max: Int) -> Int64? {
            var v: Int64 = 0
            let s = i
            while i < end && i - s < max && p[i] &- 48 < 10 { v = v * 10 + Int64(p[i] &- 48); i += 1 }
            return i - s >= min ? v : nil
        }
        var year: Int64 = 1970, month: Int64 = 1, day: Int64 = 1, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanos: Int64 = 0
        var meridiem = 0
        var offset: Int64 = 0
        var dayOfYear: Int64? = nil
        var epoch: Int64? = nil
        for token in tokens {
            switch token {
            case .literal(let c):
                guard i < end, p[i] == c else { return .fault(.notATime) }
                i += 1
            case .space:
                guard i < end, p[i] == 32 || p[i] == 84 else { return .fault(.notATime) }
                while i < end && p[i] == 32 { i += 1 }
                if i < end && p[i] == 84 { i += 1 }
            case .year4: guard let v = number(min: 4, max: 4) else { return .fault(.notATime) }; year = v
            case .year2: guard let v = number(min: 2, max: 2) else { return .fault(.notATime) }; year = v < 69 ? 2000 + v : 1900 + v
            case .month: guard let v = number(min: 1, max: 2) else { return .fault(.notATime) }; month = v
            case .day:
                while i < end && p[i] == 32 { i += 1 }
                guard let v = number(min: 1, max: 2) else { return .fault(.notATime) }; day = v
            case .hour24, .hour12:
                guard let v = number(min: 1, max: 2) else { return .fault(.notATime) }; hour = v
                if token == .hour12 && meridiem == 0 { meridiem = 3 }  // needs %p
            case .minute: guard let v = number(min: 2, max: 2) else { return .fault(.notATime) }; minute = v
            case .second: guard let v = number(min: 2, max: 2) else { return .fault(.notATime) }; second = v
            case .fraction:
                var scale: Int64 = 100_000_000
                let s = i
                while i < end && p[i] &- 48 < 10 { nanos += Int64(p[i] &- 48) * scale; scale /= 10; i += 1 }
                guard i > s else { return .fault(.notATime) }
            case .meridiem:
                guard i + 1 < end, p[i + 1] | 0x20 == 109, p[i] | 0x20 == 97 || p[i] | 0x20 == 112 else { return .fault(.notATime) }
                meridiem = p[i] | 0x20 == 97 ? 1 : 2
                i += 2
            case .monthName:
                guard end - i >= 3 else { return .fault(.notATime) }
                let a = p[i] | 0x20, b = p[i + 1] | 0x20, c = p[i + 2] | 0x20
                guard let index = TimePattern.monthAbbreviations.firstIndex(where: { $0 == [a, b, c] }) else { return .fault(.notATime) }
                month = Int64(index + 1)
                i += 3
                // A full name: skip the rest of its letters.
                while i < end && (p[i] | 0x20) >= 97 && (p[i] | 0x20) <= 122 { i += 1 }
                if i < end && p[i] == 46 { i += 1 }
            case .dayOfYear: guard let v = number(min: 1, max: 3) else { return .fault(.notATime) }; dayOfYear = v
            case .offset:
                guard i < end else { return .fault(.notATime) }
                if p[i] == 90 || p[i] == 122 { i += 1; continue }
                guard p[i] == 43 || p[i] == 45 else { return .fault(.notATime) }
                let sign: Int64 = p[i] == 43 ? 1 : -1
                i += 1
                guard let oh = number(min: 2, max: 2) else { return .fault(.notATime) }
                if i < end && p[i] == 58 { i += 1 }
                let om = number(min: 2, max: 2) ?? 0
                offset = sign * (oh * 3600 + om * 60)
            case .zoneName:
                if end - i >= 3, (p[i] == 85 && p[i + 1] == 84 && p[i + 2] == 67) || (p[i] == 71 && p[i + 1] == 77 && p[i + 2] == 84) {
                    i += 3
                } else if i < end && p[i] == 90 {
                    i += 1
                } else {
                    return .fault(.notATime)
                }
            case .epochSeconds:
                guard let v = number(min: 1, max: 12) else { return .fault(.notATime) }
                epoch = v
            }
        }
        guard i == end else { return .fault(.notATime) }
        if meridiem == 3 { return .fault(.notATime) }  // %I without %p
        if let epoch {
            let (seconds, overflow) = epoch.multipliedReportingOverflow(by: 1_000_000_000)
            guard !overflow else { return .fault(.year(Int64.max)) }
            return .time(seconds + nanos)  // at most 12 digits: the sum cannot overflow once the product did not
        }
        if let dayOfYear {
            guard year >= 1900 && year <= 2200 else { return .fault(.year(year)) }
            guard dayOfYear >= 1 && dayOfYear <= (CalendarText.isLeapYear(year) ? 366 : 365) else { return .fault(.day(year: year, month: 0, day: dayOfYear)) }
            let days = UTCTime.daysFromCivil(year: year, month: 1, day: 1) + dayOfYear - 1
            let (y, m, d) = UTCTime.civilFromDays(days)
            (year, month, day) = (y, m, d)
        }
        return CalendarText.assemble(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanos,
            meridiem: meridiem, offsetSeconds: offset
        )
    }

    static let monthAbbreviations: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { Array($0.utf8) }
}

/// A `--time-format` pattern that cannot be used.
public struct TimePatternError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
