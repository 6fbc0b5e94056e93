import Foundation
import Testing

@testable import MarketData

/// UTC-aligned resampling (BarAggregator): open of the first bar, highest high, lowest low,
/// close of the last, summed volume; partial first and last buckets reported.
@Suite struct ResampleTests {
    /// 15-minute bars from 00:30 to 02:15 UTC on 2024-01-01 (8 bars), the 01:45 bar missing.
    static func bars() -> CandleSeries {
        let start: Int64 = 1_704_069_000  // 2024-01-01 00:30 UTC
        var series = CandleSeries()
        for k in 0..<8 where k != 5 {
            let t = (start + Int64(k) * 900) * 1_000_000_000
            let base = Double(100 + k)
            series.append(openTime: t, open: base, high: base + 2, low: base - 1, close: base + 0.5, volume: Double(k + 1))
        }
        series.cacheInterval(given: 900_000_000_000)
        return series
    }

    @Test func hourlyBucketsFollowTheOhlcvRulesAndReportPartialEnds() throws {
        let result = try Self.bars().resampled(to: try Timeframe("1h"))
        let s = result.series
        // Buckets 00:00 (bars at 00:30, 00:45), 01:00 (01:00, 01:15, 01:30; 01:45 missing), 02:00 (02:00, 02:15).
        #expect(s.openTimes.map { $0 / 1_000_000_000 } == [1_704_067_200, 1_704_070_800, 1_704_074_400])
        #expect(s.opens == [100, 102, 106])
        #expect(s.highs == [103, 106, 109])
        #expect(s.lows == [99, 101, 105])
        #expect(s.closes == [101.5, 104.5, 107.5])
        #expect(s.volumes == [3, 12, 15])  // 1+2, 3+4+5, 7+8
        #expect(result.barsPerBucket == 4)
        #expect(result.barsInBucket == [2, 3, 2])
        #expect(result.partialFirst && result.partialLast)
        #expect(result.incompleteInteriorBuckets == 1)
        #expect(s.intervalNanoseconds == 3_600_000_000_000)
    }

    @Test func weeksStartOnMondayUtc() throws {
        let week = try Timeframe("1w")
        // 2024-01-03 (a Wednesday) 12:00 is in the week of Monday 2024-01-01 00:00 UTC.
        #expect(week.bucketStart(1_704_283_200_000_000_000) == 1_704_067_200_000_000_000)
        let fourAm: Int64 = 1_704_081_600_000_000_000  // 2024-01-01 04:00 UTC
        #expect(try Timeframe("4h").bucketStart(fourAm + 1) == fourAm)
    }

    @Test func targetsThatSplitABarOrDoNotParseAreRefused() throws {
        #expect(throws: ResampleError.self) { try Self.bars().resampled(to: try Timeframe("20m")) }
        #expect(throws: ResampleError.self) { try Self.bars().resampled(to: try Timeframe("5m")) }
        #expect(throws: TimeframeError.self) { try Timeframe("1 hour") }
        #expect(throws: TimeframeError.self) { try Timeframe("0h") }
    }

    @Test func aggregatorStreamsOneBucketAtATime() throws {
        var aggregator = BarAggregator(timeframe: try Timeframe("30m"))
        #expect(aggregator.add(openTime: 0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 1) == nil)
        #expect(aggregator.add(openTime: 900_000_000_000, open: 1.5, high: 3, low: 1, close: 2, volume: 2) == nil)
        let closed = aggregator.add(openTime: 1_800_000_000_000, open: 2, high: 2, low: 2, close: 2, volume: 0)
        #expect(closed == BarAggregator.Bucket(openTime: 0, open: 1, high: 3, low: 0.5, close: 2, volume: 3, bars: 2))
        #expect(aggregator.finish()?.openTime == 1_800_000_000_000)
    }
}
