import DCAStrategy

extension DCAEngine {
    // MARK: Opening a deal and its buys

    /// The base order of a new deal, a market buy at the open (after slippage); the ladder and
    /// the exits follow it.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func startDeal(open: Double, bar: Int) {
        let price = open * (1 + slippage)
        // `compound`: sizes scale by equity at the deal's start over the initial balance.
        let scale = configuration.compound ? (balances.equity(at: open) + equityElsewhere) / configuration.initialBalance : 1
        let size = scale == 1 ? configuration.baseOrderSize : configuration.baseOrderSize * scale
        guard buyAtMarket(role: .base, price: price, size: size, inBase: sizesInBase, bar: bar, sizeScale: scale) else { return }
        deal!.basePrice = price
        placeSafetyOrders(bar: bar)
    }

    /// A recurring buy at the open; opens a deal when none is open.
    @inline(never)  // an event, off the quiet-bar path: keeps the loop small
    mutating func recurringBuy(open: Double, bar: Int) {
        let price = open * (1 + slippage)
        _ = buyAtMarket(role: .recurring, price: price, size: configuration.orderSize, inBase: false, bar: bar, sizeScale: 1)
    }

    /// A market buy of `size` (a quote amount, fee on top, or with `inBase` a base quantity) at
    /// `price`; opens a deal (with `sizeScale`) when none is open.
    /// - Returns: whether it filled.
    mutating func buyAtMarket(role: OrderRole, price: Double, size: Double, inBase: Bool, bar: Int, sizeScale: Double) -> Bool {
        let quantity = price > 0 ? rules.quantity(inBase ? size : size / price) : 0
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
        if deal == nil {
            openDeal(bar: bar)
            deal!.sizeScale = sizeScale
            deal!.baseNotional = quantity * price
        }
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
        placeExits(bar: bar, fillPrice: price)
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
        portfolioCapitalPeak = max(portfolioCapitalPeak, openCostElsewhere + deal.cost)
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
        placeExits(bar: bar, fillPrice: price)
        placeSafetyOrders(bar: bar)
    }

    // MARK: Take-profit steps

    /// A take-profit step that is not the last one fills at `price`: its base is sold, the deal
    /// keeps the rest. The first step stops the averaging down (resting safety orders cancelled,
    /// no more placed) and, with `stop_loss_to_breakeven`, moves the stop to break-even.
    mutating func fillStep(at price: Double, bar: Int) {
        guard var deal, case .steps(let filled, let lastTrails) = takeProfitSide else { return }
        let order = restingSteps.removeFirst()
        if restingSteps.isEmpty && lastTrails == nil {
            // The last step sells what is left: the one close path.
            restingSteps.append(order)
            closeDeal(.takeProfit(order), at: price, bar: bar)
            return
        }
        let quantity = order.quantity
        let proceeds = quantity * price * (1 - makerFee)
        let fee = quantity * price * makerFee
        balances.release(base: order.locked)
        balances.deliver(base: quantity)
        balances.receive(quote: proceeds)
        orders[order.orderIndex].status = .filled
        orders[order.orderIndex].filledQuantity = quantity
        orders[order.orderIndex].averagePrice = price
        orders[order.orderIndex].fees = fee
        orders[order.orderIndex].filledBar = bar
        feesPaid += fee
        deal.fees += fee
        deal.proceeds += proceeds
        deal.heldQuantity = max(0, deal.heldQuantity - quantity)
        deals[deal.recordIndex].fees = deal.fees
        deals[deal.recordIndex].proceeds = deal.proceeds
        let first = !deal.averagingStopped
        deal.averagingStopped = true
        self.deal = deal
        takeProfitSide = .steps(filled: filled + 1, lastTrails: lastTrails)
        if first { cancelSafetyOrders() }
        moveStopAfterStep(deal: deal, first: first, bar: bar)
    }

    /// After a step fill the stop sells only what is left: it is placed again for that quantity,
    /// at its level or (the first step, `stop_loss_to_breakeven`) at the deal's break-even price.
    mutating func moveStopAfterStep(deal: OpenDeal, first: Bool, bar: Int) {
        let remaining = rules.quantity(deal.heldQuantity)
        var breakEven: Double? = nil
        if first && configuration.stopLossToBreakeven && remaining > 0 {
            // remaining * p * (1 - taker fee) + proceeds so far = cost.
            breakEven = rules.sellPrice((deal.cost - deal.proceeds) / (remaining * (1 - takerFee)))
        }
        switch stopSide {
        case .none:
            break
        case .resting(let order):
            orders[order.orderIndex].status = .cancelled
            stopSide = .resting(placeStop(level: breakEven ?? order.price, quantity: remaining, bar: bar))
        case .trailing(let order, let high):
            orders[order.orderIndex].status = .cancelled
            stopSide = .trailing(placeStop(level: max(breakEven ?? order.price, order.price), quantity: remaining, bar: bar), high: high)
        case .countdown(let level, let closes):
            stopSide = .countdown(level: breakEven ?? level, closes: closes)
        case .due(let level):
            stopSide = .due(level: breakEven ?? level)
        }
    }

    // MARK: The one close path

    /// Sells the whole position (rounded down to the step) at `price` through `exit`, and closes
    /// the deal: the other exits are cancelled, the resting safety orders are cancelled and their
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
        switch takeProfitSide {
        case .resting(let order):
            if order.orderIndex != orderIndex { orders[order.orderIndex].status = .cancelled }
            balances.release(base: order.locked)
        case .steps:
            for order in restingSteps {
                if order.orderIndex != orderIndex { orders[order.orderIndex].status = .cancelled }
                balances.release(base: order.locked)
            }
            restingSteps.removeAll(keepingCapacity: true)
        case .none, .trailing:
            break
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
        let totalProceeds = deal.proceeds == 0 ? proceeds : deal.proceeds + proceeds
        let pnl = totalProceeds - deal.cost
        realizedPnL += pnl
        let realizedEquity = configuration.initialBalance + realizedPnL
        realizedPeak = max(realizedPeak, realizedEquity)
        if realizedPeak > 0 { realizedMaxDrawdown = max(realizedMaxDrawdown, (realizedPeak - realizedEquity) / realizedPeak) }
        deals[deal.recordIndex].closedBar = bar
        deals[deal.recordIndex].proceeds = totalProceeds
        deals[deal.recordIndex].realizedPnL = pnl
        deals[deal.recordIndex].fees = dealFees
        deals[deal.recordIndex].closeReason = role
        self.deal = nil
        closeDue = false
        nextDealBar = bar + 1 + configuration.cooldownBars
        if role == .stopLoss && configuration.stopLossAction == .stopBot { botStopped = true }
    }

    /// An exit that cannot execute: a resting one is marked rejected (a take profit's base
    /// released), a market one is logged rejected; that exit side is empty until the next buy.
    mutating func rejectExit(_ exit: Exit, reason: String, quantity: Double, bar: Int) {
        switch exit {
        case .takeProfit(let order):
            orders[order.orderIndex].status = .rejected
            orders[order.orderIndex].reason = reason
            if case .steps = takeProfitSide {
                // The last step: the other steps have filled; nothing rests any more.
                restingSteps.removeAll(keepingCapacity: true)
            }
            balances.release(base: order.locked)
            takeProfitSide = .none
        case .stop(let order):
            orders[order.orderIndex].status = .rejected
            orders[order.orderIndex].reason = reason
            stopSide = .none
        case .market(let role):
            logRejected(OrderRecord(sequence: orders.count, deal: deal?.number, role: role, side: .sell, type: .market, price: nil, quantity: quantity, bar: bar), reason: reason)
            switch role {
            case .trailingTakeProfit:
                if case .steps(let filled, _) = takeProfitSide { takeProfitSide = .steps(filled: filled, lastTrails: nil) } else { takeProfitSide = .none }
            case .stopLoss: stopSide = .none
            case .closeCondition: closeDue = false
            default: break
            }
        }
    }
}
