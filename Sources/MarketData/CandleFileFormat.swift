import Foundation

/// File layouts the loader reads (`--format` names them).
public enum CandleFileFormat: String, Sendable, Codable, CaseIterable {
    /// Binance kline archives: 12 columns `open_time, open, high, low, close, volume, close_time,
    /// quote_asset_volume, number_of_trades, taker_buy_base_volume, taker_buy_quote_volume,
    /// ignore`, header optional, epoch ms or µs.
    case binanceKline = "binance_kline"
    /// A header line naming the columns (time, open, high, low, close, optional volume), found by
    /// name case-insensitively with the usual aliases.
    case generic
    /// Yahoo Finance / yfinance exports: `Date` or `Datetime`, `Open, High, Low, Close,
    /// Adj Close, Volume` (the `Close` column is used, not `Adj Close`).
    case yahoo
    /// CryptoDataDownload: an optional URL line, a header with a `unix` column, newest first.
    case cryptoDataDownload = "cryptodatadownload"
    /// Kraken OHLCVT: no header, `time, open, high, low, close, volume, trades`, epoch seconds.
    case kraken
}

