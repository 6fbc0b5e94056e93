import Foundation
import Testing

@testable import Indicators

/// Hand-worked values of each incremental indicator, warm-up included.
@Suite struct IndicatorTests {
    @Test func ringBufferKeepsTheLastValuesOldestFirst() {
        var ring = RingBuffer(capacity: 3)
        for x in [1.0, 2, 3, 4, 5] { ring.push(x) }
        #expect(ring.count == 3 && ring.isFull)
        #expect(ring.oldest == 3)
        #expect([ring.value(back: 0), ring.value(back: 1), ring.value(back: 2)] == [5, 4, 3])
    }

    @Test func smaIsTheMeanOfTheLastPeriodValues() {
        var sma = SimpleMovingAverage(period: 3)
        #expect([1.0, 2, 3, 4, 5].map { sma.update($0) } == [nil, nil, 2, 3, 4])
        var one = SimpleMovingAverage(period: 1)
        #expect([7.0, 9].map { one.update($0) } == [7, 9])
    }

    @Test func emaIsSeededByTheSMAOfTheFirstPeriodValues() {
        // alpha = 2 / (3 + 1) = 0.5; seed (1 + 2 + 3) / 3 = 2; then (4 - 2) * 0.5 + 2 = 3, (5 - 3) * 0.5 + 3 = 4, (2 - 4) * 0.5 + 4 = 3.
        var ema = ExponentialMovingAverage(period: 3)
        #expect(ema.alpha == 0.5)
        #expect([1.0, 2, 3, 4, 5, 2].map { ema.update($0) } == [nil, nil, 2, 3, 4, 3])
    }

    @Test func rsiFollowsWilderFromTheSimpleMeansOfTheFirstChanges() {
        // Case 37's closes: first value at the 4th close: gains 1 + 0.5, loss 1 over 3 changes:
        // 100 * 0.5 / (0.5 + 1/3) = 60; then -1.5: gain 1/3, loss 13/18: 600 / 19.
        var rsi = RelativeStrengthIndex(period: 3)
        let values = [100.0, 101, 101.5, 100.5, 99].map { rsi.update($0) }
        #expect(values[0] == nil && values[1] == nil && values[2] == nil)
        #expect(abs(values[3]! - 60) < 1e-12)
        #expect(abs(values[4]! - 600.0 / 19.0) < 1e-12)
    }

    @Test func rsiOfAWindowWithoutMovesIsZeroAsInTALib() {
        var rsi = RelativeStrengthIndex(period: 2)
        #expect([5.0, 5, 5].map { rsi.update($0) } == [nil, nil, 0])
    }

    @Test func rsiOfTinyPricesIsNotReadAsFlat() {
        // Moves of 1e-9 (a coin priced at 1e-7): gains 2e-9, loss 1e-9 over 3 changes: 100 * 2/3.
        var rsi = RelativeStrengthIndex(period: 3)
        let value = [1e-7, 1.01e-7, 1.02e-7, 1.01e-7].map { rsi.update($0) }.last!!
        #expect(abs(value - 200.0 / 3.0) < 1e-6)
    }

    @Test func percentBPlacesTheCloseBetweenPopulationDeviationBands() {
        // [1, 2, 3]: mean 2, population variance 2/3, s = sqrt(2/3); k = 1: %B of 3 = (3 - (2 - s)) / (2 s) = 0.5 + 1 / (2 s).
        var bands = BollingerPercentB(period: 3, deviations: 1)
        let values = [1.0, 2, 3].map { bands.update($0) }
        let s = (2.0 / 3.0).squareRoot()
        #expect(values[0] == nil && values[1] == nil)
        #expect(abs(values[2]! - (0.5 + 1 / (2 * s))) < 1e-12)
        #expect(abs(bands.bands!.middle - 2) < 1e-12 && abs(bands.bands!.upper - (2 + s)) < 1e-12)
    }

    @Test func percentBOfAWindowWithoutSpreadIsUndefined() {
        var bands = BollingerPercentB(period: 2, deviations: 2)
        #expect(bands.update(10) == nil)
        #expect(bands.update(10)!.isNaN)
    }

    @Test func priceChangeComparesWithTheCloseBarsAgo() {
        var change = PriceChange(bars: 2)
        let values = [100.0, 110, 121, 99].map { change.update($0) }
        #expect(values[0] == nil && values[1] == nil)
        #expect(abs(values[2]! - 0.21) < 1e-12)
        #expect(abs(values[3]! - (99.0 / 110.0 - 1)) < 1e-12)
    }
}
