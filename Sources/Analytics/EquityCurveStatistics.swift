import Foundation

/// The running peak and the maximum drawdown `max_t (peak_t - E_t) / peak_t` of an equity curve,
/// with `peak_t = max(E_-1, E_0..E_t)` and `E_-1` the initial balance: a fraction in [0, 1].
///
/// The division is done only where the drawdown can exceed the worst so far: the multiplication
/// filter is conservative by a relative 1e-9, and the exact comparison decides, so the result is
/// the same as dividing at every bar.
@frozen
public struct DrawdownTracker: Sendable {
    @usableFromInline var peak: Double
    @usableFromInline var threshold: Double
    @usableFromInline var worst = 0.0

    public init(initialBalance: Double) {
        peak = initialBalance
        threshold = initialBalance
    }

    /// The maximum drawdown so far.
    public var maxDrawdown: Double { worst }

    @inlinable @inline(__always)
    public mutating func add(_ value: Double) {
        if value > peak {
            peak = value
            threshold = peak * (1 - worst) * (1 + 1e-9)
        }
        if value < threshold && peak > 0 {
            let drawdown = (peak - value) / peak
            if drawdown > worst {
                worst = min(drawdown, 1)
                threshold = peak * (1 - worst) * (1 + 1e-9)
            }
        }
    }
}

/// Statistics of an equity curve (docs/SEMANTICS.md, "Metrics"). Pure functions; sums run left to
/// right in bar order, so the same curve always gives the same bits.
///
/// `equity[t]` is the equity at the close of bar t in quote currency; the equity before the
/// first bar is the initial balance.
public enum EquityCurveStatistics {
    /// Per-bar returns `r_t = E_t / E_{t-1} - 1` with `E_{-1} = initialBalance`, t = 0..N-1.
    public static func returns(equity: [Double], initialBalance: Double) -> [Double] {
        var result = [Double]()
        result.reserveCapacity(equity.count)
        var previous = initialBalance
        for value in equity {
            result.append(value / previous - 1)
            previous = value
        }
        return result
    }

    /// The per-period risk-free rate of a yearly rate compounded per bar:
    /// `(1 + rf)^(1 / periodsPerYear) - 1`.
    public static func riskFreePerPeriod(yearly rate: Double, periodsPerYear: Double) -> Double {
        rate == 0 ? 0 : pow(1 + rate, 1 / periodsPerYear) - 1
    }

    /// Sharpe ratio `mean(x) / std(x) * sqrt(periodsPerYear)` of the excess returns
    /// `x = r - rf` with the sample standard deviation (ddof = 1).
    /// - Returns: `nil` when there are fewer than 2 returns or the deviation is 0 (never NaN or
    ///   infinity).
    public static func sharpeRatio(returns: [Double], periodsPerYear: Double, riskFreePerPeriod: Double = 0) -> Double? {
        let n = returns.count
        guard n >= 2 else { return nil }
        var sum = 0.0
        for r in returns { sum += r - riskFreePerPeriod }
        let mean = sum / Double(n)
        var squares = 0.0
        for r in returns {
            let d = (r - riskFreePerPeriod) - mean
            squares += d * d
        }
        let deviation = (squares / Double(n - 1)).squareRoot()
        guard deviation > 0, deviation.isFinite else { return nil }
        let ratio = mean / deviation * periodsPerYear.squareRoot()
        return ratio.isFinite ? ratio : nil
    }

    /// Sortino ratio `mean(x) / sqrt(mean(min(x, 0)^2)) * sqrt(periodsPerYear)`: the downside
    /// deviation over all periods with target 0.
    /// - Returns: `nil` when there are fewer than 2 returns or no return is below 0.
    public static func sortinoRatio(returns: [Double], periodsPerYear: Double, riskFreePerPeriod: Double = 0) -> Double? {
        let n = returns.count
        guard n >= 2 else { return nil }
        var sum = 0.0
        var downside = 0.0
        for r in returns {
            let x = r - riskFreePerPeriod
            sum += x
            if x < 0 { downside += x * x }
        }
        let deviation = (downside / Double(n)).squareRoot()
        guard deviation > 0, deviation.isFinite else { return nil }
        let ratio = sum / Double(n) / deviation * periodsPerYear.squareRoot()
        return ratio.isFinite ? ratio : nil
    }

    /// Maximum drawdown `max_t (peak_t - E_t) / peak_t` with `peak_t = max(E_-1, E_0..E_t)`:
    /// a fraction in [0, 1].
    public static func maxDrawdown(equity: [Double], initialBalance: Double) -> Double {
        var tracker = DrawdownTracker(initialBalance: initialBalance)
        for value in equity { tracker.add(value) }
        return tracker.maxDrawdown
    }

    /// The drawdown at each bar, `(peak_t - E_t) / peak_t`, for charts.
    public static func drawdownCurve(equity: [Double], initialBalance: Double) -> [Double] {
        var peak = initialBalance
        return equity.map { value in
            if value > peak { peak = value }
            return peak > 0 ? (peak - value) / peak : 0
        }
    }

    /// The equity at the last bar of each UTC day, in day order.
    /// - Parameter openTimes: bar open times, nanoseconds since the epoch.
    public static func dailyEquity(openTimes: [Int64], equity: [Double]) -> [Double] {
        precondition(openTimes.count == equity.count)
        let day: Int64 = 86_400_000_000_000
        var result: [Double] = []
        guard !equity.isEmpty else { return result }
        // One division per day: the next day starts at `dayEnd`.
        var dayEnd = (openTimes[0] >= 0 ? openTimes[0] / day : (openTimes[0] - day + 1) / day) * day + day
        for i in 1..<max(equity.count, 1) where openTimes[i] >= dayEnd {
            result.append(equity[i - 1])
            let t = openTimes[i]
            dayEnd = (t >= 0 ? t / day : (t - day + 1) / day) * day + day
        }
        result.append(equity[equity.count - 1])
        return result
    }

    /// Compound annual growth rate `(final / initial)^(1 / years) - 1`; `nil` when `years <= 0`
    /// or the final equity is not positive.
    public static func compoundAnnualGrowthRate(initialBalance: Double, finalEquity: Double, years: Double) -> Double? {
        guard years > 0, initialBalance > 0, finalEquity > 0 else { return nil }
        let value = pow(finalEquity / initialBalance, 1 / years) - 1
        return value.isFinite ? value : nil
    }
}
