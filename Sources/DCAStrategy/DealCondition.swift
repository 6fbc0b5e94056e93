/// One deal start or close condition (docs/SEMANTICS.md section 8): an indicator of a symbol's
/// closes compared with a level, optionally on coarser UTC-aligned candles.
///
/// A condition is evaluated at a bar's close and acts at the next bar's open; during an
/// indicator's warm-up it does not hold. Every comparison is strict: a close equal to its SMA is
/// neither above nor below it.
public struct DealCondition: Sendable, Equatable {
    public var indicator: Indicator
    /// Bars to resample to before computing the indicator; `nil`: the data's own bars.
    public var timeframe: Timeframe?

    public init(_ indicator: Indicator, timeframe: Timeframe? = nil) {
        self.indicator = indicator
        self.timeframe = timeframe
    }

    /// Which side of a level a value must be on (strictly).
    public enum Bound: Sendable, Equatable {
        case below(Double)
        case above(Double)

        @inlinable
        public func holds(_ value: Double) -> Bool {
            switch self {
            case .below(let level): value < level
            case .above(let level): value > level
            }
        }
    }

    public enum MovingAverageKind: String, Sendable, Equatable, CaseIterable {
        case sma
        case ema
    }

    /// Which side of the moving average the close must be on.
    public enum PriceSide: String, Sendable, Equatable, CaseIterable {
        case above
        case below
    }

    public enum CrossDirection: String, Sendable, Equatable, CaseIterable {
        /// The fast average was at or below the slow one at the previous close and is above it now.
        case up
        /// The fast average was at or above the slow one at the previous close and is below it now.
        case down
    }

    /// The closed set of indicators, with their parameters.
    public enum Indicator: Sendable, Equatable {
        /// Wilder's RSI (0...100) of `period` changes.
        case rsi(period: Int, Bound)
        /// The close against its simple or exponential moving average of `period` closes.
        case movingAverage(MovingAverageKind, period: Int, price: PriceSide)
        /// The fast moving average crossing the slow one at this close.
        case movingAverageCross(MovingAverageKind, fast: Int, slow: Int, direction: CrossDirection)
        /// `%B = (close - lower) / (upper - lower)`, bands at `deviations` population standard
        /// deviations around the SMA of `period` closes.
        case bollingerPercentB(period: Int, deviations: Double, Bound)
        /// `close_t / close_(t - bars) - 1` (a fraction).
        case priceChange(bars: Int, Bound)
        /// The close in `[min, max]` (quote currency); a missing side is unbounded.
        case price(min: Double?, max: Double?)

        /// The indicator's name as written in a configuration.
        public var name: String {
            switch self {
            case .rsi: "rsi"
            case .movingAverage(let kind, _, _): kind.rawValue
            case .movingAverageCross: "ma_cross"
            case .bollingerPercentB: "bollinger_percent_b"
            case .priceChange: "price_change"
            case .price: "price"
            }
        }

        /// Bars of its own timeframe the indicator needs before it first has a value.
        public var warmUpBars: Int {
            switch self {
            case .rsi(let period, _): period + 1
            case .movingAverage(_, let period, _): period
            case .movingAverageCross(_, _, let slow, _): slow + 1
            case .bollingerPercentB(let period, _, _): period
            case .priceChange(let bars, _): bars + 1
            case .price: 1
            }
        }
    }

    /// Every indicator name a configuration may use, in the contract's order.
    public static let indicatorNames = ["rsi", "sma", "ema", "ma_cross", "bollinger_percent_b", "price_change", "price"]

    /// The largest period (or `bars`) accepted: a year of hourly bars.
    public static let maximumPeriod = 10_000
}

// MARK: - Decoding

extension DealCondition {
    /// Decodes a list of conditions (`start_conditions`, `close_conditions`) from a parsed JSON
    /// value; `nil` or `null` is the empty list.
    ///
    /// Every problem is collected, each naming its place (`start_conditions[1].period`), the
    /// value and what is allowed: unknown indicators and keys, missing or mistyped keys, periods
    /// below 1 or above ``maximumPeriod``, both or neither of `below` and `above`, a fast average
    /// not faster than the slow one, `min` above `max`, a timeframe that is not a length.
    /// Whether a timeframe is a whole multiple of the data's interval is checked once the data is
    /// known: ``problems(of:key:dataInterval:)``.
    public static func decodeList(_ input: JSONInput?, key: String) -> (conditions: [DealCondition], problems: [String]) {
        guard let input, input != .null else { return ([], []) }
        guard case .array(let items) = input else {
            return ([], ["`\(key)` must be a list of conditions such as [{\"indicator\": \"rsi\", \"period\": 14, \"below\": 30}], not \(input.summary)"])
        }
        var conditions: [DealCondition] = []
        var problems: [String] = []
        for (index, item) in items.enumerated() {
            let place = "\(key)[\(index)]"
            switch decode(item, place: place) {
            case .success(let condition): conditions.append(condition)
            case .failure(let found): problems += found.problems
            }
        }
        return (conditions, problems)
    }

    /// Problems only the data can reveal: a timeframe that is not a whole multiple of the data's
    /// interval (`dataInterval`, nanoseconds), or one finer than it.
    public static func problems(of conditions: [DealCondition], key: String, dataInterval: Int64) -> [String] {
        var problems: [String] = []
        for (index, condition) in conditions.enumerated() {
            guard let timeframe = condition.timeframe else { continue }
            if !timeframe.isWholeMultiple(ofInterval: dataInterval) {
                problems.append("`\(key)[\(index)].timeframe` is \"\(timeframe)\", not a whole multiple of the data's interval \(Timeframe.describe(nanoseconds: dataInterval)): use a multiple such as \"\(Timeframe.describe(nanoseconds: dataInterval * 4))\", or leave `timeframe` out to use the data's own bars")
            }
        }
        return problems
    }

    /// Decodes one condition object.
    static func decode(_ item: JSONInput, place: String) -> Result<DealCondition, ConfigurationError> {
        guard case .object(let fields) = item else {
            return .failure(ConfigurationError(problems: ["`\(place)` must be an object such as {\"indicator\": \"rsi\", \"period\": 14, \"below\": 30}, not \(item.summary)"]))
        }
        var reader = ConditionReader(fields: fields, place: place)
        guard let name = reader.text("indicator", required: true) else {
            return .failure(ConfigurationError(problems: reader.problems))
        }
        let allowedKeys: [String]
        var indicator: Indicator?
        switch name {
        case "rsi":
            allowedKeys = ["period", "below", "above"]
            let period = reader.period("period")
            let bound = reader.bound()
            if let period, let bound { indicator = .rsi(period: period, bound) }
            reader.rangeOfBound(bound, 0...100, name: "RSI")
        case "sma", "ema":
            allowedKeys = ["period", "price"]
            let period = reader.period("period")
            let side = reader.choice("price", PriceSide.self)
            if let period, let side { indicator = .movingAverage(name == "sma" ? .sma : .ema, period: period, price: side) }
        case "ma_cross":
            allowedKeys = ["type", "fast", "slow", "direction"]
            let kind = reader.choice("type", MovingAverageKind.self)
            let fast = reader.period("fast")
            let slow = reader.period("slow")
            let direction = reader.choice("direction", CrossDirection.self)
            if let fast, let slow, fast >= slow {
                reader.problems.append("`\(place).fast` is \(fast) and `\(place).slow` is \(slow); the fast average must use fewer bars than the slow one")
            } else if let kind, let fast, let slow, let direction {
                indicator = .movingAverageCross(kind, fast: fast, slow: slow, direction: direction)
            }
        case "bollinger_percent_b":
            allowedKeys = ["period", "deviations", "below", "above"]
            let period = reader.period("period")
            let deviations = reader.number("deviations", required: true)
            if let deviations, !(deviations.isFinite && deviations > 0 && deviations <= 10) {
                reader.problems.append("`\(place).deviations` is \(JSONValue.format(deviations)); it must be in (0, 10] (2 is usual)")
            }
            let bound = reader.bound()
            if let period, let deviations, deviations > 0, deviations <= 10, let bound {
                indicator = .bollingerPercentB(period: period, deviations: deviations, bound)
            }
        case "price_change":
            allowedKeys = ["bars", "below", "above"]
            let bars = reader.period("bars")
            let bound = reader.bound()
            if case .below(let x)? = bound, !(x > -1) {
                reader.problems.append("`\(place).below` is \(JSONValue.format(x)); a price change is a fraction above -1 (write -0.05 for a 5% fall)")
            }
            if let bars, let bound { indicator = .priceChange(bars: bars, bound) }
        case "price":
            allowedKeys = ["min", "max"]
            let low = reader.number("min", required: false)
            let high = reader.number("max", required: false)
            for (key, value) in [("min", low), ("max", high)] {
                if let value, !(value.isFinite && value > 0) {
                    reader.problems.append("`\(place).\(key)` is \(JSONValue.format(value)); it must be a price > 0")
                }
            }
            if low == nil && high == nil && fields["min"] == nil && fields["max"] == nil {
                reader.problems.append("`\(place)` needs `min`, `max` or both (quote currency)")
            } else if let low, let high, low > high {
                reader.problems.append("`\(place).min` \(JSONValue.format(low)) is above `\(place).max` \(JSONValue.format(high)): no close could be in the range")
            } else if reader.problems.isEmpty {
                indicator = .price(min: low, max: high)
            }
        default:
            let nearest = indicatorNames.min { editDistance($0, name) < editDistance($1, name) }
            let hint = nearest.map { editDistance($0, name) <= 3 ? " (did you mean \"\($0)\"?)" : "" } ?? ""
            reader.problems.append("`\(place).indicator` is \"\(name)\"\(hint); it must be one of \(indicatorNames.map { "\"\($0)\"" }.joined(separator: ", "))")
            return .failure(ConfigurationError(problems: reader.problems))
        }
        var timeframe: Timeframe?
        if let text = reader.text("timeframe", required: false) {
            timeframe = Timeframe(text: text)
            if timeframe == nil {
                reader.problems.append("`\(place).timeframe` is \"\(text)\"; it must be a bar length such as \"15m\", \"1h\", \"4h\", \"1d\" or \"1w\"")
            }
        }
        for key in fields.keys.sorted() where key != "indicator" && key != "timeframe" && !allowedKeys.contains(key) {
            reader.problems.append("`\(place)` has unknown key `\(key)`; \"\(name)\" takes \((["indicator"] + allowedKeys + ["timeframe"]).map { "`\($0)`" }.joined(separator: ", "))")
        }
        guard reader.problems.isEmpty, let indicator else {
            return .failure(ConfigurationError(problems: reader.problems))
        }
        return .success(DealCondition(indicator, timeframe: timeframe))
    }

    /// The condition as written in a canonical configuration (keys in the contract's order).
    public var canonicalJSON: JSONValue {
        var pairs: [(String, JSONValue)] = [("indicator", .string(indicator.name))]
        func bound(_ b: Bound) -> (String, JSONValue) {
            switch b {
            case .below(let x): ("below", .number(x))
            case .above(let x): ("above", .number(x))
            }
        }
        switch indicator {
        case .rsi(let period, let b):
            pairs += [("period", .integer(Int64(period))), bound(b)]
        case .movingAverage(_, let period, let side):
            pairs += [("period", .integer(Int64(period))), ("price", .string(side.rawValue))]
        case .movingAverageCross(let kind, let fast, let slow, let direction):
            pairs += [("type", .string(kind.rawValue)), ("fast", .integer(Int64(fast))), ("slow", .integer(Int64(slow))), ("direction", .string(direction.rawValue))]
        case .bollingerPercentB(let period, let deviations, let b):
            pairs += [("period", .integer(Int64(period))), ("deviations", .number(deviations)), bound(b)]
        case .priceChange(let bars, let b):
            pairs += [("bars", .integer(Int64(bars))), bound(b)]
        case .price(let low, let high):
            if let low { pairs.append(("min", .number(low))) }
            if let high { pairs.append(("max", .number(high))) }
        }
        if let timeframe { pairs.append(("timeframe", .string(timeframe.text))) }
        return .object(pairs)
    }
}

/// Reads the keys of one condition object, collecting problems named by their place.
struct ConditionReader {
    let fields: [String: JSONInput]
    let place: String
    var problems: [String] = []

    func raw(_ key: String) -> JSONInput? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    mutating func text(_ key: String, required: Bool) -> String? {
        guard let value = raw(key) else {
            if required { problems.append("`\(place).\(key)` is required") }
            return nil
        }
        if case .string(let s) = value { return s }
        problems.append("`\(place).\(key)` must be text, not \(value.summary)")
        return nil
    }

    mutating func number(_ key: String, required: Bool) -> Double? {
        guard let value = raw(key) else {
            if required { problems.append("`\(place).\(key)` is required") }
            return nil
        }
        if case .number(let n) = value { return n }
        problems.append("`\(place).\(key)` must be a number, not \(value.summary)")
        return nil
    }

    /// A whole number of bars in 1 ... ``DealCondition/maximumPeriod``.
    mutating func period(_ key: String) -> Int? {
        guard let value = number(key, required: true) else { return nil }
        guard value == value.rounded(), abs(value) < 1e9 else {
            problems.append("`\(place).\(key)` is \(JSONValue.format(value)); it must be a whole number of bars")
            return nil
        }
        let n = Int(value)
        guard n >= 1 && n <= DealCondition.maximumPeriod else {
            problems.append("`\(place).\(key)` is \(n); it must be in [1, \(DealCondition.maximumPeriod)] bars")
            return nil
        }
        return n
    }

    /// Exactly one of `below` and `above`.
    mutating func bound() -> DealCondition.Bound? {
        let below = number("below", required: false)
        let above = number("above", required: false)
        for (key, value) in [("below", below), ("above", above)] {
            if let value, !value.isFinite { problems.append("`\(place).\(key)` must be a finite number"); return nil }
        }
        switch (below, above) {
        case (let x?, nil): return .below(x)
        case (nil, let x?): return .above(x)
        case (.some, .some):
            problems.append("`\(place)` has both `below` and `above`; give one (for a band, write two conditions: all conditions must hold)")
            return nil
        case (nil, nil):
            if fields["below"] == nil && fields["above"] == nil {
                problems.append("`\(place)` needs `below` or `above`")
            }
            return nil
        }
    }

    mutating func rangeOfBound(_ bound: DealCondition.Bound?, _ range: ClosedRange<Double>, name: String) {
        guard let bound else { return }
        let (key, value): (String, Double)
        switch bound {
        case .below(let x): (key, value) = ("below", x)
        case .above(let x): (key, value) = ("above", x)
        }
        if !range.contains(value) {
            problems.append("`\(place).\(key)` is \(JSONValue.format(value)); \(name) lies in [\(JSONValue.format(range.lowerBound)), \(JSONValue.format(range.upperBound))]")
        }
    }

    mutating func choice<E: RawRepresentable<String> & CaseIterable>(_ key: String, _ type: E.Type) -> E? {
        guard let text = text(key, required: true) else { return nil }
        if let value = E(rawValue: text) { return value }
        problems.append("`\(place).\(key)` is \"\(text)\"; it must be one of \(E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        return nil
    }
}
