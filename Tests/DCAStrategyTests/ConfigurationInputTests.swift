import Foundation
import Testing

@testable import DCAStrategy

/// Values a configuration file may not hold, each refused naming the key.
struct ConfigurationInputTests {
    func problems(_ members: String) -> String {
        let json = #"{"symbol": "BTCUSDT", "initial_balance": 10000, "base_order_size": 100, "# + members + "}"
        do {
            _ = try BotConfiguration.decode(json: Data(json.utf8))
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func aNulCharacterInTextIsRefused() {
        #expect(problems(#""name": "bot\u0000x""#).contains("`name` holds a NUL character (\\u0000): text values cannot contain one"))
    }

    @Test func aWholeNumberOutOfRangeIsCalledOutOfRange() {
        let text = problems(#""max_safety_orders": 10000000000"#)
        #expect(text.contains("`max_safety_orders` is 10000000000, out of range"), "\(text)")
        #expect(!text.contains("must be a whole number"))
    }

    @Test func moneyAbove1e15IsRefused() {
        // JSONValue.format writes 2e15 (not below 1e15) in Swift's description: 2000000000000000.0.
        let text = problems(#""safety_order_size": 2e15"#)
        #expect(text.contains("`safety_order_size` is 2000000000000000.0; money amounts must be at most 1e15"), "\(text)")
        #expect(!problems(#""safety_order_size": 1e15"#).contains("money amounts"))
    }
}
