import Foundation
import Testing

@testable import DCAStrategy

/// `symbols`, `max_active_deals`, `start_conditions` and `close_conditions` in a bot configuration.
@Suite struct MultiPairConfigurationTests {
    static func decode(_ json: String) throws(ConfigurationError) -> BotConfiguration {
        try BotConfiguration.decode(json: Data(json.utf8))
    }

    @Test func case36BotDecodesAsTwoSymbolsSharingOneSlot() throws {
        let bot = try Self.decode("""
            {"name": "two pairs, one slot", "symbols": ["ETHUSDT", "BTCUSDT"], "quote_currency": "USDT", "initial_balance": 1000,
             "max_active_deals": 1, "base_order_size": 100, "max_safety_orders": 0, "take_profit": 0.02, "fee_rate": 0, "max_deals": 3}
            """)
        #expect(bot.tradedSymbols == ["ETHUSDT", "BTCUSDT"])
        #expect(bot.symbol == "ETHUSDT" && bot.maxActiveDeals == 1)
        guard case .object(let pairs) = bot.canonicalJSON else { Issue.record("not an object"); return }
        #expect(pairs.first { $0.0 == "symbols" }?.1.text() == #"["ETHUSDT","BTCUSDT"]"#)
    }

    @Test func aMultiPairBotsCanonicalJSONDecodesBackToTheSameBot() throws {
        let bot = try Self.decode("""
            {"symbols": ["ETHUSDT", "BTCUSDT"], "initial_balance": 1000, "max_active_deals": 1, "base_order_size": 100, "take_profit": 0.02}
            """)
        let text = bot.canonicalJSON.text()
        // The pairs are named once, in `symbols`: a stored configuration must decode again.
        #expect(!text.contains(#""symbol":"#))
        let again = try Self.decode(text)
        #expect(again.tradedSymbols == ["ETHUSDT", "BTCUSDT"] && again.symbol == "ETHUSDT")
        #expect(again.canonicalJSON.text() == text)
    }

    @Test func aOnePairBotKeepsItsCanonicalForm() throws {
        let bot = try Self.decode(#"{"symbol": "BTCUSDT", "initial_balance": 1000, "base_order_size": 100, "take_profit": 0.02}"#)
        #expect(bot.tradedSymbols == ["BTCUSDT"] && bot.maxActiveDeals == 1 && bot.startConditions.isEmpty)
        let text = bot.canonicalJSON.text()
        #expect(!text.contains("symbols") && !text.contains("max_active_deals") && !text.contains("conditions"))
    }

    @Test func case37StartConditionDecodes() throws {
        let bot = try Self.decode("""
            {"name": "start when RSI(3) < 35", "symbol": "TESTUSDT", "quote_currency": "USDT", "initial_balance": 1000,
             "base_order_size": 99, "max_safety_orders": 0, "take_profit": 0.02,
             "start_conditions": [{"indicator": "rsi", "period": 3, "below": 35}], "fee_rate": 0, "max_deals": 1}
            """)
        #expect(bot.startConditions == [DealCondition(.rsi(period: 3, .below(35)))])
        #expect(bot.canonicalJSON.text().contains(#""start_conditions":[{"indicator":"rsi","period":3,"below":35}]"#))
    }

    @Test func multiPairAndConditionProblemsComeInOneMessage() {
        #expect {
            try Self.decode("""
                {"symbols": ["BTCUSDT", "ETHUSDT", "BTCUSDT"], "initial_balance": 1000, "base_order_size": 100, "take_profit": 0.02,
                 "start_conditions": [{"indicator": "macd", "period": 14}], "close_conditions": [{"indicator": "sma", "period": 0, "price": "below"}]}
                """)
        } throws: { error in
            let text = "\(error)"
            return text.contains("`max_active_deals` is required with more than one symbol (1 ... 3)")
                && text.contains("`symbols` lists BTCUSDT twice")
                && text.contains("`start_conditions[0].indicator` is \"macd\"")
                && text.contains("`close_conditions[0].period` is 0")
        }
        #expect {
            try Self.decode(#"{"symbols": ["BTCUSDT", "ETHUSDT"], "max_active_deals": 3, "initial_balance": 1000, "base_order_size": 100, "take_profit": 0.02}"#)
        } throws: { error in
            "\(error)".contains("`max_active_deals` is 3; it must be in [1, 2] (one deal per symbol at most)")
        }
        #expect {
            try Self.decode(#"{"symbol": "BTCUSDT", "symbols": ["ETHUSDT", "BTCUSDT"], "max_active_deals": 1, "initial_balance": 1000, "base_order_size": 100, "take_profit": 0.02}"#)
        } throws: { error in
            "\(error)".contains("both `symbol` and `symbols` are given")
        }
    }
}

/// Sweeps over multi-pair keys and condition parameters.
@Suite struct ConditionGridTests {
    @Test func aGridKeyReachesIntoOneConditionOfTheBase() throws {
        let grid = try ParameterGrid(json: Data(#"{"start_conditions[0].below": [25, 30, 35], "max_active_deals": [1, 2]}"#.utf8))
        #expect(grid.count == 6)
        let base = try JSONDecoder().decode([String: JSONInput].self, from: Data("""
            {"symbols": ["BTCUSDT", "ETHUSDT"], "max_active_deals": 1, "initial_balance": 1000, "base_order_size": 100, "take_profit": 0.02,
             "start_conditions": [{"indicator": "rsi", "period": 14, "below": 30}]}
            """.utf8))
        // Keys sorted: max_active_deals, then start_conditions[0].below varying fastest: point 5 is (2, 35).
        let bot = try BotConfiguration.decode(dictionary: grid.configurationObject(base: base, at: 5))
        #expect(bot.maxActiveDeals == 2)
        #expect(bot.startConditions == [DealCondition(.rsi(period: 14, .below(35)))])
    }

    @Test func aGridKeyForAConditionTheBaseLacksIsRefusedWhenDecoded() throws {
        let grid = try ParameterGrid(json: Data(#"{"start_conditions[1].below": [25]}"#.utf8))
        let base = try JSONDecoder().decode([String: JSONInput].self, from: Data(#"{"symbol": "BTCUSDT", "initial_balance": 1000, "base_order_size": 100, "take_profit": 0.02}"#.utf8))
        #expect { try BotConfiguration.decode(dictionary: grid.configurationObject(base: base, at: 0)) } throws: { error in
            "\(error)".contains("unknown key `start_conditions[1].below`")
        }
        #expect(throws: ConfigurationError.self) { try ParameterGrid(json: Data(#"{"symbols[0].x": [1]}"#.utf8)) }
    }
}
