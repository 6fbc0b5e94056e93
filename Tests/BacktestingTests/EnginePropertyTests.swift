import Foundation
import DCAStrategy
import MarketData
import Testing

@testable import Backtesting

/// Invariants over seeded random candle series and bot configurations (SEMANTICS.md 3-6).
@Suite struct EnginePropertyTests {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        mutating func uniform() -> Double { Double(next()) / Double(1 << 53) }
        mutating func pick<T>(_ values: [T]) -> T { values[Int(next() % UInt64(values.count))] }
    }

    /// A random walk of hourly candles with occasional gaps between close and open.
    static func series(_ random: inout Random, count: Int) -> CandleSeries {
        var series = CandleSeries()
        var price = 100.0
        for i in 0..<count {
            let gap = random.uniform() < 0.1 ? (random.uniform() - 0.5) * 0.06 : 0
            let open = (price * (1 + gap) * 100).rounded() / 100
            let close = (open * (1 + (random.uniform() - 0.5) * 0.04) * 100).rounded() / 100
            let high = max(open, close) * (1 + random.uniform() * 0.01)
            let low = min(open, close) * (1 - random.uniform() * 0.01)
            series.append(openTime: Int64(i) * 3_600_000_000_000, open: open, high: high, low: low, close: close, volume: 1)
            price = close
        }
        return series
    }

    static func configuration(_ random: inout Random) throws -> BotConfiguration {
        let stop = random.pick(["null", "0.03", "0.08"])
        let json = """
            {"symbol": "TESTUSDT", "initial_balance": \(random.pick([500, 2000, 10000])), "base_order_size": \(random.pick([50, 100])),
             "safety_order_size": \(random.pick([50, 100, 200])), "max_safety_orders": \(random.pick([0, 2, 5])),
             "max_active_safety_orders": \(random.pick(["null", "1"])), "price_deviation": \(random.pick([0.005, 0.01, 0.02])),
             "safety_order_step_scale": \(random.pick([1, 1.3])), "safety_order_volume_scale": \(random.pick([1, 1.5])),
             "take_profit": \(random.pick([0.005, 0.015, 0.03])), "trailing_deviation": \(random.pick(["null", "null", "0.005"])),
             "stop_loss": \(stop), "stop_loss_timeout_bars": \(stop == "null" ? 0 : random.pick([0, 0, 2])),
             "cooldown_bars": \(random.pick([0, 3])), "fee_rate": \(random.pick([0, 0.001])), "maker_fee_rate": \(random.pick(["null", "0.0002"])),
             "fee_currency": "\(random.pick(["quote", "quote", "base"]))", "slippage_bps": \(random.pick([0, 5])),
             "tick_size": \(random.pick(["null", "0.01"])), "step_size": \(random.pick(["null", "0.0001"])), "min_notional": \(random.pick(["null", "10"])),
             "fill_model": "\(random.pick(["pessimistic", "ohlc", "olhc", "adaptive"]))"}
            """
        return try BotConfiguration.decode(json: Data(json.utf8))
    }

    @Test(arguments: 0..<200)
    func invariantsHoldOnRandomRuns(seed: Int) throws {
        var random = Random(state: UInt64(seed) &+ 1000)
        let candles = Self.series(&random, count: 600)
        let configuration = try Self.configuration(&random)
        let result = Backtester.run(configuration: configuration, candles: candles)

        // Balances never negative.
        #expect(result.quoteFree >= 0 && result.quoteLocked >= 0 && result.baseFree >= 0 && result.baseLocked >= 0)
        let finite = result.equity.allSatisfy { $0.isFinite }
        #expect(finite)
        // total_pnl = final equity - initial balance.
        #expect(result.metrics.totalPnL == result.metrics.finalEquity - configuration.initialBalance)
        #expect(result.metrics.finalEquity == result.equity.last)

        // Quote and base are conserved across fills, up to fees.
        var quote = configuration.initialBalance
        var base = 0.0
        var held: [Int: Double] = [:]
        var sold: [Int: Double] = [:]
        for order in result.orders where order.status == .filled {
            let notional = order.filledQuantity * order.averagePrice!
            if order.side == .buy {
                if configuration.feeCurrency == .base {
                    quote -= notional
                    base += order.filledQuantity - order.fees / order.averagePrice!
                    held[order.deal!, default: 0] += order.filledQuantity - order.fees / order.averagePrice!
                } else {
                    quote -= notional + order.fees
                    base += order.filledQuantity
                    held[order.deal!, default: 0] += order.filledQuantity
                }
            } else {
                quote += notional - order.fees
                base -= order.filledQuantity
                sold[order.deal!, default: 0] += order.filledQuantity
            }
            // Limit orders fill at their price or better; stops at their level or worse.
            let bar = order.filledBar!
            switch (order.type, order.side) {
            case (.limit, .buy):
                #expect(order.averagePrice! <= order.price! && order.averagePrice! >= candles.lows[bar] && order.averagePrice! <= candles.highs[bar])
            case (.limit, .sell):
                #expect(order.averagePrice! >= order.price! && order.averagePrice! >= candles.lows[bar] && order.averagePrice! <= candles.highs[bar])
            case (.stopMarket, _):
                #expect(order.averagePrice! <= order.price! + 1e-9)
            default:
                break
            }
        }
        #expect(abs(quote - (result.quoteFree + result.quoteLocked)) <= 1e-7 * max(1, configuration.initialBalance))
        #expect(abs(base - (result.baseFree + result.baseLocked)) <= 1e-9)
        // A sell never asks for more than the deal holds.
        for (deal, quantity) in sold { #expect(quantity <= held[deal, default: 0] + 1e-12) }
        // Realized PnL is the sum over closed deals.
        let closedPnL = result.deals.filter { $0.closedBar != nil }.map(\.realizedPnL).reduce(0, +)
        #expect(abs(closedPnL - result.metrics.realizedPnL) <= 1e-9 * max(1, abs(closedPnL)))

        // Identical when repeated.
        let again = Backtester.run(configuration: configuration, candles: candles)
        #expect(again.orders == result.orders)
        #expect(again.deals == result.deals)
        #expect(again.equity == result.equity)
        #expect(again.metrics == result.metrics)
    }
}
