import Benchmark
import DCAStrategy
import Foundation
import Indicators

/// Deterministic one-minute closes: a random walk around 30,000 (SplitMix64, uniform steps of
/// up to 0.1%), with high and low 0.05% around the close.
func syntheticMinutes(count: Int, seed: UInt64 = 7) -> (times: [Int64], closes: [Double]) {
    var state = seed
    func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    var price = 30_000.0
    var times: [Int64] = []
    var closes: [Double] = []
    times.reserveCapacity(count)
    closes.reserveCapacity(count)
    let start: Int64 = 1_577_836_800_000_000_000  // 2020-01-01T00:00:00Z
    for i in 0..<count {
        price *= 1 + (next() - 0.5) * 0.002
        times.append(start + Int64(i) * 60_000_000_000)
        closes.append((price * 100).rounded() / 100)
    }
    return (times, closes)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 30,
        thresholds: [.wallClock: .init(relative: [.p90: 35]), .throughput: .init(relative: [.p90: 35]), .mallocCountTotal: .init(absolute: [.p90: 0])]
    )
    let million = 1_000_000
    let minutes = syntheticMinutes(count: million)
    let minute: Int64 = 60_000_000_000

    // The figure: an RSI(14) start condition on 1h buckets of 1M one-minute candles
    // (the condition's part of the loop: beginBar, update and holds at every candle).
    Benchmark("Condition_RSI14_on_1h_1M_one_minute_candles", configuration: .init(scalingFactor: .mega)) { benchmark in
        var set = ConditionSet(conditions: [DealCondition(.rsi(period: 14, .below(30)), timeframe: Timeframe(text: "1h"))], interval: minute)
        var held = 0
        benchmark.startMeasurement()
        minutes.closes.withUnsafeBufferPointer { closes in
            minutes.times.withUnsafeBufferPointer { times in
                for i in 0..<closes.count {
                    set.beginBar(openTime: times[i])
                    if set.holds { held &+= 1 }
                    let c = closes[i]
                    set.update(openTime: times[i], open: c, high: c * 1.0005, low: c * 0.9995, close: c, volume: 1)
                }
            }
        }
        benchmark.stopMeasurement()
        blackHole(held)
    }

    // Every indicator at once on the data's own bars.
    Benchmark("Condition_all_indicators_1M_one_minute_candles", configuration: .init(scalingFactor: .mega)) { benchmark in
        var set = ConditionSet(conditions: [
            DealCondition(.rsi(period: 14, .below(30))),
            DealCondition(.movingAverage(.sma, period: 50, price: .above)),
            DealCondition(.movingAverageCross(.ema, fast: 12, slow: 26, direction: .up)),
            DealCondition(.bollingerPercentB(period: 20, deviations: 2, .below(0))),
            DealCondition(.priceChange(bars: 60, .below(-0.01))),
        ], interval: minute)
        var held = 0
        benchmark.startMeasurement()
        minutes.closes.withUnsafeBufferPointer { closes in
            minutes.times.withUnsafeBufferPointer { times in
                for i in 0..<closes.count {
                    set.beginBar(openTime: times[i])
                    if set.holds { held &+= 1 }
                    let c = closes[i]
                    set.update(openTime: times[i], open: c, high: c, low: c, close: c, volume: 1)
                }
            }
        }
        benchmark.stopMeasurement()
        blackHole(held)
    }
}
