/// How a run's figures are put on a yearly scale (docs/SEMANTICS.md, "Metrics"): the periods a
/// year for the Sharpe and Sortino ratios, the calendar span for CAGR, and when a run is too
/// short for yearly figures to mean anything.
public enum Annualisation {
    /// One day in nanoseconds.
    public static let day: Int64 = 86_400_000_000_000
    /// Seconds in a year of 365 days (periods a year of regular bars: `365 d / interval`).
    public static let secondsPerYear = 365.0 * 86_400
    /// Days in a calendar year for CAGR: 365.25.
    public static let daysPerCalendarYear = 365.25
    /// Trading days a year of exchange-traded daily data.
    public static let tradingDaysPerYear = 252.0
    /// Runs whose calendar span is shorter than this are told that annualised figures (CAGR,
    /// Sharpe, Sortino, Calmar) are not meaningful: 30 days.
    public static let shortestMeaningfulSpanSeconds = 30.0 * 86_400

    /// Where the periods a year of a run came from.
    public enum PeriodsSource: String, Sendable, Equatable {
        /// `periods_per_year` in the configuration.
        case configured
        /// `365 days / bar interval`.
        case barInterval = "bar_interval"
        /// Daily bars averaging at most 5.5 a week (weekends and holidays missing): 252.
        case weekdayDaily = "weekday_daily_bars"
    }

    /// Whether bars of `intervalNanoseconds` are weekday-only daily data: the interval is one day
    /// and the `count` bars average at most 5.5 per 7 calendar days over the span from the first
    /// bar's open to the last bar's close (`lastOpen - firstOpen + 1 day`), whatever hour they
    /// are stamped at. Four Monday-to-Friday weeks: 20 bars over 26 days, 5.38 a week: yes; every
    /// day of the week: 7 a week: no.
    public static func isWeekdayDaily(intervalNanoseconds: Int64?, firstOpen: Int64, lastOpen: Int64, count: Int) -> Bool {
        guard intervalNanoseconds == day, count >= 2, lastOpen > firstOpen else { return false }
        let spanDays = Double(lastOpen - firstOpen + day) / Double(day)
        return Double(count) * 7 / spanDays <= 5.5
    }

    /// The periods a year of a run: `configured` when given, 252 for weekday-only daily bars,
    /// else `365 days / interval`; `nil` without an interval (fewer than 2 bars).
    public static func periodsPerYear(
        configured: Double?, intervalNanoseconds: Int64?, firstOpen: Int64, lastOpen: Int64, count: Int
    ) -> (value: Double, source: PeriodsSource)? {
        if let configured { return (configured, .configured) }
        guard let intervalNanoseconds, intervalNanoseconds > 0 else { return nil }
        if isWeekdayDaily(intervalNanoseconds: intervalNanoseconds, firstOpen: firstOpen, lastOpen: lastOpen, count: count) {
            return (tradingDaysPerYear, .weekdayDaily)
        }
        return (secondsPerYear / (Double(intervalNanoseconds) / 1e9), .barInterval)
    }

    /// The calendar span of a run in seconds: from the first bar's open to the last bar's close
    /// (`lastOpen + interval - firstOpen`).
    public static func spanSeconds(firstOpen: Int64, lastOpen: Int64, intervalNanoseconds: Int64) -> Double {
        Double(lastOpen - firstOpen + intervalNanoseconds) / 1e9
    }

    /// CAGR over a calendar span: `(final / initial)^(365.25 days / span) - 1`; `nil` when the span
    /// is not positive or either equity is not positive.
    public static func compoundAnnualGrowthRate(initialBalance: Double, finalEquity: Double, spanSeconds: Double) -> Double? {
        EquityCurveStatistics.compoundAnnualGrowthRate(
            initialBalance: initialBalance, finalEquity: finalEquity, years: spanSeconds / (daysPerCalendarYear * 86_400)
        )
    }

    /// Whether the daily Sharpe ratio is defined for bars of this interval: not for bars longer
    /// than a day (a weekly bar's return is not a daily return).
    public static func hasDailySharpe(intervalNanoseconds: Int64?) -> Bool {
        guard let intervalNanoseconds else { return false }
        return intervalNanoseconds <= day
    }

    /// Whether a span is too short for annualised figures to mean anything (under 30 days).
    public static func isTooShortToAnnualise(spanSeconds: Double) -> Bool {
        spanSeconds < shortestMeaningfulSpanSeconds
    }
}
