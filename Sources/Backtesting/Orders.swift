/// Which side of the book an order is on.
public enum OrderSide: String, Sendable, Codable { case buy, sell }

/// How an order executes (docs/SCHEMA.md `order_type`).
public enum OrderType: String, Sendable, Codable {
    case market
    case limit
    case stopMarket = "stop_market"
}

/// Where an order is at the end of the run (docs/SCHEMA.md `status`).
public enum OrderStatus: String, Sendable, Codable {
    /// Still resting at the end of the run.
    case new
    case filled
    /// Replaced (take profit, stop loss after a buy) or cancelled when the deal closed.
    case cancelled
    /// Refused when placed or executed: see the record's `reason`, `needed` and `available`.
    case rejected
}

/// What an order is for in the DCA bot (docs/SCHEMA.md `role`).
public enum OrderRole: String, Sendable, Codable, CaseIterable {
    case base
    case safety
    case takeProfit = "take_profit"
    case trailingTakeProfit = "trailing_take_profit"
    case stopLoss = "stop_loss"
    case recurring
    /// The market sell of a deal whose close conditions held (`close_conditions`).
    case closeCondition = "close_condition"
    /// The market sell of a deal at a close signal (`--signals`).
    case signal
}

/// One order of a run, as it stands at the end of the run (one `order_logs` row).
///
/// Prices are in quote currency per unit of base; quantities in base currency; `fees` in quote
/// currency (a fee taken in base is valued at the fill price). Times are bar indices into the
/// run's candles (the bar in whose time the event happened).
public struct OrderRecord: Sendable, Equatable {
    /// Creation order within the run, from 0.
    public var sequence: Int
    /// The deal (1-based) this order belongs to; `nil` for a base order rejected before a deal opened.
    public var deal: Int?
    public var role: OrderRole
    public var side: OrderSide
    public var type: OrderType
    public var status: OrderStatus
    /// Limit or stop price; `nil` for market orders.
    public var price: Double?
    /// Quantity ordered (base currency).
    public var quantity: Double
    public var filledQuantity: Double
    /// Average fill price; `nil` when not filled.
    public var averagePrice: Double?
    /// Fees paid, in quote currency.
    public var fees: Double
    /// Bar index at which the order was created.
    public var createdBar: Int
    /// Bar index at which it filled.
    public var filledBar: Int?
    /// 1-based index in the safety-order ladder for safety orders.
    public var safetyOrderIndex: Int?
    /// Why the order was rejected.
    public var reason: String?
    /// For rejections for want of funds: the amount needed and the amount available (quote for
    /// buys, base for sells).
    public var needed: Double?
    public var available: Double?
    /// 1-based step of `take_profit_steps` for a take-profit step order.
    public var takeProfitStep: Int? = nil
    /// The symbol's index in the configuration's ``BotConfiguration/tradedSymbols`` (0 for a one-pair bot).
    public var symbol: Int = 0
}

extension OrderRecord {
    /// A new order of the run, not yet filled: order `sequence`, created in bar `bar`.
    init(
        sequence: Int, deal: Int?, role: OrderRole, side: OrderSide, type: OrderType, status: OrderStatus = .new, price: Double?,
        quantity: Double, bar: Int, safetyOrderIndex: Int? = nil, reason: String? = nil
    ) {
        self.init(
            sequence: sequence, deal: deal, role: role, side: side, type: type, status: status, price: price, quantity: quantity,
            filledQuantity: 0, averagePrice: nil, fees: 0, createdBar: bar, filledBar: nil, safetyOrderIndex: safetyOrderIndex,
            reason: reason, needed: nil, available: nil
        )
    }
}

/// One deal: from the base order's fill to the sale of its position.
public struct DealRecord: Sendable, Equatable {
    /// 1-based deal number within the run.
    public var number: Int
    public var openedBar: Int
    /// `nil` while the deal is still open at the end of the run.
    public var closedBar: Int?
    public var safetyOrdersFilled: Int
    /// Average entry price: `sum(fill_price * fill_qty) / qty held`.
    public var averageEntry: Double
    /// Base quantity bought and held (net of fees taken in base).
    public var quantity: Double
    /// Quote spent on buys, fees included.
    public var cost: Double
    /// Quote received from the sale, fees deducted (0 while open).
    public var proceeds: Double
    /// `proceeds - cost` for a closed deal; 0 while open.
    public var realizedPnL: Double
    /// Fees of the deal's fills, quote currency.
    public var fees: Double
    /// `take_profit`, `trailing_take_profit`, `stop_loss`, `close_condition`, or `nil` while open.
    public var closeReason: OrderRole?
    /// The symbol's index in the configuration's ``BotConfiguration/tradedSymbols`` (0 for a one-pair bot).
    public var symbol: Int = 0
}

/// The filled and rejected orders and the fees of an order log, or of symbol `symbol`'s orders in
/// it (each record carries its symbol), summed in log order. Read in place: a
/// `for order in orders` loop copies every record, its strings retained and released (about 140
/// instructions an order).
struct OrderTally {
    let filled: Int
    let rejected: Int
    /// Quote currency.
    let fees: Double

    init(_ orders: [OrderRecord], symbol: Int? = nil) {
        var filled = 0, rejected = 0, fees = 0.0
        orders.withUnsafeBufferPointer { orders in
            for index in orders.indices where symbol == nil || orders[index].symbol == symbol {
                fees += orders[index].fees
                switch orders[index].status {
                case .filled: filled += 1
                case .rejected: rejected += 1
                case .new, .cancelled: break
                }
            }
        }
        (self.filled, self.rejected, self.fees) = (filled, rejected, fees)
    }
}
