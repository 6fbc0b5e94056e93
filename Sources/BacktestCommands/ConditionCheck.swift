import DCAStrategy
import MarketData

/// Checks of a configuration's multi-pair keys and conditions that need the data (or the engine's
/// abilities), made before anything runs or is stored.
enum ConditionCheck {
    /// Every problem of `configurations` with candles of `interval` nanoseconds, in one message:
    /// a condition timeframe that is not a whole multiple of the interval; and, until the engine
    /// runs them, a bot with several symbols or with close conditions (refused rather than run as
    /// something else).
    static func refuseUnfit(_ configurations: [BotConfiguration], interval: Int64?) throws(CommandFailure) {
        var problems: [String] = []
        for configuration in configurations {
            if let interval {
                problems += DealCondition.problems(of: configuration.startConditions, key: "start_conditions", dataInterval: interval)
                problems += DealCondition.problems(of: configuration.closeConditions, key: "close_conditions", dataInterval: interval)
            } else if (configuration.startConditions + configuration.closeConditions).contains(where: { $0.timeframe != nil }) {
                problems.append("a condition `timeframe` needs at least two bars to know the data's interval")
            }
            if configuration.tradedSymbols.count > 1 {
                problems.append("`symbols` lists \(configuration.tradedSymbols.count) symbols, but this version runs one-pair bots only: give one `symbol`")
            }
            if !configuration.closeConditions.isEmpty {
                problems.append("`close_conditions` are decoded and checked, but this version's engine does not act on them yet: leave them out")
            }
        }
        var unique: [String] = []
        for problem in problems where !unique.contains(problem) { unique.append(problem) }
        guard unique.isEmpty else { throw CommandFailure("Invalid bot configuration for these candles: " + unique.joined(separator: "; ") + ".") }
    }
}
