import DCAStrategy
import Foundation
import Testing

@Suite("Sweep search: ranges, random points, walk-forward windows, range edges")
struct SweepSearchTests {
    @Test("A range stands for min, min + step, ... up to max, in decimal values")
    func rangeExpandsToDecimalSteps() throws {
        let tenths = try SweepAxisValues.parse(key: "take_profit", .object(["min": .number(0.1), "max": .number(0.3), "step": .number(0.1)])).get()
        #expect(tenths.values == [.number(0.1), .number(0.2), .number(0.3)])
        // 1, 5, 9: 13 would pass max 10.
        let counts = try SweepAxisValues.parse(key: "max_safety_orders", .object(["min": .number(1), "max": .number(10), "step": .number(4)])).get()
        #expect(counts.values == [.number(1), .number(5), .number(9)])
        let single = try SweepAxisValues.parse(key: "take_profit", .object(["min": .number(0.02), "max": .number(0.02), "step": .number(0.01)])).get()
        #expect(single.values == [.number(0.02)])
    }

    @Test("A list is taken as written; a bad range is refused naming its key and the fix")
    func badRangesAreRefused() {
        let list = SweepAxisValues.parse(key: "k", .array([.number(3), .number(1)]))
        #expect(list == .success(.list([.number(3), .number(1)])))
        func problem(_ input: JSONInput) -> String? {
            if case .failure(let failure) = SweepAxisValues.parse(key: "price_deviation", input) { return failure.message }
            return nil
        }
        #expect(problem(.array([]))?.contains("`price_deviation` must map to a non-empty list") == true)
        #expect(problem(.object(["min": .number(0.3), "max": .number(0.1), "step": .number(0.1)]))?.contains("max (0.1) is below its min (0.3)") == true)
        #expect(problem(.object(["min": .number(0.1), "max": .number(0.3), "step": .number(0)]))?.contains("a step > 0") == true)
        #expect(problem(.object(["min": .number(0.1), "max": .number(0.3)]))?.contains("needs numbers min, max and step") == true)
        #expect(problem(.object(["min": .number(0.1), "max": .number(0.3), "step": .number(0.1), "count": .number(3)]))?.contains("not `count`") == true)
        #expect(problem(.object(["min": .number(0), "max": .number(1), "step": .number(1e-9)]))?.contains("use a larger step") == true)
        #expect(problem(.number(0.01))?.contains("(got 0.01)") == true)
    }

    @Test("SplitMix64 gives the published reference sequence for seed 1234567")
    func splitMixMatchesReference() {
        var generator = SplitMix64(seed: 1_234_567)
        let draws = (0..<5).map { _ in generator.next() }
        #expect(draws == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423, 4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
    }

    @Test("Random search: the same seed gives the same distinct points; samples beyond the grid take every point")
    func randomSearchIsReproducible() {
        // Expected indices from an independent Python rendering of SplitMix64 with rejection sampling.
        #expect(RandomSearch.pointIndices(pointCount: 10, samples: 3, seed: 42) == [1, 3, 8])
        #expect(RandomSearch.pointIndices(pointCount: 24, samples: 5, seed: 7) == [3, 10, 12, 15, 18])
        #expect(RandomSearch.pointIndices(pointCount: 1000, samples: 4, seed: 2026) == [51, 186, 301, 734])
        #expect(RandomSearch.pointIndices(pointCount: 4, samples: 9, seed: 1) == [0, 1, 2, 3])
        let many = RandomSearch.pointIndices(pointCount: 50, samples: 49, seed: 3)
        #expect(many.count == 49 && Set(many).count == 49 && many == many.sorted())
    }

    @Test("Walk-forward windows over daily bars: train 3 days, test 2 days, roll by 2; only complete windows")
    func walkForwardWindowsAreComplete() throws {
        let day: Int64 = 86_400_000_000_000
        let openTimes = (0..<10).map { Int64($0) * day }
        let lengths = try #require(WalkForwardPlan.parseLengths("3d/2d"))
        let plan = WalkForwardPlan(openTimes: openTimes, interval: day, train: lengths.train, test: lengths.test)
        // Window 0: train days 0-2, test 3-4; window 1: train 2-4, test 5-6; window 2: train 4-6,
        // test 7-8. Window 3 would test days 9-10, past the last close (day 10 00:00): not formed.
        #expect(plan.windows == [
            .init(train: 0..<3, test: 3..<5),
            .init(train: 2..<5, test: 5..<7),
            .init(train: 4..<7, test: 7..<9),
        ])
        #expect(plan.barsLeftOut == 1)
        // Too short for one window: every bar left out.
        let short = WalkForwardPlan(openTimes: Array(openTimes.prefix(4)), interval: day, train: 3 * day, test: 2 * day)
        #expect(short.windows.isEmpty && short.barsLeftOut == 4)
    }

    @Test("Walk-forward windows skip missing bars: a gap leaves a test span short, never shifted")
    func walkForwardWindowsFollowTimeNotBarCount() {
        let hour: Int64 = 3_600_000_000_000
        // Hours 0-11 with hours 4 and 5 missing.
        let openTimes = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11].map { Int64($0) * hour }
        let plan = WalkForwardPlan(openTimes: openTimes, interval: hour, train: 4 * hour, test: 2 * hour)
        // Window 0: train hours 0-3 (indices 0..<4), test hours 4-5 (none present: 4..<4).
        // Window 1: train hours 2-5 (2..<4), test 6-7 (4..<6). Window 2: train 4-7 (4..<6), test 8-9
        // (6..<8). Window 3: train 6-9 (4..<8), test 10-11 (8..<10). Window 4 would end at hour 14 > 12.
        #expect(plan.windows.map(\.train) == [0..<4, 2..<4, 4..<6, 4..<8])
        #expect(plan.windows.map(\.test) == [4..<4, 4..<6, 6..<8, 8..<10])
        #expect(plan.barsLeftOut == 0)
    }

    @Test("Lengths read as m, h, d, w; anything else is not a length")
    func lengthsParse() {
        #expect(WalkForwardPlan.parseLengths("90d/30d")! == (90 * 86_400_000_000_000, 30 * 86_400_000_000_000))
        #expect(WalkForwardPlan.parseLength("15m") == 900_000_000_000)
        #expect(WalkForwardPlan.parseLength("2w") == 1_209_600_000_000_000)
        #expect(WalkForwardPlan.parseLengths("90d") == nil)
        #expect(WalkForwardPlan.parseLength("0d") == nil)
        #expect(WalkForwardPlan.parseLength("3y") == nil)
        #expect(WalkForwardPlan.parseLength("99999999999w") == nil)
    }

    @Test("A split keeps the first floor(fraction * N) bars in sample")
    func splitFloorsTheCut() {
        let split = WalkForwardPlan.split(count: 10, fraction: 0.75)
        #expect(split.inSample == 0..<7 && split.outOfSample == 7..<10)
    }

    @Test("Range edges: first or last of a key with three or more values; two-value keys never")
    func edgesAreFlagged() {
        #expect(RangeEdge.keysOnEdge(valueIndices: [0, 1, 2], valueCounts: [3, 2, 5]) == [0])
        #expect(RangeEdge.keysOnEdge(valueIndices: [1, 0, 4], valueCounts: [3, 2, 5]) == [2])
        #expect(RangeEdge.keysOnEdge(valueIndices: [1, 1, 2], valueCounts: [3, 2, 5]).isEmpty)
    }
}

@Suite("A grid with ranges")
struct GridRangeTests {
    @Test("A range in a grid file expands to its values; every point keeps its place in the product")
    func gridExpandsRanges() throws {
        let grid = try ParameterGrid(json: Data(#"{"take_profit": {"min": 0.01, "max": 0.03, "step": 0.01}, "price_deviation": [0.005, 0.01]}"#.utf8))
        #expect(grid.count == 6)
        #expect(grid.axes.map(\.key) == ["price_deviation", "take_profit"])
        #expect(grid.axes[1].values == [.number(0.01), .number(0.02), .number(0.03)])
        // Point 4 = 3 * 1 + 1: price_deviation 0.01, take_profit 0.02.
        #expect(grid.valueIndices(at: 4) == [1, 1])
        #expect(grid.values(at: 4).map(\.value) == [.number(0.01), .number(0.02)])
        #expect(throws: ConfigurationError.self) { try ParameterGrid(json: Data(#"{"take_profit": {"min": 0.03, "max": 0.01, "step": 0.01}}"#.utf8)) }
    }
}
