import Foundation

/// A configuration that cannot be used, with every problem found.
///
/// Thrown by ``BotConfiguration/decode(json:)`` and ``BotConfiguration/validate()`` before any
/// data is read. Each problem names the key, the value and the allowed range.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    /// What was invalid: "bot configuration" or "grid".
    public var subject: String
    public init(problems: [String], subject: String = "bot configuration") {
        self.problems = problems
        self.subject = subject
    }
    /// One paragraph.
    public var description: String {
        "Invalid \(subject): " + problems.joined(separator: "; ") + "."
    }
}

extension BotConfiguration {
    /// Decodes and validates a configuration from JSON text.
    /// - Throws: ``ConfigurationError`` listing unknown keys, wrong types, missing required
    ///   keys and out-of-range values, all in one message.
    public static func decode(json: Data) throws(ConfigurationError) -> BotConfiguration {
        let object: JSONInput
        do {
            object = try JSONDecoder().decode(JSONInput.self, from: json)
        } catch {
            throw ConfigurationError(problems: ["the file is not valid JSON: \(JSONInput.locateSyntaxError(in: json) ?? JSONInput.explain(error))"])
        }
        guard case .object(let dictionary) = object else {
            throw ConfigurationError(problems: ["the configuration must be a JSON object of keys and values"])
        }
        return try decode(dictionary: dictionary)
    }

    /// ` (did you mean `KEY`?)` naming the known key closest to `key` (at most 3 edits away), or "".
    static func suggestion(forUnknownKey key: String) -> String {
        let nearest = knownKeys.min { editDistance($0, key) < editDistance($1, key) }
        return nearest.map { editDistance($0, key) <= 3 ? " (did you mean `\($0)`?)" : "" } ?? ""
    }

    /// Decodes and validates a configuration from a parsed JSON object.
    public static func decode(dictionary: [String: JSONInput]) throws(ConfigurationError) -> BotConfiguration {
        var reader = KeyReader(dictionary: dictionary)
        for key in dictionary.keys.sorted() where !knownKeys.contains(key) {
            reader.problems.append("unknown key `\(key)`\(suggestion(forUnknownKey: key))")
        }
        var configuration = BotConfiguration.empty
        for key in keys where !key.readsLast { key.read(&reader, &configuration) }
        for key in keys where key.readsLast { key.read(&reader, &configuration) }
        // Range problems of keys whose value could not even be read are left out (their default
        // stood in); every other problem is reported with them.
        var problems = reader.problems
        let unreadable = reader.problems.compactMap { $0.split(separator: "`", omittingEmptySubsequences: false).dropFirst().first.map(String.init) }
        problems += configuration.validationProblems().filter { problem in
            !unreadable.contains { problem.contains("`\($0)`") }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return configuration
    }

    /// Checks every value against its allowed range.
    /// - Throws: ``ConfigurationError`` with every problem.
    public func validate() throws(ConfigurationError) {
        let problems = validationProblems()
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }

    /// Every out-of-range value, each naming its key, its value and the allowed range.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        func show(_ value: Double) -> String { JSONValue.format(value) }
        // Money above 10^15 quote units is no account's balance, and near 2^53 (about 9.0e15) a
        // double no longer holds whole units exactly: refused rather than computed with.
        func money(_ key: String, _ value: Double?) {
            if let value, value.isFinite, value > BotConfiguration.largestMoneyAmount {
                problems.append("`\(key)` is \(show(value)); money amounts must be at most 1e15 (10^15 in the quote currency)")
            }
        }
        money("initial_balance", initialBalance)
        money("base_order_size", baseOrderSize)
        money("safety_order_size", safetyOrderSize)
        money("order_size", orderSize)
        money("min_notional", minNotional)
        if symbol.isEmpty { problems.append("`symbol` must not be empty") }
        for key in Self.keys {
            if let value = key.checked(self), let problem = key.rule.problem(key: key.name, value: value, configuration: self) {
                problems.append(problem)
            }
        }
        if let minNotional, minNotional > 0, baseOrderSize < minNotional {
            problems.append("the base order (`base_order_size` \(show(baseOrderSize))) is below `min_notional` \(show(minNotional))")
        }
        if baseOrderSize > initialBalance && initialBalance > 0 {
            problems.append("`base_order_size` \(show(baseOrderSize)) exceeds `initial_balance` \(show(initialBalance)): no deal could ever start")
        }
        switch mode {
        case .safetyOrders:
            if maxSafetyOrders < 0 || maxSafetyOrders > 1000 {
                problems.append("`max_safety_orders` is \(maxSafetyOrders); it must be in [0, 1000]")
            }
            if maxSafetyOrders != 0 {
                if !(safetyOrderSize.isFinite && safetyOrderSize > 0) {
                    problems.append("`safety_order_size` is \(show(safetyOrderSize)); it must be > 0 when `max_safety_orders` > 0")
                }
                if maxActiveSafetyOrders < 1 || maxActiveSafetyOrders > maxSafetyOrders {
                    problems.append("`max_active_safety_orders` is \(maxActiveSafetyOrders); it must be in [1, max_safety_orders = \(maxSafetyOrders)]")
                }
                if priceDeviation > 0 && priceDeviation < 1 && safetyOrderStepScale > 0 && safetyOrderStepScale.isFinite,
                   maxSafetyOrders >= 1 && maxSafetyOrders <= 1000 {
                    let deepest = Ladder.cumulativeDeviation(k: maxSafetyOrders, priceDeviation: priceDeviation, stepScale: safetyOrderStepScale)
                    if !(deepest < 1) {
                        problems.append("the deepest safety order's deviation D_\(maxSafetyOrders) = \(show(deepest)) must stay below 1 (its price would be at or below 0): lower `price_deviation`, `safety_order_step_scale` or `max_safety_orders`")
                    }
                }
                if safetyOrderSize.isFinite && safetyOrderSize > 0 && safetyOrderVolumeScale.isFinite && safetyOrderVolumeScale > 0,
                   maxSafetyOrders >= 1 && maxSafetyOrders <= 1000, !requiredCapital.isFinite {
                    let deepest = safetyOrderSize * pow(safetyOrderVolumeScale, Double(maxSafetyOrders - 1))
                    problems.append("the ladder's quote sizes overflow: safety order \(maxSafetyOrders) would be `safety_order_size` x `safety_order_volume_scale`^\(maxSafetyOrders - 1) = \(deepest.isFinite ? show(deepest) : "infinity"), and the whole ladder costs more than a finite amount: lower `safety_order_size`, `safety_order_volume_scale` or `max_safety_orders`")
                }
                if let minNotional, safetyOrderSize > 0, safetyOrderVolumeScale > 0 {
                    for k in 1...min(maxSafetyOrders, 1000) {
                        let size = safetyOrderSize * pow(safetyOrderVolumeScale, Double(k - 1))
                        if size < minNotional {
                            problems.append("safety order \(k) (quote size \(show(size))) is below `min_notional` \(show(minNotional))")
                            break
                        }
                    }
                }
            }
            if takeProfit == nil { problems.append("`take_profit` is required in mode `safety_orders`") }
        case .recurring:
            if let schedule, RecurringSchedule(text: schedule) == nil {
                problems.append("`schedule` is \"\(schedule)\"; it must be a number of hours, days or weeks such as \"12h\", \"1d\" or \"1w\"")
            }
            if let minNotional, orderSize < minNotional {
                problems.append("the recurring buy (`order_size` \(show(orderSize))) is below `min_notional` \(show(minNotional))")
            }
        }
        return problems
    }

    /// The configuration with every default resolved, keys in ``keys``' order (the keys of the
    /// other mode left out): the canonical form hashed into `bot_id` and stored in `bots.config`.
    public var canonicalJSON: JSONValue {
        .object(Self.keys.compactMap { key in key.write(self).map { (key.name, $0) } })
    }

    /// Quote capital one full deal needs: base order plus every safety order (fees excluded).
    public var requiredCapital: Double {
        guard mode == .safetyOrders else { return orderSize }
        return Ladder.capitalPerDeal(baseOrderSize: baseOrderSize, safetyOrderSize: safetyOrderSize, volumeScale: safetyOrderVolumeScale, maxSafetyOrders: maxSafetyOrders)
    }
}

extension BotConfiguration {
    /// The largest money amount accepted in a configuration: 10^15 quote units.
    public static let largestMoneyAmount = 1e15
}

/// Reads typed values out of a JSON object, collecting problems instead of stopping.
struct KeyReader {
    let dictionary: [String: JSONInput]
    var problems: [String] = []

    func raw(_ key: String) -> JSONInput? {
        guard let value = dictionary[key], value != .null else { return nil }
        return value
    }

    mutating func number(_ key: String, required: Bool = false) -> Double? {
        guard let value = raw(key) else {
            if required { problems.append("`\(key)` is required") }
            return nil
        }
        if case .number(let n) = value { return n }
        problems.append("`\(key)` must be a number, not \(value.summary)")
        return nil
    }

    mutating func integer(_ key: String, default defaultValue: Int) -> Int {
        optionalInteger(key) ?? defaultValue
    }

    mutating func optionalInteger(_ key: String) -> Int? {
        guard let value = raw(key) else { return nil }
        if case .number(let d) = value, d == d.rounded(), abs(d) < 1e9 { return Int(d) }
        if case .number(let d) = value, d == d.rounded() {
            problems.append("`\(key)` is \(value.summary), out of range: whole numbers here must be between -999999999 and 999999999")
            return nil
        }
        problems.append("`\(key)` must be a whole number, not \(value.summary)")
        return nil
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = raw(key) else {
            if required { problems.append("`\(key)` is required") }
            return nil
        }
        if case .string(let s) = value {
            if s.utf8.contains(0) {
                problems.append("`\(key)` holds a NUL character (\\u0000): text values cannot contain one")
                return nil
            }
            return s
        }
        problems.append("`\(key)` must be text, not \(value.summary)")
        return nil
    }

    mutating func enumeration<E: RawRepresentable<String> & CaseIterable>(_ key: String, default defaultValue: E) -> E {
        guard let text = string(key) else { return defaultValue }
        if let value = E(rawValue: text) { return value }
        problems.append("`\(key)` is \"\(text)\"; it must be one of \(E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        return defaultValue
    }

    mutating func boolean(_ key: String) -> Bool? {
        guard let value = raw(key) else { return nil }
        if case .bool(let b) = value { return b }
        problems.append("`\(key)` must be true or false, not \(value.summary)")
        return nil
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
