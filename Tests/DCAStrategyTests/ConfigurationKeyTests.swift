import Foundation
import Testing

@testable import DCAStrategy

/// docs/CONFIGURATION.md documents exactly the keys the decoder knows, with the type, unit, range,
/// default and 3Commas name of the key table.
@Suite struct ConfigurationDocumentationTests {
    static let documentation: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try? String(contentsOf: root.appendingPathComponent("docs/CONFIGURATION.md"), encoding: .utf8)
    }()

    /// The table rows of docs/CONFIGURATION.md by key: `| `key` | meaning | type | unit | range | default | 3Commas |`.
    static func documentedRows() throws -> [String: [String]] {
        let text = try #require(documentation, "docs/CONFIGURATION.md is missing")
        var rows: [String: [String]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            rows[String(cells[0].dropFirst().dropLast())] = Array(cells)
        }
        return rows
    }

    @Test func everyKeyTheDecoderKnowsIsDocumented() throws {
        let rows = try Self.documentedRows()
        for key in BotConfiguration.keys {
            let expected = [key.type, key.unit, key.range, key.defaultValue, key.threeCommasName ?? "-"]
            let row = try #require(rows[key.name], "docs/CONFIGURATION.md does not document `\(key.name)`; add the row | `\(key.name)` | MEANING | \(expected.joined(separator: " | ")) |")
            #expect(row.count == 7, "the row of `\(key.name)` must have 7 cells")
            #expect(!row[1].isEmpty, "the row of `\(key.name)` must say what the key means")
            #expect(Array(row.dropFirst(2)) == expected, "docs/CONFIGURATION.md's row of `\(key.name)` differs from the key table: expected | \(expected.joined(separator: " | ")) |")
        }
    }

    @Test func everyDocumentedKeyIsAKeyTheDecoderKnows() throws {
        for key in try Self.documentedRows().keys.sorted() {
            #expect(BotConfiguration.knownKeys.contains(key), "docs/CONFIGURATION.md documents `\(key)`, which the decoder does not know")
        }
    }

    /// Each key of the table is accepted by the decoder (a known key, read without "unknown key").
    @Test func everyKeyOfTheTableIsDecoded() throws {
        let required = ["symbol", "initial_balance", "base_order_size", "take_profit"]
        for key in BotConfiguration.keys {
            // A required key is read from the base object itself (a key given twice is refused).
            let extra = required.contains(key.name) ? "" : #", "\#(key.name)": null"#
            let json = #"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015\#(extra)}"#
            #expect(throws: Never.self, "`\(key.name)`") { try BotConfiguration.decode(json: Data(json.utf8)) }
        }
    }
}

/// Percentages written where a fraction is meant, and a take profit of 100% or more.
@Suite struct FractionTrapTests {
    static let base = #""symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100"#

    static func problem(_ members: String) -> String? {
        do {
            _ = try BotConfiguration.decode(json: Data("{\(base), \(members)}".utf8))
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func takeProfitOfFiveIsRefusedAsFivePercentMeant() throws {
        let text = try #require(Self.problem(#""take_profit": 5"#))
        #expect(text.contains("`take_profit` is 5, a take profit of 500%"))
        #expect(text.contains("write 0.05 for 5%"))
        #expect(text.contains(#""allow_large_take_profit": true"#))
    }

    @Test func takeProfitOfOneHundredPercentNeedsTheAllowKey() throws {
        #expect(Self.problem(#""take_profit": 1"#)?.contains("write 0.01 for 1%") == true)
        #expect(Self.problem(#""take_profit": 1, "allow_large_take_profit": true"#) == nil)
        #expect(Self.problem(#""take_profit": 0.999"#) == nil)
        // Past 1000% even the allow key does not help.
        #expect(Self.problem(#""take_profit": 11, "allow_large_take_profit": true"#)?.contains("`take_profit` is 11") == true)
    }

    @Test func everyFractionKeyGivenOneOrMoreNamesTheFractionMeant() throws {
        for (key, value, hint) in [
            ("price_deviation", "1.5", "write 0.015 for 1.5%"), ("trailing_deviation", "1", "write 0.01 for 1%"),
            ("stop_loss", "10", "write 0.1 for 10%"), ("fee_rate", "2", "write 0.02 for 2%"),
            ("maker_fee_rate", "1", "write 0.01 for 1%"), ("risk_free_rate", "5", "write 0.05 for 5%"),
        ] {
            let text = try #require(Self.problem(#""take_profit": 0.01, "\#(key)": \#(value)"#), "\(key) \(value)")
            #expect(text.contains("`\(key)` is \(value)") && text.contains(hint), "\(text)")
        }
    }

    @Test func allowLargeTakeProfitMustBeABoolean() throws {
        #expect(Self.problem(#""take_profit": 0.01, "allow_large_take_profit": "yes""#)?.contains("`allow_large_take_profit` must be true or false") == true)
    }

    /// The example configurations (the README's main job and the full example) leave
    /// `max_active_safety_orders` to its default, so a grid over `max_safety_orders` gives valid points.
    @Test(arguments: ["datasets/example-bot.json", "datasets/btc-1m-ladder.json"])
    func exampleConfigurationSweepsMaxSafetyOrders(_ file: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent(file))
        guard case .object(let base) = try JSONDecoder().decode(JSONInput.self, from: data) else { Issue.record("not an object"); return }
        #expect(base["max_active_safety_orders"] == nil)
        let grid = try ParameterGrid(json: Data(#"{"max_safety_orders": [1, 2, 3]}"#.utf8))
        for point in 0..<grid.count {
            let c = try BotConfiguration.decode(dictionary: grid.configurationObject(base: base, at: point))
            #expect(c.maxActiveSafetyOrders == point + 1)
        }
    }
}

/// The canonical JSON (hashed into bot ids) keeps its text: keys in the documented order with
/// every default resolved, the other mode's keys and a false `allow_large_take_profit` left out.
@Suite struct CanonicalConfigurationTests {
    @Test func defaultsOfModeSafetyOrdersAreWrittenInTheDocumentedOrder() throws {
        let c = try BotConfiguration.decode(json: Data(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 0.015}"#.utf8))
        let expected = #"{"name":"BTCUSDT DCA bot","symbol":"BTCUSDT","quote_currency":"USDT","initial_balance":10000,"mode":"safety_orders","base_order_size":100,"safety_order_size":200,"max_safety_orders":5,"max_active_safety_orders":5,"price_deviation":0.01,"safety_order_step_scale":1.5,"safety_order_volume_scale":2,"take_profit":0.015,"take_profit_type":"total","trailing_deviation":null,"stop_loss":null,"stop_loss_timeout_bars":0,"cooldown_bars":0,"max_deals":null,"fee_rate":0.001,"maker_fee_rate":null,"fee_currency":"quote","slippage_bps":0,"tick_size":null,"step_size":null,"min_notional":null,"min_qty":null,"fill_model":"pessimistic","periods_per_year":null,"risk_free_rate":0}"#
        #expect(c.canonicalJSON.text() == expected)
    }

    @Test func modeRecurringWritesItsOwnKeysAfterTheBaseOrder() throws {
        let c = try BotConfiguration.decode(json: Data(#"{"symbol": "BTCUSDT", "mode": "recurring", "initial_balance": 10000, "base_order_size": 100, "schedule": "1w"}"#.utf8))
        let expected = #"{"name":"BTCUSDT DCA bot","symbol":"BTCUSDT","quote_currency":"USDT","initial_balance":10000,"mode":"recurring","base_order_size":100,"order_size":100,"every_bars":1,"schedule":"1w","take_profit":null,"take_profit_type":"total","trailing_deviation":null,"stop_loss":null,"stop_loss_timeout_bars":0,"cooldown_bars":0,"max_deals":null,"fee_rate":0.001,"maker_fee_rate":null,"fee_currency":"quote","slippage_bps":0,"tick_size":null,"step_size":null,"min_notional":null,"min_qty":null,"fill_model":"pessimistic","periods_per_year":null,"risk_free_rate":0}"#
        #expect(c.canonicalJSON.text() == expected)
    }

    @Test func allowedLargeTakeProfitIsWrittenAfterTheTakeProfit() throws {
        let c = try BotConfiguration.decode(json: Data(#"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "take_profit": 2, "allow_large_take_profit": true}"#.utf8))
        #expect(c.canonicalJSON.text().contains(#""take_profit":2,"allow_large_take_profit":true,"take_profit_type":"total""#))
    }
}
