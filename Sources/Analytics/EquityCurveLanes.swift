/// The equity curves of a few bots over the same bars, one per SIMD lane
/// (``EquityCurveLanes/Vector``): lane `i` gathers the same bits as an ``EquityCurveAccumulator``
/// of its own.
///
/// What every bar touches (the previous equity, the sums of returns, of shifted returns and of
/// their squares, the downside sum, the drawdown's peak, threshold and worst) is held as vectors,
/// so a loop keeps them in registers; each lane takes the same IEEE operations in the same order
/// as ``EquityCurveAccumulator/add(equity:openTime:)`` (no fused multiply-add), so its bits equal
/// a curve gathered on its own. What changes once a day (the daily Sharpe ratio's sums) stays in
/// one ``EquityCurveAccumulator`` per lane (``closeDay(_:lanes:)``). The caller keeps the bar count
/// and the day boundary, which every lane shares, and hands them over at the end
/// (``write(into:lanes:bars:dayEnd:)``). No allocation.
@frozen
public struct EquityCurveLanes: Sendable {
    /// Two doubles: one SSE2 register, the x86-64 baseline (wider vectors would need a newer CPU
    /// than the toolchain's default target).
    public typealias Vector = SIMD2<Double>

    @usableFromInline var previous: Vector
    @usableFromInline let riskFree: Vector
    @usableFromInline var sum = Vector()
    @usableFromInline var downside = Vector()
    @usableFromInline var shift = Vector()
    @usableFromInline var shiftedSum = Vector()
    @usableFromInline var shiftedSquares = Vector()
    @usableFromInline var peak: Vector
    @usableFromInline var threshold: Vector
    @usableFromInline var worst: Vector

    /// - Parameter curves: up to ``Vector/scalarCount`` fresh curves (no bar added), one per lane;
    ///   lanes beyond them hold a flat curve of 1 that nobody reads.
    public init(_ curves: ArraySlice<EquityCurveAccumulator>) {
        precondition(curves.count <= Vector.scalarCount && curves.allSatisfy { $0.count == 0 }, "a lane starts from a fresh curve")
        let flat = EquityCurveAccumulator(initialBalance: 1)
        var previous = Vector(), riskFree = Vector(), peak = Vector(), threshold = Vector(), worst = Vector()
        for i in 0..<Vector.scalarCount {
            let curve = i < curves.count ? curves[curves.startIndex + i] : flat
            previous[i] = curve.previous
            riskFree[i] = curve.riskFreePerPeriod
            peak[i] = curve.drawdown.peak
            threshold[i] = curve.drawdown.threshold
            worst[i] = curve.drawdown.worst
        }
        (self.previous, self.riskFree, self.peak, self.threshold, self.worst) = (previous, riskFree, peak, threshold, worst)
    }

    /// Adds each lane's equity at the close of the next bar; `first`: this is the first bar.
    @inlinable @inline(__always)
    public mutating func add(_ value: Vector, first: Bool) {
        let x = (value / previous - 1) - riskFree
        previous = value
        sum += x
        // min(x, 0) as EquityCurveAccumulator takes it: `0 < x ? 0 : x`.
        let loss = x.replacing(with: 0, where: x .> 0)
        downside += loss * loss
        if first { shift = x }
        let shifted = x - shift
        shiftedSum += shifted
        shiftedSquares += shifted * shifted
        // DrawdownTracker.add: a new peak without a branch (its sign follows the prices), the
        // rare second half lane by lane, as a function of values so the loop keeps its registers.
        let higher = value .> peak
        peak.replace(with: value, where: higher)
        threshold.replace(with: peak * (1 - worst) * (1 + 1e-9), where: higher)
        let deeper = (value .< threshold) .& (peak .> 0)
        if any(deeper) { (worst, threshold) = Self.deepen(value, deeper, peak: peak, worst: worst, threshold: threshold) }
    }

    @inlinable @inline(never)  // rare: a lane sets a new maximum drawdown
    static func deepen(
        _ value: Vector, _ deeper: SIMDMask<Vector.MaskStorage>, peak: Vector, worst: Vector, threshold: Vector
    ) -> (worst: Vector, threshold: Vector) {
        var worst = worst, threshold = threshold
        for i in 0..<Vector.scalarCount where deeper[i] {
            let drawdown = (peak[i] - value[i]) / peak[i]
            if drawdown > worst[i] {
                worst[i] = min(drawdown, 1)
                threshold[i] = peak[i] * (1 - worst[i]) * (1 + 1e-9)
            }
        }
        return (worst, threshold)
    }

    /// Writes the ten statistics at `pointer` in the order a C kernel lays them out (previous,
    /// risk-free, sum, downside, shift, shifted sum, shifted squares, peak, threshold, worst):
    /// lane `i` of statistic `s` at `pointer[s * stride + i]`.
    public func copy(to pointer: UnsafeMutablePointer<Double>, stride: Int) {
        func row(_ s: Int, _ vector: Vector) {
            for i in 0..<Vector.scalarCount { pointer[s * stride + i] = vector[i] }
        }
        row(0, previous); row(1, riskFree); row(2, sum); row(3, downside); row(4, shift)
        row(5, shiftedSum); row(6, shiftedSquares); row(7, peak); row(8, threshold); row(9, worst)
    }

    /// Reads back what ``copy(to:stride:)`` wrote, after a kernel added bars to it (the
    /// risk-free rate and the shift, fixed after the first bar, are not read).
    public mutating func copy(from pointer: UnsafePointer<Double>, stride: Int) {
        func row(_ s: Int) -> Vector {
            var vector = Vector()
            for i in 0..<Vector.scalarCount { vector[i] = pointer[s * stride + i] }
            return vector
        }
        (previous, sum, downside) = (row(0), row(2), row(3))
        (shiftedSum, shiftedSquares, peak, threshold, worst) = (row(5), row(6), row(7), row(8), row(9))
    }

    /// ``EquityCurveAccumulator/closeDay()`` for `curves[lanes]`, lane `i` being
    /// `curves[lanes.lowerBound + i]`: at the first bar of a new UTC day, before its
    /// ``add(_:first:)``.
    @inlinable @inline(never)  // once a day
    public func closeDay(_ curves: inout [EquityCurveAccumulator], lanes: Range<Int>) {
        for k in lanes {
            curves[k].lastEquity = previous[k - lanes.lowerBound]
            curves[k].closeDay()
        }
    }

    /// Writes each lane's statistics into `curves[lanes]` (as ``closeDay(_:lanes:)`` numbers them):
    /// each then equals an accumulator that had added the same `bars` bars itself, its current
    /// day ending at `dayEnd`.
    public func write(into curves: inout [EquityCurveAccumulator], lanes: Range<Int>, bars: Int, dayEnd: Int64) {
        for k in lanes {
            let i = k - lanes.lowerBound
            curves[k].bars = bars
            curves[k].dayEnd = dayEnd
            curves[k].previous = previous[i]
            curves[k].lastEquity = previous[i]
            curves[k].sum = sum[i]
            curves[k].downside = downside[i]
            curves[k].shift = shift[i]
            curves[k].shiftedSum = shiftedSum[i]
            curves[k].shiftedSquares = shiftedSquares[i]
            curves[k].drawdown.peak = peak[i]
            curves[k].drawdown.threshold = threshold[i]
            curves[k].drawdown.worst = worst[i]
        }
    }
}

extension EquityCurveAccumulator {
    /// The end of the UTC day holding `openTime` (nanoseconds; floor division, so times before
    /// 1970 fall in their own day): a bar opening at or after it begins a new day, as
    /// ``add(equity:openTime:)`` counts days for the daily Sharpe ratio and ``EquityCurveLanes``'
    /// callers do for many curves at once.
    @inlinable @inline(__always)
    public static func endOfDay(containing openTime: Int64) -> Int64 {
        (openTime >= 0 ? openTime / day : (openTime - day + 1) / day) * day + day
    }
}
