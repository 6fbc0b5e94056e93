/// How many rows `equity.csv` gets.
public enum EquityDetail: String, Sendable, CaseIterable {
    /// At most ``sampledRowLimit`` rows: every bar when there are no more; otherwise every N-th bar from the first, N = ceil(bars / (limit - 1)), and the last bar.
    case sampled
    /// One row per bar.
    case full

    /// The most rows a sampled `equity.csv` has (plus the last bar): 100,000.
    public static let sampledRowLimit = 100_000

    /// Every how many bars a row is written.
    public func step(bars: Int) -> Int {
        switch self {
        case .full: 1
        // N = ceil(bars / (limit - 1)): at most limit - 1 rows of the stride, and the last bar.
        case .sampled: bars <= Self.sampledRowLimit ? 1 : (bars + Self.sampledRowLimit - 2) / (Self.sampledRowLimit - 1)
        }
    }
}
