/// The state of a deal, as values whose invalid combinations cannot be written down
/// (docs/SEMANTICS.md, "Deal life cycle"). ``DCAEngine`` holds at most one ``OpenDeal`` with one
/// ``TakeProfitSide`` and one ``StopSide``; closing the deal resets all three in one place
/// (``DCAEngine/closeDeal(_:at:bar:)``).

/// An order resting in the book: its log entry, price, quantity and what it reserves.
struct RestingOrder: Sendable {
    /// Index of its entry in the order log.
    var orderIndex: Int
    /// Limit or stop price, quote currency.
    var price: Double
    /// Base quantity, fixed at placement.
    var quantity: Double
    /// Reserved: quote for a buy (`qty * price * (1 + fee)`), base for a take profit, 0 for a stop.
    var locked: Double
    /// Ladder index (1-based) of a safety order; 0 otherwise.
    var safetyIndex: Int
    /// Serial of the path leg it was placed in (``DCAEngine/legSerial``): an order placed during
    /// a gap leg exists only at that leg's end, the open.
    var leg: Int
}

/// The deal in progress: what its buys added up to.
struct OpenDeal: Sendable {
    /// 1-based deal number of the run.
    let number: Int
    /// Index of its entry in the deal log.
    let recordIndex: Int
    /// The base order's fill price `P0` (slippage included), which the ladder's prices follow.
    var basePrice = 0.0
    /// `sum(fill_price * fill_qty)` of the deal's buys, quote currency.
    var entryNotional = 0.0
    /// Base held by the deal (net of fees taken in base).
    var heldQuantity = 0.0
    /// Quote spent, fees included.
    var cost = 0.0
    /// Fees of the deal's fills, quote currency.
    var fees = 0.0
    var safetyFilled = 0
    /// The next ladder index (1-based) to place.
    var nextSafety = 1

    init(number: Int, recordIndex: Int) {
        self.number = number
        self.recordIndex = recordIndex
    }

    /// `entryNotional / heldQuantity`, quote per base.
    @inline(__always) var averageEntry: Double { entryNotional / heldQuantity }
}

/// The take-profit side of an open deal.
enum TakeProfitSide: Sendable {
    /// No take profit (mode `recurring` without one, or a rejected one until the next buy).
    case none
    /// A limit sell of the whole position.
    case resting(RestingOrder)
    /// Trailing take profit, not yet armed: arms when the path reaches `activation`. `leg` is
    /// the path leg in which the activation price was computed.
    case trailingWaiting(activation: Double, leg: Int)
    /// Trailing take profit, armed: `high` is the running high `M` of the path since arming; the
    /// exit level is `max(high * (1 - trailing_deviation), activation)`. `leg` is the path leg in
    /// which it armed.
    case trailingArmed(activation: Double, high: Double, leg: Int)

    /// The resting take-profit order, if one rests.
    @inline(__always) var restingOrder: RestingOrder? {
        if case .resting(let order) = self { return order }
        return nil
    }
}

/// The stop-loss side of an open deal.
enum StopSide: Sendable {
    case none
    /// A stop-market sell of the whole position (`stop_loss_timeout_bars = 0`).
    case resting(RestingOrder)
    /// A timed stop (`stop_loss_timeout_bars = N > 0`): `closes` bar closes in a row have stayed at
    /// or below `level`.
    case countdown(level: Double, closes: Int)
    /// A timed stop whose N closes have passed: the position is sold at market at the next open.
    case due(level: Double)

    /// The resting stop order, if one rests.
    @inline(__always) var restingOrder: RestingOrder? {
        if case .resting(let order) = self { return order }
        return nil
    }

    /// Whether a stop rests on the position (the `pessimistic` path then goes low first).
    @inline(__always) var rests: Bool {
        if case .resting = self { return true }
        return false
    }
}

/// What ends a deal: the order that sells the position, and the deal's close reason.
enum Exit: Sendable {
    /// The resting take profit filled (limit, maker fee).
    case takeProfit(RestingOrder)
    /// The resting stop triggered (stop-market, taker fee, slippage).
    case stop(RestingOrder)
    /// A market sell decided along the path or at an open: trailing take profit or timed stop.
    case market(OrderRole)

    var role: OrderRole {
        switch self {
        case .takeProfit: .takeProfit
        case .stop: .stopLoss
        case .market(let role): role
        }
    }
}
