/// Walk-forward windows over a candle series (optimise on a training window, evaluate the best
/// point on the test window that follows, roll on by the test length).
///
/// Times are bar open times in nanoseconds since the Unix epoch. With `T` the training length,
/// `S` the test length and `t0` the first bar's open time, window `w` (from 0) trains on bars with
/// open time in `[t0 + w*S, t0 + w*S + T)` and tests on `[t0 + w*S + T, t0 + w*S + T + S)`. Only
/// complete windows count: a window whose test span ends after the last bar's close
/// (`lastOpen + interval`) is not formed, and the bars after the last test window are reported as
/// left out. Each window holds bar index ranges, so a backtest of a window is a backtest of a
/// slice of the series.
public struct WalkForwardPlan: Sendable, Equatable {
    public struct Window: Sendable, Equatable {
        /// Bar indices of the training span (half-open).
        public let train: Range<Int>
        /// Bar indices of the test span (half-open).
        public let test: Range<Int>

        public init(train: Range<Int>, test: Range<Int>) {
            self.train = train
            self.test = test
        }
    }

    public let windows: [Window]
    /// Bars after the last complete test window (not evaluated).
    public let barsLeftOut: Int

    /// - Parameters:
    ///   - openTimes: the bars' open times, strictly increasing.
    ///   - interval: the bar interval in nanoseconds.
    ///   - train: the training length in nanoseconds (> 0).
    ///   - test: the test length in nanoseconds (> 0).
    public init(openTimes: [Int64], interval: Int64, train: Int64, test: Int64) {
        precondition(train > 0 && test > 0 && interval > 0)
        var windows: [Window] = []
        guard let first = openTimes.first, let last = openTimes.last else {
            self.windows = []
            self.barsLeftOut = 0
            return
        }
        let end = last &+ interval   // the last bar's close
        var start = first
        var coveredUpTo = 0
        while true {
            let (testEnd, overflow) = start.addingReportingOverflow(train &+ test)
            guard !overflow, testEnd <= end else { break }
            let trainStart = Self.firstIndex(openTimes, atOrAfter: start)
            let testStart = Self.firstIndex(openTimes, atOrAfter: start + train)
            let testStop = Self.firstIndex(openTimes, atOrAfter: testEnd)
            windows.append(Window(train: trainStart..<testStart, test: testStart..<testStop))
            coveredUpTo = testStop
            start += test
        }
        self.windows = windows
        self.barsLeftOut = windows.isEmpty ? openTimes.count : openTimes.count - coveredUpTo
    }

    /// The first index whose open time is at or after `time` (binary search).
    static func firstIndex(_ times: [Int64], atOrAfter time: Int64) -> Int {
        var low = 0, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] < time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// One in-sample/out-of-sample split: the first `floor(fraction * count)` bars in sample, the
    /// rest out of sample. `fraction` in (0, 1).
    public static func split(count: Int, fraction: Double) -> (inSample: Range<Int>, outOfSample: Range<Int>) {
        precondition(fraction > 0 && fraction < 1)
        let cut = Int((Double(count) * fraction).rounded(.down))
        return (0..<cut, cut..<count)
    }

    /// Reads `TRAIN/TEST` lengths such as `90d/30d` (units `m`, `h`, `d`, `w`).
    /// - Returns: nanoseconds, or nil when the text is not of that form.
    public static func parseLengths(_ text: String) -> (train: Int64, test: Int64)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let train = parseLength(parts[0]), let test = parseLength(parts[1]) else { return nil }
        return (train, test)
    }

    /// `15m`, `4h`, `90d`, `2w` in nanoseconds; nil for anything else or a length of 0.
    public static func parseLength(_ text: Substring) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0 else { return nil }
        let minute: Int64 = 60_000_000_000
        let scale: Int64
        switch unit {
        case "m": scale = minute
        case "h": scale = 60 * minute
        case "d": scale = 1_440 * minute
        case "w": scale = 10_080 * minute
        default: return nil
        }
        let (value, overflow) = count.multipliedReportingOverflow(by: scale)
        return overflow ? nil : value
    }
}

/// Which varied keys of a point sit on the edge of their values: the first or last of a key with
/// at least three values (with two values every point is on an edge, so none is flagged). A best
/// point on an edge says the optimum may lie outside the range searched.
public enum RangeEdge {
    /// - Parameters:
    ///   - valueIndices: for each varied key, the point's position among the key's values.
    ///   - valueCounts: for each varied key, how many values it has.
    /// - Returns: the positions (into the key list) of the keys on an edge.
    public static func keysOnEdge(valueIndices: [Int], valueCounts: [Int]) -> [Int] {
        precondition(valueIndices.count == valueCounts.count)
        return valueIndices.indices.filter { j in
            valueCounts[j] >= 3 && (valueIndices[j] == 0 || valueIndices[j] == valueCounts[j] - 1)
        }
    }
}
