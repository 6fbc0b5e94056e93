import ArgumentParser

/// `dca-backtest`: the root command.
public struct DCABacktestCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dca-backtest",
        abstract: "Deterministic backtests of DCA (dollar-cost-averaging) trading bots on real candle files.",
        discussion: """
            A bot configuration (JSON, keys as in 3Commas-style DCA bots: base_order_size, safety_order_size, \
            price_deviation, safety_order_step_scale, safety_order_volume_scale, take_profit, ...) is replayed over \
            candles from Binance archives, CryptoDataDownload, Yahoo Finance, Kraken or any headed CSV; a multi-pair \
            bot ("symbols") takes one file per symbol (--data SYMBOL=FILE). Every run is stored in SQLite, or in \
            PostgreSQL with --db postgresql://USER@HOST:PORT/DB (tables bots, bot_runs, order_logs, deals, positions, \
            funds, holdings) with its metrics.

            Start with (from the repository's folder):
              dca-backtest run --config datasets/btc-1m-ladder.json \\
                --data datasets/BTCUSDT-1m-2020-01-01.zip \\
                       datasets/BTCUSDT-1m-2020-01-02.zip
              dca-backtest data inspect datasets/BTCUSDT-1m-2020-01-01.zip
              dca-backtest runs list
            """,
        version: "1.0.0",
        subcommands: [RunCommand.self, SweepCommand.self, MergeCommand.self, ReportCommand.self, DataCommand.self, RunsCommand.self, DBCommand.self]
    )

    public init() {}
}
