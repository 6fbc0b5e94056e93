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
    /// is used up; a rejected one is logged and skipped for good.
    mutating func placeSafetyOrders(bar: Int) {
        guard var deal else { return }
        defer { self.deal = deal }
        while restingSafety.count < maxActiveSafety && deal.nextSafety <= deviations.count {
            let k = deal.nextSafety
            deal.nextSafety += 1
            let price = rules.buyPrice(deal.basePrice * (1 - deviations[k - 1]))
            // A price below one tick rounds to 0: the order is refused (see `violation`).
            let quantity = price > 0 ? rules.quantity(safetySizes[k - 1] / price) : 0
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

    /// Cancels the take profit and stop loss and places them again for the whole position
    /// (after every buy fill).
    mutating func placeExits(bar: Int) {
        guard let deal else { return }
        cancelRestingExits()
        let sellQuantity = rules.quantity(deal.heldQuantity)
        let average = deal.averageEntry
        if let takeProfit {
            let target: Double
            switch configuration.takeProfitType {
            case .total: target = average * (1 + takeProfit)
            case .base: target = (deal.entryNotional + takeProfit * configuration.baseOrderSize) / deal.heldQuantity
            }
            let price = rules.sellPrice(target)
            if trailingDeviation != nil {
                takeProfitSide = .trailingWaiting(activation: price, leg: legSerial)
            } else {
                let record = OrderRecord(sequence: orders.count, deal: deal.number, role: .takeProfit, side: .sell, type: .limit, price: price, quantity: sellQuantity, bar: bar)
                if let violation = rules.violation(quantity: sellQuantity, price: price) {
                    logRejected(record, reason: violation)
                } else {
                    balances.lock(base: sellQuantity)
                    orders.append(record)
                    takeProfitSide = .resting(RestingOrder(orderIndex: record.sequence, price: price, quantity: sellQuantity, locked: sellQuantity, safetyIndex: 0, leg: legSerial))
                }
            }
        }
        if let stopLoss {
            let level = rules.sellPrice(average * (1 - stopLoss))
            if stopTimeout > 0 {
                switch stopSide {
                case .countdown(_, let closes): stopSide = .countdown(level: level, closes: closes)
                case .due: stopSide = .due(level: level)
                case .none, .resting: stopSide = .countdown(level: level, closes: 0)
                }
            } else {
                let record = OrderRecord(sequence: orders.count, deal: deal.number, role: .stopLoss, side: .sell, type: .stopMarket, price: level, quantity: sellQuantity, bar: bar)
                orders.append(record)
                stopSide = .resting(RestingOrder(orderIndex: record.sequence, price: level, quantity: sellQuantity, locked: 0, safetyIndex: 0, leg: legSerial))
            }
        }
    }

    /// Cancels the resting take profit (releasing its base) and the resting stop; a trailing
    /// take profit stops trailing. A timed stop keeps its count (the next placement moves it).
    mutating func cancelRestingExits() {
        switch takeProfitSide {
        case .resting(let order):
            orders[order.orderIndex].status = .cancelled
            balances.release(base: order.locked)
        case .none, .trailingWaiting, .trailingArmed:
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
