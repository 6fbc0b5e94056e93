/// Statistics over closed deals' realized PnL (docs/SEMANTICS.md, "Metrics").
public enum DealStatistics {
    /// Share of deals with PnL > 0; `nil` without deals.
    public static func winRate(_ pnls: [Double]) -> Double? {
        guard !pnls.isEmpty else { return nil }
        return Double(pnls.filter { $0 > 0 }.count) / Double(pnls.count)
    }

    /// Gross profit / gross loss; `nil` without a losing deal.
    public static func profitFactor(_ pnls: [Double]) -> Double? {
        var profit = 0.0
        var loss = 0.0
        for p in pnls {
            if p > 0 { profit += p } else if p < 0 { loss -= p }
        }
        guard loss > 0 else { return nil }
        return profit / loss
    }
}
