import Foundation

/// A bar length for conditions computed on coarser candles: `"15m"`, `"1h"`, `"4h"`, `"1d"`, `"1w"`.
///
/// Buckets are UTC-aligned: a bucket of length `L` starts at every multiple of `L` since
/// 1970-01-01T00:00:00Z, except weeks, which start on Monday 00:00 UTC (as exchanges' weekly
/// candles do; 1970-01-05 was a Monday). Months are not a fixed length and are not accepted.
public struct Timeframe: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The bucket length in nanoseconds.
    public let nanoseconds: Int64
    /// The offset of bucket starts from the epoch, in nanoseconds (4 days for weeks, else 0).
    public let alignmentNanoseconds: Int64
    /// The text it was written as, normalised (`"4h"`).
    public let text: String

    /// Parses a count and a unit: `s` (seconds), `m` (minutes), `h` (hours), `d` (days), `w` (weeks).
    /// - Returns: `nil` for anything else (`"1M"`, `"0h"`, `"h"`, `"4 hours"`).
    public init?(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last, let count = Int64(trimmed.dropLast()), count > 0, count <= 100_000 else { return nil }
        let second: Int64 = 1_000_000_000
        let length: Int64
        var alignment: Int64 = 0
        switch unit {
        case "s": length = second
        case "m": length = 60 * second
        case "h": length = 3_600 * second
        case "d": length = 86_400 * second
        case "w": length = 7 * 86_400 * second; alignment = 4 * 86_400 * second
        default: return nil
        }
        nanoseconds = count * length
        alignmentNanoseconds = alignment
        self.text = "\(count)\(unit)"
    }

    public var description: String { text }

    /// The start (nanoseconds since the epoch, UTC) of the bucket that holds `time`.
    @inlinable
    public func bucketStart(of time: Int64) -> Int64 {
        let shifted = time &- alignmentNanoseconds
        var q = shifted / nanoseconds
        if shifted % nanoseconds != 0 && shifted < 0 { q -= 1 }
        return q &* nanoseconds &+ alignmentNanoseconds
    }

    /// Whether buckets of this length are made of whole bars of `interval` nanoseconds, each
    /// bucket starting on a bar boundary (the length a whole multiple of the interval).
    public func isWholeMultiple(ofInterval interval: Int64) -> Bool {
        interval > 0 && nanoseconds % interval == 0 && alignmentNanoseconds % interval == 0
    }

    /// A bar length in nanoseconds written the way timeframes are (`3600000000000` -> `"1h"`).
    public static func describe(nanoseconds: Int64) -> String {
        let second: Int64 = 1_000_000_000
        for (unit, length) in [("w", 7 * 86_400 * second), ("d", 86_400 * second), ("h", 3_600 * second), ("m", 60 * second), ("s", second)]
        where nanoseconds >= length && nanoseconds % length == 0 {
            return "\(nanoseconds / length)\(unit)"
        }
        return "\(nanoseconds) ns"
    }
}
