import Foundation
import Testing

@testable import DCAStrategy

/// Configuration files that give one key twice are refused naming the key (a JSON parser keeps
/// one of the two values silently).
@Suite struct JSONDuplicateKeyTests {
    @Test func duplicateKeyIsFoundWithItsLineAndColumn() throws {
        let text = "{\n  \"take_profit\": 0.01,\n  \"price_deviation\": 0.02,\n  \"take_profit\": 0.05\n}"
        let duplicate = try #require(JSONInput.firstDuplicateKey(in: Data(text.utf8)))
        #expect(duplicate == JSONDuplicateKey(key: "take_profit", line: 4, column: 3, firstLine: 2))
        #expect(duplicate.description == "line 4, column 3: the key \"take_profit\" is given twice (also on line 2); keep one of them")
    }

    @Test func sameKeyInDifferentObjectsAndEscapedSpellingsAreTold() throws {
        // One key in two sibling objects is fine; `\u0061` is `a`, so it repeats `a`.
        #expect(JSONInput.firstDuplicateKey(in: Data(#"{"s": [{"a": 1}, {"a": 2}], "b": {"a": 3}}"#.utf8)) == nil)
        #expect(JSONInput.firstDuplicateKey(in: Data(#"{"x": "a", "y": ["a", "a"]}"#.utf8)) == nil)
        #expect(JSONInput.firstDuplicateKey(in: Data(#"{"a": 1, "\u0061": 2}"#.utf8))?.key == "a")
        #expect(JSONInput.firstDuplicateKey(in: Data(#"{"o": {"k": 1, "k": 2}}"#.utf8))?.key == "k")
    }

    @Test func configurationAndGridWithARepeatedKeyAreRefusedNamingIt() throws {
        let config = Data(#"{"symbol": "BTCUSDT", "base_order_size": 10, "base_order_size": 100}"#.utf8)
        #expect {
            _ = try BotConfiguration.decode(json: config)
        } throws: { error in
            "\(error)".contains("the key \"base_order_size\" is given twice")
        }
        #expect {
            _ = try ParameterGrid(json: Data(#"{"take_profit": [0.01], "take_profit": [0.02]}"#.utf8))
        } throws: { error in
            "\(error)".contains("the key \"take_profit\" is given twice")
        }
    }
}
