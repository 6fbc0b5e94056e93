import Foundation
import Testing

@testable import DCAStrategy
@testable import Indicators

/// Conditions evaluated bar by bar: warm-up, AND, crosses, coarser timeframes and their gaps.
@Suite struct ConditionSetTests {
    static let hour: Int64 = 3_600_000_000_000
    /// 2025-03-13T00:00Z, a multiple of 4 h.
    static let start: Int64 = 1_741_824_000 * 1_000_000_000

    /// Feeds closes as hourly bars (high and low 1 around the close) and returns `holds` after each.
    static func holdsAfterEach(_ set: inout ConditionSet, _ closes: [Double], skipping missing: Set<Int> = []) -> [Bool] {
        var out: [Bool] = []
        for (i, c) in closes.enumerated() where !missing.contains(i) {
            let t = start + Int64(i) * hour
            set.beginBar(openTime: t)
            set.update(openTime: t, open: c, high: c + 1, low: c - 1, close: c, volume: 1)
            out.append(set.holds)
        }
        return out
    }

    @Test func case37RsiBelow35HoldsOnlyAtTheFourthBarsClose() {
        // RSI(3): warm-up for 3 closes, 60 at bar 3, 31.58 at bar 4 (< 35), then
        // gain (1/3 * 2 + 0.6) / 3 = 0.4222, loss (13/18 * 2) / 3 = 0.4815: 46.7 at bar 5.
        var set = ConditionSet(conditions: [DealCondition(.rsi(period: 3, .below(35)))], interval: Self.hour)
        #expect(!set.holds)
        let holds = Self.holdsAfterEach(&set, [100, 101, 101.5, 100.5, 99, 99.6])
        #expect(holds == [false, false, false, false, true, false])
    }

    @Test func anEmptySetAlwaysHolds() {
        let set = ConditionSet(conditions: [], interval: Self.hour)
        #expect(set.isEmpty && set.holds)
    }

    @Test func allConditionsMustHold() {
        let conditions = [DealCondition(.price(min: 100, max: nil)), DealCondition(.price(min: nil, max: 110))]
        var set = ConditionSet(conditions: conditions, interval: Self.hour)
        #expect(Self.holdsAfterEach(&set, [99, 100, 105, 110, 111]) == [false, true, true, true, false])
    }

    @Test func closeAgainstItsAverageIsStrict() {
        // Case 35: SMA(3) of 102, 104, 103 is 103; a close of 103 is not below it; 102 < 103 is.
        var set = ConditionSet(conditions: [DealCondition(.movingAverage(.sma, period: 3, price: .below))], interval: Self.hour)
        #expect(Self.holdsAfterEach(&set, [100, 102, 104, 103, 102]) == [false, false, false, false, true])
    }

    @Test func maCrossHoldsAtTheCloseWhereTheFastAverageCrosses() {
        // fast SMA(1) = the close; slow SMA(2): -, 2.5, 1.5, 1.5, 2.5, 2.5. Fast - slow: -, -0.5, -0.5, +0.5, +0.5, -0.5: up at bar 3 only.
        var up = ConditionSet(conditions: [DealCondition(.movingAverageCross(.sma, fast: 1, slow: 2, direction: .up))], interval: Self.hour)
        #expect(Self.holdsAfterEach(&up, [3, 2, 1, 2, 3, 2]) == [false, false, false, true, false, false])
        var down = ConditionSet(conditions: [DealCondition(.movingAverageCross(.sma, fast: 1, slow: 2, direction: .down))], interval: Self.hour)
        // slow at bar 5: 2.5, fast 2: fast was above (3 > 2.5) and is below now.
        #expect(Self.holdsAfterEach(&down, [3, 2, 1, 2, 3, 2]) == [false, false, false, false, false, true])
    }

    @Test func aCoarserTimeframeIsKnownOnlyAtItsBucketsClose() {
        // 2h buckets of hourly bars: [00, 01] closes at 01:00's close with 01:00's close.
        let condition = DealCondition(.price(min: 105, max: nil), timeframe: Timeframe(text: "2h"))
        var set = ConditionSet(conditions: [condition], interval: Self.hour)
        // Bar 0 closes at 106 but its bucket is not complete; bucket 1 closes at 106 (bar 1) and holds
        // through bar 2 (close 90, its bucket still open); bucket 2 closes at 100 (bar 3): no longer.
        #expect(Self.holdsAfterEach(&set, [106, 106, 90, 100, 107]) == [false, true, true, false, false])
    }

    @Test func aBucketMissingItsLastBarClosesWhenTheNextBarOpens() {
        // 2h buckets; bar 1 (01:00) is missing: bucket [00, 02) is complete once 02:00 opens.
        let condition = DealCondition(.price(min: 105, max: nil), timeframe: Timeframe(text: "2h"))
        var set = ConditionSet(conditions: [condition], interval: Self.hour)
        set.update(openTime: Self.start, open: 106, high: 107, low: 105, close: 106, volume: 1)
        #expect(!set.holds)
        set.beginBar(openTime: Self.start + 2 * Self.hour)
        #expect(set.holds)
    }

    @Test func aTimeframeEqualToTheIntervalUsesTheBarsThemselves() {
        let condition = DealCondition(.price(min: 105, max: nil), timeframe: Timeframe(text: "1h"))
        var set = ConditionSet(conditions: [condition], interval: Self.hour)
        #expect(Self.holdsAfterEach(&set, [106, 100]) == [true, false])
    }

    @Test func rsiOnFourHourBucketsMatchesRsiOfTheBucketCloses() {
        // RSI(2) on 4h: bucket closes 100, 104, 102 (bars 3, 7, 11): gains 4, loss 2 over 2 changes:
        // 100 * 2 / (2 + 1) = 66.7 > 60 from bar 11's close on.
        let closes: [Double] = [99, 98, 99, 100, 101, 103, 105, 104, 103, 101, 101, 102, 50]
        var set = ConditionSet(conditions: [DealCondition(.rsi(period: 2, .above(60)), timeframe: Timeframe(text: "4h"))], interval: Self.hour)
        let holds = Self.holdsAfterEach(&set, closes)
        #expect(holds == Array(repeating: false, count: 11) + [true, true])
    }

    /// With an RSI on 4h over hourly bars from 00:00, the unfinished bucket is 00:00-04:00 and its
    /// last bar opens at 03:00: a bar opening before 03:00 completes nothing. Right after the
    /// 03:00 bar no bucket is unfinished (the next bar starts one): `Int64.min`. A condition on
    /// the data's own timeframe changes at every bar: `Int64.min` too; an empty set: `Int64.max`.
    @Test func conditionsAreUnchangedBeforeTheLastBarOfTheirUnfinishedBucket() {
        var set = ConditionSet(conditions: [DealCondition(.rsi(period: 2, .above(60)), timeframe: Timeframe(text: "4h"))], interval: Self.hour)
        #expect(set.unchangedBefore == .min)
        _ = Self.holdsAfterEach(&set, [100])
        #expect(set.unchangedBefore == Self.start + 3 * Self.hour)
        set.beginBar(openTime: Self.start + 3 * Self.hour)
        set.update(openTime: Self.start + 3 * Self.hour, open: 100, high: 101, low: 99, close: 100, volume: 1)
        #expect(set.unchangedBefore == .min)
        var own = ConditionSet(conditions: [DealCondition(.rsi(period: 2, .above(60)))], interval: Self.hour)
        _ = Self.holdsAfterEach(&own, [100])
        #expect(own.unchangedBefore == .min)
        #expect(ConditionSet(conditions: [], interval: Self.hour).unchangedBefore == .max)
    }

    /// Bars taken in at once leave the same bucket as one update each: highest high 107, lowest
    /// low 93, last close 104, volumes 1 + 2 + 3 + 4 = 10 (the first bar's open 100 kept).
    @Test func absorbingBarsGivesTheBucketOneUpdateEachWouldGive() {
        let highs = [101.0, 107, 103, 105], lows = [99.0, 96, 93, 94], closes = [100.0, 102, 98, 104], volumes = [1.0, 2, 3, 4]
        var aggregator = TimeframeAggregator(timeframe: Timeframe(text: "1d")!, interval: Self.hour)
        _ = aggregator.add(openTime: Self.start, open: 100, high: highs[0], low: lows[0], close: closes[0], volume: volumes[0])
        highs.withUnsafeBufferPointer { h in lows.withUnsafeBufferPointer { l in closes.withUnsafeBufferPointer { c in volumes.withUnsafeBufferPointer { v in
            aggregator.absorb(highs: h, lows: l, closes: c, volumes: v, bars: 1..<4)
        }}}}
        #expect(aggregator.pending == Bucket(openTime: Self.start, open: 100, high: 107, low: 93, close: 104, volume: 10))
    }
}
