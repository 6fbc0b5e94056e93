import Backtesting

/// What a run holds at its end, as both stores write it into `positions`, `funds` and
/// `holdings`: one position per symbol (its open deal at the last bar, valued at that symbol's
/// last close) and one balance per asset (the quote currency once, then each symbol's base
/// asset), amounts below 0 (rounding dust) written as 0. Amounts in each asset's own unit.
struct RunEndState {
    struct Position {
        var symbol: String
        var quantity: Double
        /// The open deal's average entry; nil when the symbol holds no deal.
        var averageEntry: Double?
        var lastClose: Double
        /// The price move since entry (fees not included), in the quote currency.
        var unrealizedPnL: Double { averageEntry.map { (lastClose - $0) * quantity } ?? 0 }
    }

    struct Balance {
        var currency: String
        var free: Double
        var locked: Double
        var total: Double { free + locked }
    }

    var positions: [Position] = []
    var balances: [Balance]

    init(_ result: BacktestResult) {
        let quote = result.configuration.quoteCurrency
        balances = [Balance(currency: quote, free: max(0, result.quoteFree), locked: max(0, result.quoteLocked))]
        for outcome in result.symbolOutcomes {
            let open = result.deals.last { $0.symbol == outcome.index }.flatMap { $0.closedBar == nil ? $0 : nil }
            positions.append(Position(symbol: outcome.symbol, quantity: open?.quantity ?? 0, averageEntry: open?.averageEntry, lastClose: outcome.lastClose))
            balances.append(Balance(currency: RunStore.baseAsset(symbol: outcome.symbol, quote: quote), free: max(0, outcome.baseFree), locked: max(0, outcome.baseLocked)))
        }
    }

    /// The run's deals and orders per traded symbol, so that each row is written with its own
    /// symbol (deal ids and sequences stay the run's): the result itself for a one-pair run.
    static func symbolParts(_ result: BacktestResult) -> [(symbol: String, result: BacktestResult)] {
        let symbols = result.configuration.tradedSymbols
        guard symbols.count > 1 else { return [(symbols[0], result)] }
        return symbols.enumerated().map { index, symbol in
            var part = result
            part.deals = result.deals.filter { $0.symbol == index }
            part.orders = result.orders.filter { $0.symbol == index }
            return (symbol, part)
        }
    }
}
