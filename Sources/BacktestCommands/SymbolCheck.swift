import Foundation

/// Warnings for data files whose names suggest another symbol than the bot trades.
///
/// Candle files rarely carry their symbol (Binance's archives have no symbol column), but their
/// names usually start with it: `ETHUSDT-1h-2021-10.csv`, `Binance_BTCUSDT_1h.csv`,
/// `BTC_USDT_1h.csv`. A name that holds a symbol-like token ending in a common quote currency,
/// and does not hold the bot's symbol, is worth a warning (not an error: names can lie).
enum SymbolCheck {
    static let quoteCurrencies = ["USDT", "USDC", "BUSD", "FDUSD", "TUSD", "USD", "EUR", "GBP", "BTC", "ETH", "BNB"]

    /// Letters and digits only, upper-cased, with Kraken's `XBT` read as `BTC`: `btc-usdt`,
    /// `BTC_USDT` and `XBTUSDT` all become `BTCUSDT`.
    static func normalized(_ text: String) -> String {
        let plain = text.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return plain.hasPrefix("XBT") ? "BTC" + plain.dropFirst(3) : plain
    }

    /// The symbol a file name suggests, or nil when it suggests none.
    static func suggestedSymbol(fileName: String) -> String? {
        let tokens = fileName.uppercased().split(whereSeparator: { "-_. ".contains($0) }).map(String.init)
        func isLetters(_ token: String) -> Bool { !token.isEmpty && token.allSatisfy { $0.isASCII && $0.isLetter } }
        for (k, token) in tokens.enumerated() where isLetters(token) {
            if token.count >= 6, quoteCurrencies.contains(where: { token.hasSuffix($0) && token.count > $0.count + 1 }) {
                return token
            }
            if k + 1 < tokens.count, (2...6).contains(token.count), quoteCurrencies.contains(tokens[k + 1]) {
                return token + tokens[k + 1]
            }
        }
        return nil
    }

    /// One warning per file whose name suggests a symbol other than `symbol`.
    static func warnings(paths: [String], symbol: String) -> [String] {
        let wanted = normalized(symbol)
        return paths.compactMap { path in
            let name = (path as NSString).lastPathComponent
            guard let suggested = suggestedSymbol(fileName: name), normalized(suggested) != wanted else { return nil }
            return "Warning: \(name) looks like \(suggested) data, but the bot trades \(symbol). Check the file or the configuration's \"symbol\"."
        }
    }

    /// Prints ``warnings(paths:symbol:)`` on standard error.
    static func warn(paths: [String], symbol: String) {
        for warning in warnings(paths: paths, symbol: symbol) {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
    }
}
