import Testing

@testable import Analytics

@Suite struct DailyEquityTests {
    @Test func dailyEquityTakesTheLastBarOfEachUTCDay() {
        let hour: Int64 = 3_600_000_000_000
        let day = 24 * hour
        // Bars at 22:00 and 23:00 of day 0, 00:00 and 05:00 of day 1, 01:00 of day 3.
        let times = [22 * hour, 23 * hour, day, day + 5 * hour, 3 * day + hour]
        #expect(EquityCurveStatistics.dailyEquity(openTimes: times, equity: [1, 2, 3, 4, 5]) == [2, 4, 5])
        #expect(EquityCurveStatistics.dailyEquity(openTimes: [7], equity: [9]) == [9])
    }
}

@Suite struct DrawdownTests {
    @Test func maxDrawdownEqualsTheDefinitionAtEveryBar() {
        // A seeded walk; the filtered maximum must equal dividing at every bar, bit for bit.
        var state: UInt64 = 7
        var equity: [Double] = []
        var value = 1000.0
        for _ in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            value *= 1 + (Double(state >> 11) / Double(1 << 53) - 0.5) * 0.02
            equity.append(value)
        }
        var peak = 1000.0
        var worst = 0.0
        for v in equity {
            peak = max(peak, v)
            worst = max(worst, (peak - v) / peak)
        }
        #expect(EquityCurveStatistics.maxDrawdown(equity: equity, initialBalance: 1000) == worst)
        #expect(EquityCurveStatistics.maxDrawdown(equity: [900, 850, 800, 750, 820], initialBalance: 1000) == 0.25)
    }
}

@Suite struct EquityCurveAccumulatorTests {
    @Test func oneBarAtATimeAgreesWithTheTwoPassDefinitions() {
        var state: UInt64 = 11
        var equity: [Double] = []
        var times: [Int64] = []
        var value = 10_000.0
        for i in 0..<3000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            value *= 1 + (Double(state >> 11) / Double(1 << 53) - 0.499) * 0.01
            equity.append(value)
            times.append(Int64(i) * 3_600_000_000_000)  // hourly
        }
        var accumulator = EquityCurveAccumulator(initialBalance: 10_000)
        for i in 0..<equity.count { accumulator.add(equity: equity[i], openTime: times[i]) }
        let returns = EquityCurveStatistics.returns(equity: equity, initialBalance: 10_000)
        let sharpe = EquityCurveStatistics.sharpeRatio(returns: returns, periodsPerYear: 8760)!
        let sortino = EquityCurveStatistics.sortinoRatio(returns: returns, periodsPerYear: 8760)!
        #expect(abs(accumulator.sharpeRatio(periodsPerYear: 8760)! - sharpe) <= 1e-12 * abs(sharpe))
        #expect(abs(accumulator.sortinoRatio(periodsPerYear: 8760)! - sortino) <= 1e-12 * abs(sortino))
        #expect(accumulator.maxDrawdown == EquityCurveStatistics.maxDrawdown(equity: equity, initialBalance: 10_000))
        let daily = EquityCurveStatistics.dailyEquity(openTimes: times, equity: equity)
        let dailySharpe = EquityCurveStatistics.sharpeRatio(returns: EquityCurveStatistics.returns(equity: daily, initialBalance: 10_000), periodsPerYear: 365)!
        #expect(abs(accumulator.dailySharpeRatio()! - dailySharpe) <= 1e-12 * abs(dailySharpe))
    }

    @Test func flatCurveHasNoRatios() {
        var accumulator = EquityCurveAccumulator(initialBalance: 100)
        for i in 0..<5 { accumulator.add(equity: 100, openTime: Int64(i) * 86_400_000_000_000) }
        #expect(accumulator.sharpeRatio(periodsPerYear: 365) == nil)
        #expect(accumulator.sortinoRatio(periodsPerYear: 365) == nil)
        #expect(accumulator.dailySharpeRatio() == nil)
        #expect(accumulator.maxDrawdown == 0)
    }
}
