import DCAStrategy
import MarketData

/// A sub-series of candles: the bars at `range`, with the whole series's interval (a window of a
/// few bars keeps the interval of the file it came from).
extension CandleSeries {
    public func window(_ range: Range<Int>) -> CandleSeries {
        var slice = CandleSeries(
            openTimes: Array(openTimes[range]), opens: Array(opens[range]), highs: Array(highs[range]), lows: Array(lows[range]),
            closes: Array(closes[range]), volumes: Array(volumes[range])
        )
        slice.cacheInterval(given: intervalNanoseconds)
        return slice
    }
}

/// The outcome of one walk-forward window (or of a `--split`): the best point of its training
/// span by the objective, and that point run again on the test span that follows.
public struct WalkForwardWindowResult: Sendable, Equatable {
    /// From 0.
    public var window: Int
    /// Bar index ranges of the whole series.
    public var train: Range<Int>
    public var test: Range<Int>
    /// The best training point (its index in the sweep) and its values as `key=value, ...`.
    public var bestPoint: Int
    public var bestValues: String
    /// The stored runs: the best point on the training span, and on the test span.
    public var inSampleRunID: String
    public var outOfSampleRunID: String
    /// Every numeric metric of the two runs.
    public var inSample: [String: Double]
    public var outOfSample: [String: Double]

    public init(window: Int, train: Range<Int>, test: Range<Int>, bestPoint: Int, bestValues: String, inSampleRunID: String, outOfSampleRunID: String, inSample: [String: Double], outOfSample: [String: Double]) {
        self.window = window
        self.train = train
        self.test = test
        self.bestPoint = bestPoint
        self.bestValues = bestValues
        self.inSampleRunID = inSampleRunID
        self.outOfSampleRunID = outOfSampleRunID
        self.inSample = inSample
        self.outOfSample = outOfSample
    }
}

/// The walk-forward totals over every window.
///
/// - `inSampleMean`, `outOfSampleMean`: the objective's mean over the windows where it is
///   defined (`inSampleWindows`, `outOfSampleWindows` of them); nil when it is defined in none.
/// - `outOfSamplePnL`: the sum of the test runs' `total_pnl` (quote currency). Test spans never
///   overlap, so this is what the chosen settings earned out of sample, each window starting
///   from the configuration's initial balance.
/// - `outOfSampleReturn`: the test runs' `total_return` compounded, `prod(1 + r_w) - 1` (a
///   fraction): the return of re-investing the balance from one test window into the next.
public struct WalkForwardTotals: Sendable, Equatable {
    public var windows: Int
    public var inSampleMean: Double?
    public var inSampleWindows: Int
    public var outOfSampleMean: Double?
    public var outOfSampleWindows: Int
    public var outOfSamplePnL: Double
    public var outOfSampleReturn: Double

    public init(_ results: [WalkForwardWindowResult], objective: String) {
        windows = results.count
        let inSample = results.compactMap { $0.inSample[objective] }.filter(\.isFinite)
        let outOfSample = results.compactMap { $0.outOfSample[objective] }.filter(\.isFinite)
        inSampleWindows = inSample.count
        outOfSampleWindows = outOfSample.count
        inSampleMean = inSample.isEmpty ? nil : inSample.reduce(0, +) / Double(inSample.count)
        outOfSampleMean = outOfSample.isEmpty ? nil : outOfSample.reduce(0, +) / Double(outOfSample.count)
        outOfSamplePnL = results.reduce(0) { $0 + ($1.outOfSample["total_pnl"] ?? 0) }
        outOfSampleReturn = results.reduce(1) { $0 * (1 + ($1.outOfSample["total_return"] ?? 0)) } - 1
    }
}
