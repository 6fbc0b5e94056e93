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

/// One take-profit target of `take_profit_steps`: sell `fraction` of the position at
/// `avg_entry * (1 + profit)` (docs/SEMANTICS.md, "Take-profit steps").
public struct TakeProfitStep: Sendable, Equatable {
    /// Fraction above the average entry (or see ``TakeProfitType/base``).
    public var profit: Double
    /// Share of the position this step sells; the fractions of all steps sum to 1.
    public var fraction: Double
    public init(profit: Double, fraction: Double) {
        self.profit = profit
        self.fraction = fraction
    }
}

/// What a stop-loss exit does to the bot.
public enum StopLossAction: String, Sendable, Codable, CaseIterable {
    /// Close the deal; the next deal starts as usual.
    case closeDeal = "close_deal"
    /// Close the deal and start no new deal for the rest of the run.
    case stopBot = "stop_bot"
}

/// What the order sizes (`base_order_size`, `safety_order_size`) are counted in.
public enum OrderSizeUnit: String, Sendable, Codable, CaseIterable {
    /// Quote amounts (fee on top).
    case quote
    /// Base quantities; a safety order's quote cost follows from its price.
    case base
}

/// A DCA bot's configuration: every key, its unit and range in docs/CONFIGURATION.md.
///
/// All ratios are fractions (0.015 is 1.5%); money is in the quote currency; sizes of orders
/// are quote amounts. Build one with ``BotConfiguration/decode(json:)``, which rejects unknown
/// keys and invalid values with every problem in one message.
public struct BotConfiguration: Sendable, Equatable {
    public var name: String
    /// The first (for a one-pair bot, the only) symbol.
    public var symbol: String
    /// Every symbol of a multi-pair bot, in the configuration's order (`symbols`,
    /// docs/SEMANTICS.md section 7); empty for a one-pair bot: see ``tradedSymbols``.
    public var symbols: [String] = []
    /// Deals open at once over all symbols (1 ... symbols), at most one per symbol.
    public var maxActiveDeals: Int = 1
    /// Conditions that must all hold at a symbol's previous close for a deal to start there.
    public var startConditions: [DealCondition] = []
    /// Conditions that, all holding at a close, sell the open deal at the next open.
    public var closeConditions: [DealCondition] = []
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

    /// 1 to 4 take-profit targets instead of ``takeProfit`` (empty: none).
    public var takeProfitSteps: [TakeProfitStep] = []
    /// The stop follows the running high since the deal's last buy fill (needs ``stopLoss``).
    public var trailingStopLoss = false
    /// When the first take-profit step fills the stop moves to the deal's break-even price
    /// (needs ``stopLoss`` and ``takeProfitSteps``).
    public var stopLossToBreakeven = false
    public var stopLossAction = StopLossAction.closeDeal
    /// The deal's PnL marked at the close, as a fraction of its cost, that a close condition
    /// needs; `nil`: no guard (`false` in the file).
    public var closeMinProfit: Double? = 0
    public var orderSizeUnit = OrderSizeUnit.quote
    /// Scale each deal's sizes by equity at its start / initial balance.
    public var compound = false

    /// Whether any option of engine v2 is set (steps, stop-loss options, close conditions,
    /// base-unit sizes, compounding).
    public var usesEngineV2Options: Bool {
        !takeProfitSteps.isEmpty || trailingStopLoss || stopLossToBreakeven || stopLossAction != .closeDeal
            || !closeConditions.isEmpty || orderSizeUnit != .quote || compound
    }
    /// The symbols traded, in order: ``symbols``, or `[symbol]` for a one-pair bot.
    @inlinable public var tradedSymbols: [String] { symbols.isEmpty ? [symbol] : symbols }

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
