import Testing

@testable import Analytics

/// The annualisation conventions of docs/SEMANTICS.md ("Metrics"), with values worked by hand.
@Suite struct AnnualisationTests {
    static let day = Annualisation.day
    static let hour: Int64 = 3_600_000_000_000
    /// 2024-01-01 00:00 UTC, a Monday, in nanoseconds.
    static let monday: Int64 = 1_704_067_200 * 1_000_000_000

    /// Monday-to-Friday daily bars for `weeks` weeks, stamped at 14:30 UTC (an exchange's open).
    static func weekdayBars(weeks: Int) -> [Int64] {
        (0..<weeks).flatMap { w in (0..<5).map { d in monday + Int64(w * 7 + d) * day + 14 * hour + hour / 2 } }
    }

    @Test func weekdayOnlyDailyBarsGet252PeriodsAYear() throws {
        // 4 weeks: 20 bars from Monday to the fourth Friday, 25 days + the last bar's day = 26
        // days: 20 * 7 / 26 = 5.38 bars a week <= 5.5.
        let times = Self.weekdayBars(weeks: 4)
        let periods = try #require(Annualisation.periodsPerYear(configured: nil, intervalNanoseconds: Self.day, firstOpen: times.first!, lastOpen: times.last!, count: times.count))
        #expect(periods.value == 252)
        #expect(periods.source == .weekdayDaily)
    }

    @Test func dailyBarsOfEveryDayGet365PeriodsAYear() throws {
        // 28 bars over 28 days: 7 a week.
        let periods = try #require(Annualisation.periodsPerYear(configured: nil, intervalNanoseconds: Self.day, firstOpen: Self.monday, lastOpen: Self.monday + 27 * Self.day, count: 28))
        #expect(periods.value == 365)
        #expect(periods.source == .barInterval)
    }

    @Test func fiveAndAHalfBarsAWeekIsStillWeekdayData() {
        // 11 bars over 14 days: exactly 5.5 a week.
        #expect(Annualisation.isWeekdayDaily(intervalNanoseconds: Self.day, firstOpen: 0, lastOpen: 13 * Self.day, count: 11))
        // 12 bars over 14 days: 6 a week.
        #expect(!Annualisation.isWeekdayDaily(intervalNanoseconds: Self.day, firstOpen: 0, lastOpen: 13 * Self.day, count: 12))
    }

    @Test func hourlyBarsWithWeekendGapsAreNotDailyData() throws {
        // Hourly bars: 365 * 24 = 8760 periods a year, gaps or not.
        let periods = try #require(Annualisation.periodsPerYear(configured: nil, intervalNanoseconds: Self.hour, firstOpen: 0, lastOpen: 100 * Self.day, count: 500))
        #expect(periods.value == 8760)
    }

    @Test func configuredPeriodsWin() throws {
        let periods = try #require(Annualisation.periodsPerYear(configured: 52, intervalNanoseconds: Self.day, firstOpen: 0, lastOpen: 27 * Self.day, count: 20))
        #expect(periods.value == 52 && periods.source == .configured)
    }

    @Test func dailySharpeIsUndefinedForBarsLongerThanADay() {
        #expect(Annualisation.hasDailySharpe(intervalNanoseconds: Self.hour))
        #expect(Annualisation.hasDailySharpe(intervalNanoseconds: Self.day))
        #expect(!Annualisation.hasDailySharpe(intervalNanoseconds: 7 * Self.day))
        #expect(!Annualisation.hasDailySharpe(intervalNanoseconds: nil))
    }

    @Test func spanRunsFromTheFirstOpenToTheLastClose() {
        // Two daily bars: opens day 0 and day 1, the last closes at day 2: 172,800 s.
        #expect(Annualisation.spanSeconds(firstOpen: 0, lastOpen: Self.day, intervalNanoseconds: Self.day) == 172_800)
        // Four weekday weeks: Monday 14:30 to the fourth Friday 14:30 + 1 day = 26 days.
        let times = Self.weekdayBars(weeks: 4)
        #expect(Annualisation.spanSeconds(firstOpen: times.first!, lastOpen: times.last!, intervalNanoseconds: Self.day) == 26 * 86_400)
    }

    @Test func cagrCompoundsOverTheCalendarSpan() throws {
        // +1% over 2 days: 1.01^(365.25 / 2) - 1 = 5.154473231008826 (Python: 1.01**(365.25/2)-1).
        let twoDays = try #require(Annualisation.compoundAnnualGrowthRate(initialBalance: 10_000, finalEquity: 10_100, spanSeconds: 2 * 86_400))
        #expect(abs(twoDays - 5.154473231008826) < 1e-12)
        // +10% over 30 days: 1.1^(365.25 / 30) - 1 = 2.19121409718457.
        let month = try #require(Annualisation.compoundAnnualGrowthRate(initialBalance: 10_000, finalEquity: 11_000, spanSeconds: 30 * 86_400))
        #expect(abs(month - 2.19121409718457) < 1e-12)
        // Exactly one calendar year of 365.25 days: the return itself.
        let year = try #require(Annualisation.compoundAnnualGrowthRate(initialBalance: 100, finalEquity: 150, spanSeconds: 365.25 * 86_400))
        #expect(abs(year - 0.5) < 1e-15)
        #expect(Annualisation.compoundAnnualGrowthRate(initialBalance: 100, finalEquity: 0, spanSeconds: 86_400) == nil)
    }

    @Test func runsShorterThanThirtyDaysAreTooShortToAnnualise() {
        #expect(Annualisation.isTooShortToAnnualise(spanSeconds: 2 * 86_400))
        #expect(Annualisation.isTooShortToAnnualise(spanSeconds: 30 * 86_400 - 1))
        #expect(!Annualisation.isTooShortToAnnualise(spanSeconds: 30 * 86_400))
    }
}
