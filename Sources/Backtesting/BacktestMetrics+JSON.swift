import DCAStrategy

extension BacktestMetrics {
    /// Every metric of ``table`` under its key (docs/SEMANTICS.md, "Metrics": `total_pnl`,
    /// `sharpe_ratio`, ...); undefined ratios are `null`.
    public var jsonPairs: [(String, JSONValue)] {
        Self.table.map { ($0.key, $0.value(of: self)) }
    }
}
