/// Equity of a multi-pair bot at an open time: the quote total plus, for each symbol in the
/// configuration's order, its base total times its last close at or before that time
/// (docs/SEMANTICS.md section 7). A symbol without a bar yet holds no base and adds nothing.
///
/// Summed in symbol order starting from the quote total, so a one-symbol bot's equity is
/// `quote + base * close`, bit for bit.
public enum PortfolioEquity {
    /// - Parameters:
    ///   - quoteTotal: free and locked quote, quote currency.
    ///   - baseTotals: each symbol's free and locked base.
    ///   - lastCloses: each symbol's last close so far; NaN before its first bar.
    @inlinable
    public static func value(quoteTotal: Double, baseTotals: UnsafeBufferPointer<Double>, lastCloses: UnsafeBufferPointer<Double>) -> Double {
        var equity = quoteTotal
        for s in 0..<baseTotals.count where baseTotals[s] != 0 {
            equity += baseTotals[s] * lastCloses[s]
        }
        return equity
    }
}
