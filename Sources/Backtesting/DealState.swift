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
    /// Quote received from partial sells (take-profit steps), fees deducted.
    var proceeds = 0.0
    /// A take-profit step has filled: no more safety orders, the exits are no longer re-placed.
    var averagingStopped = false
    /// `compound`: equity at the deal's start / initial balance (1 without compounding).
    var sizeScale = 1.0
    /// The base order's fill notional (`take_profit_type = base` with sizes in base units).
    var baseNotional = 0.0

    init(number: Int, recordIndex: Int) {
        self.number = number
        self.recordIndex = recordIndex
    }

    /// `entryNotional / heldQuantity`, quote per base.
    @inline(__always) var averageEntry: Double { entryNotional / heldQuantity }
}

/// A trailing take profit (docs/SEMANTICS.md, "Trailing take profit").
enum TrailingTakeProfit: Sendable {
    /// Not yet armed: arms when the path reaches `activation`. `leg` is the path leg in which
    /// the activation price was computed.
    case waiting(activation: Double, leg: Int)
    /// Armed: `high` is the running high `M` of the path since arming; the exit level is
    /// `max(high * (1 - trailing_deviation), activation)`. `leg` is the path leg in which it armed.
    case armed(activation: Double, high: Double, leg: Int)
}

/// The take-profit side of an open deal.
enum TakeProfitSide: Sendable {
    /// No take profit (mode `recurring` without one, or a rejected one until the next buy).
    case none
    /// A limit sell of the whole position.
    case resting(RestingOrder)
    /// A trailing take profit for the whole position.
    case trailing(TrailingTakeProfit)
    /// `take_profit_steps`: the unfilled steps rest in ``DCAEngine/restingSteps`` (ascending
    /// price); `filled` of them have filled; `lastTrails` is the last step when it trails
    /// (`trailing_deviation` set) instead of resting.
    case steps(filled: Int, lastTrails: TrailingTakeProfit?)

    /// The resting take-profit order, if one rests.
    @inline(__always) var restingOrder: RestingOrder? {
        if case .resting(let order) = self { return order }
        return nil
    }

    /// The trailing take profit, whole position or last step.
    @inline(__always) var trailing: TrailingTakeProfit? {
        switch self {
        case .trailing(let t): return t
        case .steps(_, let t): return t
        case .none, .resting: return nil
        }
    }

    /// The same side with its trailing part replaced.
    func withTrailing(_ t: TrailingTakeProfit) -> TakeProfitSide {
        switch self {
        case .steps(let filled, _): return .steps(filled: filled, lastTrails: t)
        default: return .trailing(t)
        }
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
    /// `trailing_stop_loss`: a resting stop whose level follows `high`, the running high of the
    /// path since the deal's last buy fill: `max(avg_entry * (1 - sl), high * (1 - sl))`, never
    /// lowered by the path. The order's price is its level.
    case trailing(RestingOrder, high: Double)

    /// The resting stop order, if one rests.
    @inline(__always) var restingOrder: RestingOrder? {
        switch self {
        case .resting(let order), .trailing(let order, _): return order
        case .none, .countdown, .due: return nil
        }
    }

    /// Whether a stop rests on the position (the `pessimistic` path then goes low first).
    @inline(__always) var rests: Bool {
        switch self {
        case .resting, .trailing: return true
        case .none, .countdown, .due: return false
        }
    }
}

/// What ends a deal: the order that sells the position, and the deal's close reason.
enum Exit: Sendable {
    /// The resting take profit (or the last take-profit step) filled (limit, maker fee).
    case takeProfit(RestingOrder)
    /// The resting stop triggered (stop-market, taker fee, slippage).
    case stop(RestingOrder)
    /// A market sell decided along the path or at an open: trailing take profit, timed stop,
    /// close condition.
    case market(OrderRole)

    var role: OrderRole {
        switch self {
        case .takeProfit: .takeProfit
        case .stop: .stopLoss
        case .market(let role): role
        }
    }
}
