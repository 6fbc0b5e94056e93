import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// Invariants of the engine v2 options over seeded random candles and bots: take-profit steps,
/// trailing stop loss, break-even, stop_bot, a price close condition, sizes in base units and
/// compounding (docs/SEMANTICS.md).
@Suite struct EngineV2PropertyTests {
    typealias Random = EnginePropertyTests.Random

    static func configuration(_ random: inout Random) throws -> BotConfiguration {
        let steps = random.pick([
            #""take_profit_steps": [{"profit": 0.01, "fraction": 0.5}, {"profit": 0.02, "fraction": 0.5}]"#,
            #""take_profit_steps": [{"profit": 0.005, "fraction": 0.25}, {"profit": 0.01, "fraction": 0.25}, {"profit": 0.015, "fraction": 0.3}, {"profit": 0.03, "fraction": 0.2}]"#,
            #""take_profit": 0.015"#,
        ])
        let hasSteps = steps.contains("steps")
        let stop = random.pick(["null", "0.03", "0.06"])
        let trailingStop = stop != "null" && random.uniform() < 0.6
        let breakeven = stop != "null" && hasSteps && random.uniform() < 0.5
        let base = random.uniform() < 0.3
        let json = """
            {"symbol": "TESTUSDT", "initial_balance": \(random.pick([1000, 5000])), "base_order_size": \(base ? "0.5" : "100"),
             "safety_order_size": \(base ? random.pick(["0.5", "1"]) : random.pick(["50", "100"])), "max_safety_orders": \(random.pick([0, 2, 4])),
             "price_deviation": \(random.pick([0.01, 0.02])), "safety_order_step_scale": \(random.pick([1, 1.3])),
             "safety_order_volume_scale": \(random.pick([1, 1.5])), \(steps),
             "trailing_deviation": \(random.pick(["null", "null", "0.004"])), "stop_loss": \(stop),
             "trailing_stop_loss": \(trailingStop), "stop_loss_to_breakeven": \(breakeven),
             "stop_loss_action": "\(stop != "null" && random.uniform() < 0.3 ? "stop_bot" : "close_deal")",
             "close_conditions": \(random.uniform() < 0.3 ? #"[{"indicator": "price", "min": 90, "max": 104}]"# : "[]"),
             "close_min_profit": \(random.pick(["0", "0.005", "false"])),
             "order_size_unit": "\(base ? "base" : "quote")", "compound": \(random.uniform() < 0.4),
             "cooldown_bars": \(random.pick([0, 2])), "fee_rate": \(random.pick([0, 0.001])), "maker_fee_rate": \(random.pick(["null", "0.0002"])),
             "fee_currency": "\(random.pick(["quote", "quote", "base"]))", "slippage_bps": \(random.pick([0, 5])),
             "tick_size": \(random.pick(["null", "0.01"])), "step_size": \(random.pick(["null", "0.0001"])), "min_notional": \(random.pick(["null", "5"])),
             "fill_model": "\(random.pick(["pessimistic", "ohlc", "olhc", "adaptive"]))"}
            """
        return try BotConfiguration.decode(json: Data(json.utf8))
    }

    @Test(arguments: 0..<200)
    func invariantsHoldWithTheNewOptions(seed: Int) throws {
        var random = Random(state: UInt64(seed) &+ 77_000)
        let candles = EnginePropertyTests.series(&random, count: 400)
        let configuration = try Self.configuration(&random)
        let result = Backtester.run(configuration: configuration, candles: candles)
        let rules = ExchangeRules(tickSize: configuration.tickSize, stepSize: configuration.stepSize, minNotional: nil, minQty: nil)

        // Balances never negative; equity finite.
        #expect(result.quoteFree >= 0 && result.quoteLocked >= 0 && result.baseFree >= 0 && result.baseLocked >= 0)
        #expect(result.equity.allSatisfy { $0.isFinite })

        // Quote and base conserved across fills up to fees; sells never exceed what the deal holds.
        var quote = configuration.initialBalance
        var base = 0.0
        var held: [Int: Double] = [:]
        var sold: [Int: Double] = [:]
        for order in result.orders.sorted(by: { ($0.filledBar ?? -1, $0.sequence) < ($1.filledBar ?? -1, $1.sequence) }) where order.status == .filled {
            let notional = order.filledQuantity * order.averagePrice!
            if order.side == .buy {
                let received = configuration.feeCurrency == .base ? order.filledQuantity - order.fees / order.averagePrice! : order.filledQuantity
                quote -= configuration.feeCurrency == .base ? notional : notional + order.fees
                base += received
                held[order.deal!, default: 0] += received
            } else {
                quote += notional - order.fees
                base -= order.filledQuantity
                sold[order.deal!, default: 0] += order.filledQuantity
            }
        }
        #expect(abs(quote - (result.quoteFree + result.quoteLocked)) <= 1e-7 * max(1, configuration.initialBalance))
        #expect(abs(base - (result.baseFree + result.baseLocked)) <= 1e-9)
        for (deal, quantity) in sold { #expect(quantity <= held[deal, default: 0] + 1e-12) }

        // The last set of steps placed for each deal sells exactly its position (rounded down).
        if !configuration.takeProfitSteps.isEmpty {
            let count = configuration.takeProfitSteps.count
            let resting = configuration.trailingDeviation == nil ? count : count - 1
            for deal in result.deals {
                let steps = result.orders.filter { $0.deal == deal.number && $0.role == .takeProfit && $0.takeProfitStep != nil }
                guard steps.count >= resting, resting > 0, steps.allSatisfy({ $0.status != .rejected }) else { continue }
                let last = steps.suffix(resting)
                #expect(last.map(\.takeProfitStep!) == Array(1...resting))
                if configuration.trailingDeviation == nil {
                    #expect(abs(last.map(\.quantity).reduce(0, +) - rules.quantity(deal.quantity)) <= 1e-9 * max(1, deal.quantity))
                }
            }
        }
        // After a stop-loss exit with stop_bot no deal opens.
        if configuration.stopLossAction == .stopBot, let stopped = result.deals.firstIndex(where: { $0.closeReason == .stopLoss }) {
            #expect(result.deals.count == stopped + 1 && result.botStopped)
        }
        // Realized PnL is the sum over closed deals.
        let closedPnL = result.deals.filter { $0.closedBar != nil }.map(\.realizedPnL).reduce(0, +)
        #expect(abs(closedPnL - result.metrics.realizedPnL) <= 1e-9 * max(1, abs(closedPnL)))
    }

    /// Replays every prefix of the series: between two bars without a buy fill, an open deal's
    /// trailing stop level never goes down.
    @Test(arguments: 0..<12)
    func trailingStopIsNeverLoweredByThePath(seed: Int) throws {
        var random = Random(state: UInt64(seed) &+ 91_000)
        let candles = EnginePropertyTests.series(&random, count: 160)
        let configuration = try BotConfiguration.decode(json: Data("""
            {"symbol": "TESTUSDT", "initial_balance": 5000, "base_order_size": 100, "safety_order_size": 100, "max_safety_orders": 3,
             "price_deviation": 0.01, "take_profit_steps": [{"profit": 0.01, "fraction": 0.5}, {"profit": 0.03, "fraction": 0.5}],
             "stop_loss": \(random.pick([0.01, 0.02, 0.04])), "trailing_stop_loss": true, "stop_loss_to_breakeven": \(random.uniform() < 0.5),
             "fee_rate": 0.001, "tick_size": 0.01, "fill_model": "\(random.pick(["pessimistic", "ohlc", "adaptive"]))"}
            """.utf8))
        var previous: (deal: Int, level: Double, buys: Int)? = nil
        for k in 1...candles.count {
            var prefix = CandleSeries()
            for i in 0..<k {
                prefix.append(openTime: candles.openTimes[i], open: candles.opens[i], high: candles.highs[i], low: candles.lows[i], close: candles.closes[i], volume: 1)
            }
            let result = Backtester.run(configuration: configuration, candles: prefix)
            guard let deal = result.openDeal,
                  let stop = result.orders.last(where: { $0.deal == deal.number && $0.role == .stopLoss && $0.status == .new }) else { previous = nil; continue }
            let buys = result.orders.filter { $0.deal == deal.number && $0.side == .buy && $0.status == .filled }.count
            if let previous, previous.deal == deal.number, previous.buys == buys {
                #expect(stop.price! >= previous.level, "bar \(k - 1): stop lowered from \(previous.level) to \(stop.price!)")
            }
            previous = (deal.number, stop.price!, buys)
        }
    }
}
