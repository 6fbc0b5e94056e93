import DCAStrategy

extension DCAEngine {
    /// Logs `record` as rejected for `reason` (with the amount needed and available when funds
    /// were short).
    @inline(__always) mutating func logRejected(_ record: OrderRecord, reason: String, needed: Double? = nil, available: Double? = nil) {
        var record = record
        record.status = .rejected
        record.reason = reason
        record.needed = needed
        record.available = available
        orders.append(record)
    }

    /// Places safety orders in ladder order until `max_active_safety_orders` rest or the ladder
    /// is used up; a rejected one is logged and skipped for good. None once a take-profit step
    /// has filled.
    mutating func placeSafetyOrders(bar: Int) {
        guard var deal, !deal.averagingStopped else { return }
        defer { self.deal = deal }
        while restingSafety.count < maxActiveSafety && deal.nextSafety <= deviations.count {
            let k = deal.nextSafety
            deal.nextSafety += 1
            let price = rules.buyPrice(deal.basePrice * (1 - deviations[k - 1]))
            // A price below one tick rounds to 0: the order is refused (see `violation`).
            let size = deal.sizeScale == 1 ? safetySizes[k - 1] : safetySizes[k - 1] * deal.sizeScale
            let quantity = price > 0 ? rules.quantity(sizesInBase ? size : size / price) : 0
            let lock = quantity * price * (feeInBase ? 1 : 1 + makerFee)
            let record = OrderRecord(sequence: orders.count, deal: deal.number, role: .safety, side: .buy, type: .limit, price: price, quantity: quantity, bar: bar, safetyOrderIndex: k)
            if let violation = rules.violation(quantity: quantity, price: price) {
                logRejected(record, reason: violation)
                continue
            }
            if !balances.canPay(lock) {
                logRejected(record, reason: "insufficient funds", needed: lock, available: balances.quoteFree)
                continue
            }
            balances.lock(quote: lock)
            orders.append(record)
            restingSafety.append(RestingOrder(orderIndex: record.sequence, price: price, quantity: quantity, locked: lock, safetyIndex: k, leg: legSerial))
        }
    }

    /// The take-profit target for `profit` over the deal's average entry (or, with
    /// `take_profit_type = base`, over the base order's size), before tick rounding.
    @inline(__always) func takeProfitTarget(_ profit: Double, deal: OpenDeal) -> Double {
        switch configuration.takeProfitType {
        case .total: return deal.averageEntry * (1 + profit)
        case .base:
            let baseSize = sizesInBase ? deal.baseNotional : configuration.baseOrderSize * deal.sizeScale
            return (deal.entryNotional + profit * baseSize) / deal.heldQuantity
        }
    }

    /// Cancels the take profit and stop loss and places them again for the whole position
    /// (after every buy fill).
    mutating func placeExits(bar: Int, fillPrice: Double) {
        guard let deal else { return }
        cancelRestingExits()
        let sellQuantity = rules.quantity(deal.heldQuantity)
        let average = deal.averageEntry
        if !takeProfitSteps.isEmpty {
            placeSteps(deal: deal, sellQuantity: sellQuantity, bar: bar)
        } else if let takeProfit {
            let price = rules.sellPrice(takeProfitTarget(takeProfit, deal: deal))
            if trailingDeviation != nil {
                takeProfitSide = .trailing(.waiting(activation: price, leg: legSerial))
            } else if let order = placeSell(role: .takeProfit, price: price, quantity: sellQuantity, step: nil, bar: bar) {
                takeProfitSide = .resting(order)
            }
        }
        if let stopLoss {
            let level = rules.sellPrice(average * (1 - stopLoss))
            if stopTimeout > 0 {
                switch stopSide {
                case .countdown(_, let closes): stopSide = .countdown(level: level, closes: closes)
                case .due: stopSide = .due(level: level)
                case .none, .resting, .trailing: stopSide = .countdown(level: level, closes: 0)
                }
            } else {
                let order = placeStop(level: level, quantity: sellQuantity, bar: bar)
                if trailingStopLoss {
                    // The running high restarts at the fill's price: max(avg, fill) * (1 - sl).
                    stopSide = .trailing(order, high: fillPrice)
                    raiseTrailingStop(to: fillPrice)
                } else {
                    stopSide = .resting(order)
                }
            }
        }
    }

    /// A resting stop-market sell of `quantity` at `level` (it locks nothing: the position is
    /// shared with the take profit, and one cancels the other).
    mutating func placeStop(level: Double, quantity: Double, bar: Int) -> RestingOrder {
        let record = OrderRecord(sequence: orders.count, deal: deal?.number, role: .stopLoss, side: .sell, type: .stopMarket, price: level, quantity: quantity, bar: bar)
        orders.append(record)
        return RestingOrder(orderIndex: record.sequence, price: level, quantity: quantity, locked: 0, safetyIndex: 0, leg: legSerial)
    }

    /// A resting limit sell that locks the base it sells; logged rejected (nil) when it breaks
    /// an exchange rule.
    mutating func placeSell(role: OrderRole, price: Double, quantity: Double, step: Int?, bar: Int) -> RestingOrder? {
        var record = OrderRecord(sequence: orders.count, deal: deal?.number, role: role, side: .sell, type: .limit, price: price, quantity: quantity, bar: bar)
        record.takeProfitStep = step
        if let violation = rules.violation(quantity: quantity, price: price) {
            logRejected(record, reason: violation)
            return nil
        }
        balances.lock(base: quantity)
        orders.append(record)
        return RestingOrder(orderIndex: record.sequence, price: price, quantity: quantity, locked: quantity, safetyIndex: step ?? 0, leg: legSerial)
    }

    /// `take_profit_steps`: step i sells `f_i * held` (rounded down to the step) at its own
    /// price; the last sells the rest, so the steps sell exactly the position. With
    /// `trailing_deviation` the last step trails instead of resting.
    mutating func placeSteps(deal: OpenDeal, sellQuantity: Double, bar: Int) {
        var placed = 0.0
        let count = takeProfitSteps.count
        var lastTrails: TrailingTakeProfit? = nil
        for (i, step) in takeProfitSteps.enumerated() {
            let price = rules.sellPrice(takeProfitTarget(step.profit, deal: deal))
            let isLast = i == count - 1
            let quantity = isLast ? rules.quantity(sellQuantity - placed) : rules.quantity(step.fraction * deal.heldQuantity)
            placed += quantity
            if isLast && trailingDeviation != nil {
                lastTrails = .waiting(activation: price, leg: legSerial)
            } else if let order = placeSell(role: .takeProfit, price: price, quantity: quantity, step: i + 1, bar: bar) {
                restingSteps.append(order)
            }
        }
        takeProfitSide = .steps(filled: 0, lastTrails: lastTrails)
    }

    /// Raises a trailing stop along a rising path to `point` (never lowers it).
    @inline(__always) mutating func raiseTrailingStop(to point: Double) {
        guard case .trailing(let order, let high) = stopSide, let stopLoss else { return }
        let newHigh = max(high, point)
        raiseTrailingStop(order, to: rules.sellPrice(newHigh * (1 - stopLoss)), high: newHigh)
    }

    /// The trailing stop `order` with running high `high`, its price raised to `level` when that
    /// is higher (never lowered), in the stop side and the order log.
    /// - Returns: the stop as it now rests.
    @discardableResult @inline(__always)
    mutating func raiseTrailingStop(_ order: RestingOrder, to level: Double, high: Double) -> RestingOrder {
        var order = order
        if level > order.price {
            order.price = level
            orders[order.orderIndex].price = level
        }
        stopSide = .trailing(order, high: high)
        return order
    }

    /// Cancels the resting take profit or steps (releasing their base) and the resting stop; a
    /// trailing take profit stops trailing. A timed stop keeps its count (the next placement
    /// moves it).
    mutating func cancelRestingExits() {
        switch takeProfitSide {
        case .resting(let order):
            orders[order.orderIndex].status = .cancelled
            balances.release(base: order.locked)
        case .steps:
            for order in restingSteps {
                orders[order.orderIndex].status = .cancelled
                balances.release(base: order.locked)
            }
            restingSteps.removeAll(keepingCapacity: true)
        case .none, .trailing:
            break
        }
        takeProfitSide = .none
        if let stop = stopSide.restingOrder {
            orders[stop.orderIndex].status = .cancelled
            stopSide = .none
        }
    }

    /// Cancels every resting safety order of the deal, releasing what it reserved.
    mutating func cancelSafetyOrders() {
        for order in restingSafety {
            orders[order.orderIndex].status = .cancelled
            balances.release(quote: order.locked, lastLock: false)
        }
        restingSafety.removeAll(keepingCapacity: true)
        balances.quoteLocked = 0
    }
}
