import Foundation

/// Data files that cannot be given to the bot's symbols: every problem, each naming the file.
public struct SymbolDataAssignmentError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String {
        "Cannot tell which candles belong to which symbol: " + problems.joined(separator: "; ")
            + ". Name each file's symbol with `--data SYMBOL=FILE`, or use file names that each contain exactly one of the bot's symbols (BTCUSDT-1h-2021-10.csv)."
    }
}

/// Which candle files belong to which of a bot's symbols (docs/SEMANTICS.md section 7).
///
/// Each `--data` argument is `SYMBOL=FILE` or a file. A bot with one symbol takes every plain
/// file as its own (its names are only warned about, elsewhere). With several symbols, a plain
/// file's name (not its folder) must contain exactly one of the symbols, in any case, as a whole
/// word: `BTCUSDT-1h-2021-10.csv`, `Binance_ETHUSDT_1h.csv`; `BTCUSDT` does not match inside
/// `XBTCUSDT`. A symbol without any file is refused too.
public enum SymbolDataAssignment {
    /// - Parameters:
    ///   - arguments: the `--data` values, in the order given.
    ///   - symbols: the bot's symbols, in the configuration's order.
    /// - Returns: for each symbol (in `symbols`' order) its files, in the order given.
    /// - Throws: ``SymbolDataAssignmentError`` listing every file that names no symbol, more than
    ///   one, or an unknown one, every file given twice, and every symbol left without data.
    public static func assign(arguments: [String], symbols: [String]) throws(SymbolDataAssignmentError) -> [[String]] {
        let (files, problems) = assignWhatCanBe(arguments: arguments, symbols: symbols)
        guard problems.isEmpty else { throw SymbolDataAssignmentError(problems: problems) }
        return files
    }

    /// ``assign(arguments:symbols:)`` without throwing: the files that could be given to a
    /// symbol, and every problem (so that a caller can check the rest of its input too and
    /// report everything in one message).
    /// - Parameter option: the option the arguments came with, as problems name it (`--detail`
    ///   for the finer candles of the `detail` fill model, whose symbols are those it walks).
    public static func assignWhatCanBe(arguments: [String], symbols: [String], option: String = "--data") -> (files: [[String]], problems: [String]) {
        var files = Array(repeating: [String](), count: symbols.count)
        var problems: [String] = []
        var seen: Set<String> = []
        let upperSymbols = symbols.map { $0.uppercased() }
        for argument in arguments {
            var path = argument
            var symbolIndex: Int?
            if let equals = argument.firstIndex(of: "="), argument[..<equals].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_/:.".contains($0)) }),
               !argument[..<equals].contains("/") {
                let named = String(argument[..<equals])
                path = String(argument[argument.index(after: equals)...])
                if let index = upperSymbols.firstIndex(of: named.uppercased()) {
                    symbolIndex = index
                } else {
                    problems.append("`\(option) \(argument)` names \(named), which is not one of the bot's symbols (\(symbols.joined(separator: ", ")))")
                    continue
                }
                if path.isEmpty {
                    problems.append("`\(option) \(argument)` names no file after `=`")
                    continue
                }
            } else if symbols.count == 1 {
                symbolIndex = 0
            } else {
                let name = (argument as NSString).lastPathComponent
                let matches = upperSymbols.indices.filter { containsWord(name.uppercased(), upperSymbols[$0]) }
                switch matches.count {
                case 1: symbolIndex = matches[0]
                case 0:
                    problems.append("\(argument): its name contains none of the bot's symbols (\(symbols.joined(separator: ", "))); write `\(option) SYMBOL=\(argument)`")
                    continue
                default:
                    problems.append("\(argument): its name contains several of the bot's symbols (\(matches.map { symbols[$0] }.joined(separator: ", "))); write `\(option) SYMBOL=\(argument)`")
                    continue
                }
            }
            guard let symbolIndex else { continue }
            if !seen.insert(path).inserted {
                problems.append("\(path) is given twice")
                continue
            }
            files[symbolIndex].append(path)
        }
        for (index, symbol) in symbols.enumerated() where files[index].isEmpty {
            problems.append(option == "--data" ? "\(symbol) has no candle file" : "\(symbol) has no \(option) file")
        }
        return (files, problems)
    }

    /// Whether `word` occurs in `text` with no letter or digit right before or after it.
    static func containsWord(_ text: String, _ word: String) -> Bool {
        let characters = Array(text), target = Array(word)
        guard !target.isEmpty, characters.count >= target.count else { return false }
        func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }
        for start in 0...(characters.count - target.count) where Array(characters[start..<(start + target.count)]) == target {
            let before = start == 0 || !isWordCharacter(characters[start - 1])
            let end = start + target.count
            let after = end == characters.count || !isWordCharacter(characters[end])
            if before && after { return true }
        }
        return false
    }
}
