import Foundation
import Testing

@testable import DCAStrategy

@Suite struct LadderTests {
    /// SEMANTICS.md's golden ladder: P0 = 100, d = 1%, s = 1.5, v = 2, n = 5, base 10, SO 20.
    @Test func goldenLadderMatchesTheSpecification() {
        let deviations = (1...5).map { Ladder.cumulativeDeviation(k: $0, priceDeviation: 0.01, stepScale: 1.5) }
        let expectedDeviations = [0.01, 0.025, 0.0475, 0.08125, 0.131875]
        for (value, expected) in zip(deviations, expectedDeviations) { #expect(abs(value - expected) < 1e-15) }
        let prices = (1...5).map { Ladder.triggerPrice(k: $0, basePrice: 100, priceDeviation: 0.01, stepScale: 1.5) }
        let expectedPrices = [99, 97.5, 95.25, 91.875, 86.8125]
        for (value, expected) in zip(prices, expectedPrices) { #expect(abs(value - expected) < 1e-12) }
        let sizes = (1...5).map { Ladder.quoteSize(k: $0, safetyOrderSize: 20, volumeScale: 2) }
        #expect(sizes == [20, 40, 80, 160, 320])
        #expect(Ladder.capitalPerDeal(baseOrderSize: 10, safetyOrderSize: 20, volumeScale: 2, maxSafetyOrders: 5) == 630)
        // Average entry after the full ladder: total quote 630 over the base quantity bought.
        var quantity = 10.0 / 100
        for (size, price) in zip(sizes, expectedPrices) { quantity += size / price }
        let average = 630 / quantity
        #expect(abs(average - 90.26081073) < 1e-8)
        #expect(abs(average * 1.015 - 91.61472289) < 1e-8)
    }

    @Test func unitStepScaleSpacesOrdersEvenly() {
        #expect(Ladder.cumulativeDeviation(k: 3, priceDeviation: 0.02, stepScale: 1) == 0.06)
        #expect(Ladder.capitalPerDeal(baseOrderSize: 100, safetyOrderSize: 50, volumeScale: 1, maxSafetyOrders: 4) == 300)
    }
}

@Suite struct BotConfigurationTests {
    static func decode(_ json: String) throws -> BotConfiguration {
        try BotConfiguration.decode(json: Data(json.utf8))
    }

    @Test func requiredKeysAloneGiveTheDocumentedDefaults() throws {
        let c = try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015}"#)
        #expect(c.mode == .safetyOrders)
        #expect(c.quoteCurrency == "USDT")
        #expect(c.safetyOrderSize == 200 && c.maxSafetyOrders == 5 && c.maxActiveSafetyOrders == 5)
        #expect(c.priceDeviation == 0.01 && c.safetyOrderStepScale == 1.5 && c.safetyOrderVolumeScale == 2)
        #expect(c.feeRate == 0.001 && c.makerFeeRate == nil && c.feeCurrency == .quote && c.slippageBasisPoints == 0)
        #expect(c.fillModel == .pessimistic && c.takeProfitType == .total && c.cooldownBars == 0 && c.maxDeals == nil)
        // 100 + 200 * (2^5 - 1) / (2 - 1)
        #expect(c.requiredCapital == 6300)
    }

    @Test func nullMeansTheDefault() throws {
        let c = try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015, "max_active_safety_orders": null, "fee_rate": null}"#)
        #expect(c.maxActiveSafetyOrders == 5)
        #expect(c.feeRate == 0.001)
    }

    @Test func unknownKeyIsAnErrorNamingIt() throws {
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015, "take_proft": 0.02}"#)
        } throws: { error in
            "\(error)".contains("unknown key `take_proft`") && "\(error)".contains("did you mean `take_profit`")
        }
    }

    @Test func everyInvalidValueIsReportedInOneMessage() throws {
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015, "price_deviation": 0, "fee_rate": 2}"#)
        } throws: { error in
            let text = "\(error)"
            return text.contains("`price_deviation` is 0; it must be in (0, 1)") && text.contains("`fee_rate` is 2; it must be in [0, 1)")
        }
    }

    @Test func ladderWhoseDeepestOrderReachesZeroIsRefused() throws {
        // d = 0.3, s = 2, n = 3: D_3 = 0.3 * 7 = 2.1
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015, "price_deviation": 0.3, "safety_order_step_scale": 2, "max_safety_orders": 3}"#)
        } throws: { error in
            "\(error)".contains("D_3 = 2.1 must stay below 1")
        }
    }

    @Test func zeroSafetyOrderSizeWithSafetyOrdersIsRefused() throws {
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015, "safety_order_size": 0}"#)
        } throws: { error in
            "\(error)".contains("`safety_order_size` is 0; it must be > 0 when `max_safety_orders` > 0")
        }
    }

    @Test func missingRequiredKeysAreNamed() throws {
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT"}"#)
        } throws: { error in
            let text = "\(error)"
            return text.contains("`initial_balance` is required") && text.contains("`base_order_size` is required")
                && text.contains("`take_profit` is required")
        }
    }

    /// A misspelt or mistyped key is reported once: its own problem, not also "required".
    @Test func misspeltOrMistypedRequiredKeyIsReportedOnce() throws {
        let base = #""symbol": "BTCUSDT", "initial_balance": 1000, "base_order_size": 10"#
        for (json, expected) in [
            ("{\(base), \"take_proft\": 0.01}", "Invalid bot configuration: unknown key `take_proft` (did you mean `take_profit`?); `take_profit` is required."),
            ("{\(base), \"take_profit\": \"x\"}", "Invalid bot configuration: `take_profit` must be a number, not text \"x\"."),
        ] {
            #expect {
                try Self.decode(json)
            } throws: { error in
                "\(error)" == expected
            }
        }
    }

    /// 1e308 doubled twice is beyond the largest double: refused before any data is read.
    @Test func ladderWhoseSizesOverflowIsRefused() throws {
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 1000, "base_order_size": 10, "take_profit": 0.01, "safety_order_size": 1e308, "max_safety_orders": 3, "safety_order_volume_scale": 2}"#)
        } throws: { error in
            "\(error)".contains("the ladder's quote sizes overflow: safety order 3 would be `safety_order_size` x `safety_order_volume_scale`^2 = infinity")
        }
    }

    @Test func gridKeyTypoIsAGridErrorWithASuggestion() throws {
        #expect {
            try ParameterGrid(json: Data(#"{"take_proft": [0.01], "price_deviation": []}"#.utf8))
        } throws: { error in
            "\(error)" == "Invalid grid: `price_deviation` must map to a non-empty list of values; `take_proft` is not a configuration key (did you mean `take_profit`?)."
        }
    }

    @Test func wrongTypeIsNamed() throws {
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": "lots", "base_order_size": 100, "take_profit": 0.015}"#)
        } throws: { error in
            "\(error)".contains("`initial_balance` must be a number, not text \"lots\"")
        }
    }

    @Test func configuredOrderBelowMinNotionalIsAConfigurationError() throws {
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 5, "take_profit": 0.015, "min_notional": 10}"#)
        } throws: { error in
            "\(error)".contains("the base order (`base_order_size` 5) is below `min_notional` 10")
        }
    }
}

@Suite struct ConfigurationMessageTests {
    @Test func wrongTypeAndRangeProblemsAreReportedTogether() throws {
        #expect {
            try BotConfiguration.decode(json: Data(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015, "fee_rate": "0.001", "max_safety_orders": -2, "price_deviation": -0.1, "fill_model": "optimistic"}"#.utf8))
        } throws: { error in
            let text = "\(error)"
            return text.contains("`fee_rate` must be a number, not text \"0.001\"") && text.contains("`max_safety_orders` is -2")
                && text.contains("`price_deviation` is -0.1") && text.contains("`fill_model` is \"optimistic\"")
        }
    }

    @Test func invalidJSONNamesLineAndColumn() throws {
        #expect {
            try BotConfiguration.decode(json: Data("{\n  \"symbol\": \"BTCUSDT\",\n  \"initial_balance\": ,\n}".utf8))
        } throws: { error in
            "\(error)".contains("line 3, column 22")
        }
    }
}
