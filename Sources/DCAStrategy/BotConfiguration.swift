import Foundation

/// How a bar is replayed as a price path (docs/SEMANTICS.md, "Fills").
public enum FillModel: String, Sendable, CaseIterable, Codable {
    /// `open -> low -> high -> close` when a stop loss rests on an open position, otherwise
    /// `open -> high -> low -> close`: the worse order for a long DCA bot in both situations.
    case pessimistic
    /// Always `open -> high -> low -> close` (NautilusTrader's default).
    case ohlc
    /// Always `open -> low -> high -> close`.
    case olhc
    /// The extreme nearer to the open first (a tie: high first).
    case adaptive
    /// The path through each bar is given by a finer candle series of the same symbol (1-minute
    /// candles inside an hour): each finer candle is walked `open -> X -> Y -> close` with the
    /// `pessimistic` choice of X and Y, one after another. A bar without finer candles is walked
    /// as `pessimistic`.
    case detail
}

/// What a bot does: a ladder of safety orders, or recurring buys.
public enum BotMode: String, Sendable, Codable, CaseIterable {
    case safetyOrders = "safety_orders"
    case recurring
}

/// What the take-profit percentage is taken on.
public enum TakeProfitType: String, Sendable, Codable, CaseIterable {
    /// `avg_entry * (1 + take_profit)`.
    case total
    /// `(sum(fill_price * fill_qty) + take_profit * base_order_size) / qty held`.
    case base
}

/// Which currency a buy's fee is charged in.
public enum FeeCurrency: String, Sendable, Codable, CaseIterable {
    case quote
    case base
}

/// A DCA bot's configuration: every key, its unit and range in docs/CONFIGURATION.md.
///
/// All ratios are fractions (0.015 is 1.5%); money is in the quote currency; sizes of orders
/// are quote amounts. Build one with ``BotConfiguration/decode(json:)``, which rejects unknown
/// keys and invalid values with every problem in one message.
public struct BotConfiguration: Sendable, Equatable {
    public var name: String
    public var symbol: String
    public var quoteCurrency: String
    /// Quote currency the run starts with.
    public var initialBalance: Double
    public var mode: BotMode
    /// Quote amount of the base order (fee on top).
    public var baseOrderSize: Double
    /// Quote amount of the first safety order.
    public var safetyOrderSize: Double
    public var maxSafetyOrders: Int
    public var maxActiveSafetyOrders: Int
    /// Deviation of the first safety order from the base order's fill price (fraction).
    public var priceDeviation: Double
    public var safetyOrderStepScale: Double
    public var safetyOrderVolumeScale: Double
    /// Fraction above the average entry (or see ``takeProfitType``); `nil` only in mode `recurring`.
    public var takeProfit: Double?
    /// Whether a take profit of 1 (100%) or more is meant (a guard against percentages).
    public var allowLargeTakeProfit: Bool
    public var takeProfitType: TakeProfitType
    public var trailingDeviation: Double?
    public var stopLoss: Double?
    public var stopLossTimeoutBars: Int
    public var cooldownBars: Int
    public var maxDeals: Int?
    /// Fee on the notional of every fill (fraction).
    public var feeRate: Double
    /// Fee for resting limit orders (fraction); `nil`: ``feeRate``.
    public var makerFeeRate: Double?
    public var feeCurrency: FeeCurrency
    /// Slippage of market and stop fills in basis points (1 bp = 0.0001).
    public var slippageBasisPoints: Double
    public var tickSize: Double?
    public var stepSize: Double?
    public var minNotional: Double?
    public var minQty: Double?
    public var fillModel: FillModel
    public var periodsPerYear: Double?
    /// Yearly risk-free rate (fraction) for the Sharpe and Sortino ratios.
    public var riskFreeRate: Double
    /// Mode `recurring`: the quote amount of each buy.
    public var orderSize: Double
    /// Mode `recurring`: buy every N bars.
    public var everyBars: Int
    /// Mode `recurring`: buy at the first bar of each UTC period instead (`12h`, `1d`, `1w`).
    public var schedule: String?

    /// Maker fee used for resting limit orders.
    @inlinable public var limitFeeRate: Double { makerFeeRate ?? feeRate }

    /// The quote currency guessed from a symbol's suffix (`BTCUSDT` -> `USDT`), else `USDT`.
    public static func quoteCurrency(ofSymbol symbol: String) -> String {
        for suffix in ["USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USD", "EUR", "GBP", "JPY", "BTC", "ETH", "BNB"]
        where symbol.uppercased().hasSuffix(suffix) && symbol.count > suffix.count {
            return suffix
        }
        return "USDT"
    }
}
