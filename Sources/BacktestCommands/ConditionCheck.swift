import DCAStrategy
import MarketData

/// Checks of a configuration's conditions that need the data, made before anything runs or is
/// stored.
enum ConditionCheck {
    /// Every problem of `configurations` with candles of `interval` nanoseconds: a condition
    /// timeframe that is not a whole multiple of the interval, or a timeframe without a known
    /// interval.
    static func problems(_ configurations: [BotConfiguration], interval: Int64?) -> [String] {
        var problems: [String] = []
        for configuration in configurations {
            if let interval {
                problems += DealCondition.problems(of: configuration.startConditions, key: "start_conditions", dataInterval: interval)
                problems += DealCondition.problems(of: configuration.closeConditions, key: "close_conditions", dataInterval: interval)
            } else if (configuration.startConditions + configuration.closeConditions).contains(where: { $0.timeframe != nil }) {
                problems.append("a condition `timeframe` needs at least two bars to know the data's interval")
            }
        }
        var unique: [String] = []
        for problem in problems where !unique.contains(problem) { unique.append(problem) }
        return unique
    }

    /// ``problems(_:interval:)`` as one error.
    static func refuseUnfit(_ configurations: [BotConfiguration], interval: Int64?) throws(CommandFailure) {
        let unique = problems(configurations, interval: interval)
        guard unique.isEmpty else { throw CommandFailure("Invalid bot configuration for these candles: " + unique.joined(separator: "; ") + ".") }
    }
}
