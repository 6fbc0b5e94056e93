import Foundation
import Testing

@testable import DCAStrategy

/// The configuration keys of engine v2: decoding, defaults, and the refusal of impossible
/// combinations (every problem in one message).
@Suite struct EngineV2ConfigurationTests {
    static func decode(_ extra: String) throws(ConfigurationError) -> BotConfiguration {
        try BotConfiguration.decode(json: Data(#"{"symbol": "BTCUSDT", "initial_balance": 1000, "base_order_size": 100, "max_safety_orders": 0, \#(extra)}"#.utf8))
    }

    @Test func newKeysDecodeWithTheirValues() throws {
        let c = try Self.decode("""
            "take_profit_steps": [{"profit": 0.01, "fraction": 0.4}, {"profit": 0.03, "fraction": 0.6}], "stop_loss": 0.05,
            "trailing_stop_loss": true, "stop_loss_to_breakeven": true, "stop_loss_action": "stop_bot",
            "close_conditions": [{"indicator": "price", "min": 10}, {"indicator": "sma", "period": 20, "price": "above"}],
            "close_min_profit": false, "order_size_unit": "base", "compound": true
            """)
        #expect(c.takeProfitSteps == [TakeProfitStep(profit: 0.01, fraction: 0.4), TakeProfitStep(profit: 0.03, fraction: 0.6)])
        #expect(c.takeProfit == nil && c.trailingStopLoss && c.stopLossToBreakeven && c.stopLossAction == .stopBot)
        #expect(c.closeConditions == [DealCondition(.price(min: 10, max: nil)), DealCondition(.movingAverage(.sma, period: 20, price: .above))])
        #expect(c.closeMinProfit == nil && c.orderSizeUnit == .base && c.compound)
        #expect(c.usesEngineV2Options)
    }

    @Test func defaultsLeaveTheCanonicalFormAsBefore() throws {
        let c = try Self.decode(#""take_profit": 0.02"#)
        #expect(!c.usesEngineV2Options && c.closeMinProfit == 0 && c.stopLossAction == .closeDeal && c.orderSizeUnit == .quote)
        guard case .object(let pairs) = c.canonicalJSON else { Issue.record("not an object"); return }
        #expect(pairs.last?.0 == "risk_free_rate")
    }

    @Test func impossibleCombinationsAreRefusedTogether() {
        #expect {
            try Self.decode("""
                "take_profit": 0.02, "take_profit_steps": [{"profit": 0.02, "fraction": 0.5}, {"profit": 0.01, "fraction": 0.4}],
                "trailing_stop_loss": true, "stop_loss_to_breakeven": true, "stop_loss_action": "stop_bot"
                """)
        } throws: { error in
            let text = (error as? ConfigurationError)?.description ?? ""
            return text.contains("`take_profit` and `take_profit_steps` are both given")
                && text.contains("step 2 of `take_profit_steps` has profit 0.01")
                && text.contains("sum to 0.9")
                && text.contains("`trailing_stop_loss` needs `stop_loss`")
                && text.contains("`stop_loss_to_breakeven` needs `stop_loss`")
                && text.contains("`stop_loss_action` \"stop_bot\" needs `stop_loss`")
        }
    }

    @Test func breakevenNeedsStepsAndTrailingStopCannotBeTimed() {
        #expect {
            try Self.decode(#""take_profit": 0.02, "stop_loss": 0.05, "stop_loss_timeout_bars": 3, "trailing_stop_loss": true, "stop_loss_to_breakeven": true"#)
        } throws: { error in
            let text = (error as? ConfigurationError)?.description ?? ""
            return text.contains("`trailing_stop_loss` and `stop_loss_timeout_bars` > 0 cannot be combined")
                && text.contains("`stop_loss_to_breakeven` needs `take_profit_steps`")
        }
    }

    @Test func malformedStepsAndConditionsNameWhatIsWrong() {
        #expect {
            try Self.decode(#""take_profit_steps": [{"profit": 0.02}], "close_conditions": [{"indicator": "vwap"}], "close_min_profit": "yes", "compound": 1"#)
        } throws: { error in
            let text = (error as? ConfigurationError)?.description ?? ""
            return text.contains("step 1 of `take_profit_steps` must be {\"profit\": p, \"fraction\": f}")
                && text.contains("vwap")
                && text.contains("`close_min_profit` must be a number or false")
                && text.contains("`compound` must be true or false")
        }
    }

    @Test func fiveStepsAreTooMany() {
        let step = #"{"profit": P, "fraction": 0.2}"#
        let steps = (1...5).map { step.replacingOccurrences(of: "P", with: "0.0\($0)") }.joined(separator: ", ")
        #expect(throws: ConfigurationError.self) { try Self.decode(#""take_profit_steps": [\#(steps)]"#) }
    }
}
