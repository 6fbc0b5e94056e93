import DCAStrategy
import Foundation
import MarketData

/// Deterministic, realistic one-minute candles: a geometric random walk (SplitMix64 seeded,
/// Box-Muller normals) with about 0.1% volatility per minute, starting at 30,000.
public enum SyntheticCandles {
    /// DCAStrategy's SplitMix64 (the generator of random search) with the uniform and normal
    /// draws the walks use.
    public struct Draws {
        var generator: SplitMix64
        public init(seed: UInt64) { generator = SplitMix64(seed: seed) }
        public mutating func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        public mutating func normal() -> Double {
            let u1 = max(uniform(), 1e-300), u2 = uniform()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
    }

    public static func oneMinute(count: Int, seed: UInt64 = 42, volatility: Double = 0.001) -> CandleSeries {
        var random = Draws(seed: seed)
        var series = CandleSeries()
        series.reserveCapacity(count)
        var price = 30_000.0
        let start: Int64 = 1_577_836_800_000_000_000  // 2020-01-01T00:00:00Z
        for i in 0..<count {
            let open = price
            var high = open, low = open
            var p = open
            for _ in 0..<4 {
                p *= exp(volatility / 2 * random.normal())
                high = max(high, p)
                low = min(low, p)
            }
            let close = (p * 100).rounded() / 100
            high = max((high * 100).rounded(.up) / 100, close, open)
            low = min((low * 100).rounded(.down) / 100, close, open)
            series.append(openTime: start + Int64(i) * 60_000_000_000, open: open, high: high, low: low, close: close, volume: (1 + random.uniform() * 10 * 1e5).rounded() / 1e5)  // 5 decimals, as exchanges publish
            price = close
        }
        return series
    }

    /// A mean-reverting wave (0.5% amplitude, period about 13 minutes) with 0.1% noise around 100:
    /// a tight ladder keeps opening and closing deals on it, so the order log is long.
    public static func wave(count: Int, seed: UInt64 = 7) -> CandleSeries {
        var random = Draws(seed: seed)
        var series = CandleSeries()
        series.reserveCapacity(count)
        var previous = 100.0
        for i in 0..<count {
            let open = previous
            let close = ((100 * (1 + 0.005 * sin(Double(i) * 0.5) + (random.uniform() - 0.5) * 0.002)) * 100).rounded() / 100
            let high = max(open, close) + 0.02
            let low = min(open, close) - 0.02
            series.append(openTime: 1_577_836_800_000_000_000 + Int64(i) * 60_000_000_000, open: open, high: high, low: low, close: close, volume: 1)
            previous = close
        }
        series.cacheInterval()
        return series
    }

    /// The same walk written as Binance writes its spot kline archives: no header, 12 columns,
    /// epoch milliseconds, prices and quantities with 8 decimals (about 140 bytes a row, like
    /// `1577836800000,7195.24000000,7196.25000000,...,493,19.59823000,140888.41428273,0`).
    public static func binanceCSV(_ series: CandleSeries) -> [UInt8] {
        func eightDecimals(_ value: Double) -> String {
            let scaled = Int64((value * 1e8).rounded())
            let fraction = String(scaled % 100_000_000)
            return "\(scaled / 100_000_000)." + String(repeating: "0", count: 8 - fraction.count) + fraction
        }
        var text = ""
        text.reserveCapacity(series.count * 145)
        for i in 0..<series.count {
            let ms = series.openTimes[i] / 1_000_000
            let volume = series.volumes[i]
            text += "\(ms),\(eightDecimals(series.opens[i])),\(eightDecimals(series.highs[i])),\(eightDecimals(series.lows[i])),"
            text += "\(eightDecimals(series.closes[i])),\(eightDecimals(volume)),\(ms + 59_999),\(eightDecimals(volume * series.closes[i])),"
            text += "\(100 + i % 400),\(eightDecimals(volume / 2)),\(eightDecimals(volume / 2 * series.closes[i])),0\n"
        }
        return Array(text.utf8)
    }

    /// The same walk as pandas' `DataFrame.to_csv` writes it: the index column with an empty
    /// header, ISO times `YYYY-MM-DD HH:MM:SS`, prices with 2 decimals, volume with 4 (about 60
    /// bytes a row, like `2020-01-01 00:00:00,7195.24,7196.25,7183.14,7186.68,51.6422`).
    public static func pandasCSV(_ series: CandleSeries) -> [UInt8] {
        func decimals(_ value: Double, _ places: Int) -> String {
            let factor = places == 2 ? 100.0 : 10_000.0
            let scaled = Int64((value * factor).rounded())
            let unit = Int64(factor)
            let fraction = String(scaled % unit)
            return "\(scaled / unit)." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = ",open,high,low,close,volume\n"
        text.reserveCapacity(series.count * 64)
        for i in 0..<series.count {
            let seconds = series.openTimes[i] / 1_000_000_000
            let (y, m, d) = UTCTime.civilFromDays(seconds / 86_400)
            let s = seconds % 86_400
            text += "\(y)-\(two(m))-\(two(d)) \(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60)),"
            text += "\(decimals(series.opens[i], 2)),\(decimals(series.highs[i], 2)),\(decimals(series.lows[i], 2)),\(decimals(series.closes[i], 2)),\(decimals(series.volumes[i], 4))\n"
        }
        return Array(text.utf8)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
