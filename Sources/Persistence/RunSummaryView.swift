/// The `run_summary` view, the same columns in SQLite and PostgreSQL: one row per run with its
/// bot's name, symbol(s), quote currency and every metric of `bot_runs.metrics` as its own
/// column, so that `SELECT ... FROM run_summary WHERE quote_currency = 'USDT'` needs no JSON.
enum RunSummaryView {
    /// Metrics of BacktestMetrics.jsonPairs shown as columns, with their SQL types.
    static let metricColumns: [(name: String, integer: Bool)] = [
        ("total_return", false), ("unrealized_pnl", false), ("max_drawdown_realized", false), ("sharpe_ratio_daily", false),
        ("sortino_ratio", false), ("sharpe_ratio_null_reason", false), ("cagr", false), ("calmar_ratio", false),
        ("rejected_orders", true), ("deals_opened", true), ("deals_closed", true), ("win_rate", false), ("profit_factor", false),
        ("average_deal_duration_seconds", false), ("longest_deal_duration_seconds", false), ("max_safety_orders_used", true),
        ("max_capital_in_use", false), ("exposure", false), ("buy_and_hold_return", false), ("periods_per_year", false),
        ("interval_seconds", false),
    ]

    /// Columns of the view in order.
    static var columns: [String] {
        ["run_id", "bot_id", "name", "symbols", "quote_currency", "interval", "fill_model", "status", "started_at", "ended_at", "candles",
         "initial_balance", "final_equity", "total_pnl", "realized_pnl", "fees_paid", "total_trades", "max_drawdown", "sharpe_ratio"]
            + metricColumns.map(\.name) + ["standalone", "sweeps", "orders_stored", "user_id", "data_fingerprint", "engine_version", "executed_at", "wall_seconds"]
    }

    /// The run's own bar interval as `1m`, `1h`, `1d`, `1w` or `90s` (as RunStore.intervalName
    /// writes it), from its metrics; the bot's interval when the run has none (a single bar).
    /// Not `bots.interval`: one bot can run over data of several intervals.
    static func intervalName(seconds s: String) -> String {
        """
        CASE WHEN \(s) IS NULL THEN b.interval
            WHEN \(s) % 604800 = 0 THEN (\(s) / 604800) || 'w' WHEN \(s) % 86400 = 0 THEN (\(s) / 86400) || 'd'
            WHEN \(s) % 3600 = 0 THEN (\(s) / 3600) || 'h' WHEN \(s) % 60 = 0 THEN (\(s) / 60) || 'm' ELSE \(s) || 's' END AS interval
        """
    }

    static let sqlite: String = {
        let metrics = metricColumns.map { "json_extract(r.metrics, '$.\($0.name)') AS \($0.name)" }.joined(separator: ",\n    ")
        return """
            CREATE VIEW run_summary AS SELECT
                r.run_id, r.bot_id, b.name,
                COALESCE((SELECT group_concat(value, ',') FROM json_each(b.config, '$.symbols')), b.symbol) AS symbols,
                json_extract(b.config, '$.quote_currency') AS quote_currency,
                \(intervalName(seconds: "CAST(json_extract(r.metrics, '$.interval_seconds') AS INTEGER)")), r.fill_model, r.status, r.started_at, r.ended_at, r.candles,
                r.initial_balance, r.final_equity, r.total_pnl, r.realized_pnl, r.fees_paid, r.total_trades, r.max_drawdown, r.sharpe_ratio,
                \(metrics),
                r.standalone, (SELECT COUNT(*) FROM sweep_runs l WHERE l.run_id = r.run_id) AS sweeps,
                EXISTS (SELECT 1 FROM order_logs o WHERE o.run_id = r.run_id) AS orders_stored,
                r.user_id, r.data_fingerprint, r.engine_version, r.executed_at, r.wall_seconds
            FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id
            """
    }()

    static let postgres: String = {
        let metrics = metricColumns.map {
            $0.name == "sharpe_ratio_null_reason" ? "r.metrics->>'\($0.name)' AS \($0.name)"
                : "(r.metrics->>'\($0.name)')::\($0.integer ? "bigint" : "double precision") AS \($0.name)"
        }.joined(separator: ",\n    ")
        return """
            CREATE VIEW run_summary AS SELECT
                r.run_id, r.bot_id, b.name,
                COALESCE(CASE WHEN jsonb_typeof(b.config->'symbols') = 'array'
                    THEN (SELECT string_agg(value, ',') FROM jsonb_array_elements_text(b.config->'symbols')) END, b.symbol) AS symbols,
                b.config->>'quote_currency' AS quote_currency,
                \(intervalName(seconds: "((r.metrics->>'interval_seconds')::double precision)::bigint")), r.fill_model, r.status, r.started_at, r.ended_at, r.candles,
                r.initial_balance, r.final_equity, r.total_pnl, r.realized_pnl, r.fees_paid, r.total_trades, r.max_drawdown, r.sharpe_ratio,
                \(metrics),
                r.standalone, (SELECT COUNT(*) FROM sweep_runs l WHERE l.run_id = r.run_id) AS sweeps,
                EXISTS (SELECT 1 FROM order_logs o WHERE o.run_id = r.run_id) AS orders_stored,
                r.user_id, r.data_fingerprint, r.engine_version, r.executed_at, r.wall_seconds
            FROM bot_runs r JOIN bots b ON b.bot_id = r.bot_id
            """
    }()
}
