import GRDB

/// The SQLite schema of docs/SCHEMA.md, created and evolved by named, ordered migrations.
///
/// Table and column names are the DCA platform's (`bots`, `bot_runs`, `order_logs`,
/// `positions`, `funds`, `holdings`); the harness adds columns and the tables `deals` and
/// `sweeps`. Constraints live in the schema: NOT NULL, CHECK on every enumeration, foreign keys
/// (GRDB turns them on for every connection), unique keys.
public enum Schema {
    /// Migration names in the order they apply. A database that lists a migration not in this
    /// list was written by a newer version and is refused.
    public static let migrationNames = [
        "v1_platform_schema", "v2_sweep_details", "v3_enumeration_checks_by_equality", "engine_v2_exit_roles_and_steps",
        "v4_sweep_membership_links", "v5_run_summary_view", "v6_signal_exit_role", "v7_symbol_results",
        "v8_symbol_figures_of_runs_swept_without_orders",
    ]

    /// Every table, parents before children (the order to copy rows in).
    public static let tables = ["sweeps", "bots", "bot_runs", "sweep_runs", "deals", "order_logs", "positions", "funds", "holdings", "symbol_results"]

    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_platform_schema") { db in
            try db.execute(sql: """
                CREATE TABLE sweeps (
                    sweep_id TEXT PRIMARY KEY NOT NULL,
                    grid TEXT NOT NULL CHECK (json_valid(grid)),
                    created_at TEXT NOT NULL,
                    runs INTEGER NOT NULL CHECK (runs >= 0)
                );
                CREATE TABLE bots (
                    bot_id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT,
                    name TEXT NOT NULL,
                    bot_type TEXT NOT NULL DEFAULT 'dca' CHECK (bot_type IN ('dca')),
                    status TEXT NOT NULL DEFAULT 'backtest' CHECK (status IN ('active', 'paused', 'stopped', 'backtest')),
                    symbol TEXT NOT NULL,
                    interval TEXT,
                    config TEXT NOT NULL CHECK (json_valid(config)),
                    required_capital REAL NOT NULL CHECK (required_capital >= 0),
                    max_position_size REAL,
                    risk_per_trade REAL,
                    created_at TEXT NOT NULL,
                    config_hash TEXT NOT NULL UNIQUE
                );
                CREATE TABLE bot_runs (
                    run_id TEXT PRIMARY KEY NOT NULL,
                    bot_id TEXT NOT NULL REFERENCES bots(bot_id),
                    user_id TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    total_trades INTEGER NOT NULL CHECK (total_trades >= 0),
                    total_pnl REAL NOT NULL,
                    max_drawdown REAL NOT NULL CHECK (max_drawdown >= 0 AND max_drawdown <= 1),
                    sharpe_ratio REAL,
                    data_fingerprint TEXT NOT NULL,
                    engine_version TEXT NOT NULL,
                    fill_model TEXT NOT NULL CHECK (fill_model IN ('pessimistic', 'ohlc', 'olhc', 'adaptive', 'detail')),
                    candles INTEGER NOT NULL CHECK (candles >= 0),
                    initial_balance REAL NOT NULL CHECK (initial_balance > 0),
                    final_equity REAL NOT NULL,
                    realized_pnl REAL NOT NULL,
                    fees_paid REAL NOT NULL CHECK (fees_paid >= 0),
                    metrics TEXT NOT NULL CHECK (json_valid(metrics)),
                    sweep_id TEXT REFERENCES sweeps(sweep_id),
                    error TEXT,
                    executed_at TEXT NOT NULL,
                    wall_seconds REAL NOT NULL CHECK (wall_seconds >= 0)
                );
                CREATE INDEX bot_runs_bot ON bot_runs(bot_id);
                CREATE TABLE deals (
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    deal_id INTEGER NOT NULL CHECK (deal_id >= 1),
                    symbol TEXT NOT NULL,
                    opened_at TEXT NOT NULL,
                    closed_at TEXT,
                    safety_orders_filled INTEGER NOT NULL CHECK (safety_orders_filled >= 0),
                    avg_entry REAL NOT NULL,
                    qty REAL NOT NULL CHECK (qty >= 0),
                    cost REAL NOT NULL,
                    proceeds REAL NOT NULL,
                    realized_pnl REAL NOT NULL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    close_reason TEXT CHECK (close_reason IN ('take_profit', 'trailing_take_profit', 'stop_loss')),
                    PRIMARY KEY (run_id, deal_id)
                );
                CREATE TABLE order_logs (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    bot_id TEXT NOT NULL REFERENCES bots(bot_id),
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    user_id TEXT,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
                    qty REAL NOT NULL CHECK (qty >= 0),
                    order_type TEXT NOT NULL CHECK (order_type IN ('market', 'limit', 'stop_market')),
                    status TEXT NOT NULL CHECK (status IN ('new', 'filled', 'cancelled', 'rejected')),
                    filled_qty REAL NOT NULL CHECK (filled_qty >= 0),
                    avg_price REAL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    created_at TEXT NOT NULL,
                    price REAL,
                    filled_at TEXT,
                    deal_id INTEGER,
                    role TEXT NOT NULL CHECK (role IN ('base', 'safety', 'take_profit', 'trailing_take_profit', 'stop_loss', 'recurring')),
                    safety_order_index INTEGER CHECK (safety_order_index >= 1),
                    reason TEXT,
                    needed REAL,
                    available REAL,
                    sequence INTEGER NOT NULL CHECK (sequence >= 0),
                    UNIQUE (run_id, sequence),
                    FOREIGN KEY (run_id, deal_id) REFERENCES deals(run_id, deal_id) ON DELETE CASCADE
                );
                CREATE TABLE positions (
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    user_id TEXT,
                    symbol TEXT NOT NULL,
                    qty REAL NOT NULL CHECK (qty >= 0),
                    avg_price REAL,
                    current_price REAL NOT NULL,
                    unrealized_pnl REAL NOT NULL,
                    UNIQUE (run_id, symbol)
                );
                CREATE TABLE funds (
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    user_id TEXT,
                    exchange TEXT NOT NULL DEFAULT 'paper_trading' CHECK (exchange IN ('paper_trading')),
                    currency TEXT NOT NULL,
                    free REAL NOT NULL CHECK (free >= 0),
                    locked REAL NOT NULL CHECK (locked >= 0),
                    total REAL NOT NULL CHECK (total >= 0),
                    UNIQUE (run_id, exchange, currency)
                );
                CREATE TABLE holdings (
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    user_id TEXT,
                    asset TEXT NOT NULL,
                    quantity REAL NOT NULL CHECK (quantity >= 0),
                    UNIQUE (run_id, asset)
                );
                """)
        }
        // A sweep keeps what it ran on and which grid points it could not run.
        migrator.registerMigration("v2_sweep_details") { db in
            try db.execute(sql: """
                ALTER TABLE sweeps ADD COLUMN base_config TEXT CHECK (base_config IS NULL OR json_valid(base_config));
                ALTER TABLE sweeps ADD COLUMN data_fingerprint TEXT;
                ALTER TABLE sweeps ADD COLUMN engine_version TEXT;
                ALTER TABLE sweeps ADD COLUMN invalid_points TEXT CHECK (invalid_points IS NULL OR json_valid(invalid_points));
                CREATE INDEX bot_runs_sweep ON bot_runs(sweep_id);
                """)
        }
        // SQLite 3.40 evaluates `x IN ('a', 'b', 'c')` with more than two values by building a
        // temporary b-tree once per statement execution; in a CHECK that costs about 13 µs per
        // INSERT and list (four lists made a one-row order_logs INSERT take 75 µs instead of
        // 7 µs). The same enumerations written as `x = 'a' OR x = 'b' OR ...` cost nothing
        // measurable. SQLite cannot alter a CHECK, so the four tables that had such lists are
        // rebuilt (create, copy, drop, rename; GRDB turns foreign keys off during a migration
        // and runs `PRAGMA foreign_key_check` before it commits). The rebuild also replaces
        // order_logs' two single-column foreign keys to bots and bot_runs by one on
        // (run_id, bot_id): an order's bot must be its run's bot, one lookup per row.
        migrator.registerMigration("v3_enumeration_checks_by_equality") { db in
            try db.execute(sql: """
                CREATE TABLE bots_v3 (
                    bot_id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT,
                    name TEXT NOT NULL,
                    bot_type TEXT NOT NULL DEFAULT 'dca' CHECK (bot_type = 'dca'),
                    status TEXT NOT NULL DEFAULT 'backtest' CHECK (status = 'active' OR status = 'paused' OR status = 'stopped' OR status = 'backtest'),
                    symbol TEXT NOT NULL,
                    interval TEXT,
                    config TEXT NOT NULL CHECK (json_valid(config)),
                    required_capital REAL NOT NULL CHECK (required_capital >= 0),
                    max_position_size REAL,
                    risk_per_trade REAL,
                    created_at TEXT NOT NULL,
                    config_hash TEXT NOT NULL UNIQUE
                );
                INSERT INTO bots_v3 SELECT * FROM bots;
                CREATE TABLE bot_runs_v3 (
                    run_id TEXT PRIMARY KEY NOT NULL,
                    bot_id TEXT NOT NULL REFERENCES bots(bot_id),
                    user_id TEXT,
                    status TEXT NOT NULL CHECK (status = 'running' OR status = 'completed' OR status = 'failed'),
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    total_trades INTEGER NOT NULL CHECK (total_trades >= 0),
                    total_pnl REAL NOT NULL,
                    max_drawdown REAL NOT NULL CHECK (max_drawdown >= 0 AND max_drawdown <= 1),
                    sharpe_ratio REAL,
                    data_fingerprint TEXT NOT NULL,
                    engine_version TEXT NOT NULL,
                    fill_model TEXT NOT NULL CHECK (fill_model = 'pessimistic' OR fill_model = 'ohlc' OR fill_model = 'olhc' OR fill_model = 'adaptive' OR fill_model = 'detail'),
                    candles INTEGER NOT NULL CHECK (candles >= 0),
                    initial_balance REAL NOT NULL CHECK (initial_balance > 0),
                    final_equity REAL NOT NULL,
                    realized_pnl REAL NOT NULL,
                    fees_paid REAL NOT NULL CHECK (fees_paid >= 0),
                    metrics TEXT NOT NULL CHECK (json_valid(metrics)),
                    sweep_id TEXT REFERENCES sweeps(sweep_id),
                    error TEXT,
                    executed_at TEXT NOT NULL,
                    wall_seconds REAL NOT NULL CHECK (wall_seconds >= 0),
                    UNIQUE (run_id, bot_id)
                );
                INSERT INTO bot_runs_v3 SELECT * FROM bot_runs;
                CREATE TABLE deals_v3 (
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    deal_id INTEGER NOT NULL CHECK (deal_id >= 1),
                    symbol TEXT NOT NULL,
                    opened_at TEXT NOT NULL,
                    closed_at TEXT,
                    safety_orders_filled INTEGER NOT NULL CHECK (safety_orders_filled >= 0),
                    avg_entry REAL NOT NULL,
                    qty REAL NOT NULL CHECK (qty >= 0),
                    cost REAL NOT NULL,
                    proceeds REAL NOT NULL,
                    realized_pnl REAL NOT NULL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    close_reason TEXT CHECK (close_reason = 'take_profit' OR close_reason = 'trailing_take_profit' OR close_reason = 'stop_loss'),
                    PRIMARY KEY (run_id, deal_id)
                );
                INSERT INTO deals_v3 SELECT * FROM deals;
                CREATE TABLE order_logs_v3 (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    bot_id TEXT NOT NULL,
                    run_id TEXT NOT NULL,
                    user_id TEXT,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side = 'buy' OR side = 'sell'),
                    qty REAL NOT NULL CHECK (qty >= 0),
                    order_type TEXT NOT NULL CHECK (order_type = 'market' OR order_type = 'limit' OR order_type = 'stop_market'),
                    status TEXT NOT NULL CHECK (status = 'new' OR status = 'filled' OR status = 'cancelled' OR status = 'rejected'),
                    filled_qty REAL NOT NULL CHECK (filled_qty >= 0),
                    avg_price REAL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    created_at TEXT NOT NULL,
                    price REAL,
                    filled_at TEXT,
                    deal_id INTEGER,
                    role TEXT NOT NULL CHECK (role = 'base' OR role = 'safety' OR role = 'take_profit' OR role = 'trailing_take_profit' OR role = 'stop_loss' OR role = 'recurring'),
                    safety_order_index INTEGER CHECK (safety_order_index >= 1),
                    reason TEXT,
                    needed REAL,
                    available REAL,
                    sequence INTEGER NOT NULL CHECK (sequence >= 0),
                    UNIQUE (run_id, sequence),
                    FOREIGN KEY (run_id, bot_id) REFERENCES bot_runs(run_id, bot_id) ON DELETE CASCADE,
                    FOREIGN KEY (run_id, deal_id) REFERENCES deals(run_id, deal_id) ON DELETE CASCADE
                );
                INSERT INTO order_logs_v3 SELECT * FROM order_logs;
                DROP TABLE order_logs;
                DROP TABLE deals;
                DROP TABLE bot_runs;
                DROP TABLE bots;
                ALTER TABLE bots_v3 RENAME TO bots;
                ALTER TABLE bot_runs_v3 RENAME TO bot_runs;
                ALTER TABLE deals_v3 RENAME TO deals;
                ALTER TABLE order_logs_v3 RENAME TO order_logs;
                CREATE INDEX bot_runs_bot ON bot_runs(bot_id);
                CREATE INDEX bot_runs_sweep ON bot_runs(sweep_id);
                """)
        }
        // Engine v2: the close condition as an order role and a deal close reason, and the step
        // (1-4) of a take-profit step order. SQLite cannot alter a CHECK: deals and order_logs
        // are rebuilt as in v3 (create, copy, drop, rename), existing rows kept as they were.
        migrator.registerMigration("engine_v2_exit_roles_and_steps") { db in
            try db.execute(sql: """
                CREATE TABLE deals_engine_v2 (
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    deal_id INTEGER NOT NULL CHECK (deal_id >= 1),
                    symbol TEXT NOT NULL,
                    opened_at TEXT NOT NULL,
                    closed_at TEXT,
                    safety_orders_filled INTEGER NOT NULL CHECK (safety_orders_filled >= 0),
                    avg_entry REAL NOT NULL,
                    qty REAL NOT NULL CHECK (qty >= 0),
                    cost REAL NOT NULL,
                    proceeds REAL NOT NULL,
                    realized_pnl REAL NOT NULL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    close_reason TEXT CHECK (close_reason = 'take_profit' OR close_reason = 'trailing_take_profit' OR close_reason = 'stop_loss' OR close_reason = 'close_condition'),
                    PRIMARY KEY (run_id, deal_id)
                );
                INSERT INTO deals_engine_v2 SELECT * FROM deals;
                CREATE TABLE order_logs_engine_v2 (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    bot_id TEXT NOT NULL,
                    run_id TEXT NOT NULL,
                    user_id TEXT,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side = 'buy' OR side = 'sell'),
                    qty REAL NOT NULL CHECK (qty >= 0),
                    order_type TEXT NOT NULL CHECK (order_type = 'market' OR order_type = 'limit' OR order_type = 'stop_market'),
                    status TEXT NOT NULL CHECK (status = 'new' OR status = 'filled' OR status = 'cancelled' OR status = 'rejected'),
                    filled_qty REAL NOT NULL CHECK (filled_qty >= 0),
                    avg_price REAL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    created_at TEXT NOT NULL,
                    price REAL,
                    filled_at TEXT,
                    deal_id INTEGER,
                    role TEXT NOT NULL CHECK (role = 'base' OR role = 'safety' OR role = 'take_profit' OR role = 'trailing_take_profit' OR role = 'stop_loss' OR role = 'recurring' OR role = 'close_condition'),
                    safety_order_index INTEGER CHECK (safety_order_index >= 1),
                    reason TEXT,
                    needed REAL,
                    available REAL,
                    sequence INTEGER NOT NULL CHECK (sequence >= 0),
                    take_profit_step INTEGER CHECK (take_profit_step >= 1 AND take_profit_step <= 4),
                    UNIQUE (run_id, sequence),
                    FOREIGN KEY (run_id, bot_id) REFERENCES bot_runs(run_id, bot_id) ON DELETE CASCADE,
                    FOREIGN KEY (run_id, deal_id) REFERENCES deals(run_id, deal_id) ON DELETE CASCADE
                );
                INSERT INTO order_logs_engine_v2 (order_id, bot_id, run_id, user_id, symbol, side, qty, order_type, status, filled_qty, avg_price,
                    fees, created_at, price, filled_at, deal_id, role, safety_order_index, reason, needed, available, sequence)
                    SELECT order_id, bot_id, run_id, user_id, symbol, side, qty, order_type, status, filled_qty, avg_price,
                    fees, created_at, price, filled_at, deal_id, role, safety_order_index, reason, needed, available, sequence FROM order_logs;
                DROP TABLE order_logs;
                DROP TABLE deals;
                ALTER TABLE deals_engine_v2 RENAME TO deals;
                ALTER TABLE order_logs_engine_v2 RENAME TO order_logs;
                """)
        }
        // Sweep membership moves from bot_runs.sweep_id (one sweep per run, rewritten by whoever
        // stored the run last: a `run` of a sweep point dropped it from its sweep) to the link
        // table sweep_runs: a run belongs to any number of sweeps, and `standalone` says it was
        // also stored by `run`. Links are only ever added; deleting a run (runs delete) removes
        // its links; `point` is the first grid point that is this run. Sweeps record which
        // orders they store (`all`, `none`, `top:N`) and their objective. Every row is kept: each run with a sweep_id gets its link, and runs without
        // one were stored by `run`. bot_runs is rebuilt without sweep_id (SQLite cannot drop a
        // column that a foreign key uses).
        migrator.registerMigration("v4_sweep_membership_links") { db in
            try db.execute(sql: """
                CREATE TABLE bot_runs_v4 (
                    run_id TEXT PRIMARY KEY NOT NULL,
                    bot_id TEXT NOT NULL REFERENCES bots(bot_id),
                    user_id TEXT,
                    status TEXT NOT NULL CHECK (status = 'running' OR status = 'completed' OR status = 'failed'),
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    total_trades INTEGER NOT NULL CHECK (total_trades >= 0),
                    total_pnl REAL NOT NULL,
                    max_drawdown REAL NOT NULL CHECK (max_drawdown >= 0 AND max_drawdown <= 1),
                    sharpe_ratio REAL,
                    data_fingerprint TEXT NOT NULL,
                    engine_version TEXT NOT NULL,
                    fill_model TEXT NOT NULL CHECK (fill_model = 'pessimistic' OR fill_model = 'ohlc' OR fill_model = 'olhc' OR fill_model = 'adaptive' OR fill_model = 'detail'),
                    candles INTEGER NOT NULL CHECK (candles >= 0),
                    initial_balance REAL NOT NULL CHECK (initial_balance > 0),
                    final_equity REAL NOT NULL,
                    realized_pnl REAL NOT NULL,
                    fees_paid REAL NOT NULL CHECK (fees_paid >= 0),
                    metrics TEXT NOT NULL CHECK (json_valid(metrics)),
                    standalone INTEGER NOT NULL DEFAULT 0 CHECK (standalone = 0 OR standalone = 1),
                    error TEXT,
                    executed_at TEXT NOT NULL,
                    wall_seconds REAL NOT NULL CHECK (wall_seconds >= 0),
                    UNIQUE (run_id, bot_id)
                );
                INSERT INTO bot_runs_v4 (run_id, bot_id, user_id, status, started_at, ended_at, total_trades, total_pnl, max_drawdown,
                    sharpe_ratio, data_fingerprint, engine_version, fill_model, candles, initial_balance, final_equity, realized_pnl,
                    fees_paid, metrics, standalone, error, executed_at, wall_seconds)
                SELECT run_id, bot_id, user_id, status, started_at, ended_at, total_trades, total_pnl, max_drawdown,
                    sharpe_ratio, data_fingerprint, engine_version, fill_model, candles, initial_balance, final_equity, realized_pnl,
                    fees_paid, metrics, sweep_id IS NULL, error, executed_at, wall_seconds FROM bot_runs;
                CREATE TABLE sweep_runs (
                    sweep_id TEXT NOT NULL REFERENCES sweeps(sweep_id) ON DELETE CASCADE,
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    point INTEGER CHECK (point >= 0),
                    PRIMARY KEY (sweep_id, run_id)
                );
                INSERT INTO sweep_runs (sweep_id, run_id) SELECT sweep_id, run_id FROM bot_runs WHERE sweep_id IS NOT NULL;
                DROP TABLE bot_runs;
                ALTER TABLE bot_runs_v4 RENAME TO bot_runs;
                CREATE INDEX bot_runs_bot ON bot_runs(bot_id);
                CREATE INDEX sweep_runs_run ON sweep_runs(run_id);
                ALTER TABLE sweeps ADD COLUMN orders TEXT;
                ALTER TABLE sweeps ADD COLUMN objective TEXT;
                """)
        }
        // One row per run with every metric as its own column (RunSummaryView).
        migrator.registerMigration("v5_run_summary_view") { db in
            try db.execute(sql: RunSummaryView.sqlite)
        }
        // A close signal (`--signals`) as an order role and a deal close reason. SQLite cannot
        // alter a CHECK: deals and order_logs are rebuilt (create, copy, drop, rename), every row
        // kept; the run_summary view, which reads order_logs, is dropped and created again.
        migrator.registerMigration("v6_signal_exit_role") { db in
            try db.execute(sql: """
                DROP VIEW run_summary;
                CREATE TABLE deals_v6 (
                    run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
                    deal_id INTEGER NOT NULL CHECK (deal_id >= 1),
                    symbol TEXT NOT NULL,
                    opened_at TEXT NOT NULL,
                    closed_at TEXT,
                    safety_orders_filled INTEGER NOT NULL CHECK (safety_orders_filled >= 0),
                    avg_entry REAL NOT NULL,
                    qty REAL NOT NULL CHECK (qty >= 0),
                    cost REAL NOT NULL,
                    proceeds REAL NOT NULL,
                    realized_pnl REAL NOT NULL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    close_reason TEXT CHECK (close_reason = 'take_profit' OR close_reason = 'trailing_take_profit' OR close_reason = 'stop_loss' OR close_reason = 'close_condition' OR close_reason = 'signal'),
                    PRIMARY KEY (run_id, deal_id)
                );
                INSERT INTO deals_v6 SELECT * FROM deals;
                CREATE TABLE order_logs_v6 (
                    order_id TEXT PRIMARY KEY NOT NULL,
                    bot_id TEXT NOT NULL,
                    run_id TEXT NOT NULL,
                    user_id TEXT,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side = 'buy' OR side = 'sell'),
                    qty REAL NOT NULL CHECK (qty >= 0),
                    order_type TEXT NOT NULL CHECK (order_type = 'market' OR order_type = 'limit' OR order_type = 'stop_market'),
                    status TEXT NOT NULL CHECK (status = 'new' OR status = 'filled' OR status = 'cancelled' OR status = 'rejected'),
                    filled_qty REAL NOT NULL CHECK (filled_qty >= 0),
                    avg_price REAL,
                    fees REAL NOT NULL CHECK (fees >= 0),
                    created_at TEXT NOT NULL,
                    price REAL,
                    filled_at TEXT,
                    deal_id INTEGER,
                    role TEXT NOT NULL CHECK (role = 'base' OR role = 'safety' OR role = 'take_profit' OR role = 'trailing_take_profit' OR role = 'stop_loss' OR role = 'recurring' OR role = 'close_condition' OR role = 'signal'),
                    safety_order_index INTEGER CHECK (safety_order_index >= 1),
                    reason TEXT,
                    needed REAL,
                    available REAL,
                    sequence INTEGER NOT NULL CHECK (sequence >= 0),
                    take_profit_step INTEGER CHECK (take_profit_step >= 1 AND take_profit_step <= 4),
                    UNIQUE (run_id, sequence),
                    FOREIGN KEY (run_id, bot_id) REFERENCES bot_runs(run_id, bot_id) ON DELETE CASCADE,
                    FOREIGN KEY (run_id, deal_id) REFERENCES deals(run_id, deal_id) ON DELETE CASCADE
                );
                INSERT INTO order_logs_v6 SELECT * FROM order_logs;
                DROP TABLE order_logs;
                DROP TABLE deals;
                ALTER TABLE deals_v6 RENAME TO deals;
                ALTER TABLE order_logs_v6 RENAME TO order_logs;
                """)
            try db.execute(sql: RunSummaryView.sqlite)
        }
        // Each traded symbol's figures of a run (docs/SEMANTICS.md section 7), stored whatever
        // `--orders` says, so a multi-pair run stored without its deals still shows them. A new
        // table: every existing row is kept; runs stored before have none (`runs show` derives
        // them from their deals when those are stored, and writing such a run again adds them).
        migrator.registerMigration("v7_symbol_results") { db in
            try db.execute(sql: symbolResultsTable)
        }
        // Releases with v7 stored 0 fees, 0 filled and 0 rejected orders in the symbol_results
        // row of a one-pair sweep point stored without its orders (the sweep dropped the orders
        // before they were counted). Such a row is set from its run's own row, which has the same
        // figures for a one-pair run. Every other row is left as it is.
        migrator.registerMigration("v8_symbol_figures_of_runs_swept_without_orders") { db in
            try db.execute(sql: symbolFiguresRepair)
        }
        return migrator
    }

    /// The repair of v8: a run's only symbol_results row that says 0 fees, 0 filled and 0
    /// rejected orders while the run itself filled or rejected orders takes the run's
    /// `total_trades`, `rejected_orders` (from its metrics) and `fees_paid` (the same fees summed
    /// in fill order rather than order by order: equal up to the last digits).
    static let symbolFiguresRepair = """
        UPDATE symbol_results SET
            filled_orders = r.total_trades,
            rejected_orders = json_extract(r.metrics, '$.rejected_orders'),
            fees = max(r.fees_paid, 0)
        FROM bot_runs r
        WHERE r.run_id = symbol_results.run_id
            AND symbol_results.filled_orders = 0 AND symbol_results.rejected_orders = 0 AND symbol_results.fees = 0
            AND (r.total_trades > 0 OR json_extract(r.metrics, '$.rejected_orders') > 0)
            AND (SELECT count(*) FROM symbol_results s WHERE s.run_id = symbol_results.run_id) = 1
        """

    /// `symbol_results`: one row per run and traded symbol (SQLite types; ``PostgresSchema``
    /// has the same columns and CHECKs with PostgreSQL types).
    static let symbolResultsTable = """
        CREATE TABLE symbol_results (
            run_id TEXT NOT NULL REFERENCES bot_runs(run_id) ON DELETE CASCADE,
            user_id TEXT,
            symbol TEXT NOT NULL,
            symbol_order INTEGER NOT NULL CHECK (symbol_order >= 0),
            candles INTEGER NOT NULL CHECK (candles >= 0),
            deals_opened INTEGER NOT NULL CHECK (deals_opened >= 0),
            deals_closed INTEGER NOT NULL CHECK (deals_closed >= 0 AND deals_closed <= deals_opened),
            win_rate REAL CHECK (win_rate >= 0 AND win_rate <= 1),
            realized_pnl REAL NOT NULL,
            fees REAL NOT NULL CHECK (fees >= 0),
            max_capital_in_use REAL NOT NULL CHECK (max_capital_in_use >= 0),
            filled_orders INTEGER NOT NULL CHECK (filled_orders >= 0),
            rejected_orders INTEGER NOT NULL CHECK (rejected_orders >= 0),
            buy_and_hold_return REAL,
            PRIMARY KEY (run_id, symbol),
            UNIQUE (run_id, symbol_order)
        );
        """
}
