import Foundation
import Testing

@testable import DCAStrategy

/// Decoding of `start_conditions` / `close_conditions` and its refusals.
@Suite struct DealConditionTests {
    static func decode(_ json: String) throws -> (conditions: [DealCondition], problems: [String]) {
        DealCondition.decodeList(try JSONDecoder().decode(JSONInput.self, from: Data(json.utf8)), key: "start_conditions")
    }

    @Test func everyIndicatorOfTheContractDecodes() throws {
        let (conditions, problems) = try Self.decode("""
            [{"indicator": "rsi", "period": 14, "below": 30},
             {"indicator": "sma", "period": 50, "price": "above", "timeframe": "4h"},
             {"indicator": "ema", "period": 20, "price": "below"},
             {"indicator": "ma_cross", "type": "ema", "fast": 9, "slow": 21, "direction": "up", "timeframe": "1d"},
             {"indicator": "bollinger_percent_b", "period": 20, "deviations": 2, "above": 1},
             {"indicator": "price_change", "bars": 24, "below": -0.05},
             {"indicator": "price", "min": 20000},
             {"indicator": "price", "min": 20000, "max": 30000}]
            """)
        #expect(problems == [])
        #expect(conditions == [
            DealCondition(.rsi(period: 14, .below(30))),
            DealCondition(.movingAverage(.sma, period: 50, price: .above), timeframe: Timeframe(text: "4h")),
            DealCondition(.movingAverage(.ema, period: 20, price: .below)),
            DealCondition(.movingAverageCross(.ema, fast: 9, slow: 21, direction: .up), timeframe: Timeframe(text: "1d")),
            DealCondition(.bollingerPercentB(period: 20, deviations: 2, .above(1))),
            DealCondition(.priceChange(bars: 24, .below(-0.05))),
            DealCondition(.price(min: 20000, max: nil)),
            DealCondition(.price(min: 20000, max: 30000)),
        ])
        let fourHours: Int64 = 4 * 3_600_000_000_000
        #expect(try #require(conditions[1].timeframe).nanoseconds == fourHours)
    }

    @Test func absentOrNullIsNoCondition() throws {
        #expect(DealCondition.decodeList(nil, key: "start_conditions").conditions.isEmpty)
        #expect(try Self.decode("null").problems.isEmpty)
        #expect(try Self.decode("[]").conditions.isEmpty)
    }

    @Test func everyProblemIsReportedAtOnceNamingItsPlace() throws {
        let (conditions, problems) = try Self.decode("""
            [{"indicator": "rsii", "period": 14, "below": 30},
             {"indicator": "rsi", "period": 0, "below": 30},
             {"indicator": "sma", "period": 20, "price": "over", "colour": "red"},
             {"indicator": "bollinger_percent_b", "period": 20, "deviations": 2, "below": 0, "above": 1},
             {"indicator": "ma_cross", "type": "sma", "fast": 50, "slow": 20, "direction": "up"},
             {"indicator": "price", "min": 300, "max": 200},
             {"indicator": "ema", "period": 2.5, "price": "above", "timeframe": "1M"}]
            """)
        #expect(conditions.isEmpty)
        #expect(problems == [
            "`start_conditions[0].indicator` is \"rsii\" (did you mean \"rsi\"?); it must be one of \"rsi\", \"sma\", \"ema\", \"ma_cross\", \"bollinger_percent_b\", \"price_change\", \"price\"",
            "`start_conditions[1].period` is 0; it must be in [1, 10000] bars",
            "`start_conditions[2].price` is \"over\"; it must be one of \"above\", \"below\"",
            "`start_conditions[2]` has unknown key `colour`; \"sma\" takes `indicator`, `period`, `price`, `timeframe`",
            "`start_conditions[3]` has both `below` and `above`; give one (for a band, write two conditions: all conditions must hold)",
            "`start_conditions[4].fast` is 50 and `start_conditions[4].slow` is 20; the fast average must use fewer bars than the slow one",
            "`start_conditions[5].min` 300 is above `start_conditions[5].max` 200: no close could be in the range",
            "`start_conditions[6].period` is 2.5; it must be a whole number of bars",
            "`start_conditions[6].timeframe` is \"1M\"; it must be a bar length such as \"15m\", \"1h\", \"4h\", \"1d\" or \"1w\"",
        ])
    }

    @Test func aTimeframeMustBeAWholeMultipleOfTheDataInterval() throws {
        let (conditions, problems) = try Self.decode("""
            [{"indicator": "price", "min": 1, "timeframe": "90m"}, {"indicator": "price", "min": 1, "timeframe": "2h"},
             {"indicator": "price", "min": 1, "timeframe": "1w"}]
            """)
        #expect(problems.isEmpty)
        let hour: Int64 = 3_600_000_000_000
        #expect(DealCondition.problems(of: conditions, key: "start_conditions", dataInterval: hour) == [
            "`start_conditions[0].timeframe` is \"90m\", not a whole multiple of the data's interval 1h: use a multiple such as \"4h\", or leave `timeframe` out to use the data's own bars",
        ])
        #expect(DealCondition.problems(of: conditions, key: "start_conditions", dataInterval: 4 * hour).count == 2)
        #expect(DealCondition.problems(of: conditions, key: "start_conditions", dataInterval: 24 * hour).count == 2)
    }

    @Test func weeklyBucketsStartOnMondayAtMidnightUTC() {
        let week = Timeframe(text: "1w")!
        // 2025-03-13 (a Thursday) 12:00 UTC lies in the week starting Monday 2025-03-10.
        let thursdayNoon: Int64 = (1_741_824_000 + 12 * 3600) * 1_000_000_000
        #expect(week.bucketStart(of: thursdayNoon) == 1_741_564_800 * 1_000_000_000)
        #expect(Timeframe(text: "4h")!.bucketStart(of: thursdayNoon) == (1_741_824_000 + 12 * 3600) * 1_000_000_000)
    }

    @Test func theCanonicalFormListsTheConditionsParameters() {
        let condition = DealCondition(.rsi(period: 14, .below(30)), timeframe: Timeframe(text: "4h"))
        #expect(condition.canonicalJSON.text() == #"{"indicator":"rsi","period":14,"below":30,"timeframe":"4h"}"#)
    }
}
