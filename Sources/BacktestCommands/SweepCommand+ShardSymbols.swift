import DCAStrategy

extension SweepCommand {
    /// The symbols of every point of the selection (all shards' points, in point order), in order
    /// of first appearance, as a sweep run whole gathers them from its points; `nil` when the grid
    /// varies neither `symbols` nor `symbol` (every point trades the base configuration's).
    ///
    /// A shard of a grid over `symbols` takes these instead of its own points' symbols: so every
    /// shard loads the same symbols' candles and records the sweep under the id of the whole sweep
    /// (its data fingerprint covers those symbols in that order), and `merge` ranks the whole
    /// sweep's points together. Only the points' objects are read, without decoding them.
    /// - Parameters:
    ///   - selected: how many points the sweep selects (the grid's, or a random draw's).
    ///   - drawn: the drawn grid indices of a random search, ascending; `nil` for a grid search.
    static func symbolsOfEveryPoint(grid: ParameterGrid, base: [String: JSONInput], selected: Int, drawn: [Int]?) -> [String]? {
        guard grid.axes.contains(where: { $0.key == "symbols" || $0.key == "symbol" }) else { return nil }
        var symbols: [String] = []
        for position in 0..<selected {
            let object = grid.configurationObject(base: base, at: drawn?[position] ?? position)
            var traded: [String] = []
            if case .array(let list)? = object["symbols"] {
                for item in list { if case .string(let symbol) = item { traded.append(symbol) } }
            }
            if traded.isEmpty, case .string(let symbol)? = object["symbol"] { traded = [symbol] }
            for symbol in traded where !symbols.contains(symbol) { symbols.append(symbol) }
        }
        return symbols
    }
}
