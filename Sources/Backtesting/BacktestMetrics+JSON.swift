import DCAStrategy

extension BacktestMetrics {
    /// Every metric of ``table`` under its key (docs/SEMANTICS.md, "Metrics": `total_pnl`,
    /// `sharpe_ratio`, ...); undefined ratios are `null`.
    public var jsonPairs: [(String, JSONValue)] {
        Self.table.map { ($0.key, $0.value(of: self)) }
    }

    /// ``jsonPairs`` as one compact JSON object: the text stored in `bot_runs.metrics`.
    public var jsonText: String { JSONValue.object(jsonPairs).text() }
}
