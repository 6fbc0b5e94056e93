/// The statistics of an equity curve gathered one bar at a time, so the engine loop computes
/// every curve metric in the same pass that produces the curve (docs/SEMANTICS.md, "Metrics").
///
/// Per-bar returns `r_t = E_t / E_{t-1} - 1` (with `E_{-1}` the initial balance) less the
/// per-period risk-free rate are summed shifted by the first one, `K`: with `S1 = sum(x - K)`
/// and `S2 = sum((x - K)^2)` the sample variance (ddof = 1) is `(S2 - S1^2 / n) / (n - 1)`
/// (the "shifted data" algorithm; T. F. Chan, G. H. Golub, R. J. LeVeque, "Algorithms for
/// computing the sample variance", The American Statistician 37(3), 1983). Shifting by a sample
/// keeps it accurate for returns (whose mean is small against their spread) and exactly 0 for a
/// constant series, and unlike Welford's update it has no division on the loop's critical path.
/// The downside sum for the Sortino ratio, the maximum drawdown (``DrawdownTracker``) and the
/// equity at the last bar of each UTC day (for the daily Sharpe ratio) are kept alongside.
/// No allocation.
@frozen
public struct EquityCurveAccumulator: Sendable {
    public let initialBalance: Double
    public let riskFreePerPeriod: Double
    public let riskFreePerDay: Double
    /// Bars added.
    public var count: Int { bars }
    @usableFromInline var bars = 0
    @usableFromInline var previous: Double
    @usableFromInline var shift = 0.0
    @usableFromInline var shiftedSum = 0.0
    @usableFromInline var shiftedSquares = 0.0
    @usableFromInline var sum = 0.0
    @usableFromInline var downside = 0.0
    @usableFromInline var drawdown: DrawdownTracker
    /// The maximum drawdown so far, a fraction in [0, 1].
    public var maxDrawdown: Double { drawdown.maxDrawdown }
    // Daily.
    @usableFromInline var dayEnd = Int64.min
    @usableFromInline var lastEquity: Double
    /// The equity added last (the initial balance before any bar).
    public var latestEquity: Double { lastEquity }
    @usableFromInline var previousDaily: Double
    @usableFromInline var dailyCount = 0
    @usableFromInline var dailyShift = 0.0
    @usableFromInline var dailyShiftedSum = 0.0
    @usableFromInline var dailyShiftedSquares = 0.0

    @usableFromInline static let day: Int64 = 86_400_000_000_000

    /// - Parameters:
    ///   - initialBalance: equity before the first bar, quote currency.
    ///   - riskFreePerPeriod: per-bar risk-free rate, `(1 + rf)^(1/periods_per_year) - 1`.
    ///   - riskFreePerDay: the same per day, `(1 + rf)^(1/365) - 1`.
    public init(initialBalance: Double, riskFreePerPeriod: Double = 0, riskFreePerDay: Double = 0) {
        self.initialBalance = initialBalance
        self.riskFreePerPeriod = riskFreePerPeriod
        self.riskFreePerDay = riskFreePerDay
        previous = initialBalance
        drawdown = DrawdownTracker(initialBalance: initialBalance)
        lastEquity = initialBalance
        previousDaily = initialBalance
    }

    /// Adds the equity at the close of the next bar, whose open time is `openTime` (nanoseconds).
    @inlinable @inline(__always)
    public mutating func add(equity value: Double, openTime: Int64) {
        if openTime >= dayEnd {
            if bars > 0 { closeDay() }
            dayEnd = Self.endOfDay(containing: openTime)
        }
        bars += 1
        let x = (value / previous - 1) - riskFreePerPeriod
        previous = value
        lastEquity = value
        sum += x
        let loss = min(x, 0)  // branch-free: the sign of a return is a coin flip for the predictor
        downside += loss * loss
        if bars == 1 { shift = x }
        let shifted = x - shift
        shiftedSum += shifted
        shiftedSquares += shifted * shifted
        drawdown.add(value)
    }

    @inlinable  // in the engine loop: a call would keep the accumulator in memory
    mutating func closeDay() {
        dailyCount += 1
        let x = (lastEquity / previousDaily - 1) - riskFreePerDay
        previousDaily = lastEquity
        if dailyCount == 1 { dailyShift = x }
        let shifted = x - dailyShift
        dailyShiftedSum += shifted
        dailyShiftedSquares += shifted * shifted
    }

    /// `mean / std * sqrt(periodsPerYear)`; `nil` for fewer than 2 bars or zero variance.
    public func sharpeRatio(periodsPerYear: Double) -> Double? {
        Self.ratio(sum: sum, shiftedSum: shiftedSum, shiftedSquares: shiftedSquares, count: bars, periodsPerYear: periodsPerYear)
    }

    /// `mean(x) / sqrt(mean(min(x, 0)^2)) * sqrt(periodsPerYear)`; `nil` for fewer than 2 bars
    /// or no return below 0.
    public func sortinoRatio(periodsPerYear: Double) -> Double? {
        guard count >= 2 else { return nil }
        let deviation = (downside / Double(count)).squareRoot()
        guard deviation > 0, deviation.isFinite else { return nil }
        let value = sum / Double(count) / deviation * periodsPerYear.squareRoot()
        return value.isFinite ? value : nil
    }

    /// The Sharpe ratio of the UTC-daily equity (the last bar of each day), annualised with 365.
    public func dailySharpeRatio() -> Double? {
        var copy = self
        if count > 0 { copy.closeDay() }
        let n = Double(copy.dailyCount)
        return Self.ratio(
            sum: copy.dailyShift * n + copy.dailyShiftedSum, shiftedSum: copy.dailyShiftedSum,
            shiftedSquares: copy.dailyShiftedSquares, count: copy.dailyCount, periodsPerYear: 365
        )
    }

    static func ratio(sum: Double, shiftedSum: Double, shiftedSquares: Double, count: Int, periodsPerYear: Double) -> Double? {
        guard count >= 2 else { return nil }
        let n = Double(count)
        let mean = sum / n
        let squares = shiftedSquares - shiftedSum * shiftedSum / n
        let deviation = (max(squares, 0) / Double(count - 1)).squareRoot()
        guard deviation > 0, deviation.isFinite else { return nil }
        let value = mean / deviation * periodsPerYear.squareRoot()
        return value.isFinite ? value : nil
    }
}
