import Foundation

/// The safety-order ladder of a deal (docs/SEMANTICS.md, "Deals").
///
/// With `d` the price deviation, `s` the step scale, `v` the volume scale and `SO` the first
/// safety order's quote size, safety order `k = 1...n` sits at the cumulative deviation
/// `D_k = d (s^k - 1) / (s - 1)` (or `d k` when `s = 1`) below the base order's fill price
/// `P0`, at `P_k = P0 (1 - D_k)`, for the quote amount `Q_k = SO v^(k-1)`.
public enum Ladder {
    /// `D_k`, a fraction of `P0`.
    @inlinable
    public static func cumulativeDeviation(k: Int, priceDeviation d: Double, stepScale s: Double) -> Double {
        if s == 1 { return d * Double(k) }
        return d * (pow(s, Double(k)) - 1) / (s - 1)
    }

    /// `Q_k` in quote currency.
    @inlinable
    public static func quoteSize(k: Int, safetyOrderSize: Double, volumeScale v: Double) -> Double {
        safetyOrderSize * pow(v, Double(k - 1))
    }

    /// `P_k = P0 (1 - D_k)`, before tick rounding.
    @inlinable
    public static func triggerPrice(k: Int, basePrice: Double, priceDeviation: Double, stepScale: Double) -> Double {
        basePrice * (1 - cumulativeDeviation(k: k, priceDeviation: priceDeviation, stepScale: stepScale))
    }

    /// Quote capital of a full deal, `base + SO (v^n - 1) / (v - 1)` (or `base + SO n` when
    /// `v = 1`); fees excluded.
    public static func capitalPerDeal(baseOrderSize: Double, safetyOrderSize: Double, volumeScale v: Double, maxSafetyOrders n: Int) -> Double {
        guard n > 0 else { return baseOrderSize }
        if v == 1 { return baseOrderSize + safetyOrderSize * Double(n) }
        return baseOrderSize + safetyOrderSize * (pow(v, Double(n)) - 1) / (v - 1)
    }
}

/// A calendar period for recurring buys: every N hours, days or weeks (weeks start Monday
/// 00:00 UTC).
public struct RecurringSchedule: Sendable, Equatable {
    /// The period length in nanoseconds.
    public var periodNanoseconds: Int64
    /// The offset of period starts from the epoch, in nanoseconds (Monday alignment for weeks).
    public var alignmentNanoseconds: Int64

    /// Parses `"12h"`, `"1d"`, `"1w"`; `nil` for anything else.
    public init?(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let count = Int64(trimmed.dropLast()), count > 0, count <= 10_000 else { return nil }
        let hour: Int64 = 3_600_000_000_000
        switch unit {
        case "h": periodNanoseconds = count * hour; alignmentNanoseconds = 0
        case "d": periodNanoseconds = count * 24 * hour; alignmentNanoseconds = 0
        case "w": periodNanoseconds = count * 7 * 24 * hour; alignmentNanoseconds = 4 * 24 * hour  // 1970-01-05 was a Monday
        default: return nil
        }
    }

    /// The index of the period that holds `time` (nanoseconds since the epoch).
    @inlinable
    public func period(of time: Int64) -> Int64 {
        let shifted = time - alignmentNanoseconds
        let q = shifted / periodNanoseconds
        return (shifted % periodNanoseconds != 0 && shifted < 0) ? q - 1 : q
    }
}
