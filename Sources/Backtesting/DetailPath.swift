import DCAStrategy
import MarketData

/// A finer candle series laid under the bars of a backtest, for the `detail` fill model
/// (docs/SEMANTICS.md, "Fills"): the price path through bar `i` is the finer candles whose open times
/// lie in `[open time of bar i, open time of bar i + 1)` (the last bar: one bar interval), each
/// walked `open -> X -> Y -> close` with the `pessimistic` choice of X and Y; the moves between
/// them (a finer close to the next finer open) are ordinary legs inside the bar, not gaps.
///
/// Finer candles before the first bar or after the last are not used. A bar with no finer
/// candle is walked as `pessimistic` and counted in ``barsWithoutDetail``.
public struct DetailPath: Sendable {
    let opens: [Double]
    let highs: [Double]
    let lows: [Double]
    let closes: [Double]
    /// `starts[i] ..< starts[i + 1]`: the finer candles of bar `i` (bars + 1 entries).
    let starts: [Int]
    /// Bars with no finer candle inside (walked as `pessimistic`).
    public let barsWithoutDetail: Int
    /// Finer candles that lie inside some bar.
    public let candlesUsed: Int

    /// Lays `detail` under `bars`.
    /// - Throws: ``DetailPathError`` when the finer series is not finer than the bars (its
    ///   interval is not shorter), its interval does not divide the bars' (7-minute candles
    ///   under hourly bars: one would straddle two bars), none of its candles lies inside a bar (other days), or a
    ///   finer candle reaches outside the high-low range of its bar by more than a relative 1e-9
    ///   (the two series are not the same market).
    public init(bars: CandleSeries, detail: CandleSeries) throws(DetailPathError) {
        if let coarse = bars.intervalNanoseconds, let fine = detail.intervalNanoseconds, fine >= coarse {
            throw DetailPathError("the detail candles (every \(fine / 1_000_000_000) s) are not finer than the bars (every \(coarse / 1_000_000_000) s): give a series with a shorter interval, e.g. 1-minute candles under hourly bars.")
        }
        if let coarse = bars.intervalNanoseconds, let fine = detail.intervalNanoseconds, fine > 0, coarse % fine != 0 {
            throw DetailPathError("the detail interval (\(Timeframe.describe(nanoseconds: fine))) does not divide the bar interval (\(Timeframe.describe(nanoseconds: coarse))): a bar must hold a whole number of finer candles, or one would straddle two bars; give e.g. 1-minute or 5-minute candles under hourly bars.")
        }
        let barTimes = bars.openTimes, fineTimes = detail.openTimes
        var starts = [Int](repeating: 0, count: bars.count + 1)
        var f = 0
        while f < fineTimes.count, let first = barTimes.first, fineTimes[f] < first { f += 1 }
        let lastEnd: Int64 = bars.count > 0 ? barTimes[bars.count - 1] &+ (bars.intervalNanoseconds ?? Int64.max / 2) : Int64.min
        var empty = 0, used = 0
        for bar in 0..<bars.count {
            starts[bar] = f
            let end = bar + 1 < bars.count ? barTimes[bar + 1] : lastEnd
            let start = f
            while f < fineTimes.count, fineTimes[f] < end {
                let slack = 1e-9 * max(abs(bars.highs[bar]), abs(bars.lows[bar]))
                if detail.highs[f] > bars.highs[bar] + slack || detail.lows[f] < bars.lows[bar] - slack {
                    throw DetailPathError("the detail candle at \(UTCTime.iso8601(nanoseconds: fineTimes[f])) (low \(detail.lows[f]), high \(detail.highs[f])) reaches outside its bar at \(UTCTime.iso8601(nanoseconds: barTimes[bar])) (low \(bars.lows[bar]), high \(bars.highs[bar])): the detail data must be the same market as the bars.")
                }
                f += 1
            }
            if f == start { empty += 1 }
            used += f - start
        }
        starts[bars.count] = f
        if used == 0, bars.count > 0 {
            let span = detail.isEmpty ? "none" : "\(UTCTime.iso8601(nanoseconds: fineTimes[0])) to \(UTCTime.iso8601(nanoseconds: fineTimes[fineTimes.count - 1]))"
            throw DetailPathError("none of the detail candles (\(span)) lies inside the bars (\(UTCTime.iso8601(nanoseconds: barTimes[0])) to \(UTCTime.iso8601(nanoseconds: barTimes[bars.count - 1]))): give the finer candles of the same days.")
        }
        self.starts = starts
        opens = detail.opens
        highs = detail.highs
        lows = detail.lows
        closes = detail.closes
        barsWithoutDetail = empty
        candlesUsed = used
    }
}

/// Why a detail series cannot be laid under the bars; one sentence saying what to do.
public struct DetailPathError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = "Cannot use the detail candles: " + description }
}
