/// The PostgreSQL schema: the same tables, columns (in the same order), CHECKs, foreign keys and
/// `run_summary` view as the SQLite schema after its last migration (``Schema``), with PostgreSQL
/// types. Migrations are named and recorded in `dca_migrations (name, applied_at)`.
enum PostgresSchema {
    /// Migration names in the order they apply, with their SQL.
    static let migrations: [(name: String, sql: String)] = [
        ("v1_platform_schema", v1),
        ("v2_run_summary_view", RunSummaryView.postgres),
        ("v3_symbol_results", v3),
        ("v4_symbol_figures_of_runs_swept_without_orders", v4),
    ]

    static var migrationNames: [String] { migrations.map(\.name) }

    static let migrationsTable = """
        CREATE TABLE IF NOT EXISTS dca_migrations (name text PRIMARY KEY NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
        """

    /// The tables. `order_logs_run_deal` serves the cascade from a deleted deal to its orders:
    /// without it, deleting a run (its deals cascade first) scanned all of the run's orders once
    /// per deal (169,075 orders and 25,388 deals: over 10 minutes; with it, 0.97 s), for about 6%
    /// more server time per order row written (COPY of the same rows: 3.29 s of backend CPU
    /// against 3.09 s).
    static let v1 = """
        CREATE TABLE sweeps (
            sweep_id uuid PRIMARY KEY NOT NULL,
            grid jsonb NOT NULL,
            created_at timestamptz NOT NULL,
            runs bigint NOT NULL CHECK (runs >= 0),
            base_config jsonb,
            data_fingerprint text,
            engine_version text,
            invalid_points jsonb,
            orders text,
            objective text
        );
        CREATE TABLE bots (
            bot_id uuid PRIMARY KEY NOT NULL,
            user_id uuid,
            name text NOT NULL,
            bot_type text NOT NULL DEFAULT 'dca' CHECK (bot_type = 'dca'),
            status text NOT NULL DEFAULT 'backtest' CHECK (status = 'active' OR status = 'paused' OR status = 'stopped' OR status = 'backtest'),
            symbol text NOT NULL,
            interval text,
            config jsonb NOT NULL,
            required_capital double precision NOT NULL CHECK (required_capital >= 0),
            max_position_size double precision,
            risk_per_trade double precision,
            created_at timestamptz NOT NULL,
            config_hash text NOT NULL UNIQUE
        );
        CREATE TABLE bot_runs (
            run_id uuid PRIMARY KEY NOT NULL,
            bot_id uuid NOT NULL REFERENCES bots(bot_id),
            user_id uuid,
            status text NOT NULL CHECK (status = 'running' OR status = 'completed' OR status = 'failed'),
            started_at timestamptz NOT NULL,
            ended_at timestamptz NOT NULL,
            total_trades bigint NOT NULL CHECK (total_trades >= 0),
            total_pnl double precision NOT NULL,
            max_drawdown double precision NOT NULL CHECK (max_drawdown >= 0 AND max_drawdown <= 1),
            sharpe_ratio double precision,
            data_fingerprint text NOT NULL,
            engine_version text NOT NULL,
            fill_model text NOT NULL CHECK (fill_model = 'pessimistic' OR fill_model = 'ohlc' OR fill_model = 'olhc' OR fill_model = 'adaptive' OR fill_model = 'detail'),
            candles bigint NOT NULL CHECK (candles >= 0),
            initial_balance double precision NOT NULL CHECK (initial_balance > 0),
            final_equity double precision NOT NULL,
            realized_pnl double precision NOT NULL,
            fees_paid double precision NOT NULL CHECK (fees_paid >= 0),
            metrics jsonb NOT NULL,
            standalone boolean NOT NULL DEFAULT false,
            error text,
            executed_at timestamptz NOT NULL,
            wall_seconds double precision NOT NULL CHECK (wall_seconds >= 0),
            UNIQUE (run_id, bot_id)
        );
        CREATE INDEX bot_runs_bot ON bot_runs(bot_id);
        CREATE TABLE sweep_runs (
            sweep_id uuid NOT NULL REFERENCES sweeps(sweep_id) ON DELETE CASCADE,
            run_id uuid NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
            point bigint CHECK (point >= 0),
            PRIMARY KEY (sweep_id, run_id)
        );
        CREATE INDEX sweep_runs_run ON sweep_runs(run_id);
        CREATE TABLE deals (
            run_id uuid NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
            deal_id bigint NOT NULL CHECK (deal_id >= 1),
            symbol text NOT NULL,
            opened_at timestamptz NOT NULL,
            closed_at timestamptz,
            safety_orders_filled bigint NOT NULL CHECK (safety_orders_filled >= 0),
            avg_entry double precision NOT NULL,
            qty double precision NOT NULL CHECK (qty >= 0),
            cost double precision NOT NULL,
            proceeds double precision NOT NULL,
            realized_pnl double precision NOT NULL,
            fees double precision NOT NULL CHECK (fees >= 0),
            close_reason text CHECK (close_reason = 'take_profit' OR close_reason = 'trailing_take_profit' OR close_reason = 'stop_loss' OR close_reason = 'close_condition' OR close_reason = 'signal'),
            PRIMARY KEY (run_id, deal_id)
        );
        CREATE TABLE order_logs (
            order_id uuid PRIMARY KEY NOT NULL,
            bot_id uuid NOT NULL,
            run_id uuid NOT NULL,
            user_id uuid,
            symbol text NOT NULL,
            side text NOT NULL CHECK (side = 'buy' OR side = 'sell'),
            qty double precision NOT NULL CHECK (qty >= 0),
            order_type text NOT NULL CHECK (order_type = 'market' OR order_type = 'limit' OR order_type = 'stop_market'),
            status text NOT NULL CHECK (status = 'new' OR status = 'filled' OR status = 'cancelled' OR status = 'rejected'),
            filled_qty double precision NOT NULL CHECK (filled_qty >= 0),
            avg_price double precision,
            fees double precision NOT NULL CHECK (fees >= 0),
            created_at timestamptz NOT NULL,
            price double precision,
            filled_at timestamptz,
            deal_id bigint,
            role text NOT NULL CHECK (role = 'base' OR role = 'safety' OR role = 'take_profit' OR role = 'trailing_take_profit' OR role = 'stop_loss' OR role = 'recurring' OR role = 'close_condition' OR role = 'signal'),
            safety_order_index bigint CHECK (safety_order_index >= 1),
            reason text,
            needed double precision,
            available double precision,
            sequence bigint NOT NULL CHECK (sequence >= 0),
            take_profit_step bigint CHECK (take_profit_step >= 1 AND take_profit_step <= 4),
            UNIQUE (run_id, sequence),
            FOREIGN KEY (run_id, bot_id) REFERENCES bot_runs(run_id, bot_id) ON DELETE CASCADE,
            FOREIGN KEY (run_id, deal_id) REFERENCES deals(run_id, deal_id) ON DELETE CASCADE
        );
        CREATE INDEX order_logs_run_deal ON order_logs(run_id, deal_id);
        CREATE TABLE positions (
            run_id uuid NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
            user_id uuid,
            symbol text NOT NULL,
            qty double precision NOT NULL CHECK (qty >= 0),
            avg_price double precision,
            current_price double precision NOT NULL,
            unrealized_pnl double precision NOT NULL,
            UNIQUE (run_id, symbol)
        );
        CREATE TABLE funds (
            run_id uuid NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
            user_id uuid,
            exchange text NOT NULL DEFAULT 'paper_trading' CHECK (exchange = 'paper_trading'),
            currency text NOT NULL,
            free double precision NOT NULL CHECK (free >= 0),
            locked double precision NOT NULL CHECK (locked >= 0),
            total double precision NOT NULL CHECK (total >= 0),
            UNIQUE (run_id, exchange, currency)
        );
        CREATE TABLE holdings (
            run_id uuid NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
            user_id uuid,
            asset text NOT NULL,
            quantity double precision NOT NULL CHECK (quantity >= 0),
            UNIQUE (run_id, asset)
        );
        """

    /// The repair of SQLite's `v8_symbol_figures_of_runs_swept_without_orders` (``Schema/symbolFiguresRepair``).
    static let v4 = """
        UPDATE symbol_results s SET
            filled_orders = r.total_trades,
            rejected_orders = (r.metrics->>'rejected_orders')::bigint,
            fees = greatest(r.fees_paid, 0)
        FROM bot_runs r
        WHERE r.run_id = s.run_id
            AND s.filled_orders = 0 AND s.rejected_orders = 0 AND s.fees = 0
            AND (r.total_trades > 0 OR (r.metrics->>'rejected_orders')::bigint > 0)
            AND (SELECT count(*) FROM symbol_results t WHERE t.run_id = s.run_id) = 1
        """

    /// Each traded symbol's figures of a run, as SQLite's `v7_symbol_results`.
    static let v3 = """
        CREATE TABLE symbol_results (
            run_id uuid NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
            user_id uuid,
            symbol text NOT NULL,
            symbol_order bigint NOT NULL CHECK (symbol_order >= 0),
            candles bigint NOT NULL CHECK (candles >= 0),
            deals_opened bigint NOT NULL CHECK (deals_opened >= 0),
            deals_closed bigint NOT NULL CHECK (deals_closed >= 0 AND deals_closed <= deals_opened),
            win_rate double precision CHECK (win_rate >= 0 AND win_rate <= 1),
            realized_pnl double precision NOT NULL,
            fees double precision NOT NULL CHECK (fees >= 0),
            max_capital_in_use double precision NOT NULL CHECK (max_capital_in_use >= 0),
            filled_orders bigint NOT NULL CHECK (filled_orders >= 0),
            rejected_orders bigint NOT NULL CHECK (rejected_orders >= 0),
            buy_and_hold_return double precision,
            PRIMARY KEY (run_id, symbol),
            UNIQUE (run_id, symbol_order)
        );
        """
}
