import DCAStrategy

extension DCAEngine {
    // MARK: Opening a deal and its buys

    /// The base order of a new deal, a market buy at the open (after slippage); the ladder and
    /// the exits follow it.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func startDeal(open: Double, bar: Int) {
        let price = open * (1 + slippage)
        guard buyAtMarket(role: .base, price: price, quoteSize: configuration.baseOrderSize, bar: bar) else { return }
        deal!.basePrice = price
        placeSafetyOrders(bar: bar)
    }

    /// A recurring buy at the open; opens a deal when none is open.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func recurringBuy(open: Double, bar: Int) {
        let price = open * (1 + slippage)
        _ = buyAtMarket(role: .recurring, price: price, quoteSize: configuration.orderSize, bar: bar)
    }

    /// A market buy of `quoteSize` (fee on top) at `price`; opens a deal when none is open.
    /// - Returns: whether it filled.
    mutating func buyAtMarket(role: OrderRole, price: Double, quoteSize: Double, bar: Int) -> Bool {
        let quantity = price > 0 ? rules.quantity(quoteSize / price) : 0
        let cost = quantity * price * (feeInBase ? 1 : 1 + takerFee)
        var record = OrderRecord(sequence: orders.count, deal: deal?.number, role: role, side: .buy, type: .market, status: .filled, price: nil, quantity: quantity, bar: bar)
        if let violation = rules.violation(quantity: quantity, price: price) {
            logRejected(record, reason: violation)
            return false
        }
        if !balances.canPay(cost) {
            logRejected(record, reason: "insufficient funds", needed: cost, available: balances.quoteFree)
            return false
        }
        if deal == nil { openDeal(bar: bar) }
        record.deal = deal!.number
        balances.pay(quote: cost)
        let received = feeInBase ? quantity * (1 - takerFee) : quantity
        let fee = feeInBase ? quantity * takerFee * price : quantity * price * takerFee
        balances.receive(base: received)
        record.filledQuantity = quantity
        record.averagePrice = price
        record.fees = fee
        record.filledBar = bar
        orders.append(record)
        recordBuy(price: price, quantity: quantity, received: received, cost: cost, fee: fee)
        placeExits(bar: bar)
        return true
    }

    /// Opens deal number ``dealsOpened`` + 1 with an empty position.
    mutating func openDeal(bar: Int) {
        dealsOpened += 1
        deals.append(DealRecord(
            number: dealsOpened, openedBar: bar, closedBar: nil, safetyOrdersFilled: 0, averageEntry: 0, quantity: 0, cost: 0,
            proceeds: 0, realizedPnL: 0, fees: 0, closeReason: nil
        ))
        deal = OpenDeal(number: dealsOpened, recordIndex: deals.count - 1)
        stopSide = .none
    }

    /// Adds a buy fill to the open deal and its record.
    mutating func recordBuy(price: Double, quantity: Double, received: Double, cost: Double, fee: Double) {
        guard var deal else { return }
        deal.entryNotional += price * quantity
        deal.heldQuantity += received
        deal.cost += cost
        deal.fees += fee
        feesPaid += fee
        maxCapitalInUse = max(maxCapitalInUse, deal.cost)
        deals[deal.recordIndex].averageEntry = deal.entryNotional / deal.heldQuantity
        deals[deal.recordIndex].quantity = deal.heldQuantity
        deals[deal.recordIndex].cost = deal.cost
        deals[deal.recordIndex].fees = deal.fees
        deals[deal.recordIndex].safetyOrdersFilled = deal.safetyFilled
        self.deal = deal
    }

    /// The first resting safety order fills at `price` (its limit, or better on a gap).
    mutating func fillSafety(at price: Double, bar: Int) {
        let order = restingSafety.removeFirst()
        let cost = order.quantity * price * (feeInBase ? 1 : 1 + makerFee)
        balances.release(quote: order.locked, lastLock: restingSafety.isEmpty)
        balances.pay(quote: cost)
        let received = feeInBase ? order.quantity * (1 - makerFee) : order.quantity
        let fee = order.quantity * price * makerFee
        balances.receive(base: received)
        orders[order.orderIndex].status = .filled
        orders[order.orderIndex].filledQuantity = order.quantity
        orders[order.orderIndex].averagePrice = price
        orders[order.orderIndex].fees = fee
        orders[order.orderIndex].filledBar = bar
        deal!.safetyFilled += 1
        maxSafetyUsed = max(maxSafetyUsed, deal!.safetyFilled)
        recordBuy(price: price, quantity: order.quantity, received: received, cost: cost, fee: fee)
        placeExits(bar: bar)
        placeSafetyOrders(bar: bar)
    }

    // MARK: The one close path

    /// Sells the whole position (rounded down to the step) at `price` through `exit`, and closes
    /// the deal: the other exit is cancelled, the resting safety orders are cancelled and their
    /// funds released, the deal's PnL is realized. An exit that breaks an exchange rule is
    /// rejected instead and the position stays open until the next buy places the exits again.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func closeDeal(_ exit: Exit, at price: Double, bar: Int) {
        guard let deal else { return }
        let quantity = rules.quantity(deal.heldQuantity)
        let role = exit.role
        if let violation = rules.violation(quantity: quantity, price: price) {
            rejectExit(exit, reason: violation, quantity: quantity, bar: bar)
            return
        }
        // The order that sells: the resting one that triggered, or a new market order.
        let orderIndex: Int
        switch exit {
        case .takeProfit(let order), .stop(let order):
            orderIndex = order.orderIndex
        case .market:
            orderIndex = orders.count
            orders.append(OrderRecord(sequence: orders.count, deal: deal.number, role: role, side: .sell, type: .market, price: nil, quantity: quantity, bar: bar))
        }
        // Release what the exits hold (the triggered one's lock is released, not cancelled).
        if case .resting(let order) = takeProfitSide {
            if order.orderIndex != orderIndex { orders[order.orderIndex].status = .cancelled }
            balances.release(base: order.locked)
        }
        if let stop = stopSide.restingOrder, stop.orderIndex != orderIndex {
            orders[stop.orderIndex].status = .cancelled
        }
        takeProfitSide = .none
        stopSide = .none
        balances.baseLocked = 0
        let fee = role == .takeProfit ? makerFee : takerFee
        let proceeds = quantity * price * (1 - fee)
        let feeAmount = quantity * price * fee
        balances.deliver(base: quantity)
        balances.receive(quote: proceeds)
        orders[orderIndex].status = .filled
        orders[orderIndex].filledQuantity = quantity
        orders[orderIndex].averagePrice = price
        orders[orderIndex].fees = feeAmount
        orders[orderIndex].filledBar = bar
        cancelSafetyOrders()
        feesPaid += feeAmount
        let dealFees = deal.fees + feeAmount
        let pnl = proceeds - deal.cost
        realizedPnL += pnl
        let realizedEquity = configuration.initialBalance + realizedPnL
        realizedPeak = max(realizedPeak, realizedEquity)
        if realizedPeak > 0 { realizedMaxDrawdown = max(realizedMaxDrawdown, (realizedPeak - realizedEquity) / realizedPeak) }
        deals[deal.recordIndex].closedBar = bar
        deals[deal.recordIndex].proceeds = proceeds
        deals[deal.recordIndex].realizedPnL = pnl
        deals[deal.recordIndex].fees = dealFees
        deals[deal.recordIndex].closeReason = role
        self.deal = nil
        nextDealBar = bar + 1 + configuration.cooldownBars
    }

    /// An exit that cannot execute: a resting one is marked rejected (a take profit's base
    /// released), a market one is logged rejected; that exit side is empty until the next buy.
    mutating func rejectExit(_ exit: Exit, reason: String, quantity: Double, bar: Int) {
        switch exit {
        case .takeProfit(let order):
            orders[order.orderIndex].status = .rejected
            orders[order.orderIndex].reason = reason
            balances.release(base: order.locked)
            takeProfitSide = .none
        case .stop(let order):
            orders[order.orderIndex].status = .rejected
            orders[order.orderIndex].reason = reason
            stopSide = .none
        case .market(let role):
            logRejected(OrderRecord(sequence: orders.count, deal: deal?.number, role: role, side: .sell, type: .market, price: nil, quantity: quantity, bar: bar), reason: reason)
            if role == .trailingTakeProfit { takeProfitSide = .none }
            if role == .stopLoss { stopSide = .none }
        }
    }
}
