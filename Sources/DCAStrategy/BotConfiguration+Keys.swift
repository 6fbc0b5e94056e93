import Foundation

/// One key of the bot configuration: how it is read, checked, written into the canonical JSON
/// and documented (docs/CONFIGURATION.md lists exactly these keys; a test compares the two).
///
/// Adding a key is one entry in ``BotConfiguration/keys`` (plus its stored property). A key added
/// after runs have been stored must write `nil` (leave itself out of the canonical JSON) at its
/// default value, so that existing configurations keep their canonical text and their ids.
public struct ConfigurationKey: Sendable {
    /// The JSON key.
    public let name: String
    /// The JSON type as the docs name it: `number`, `integer`, `text`, `boolean`, `"a" or "b"`.
    public let type: String
    /// The unit of the value: `fraction`, `quote currency`, `bars`, `basis points`, `count`, `-`.
    public let unit: String
    /// The default as the docs show it: `required`, `null`, `0.001`, or a sentence.
    public let defaultValue: String
    /// The allowed values as the docs show them, e.g. `(0, 1)`.
    public let range: String
    /// The name of the nearest 3Commas bot setting, if there is one.
    public let threeCommasName: String?
    /// Which values are refused by the key alone (cross-key rules live in `validationProblems`).
    public let rule: ConfigurationRule
    /// Whether the key is read after every other key: its default depends on another key's value.
    let readsLast: Bool
    /// Reads the key's value (or its default) into the configuration, noting problems.
    let read: @Sendable (inout KeyReader, inout BotConfiguration) -> Void
    /// The key's value in the canonical JSON, or `nil` to leave the key out.
    let write: @Sendable (BotConfiguration) -> JSONValue?
    /// The key's number to check against ``rule``, or `nil` when the key does not apply (its
    /// mode is not the configuration's, or it is unset).
    let checked: @Sendable (BotConfiguration) -> Double?

    init(
        _ name: String, type: String, unit: String, default defaultValue: String, range: String,
        threeCommas: String? = nil, rule: ConfigurationRule = .none, readsLast: Bool = false,
        read: @escaping @Sendable (inout KeyReader, inout BotConfiguration) -> Void,
        write: @escaping @Sendable (BotConfiguration) -> JSONValue?,
        checked: @escaping @Sendable (BotConfiguration) -> Double? = { _ in nil }
    ) {
        self.name = name
        self.type = type
        self.unit = unit
        self.defaultValue = defaultValue
        self.range = range
        self.threeCommasName = threeCommas
        self.rule = rule
        self.readsLast = readsLast
        self.read = read
        self.write = write
        self.checked = checked
    }
}

/// A range check on one key's number, with the message that names the key and the range.
public enum ConfigurationRule: Sendable, Equatable {
    case none
    /// `> 0`.
    case positive
    /// `>= 0` (whole numbers).
    case nonNegative
    /// `>= 1` (whole numbers).
    case atLeastOne(note: String)
    /// A fraction in `(0, 1)`, or `[0, 1)` when `zeroAllowed`: a value of 1 or more is answered
    /// with the fraction it probably meant ("write 0.05 for 5%").
    case fraction(zeroAllowed: Bool)
    /// A yearly rate in `(-1, 1)`: a value of 1 or more is answered as a fraction is.
    case yearlyRate
    /// A fraction in (0, 1); 1 up to 10 (1000%) only with `allow_large_take_profit: true`.
    case takeProfit
    /// Basis points in `[0, 10000)`.
    case basisPoints

    /// The problem with `value` for key `key`, or `nil` when it is allowed.
    func problem(key: String, value: Double, configuration: BotConfiguration) -> String? {
        let shown = JSONValue.format(value)
        switch self {
        case .none:
            return nil
        case .positive:
            return value.isFinite && value > 0 ? nil : "`\(key)` is \(shown); it must be > 0"
        case .nonNegative:
            return value >= 0 ? nil : "`\(key)` is \(shown); it must be >= 0"
        case .atLeastOne(let note):
            return value >= 1 ? nil : "`\(key)` is \(shown); it must be >= 1\(note)"
        case .fraction(let zeroAllowed):
            let ok = value.isFinite && (zeroAllowed ? value >= 0 : value > 0) && value < 1
            return ok ? nil : "`\(key)` is \(shown); it must be in \(zeroAllowed ? "[0" : "(0"), 1)" + Self.percentHint(value)
        case .yearlyRate:
            let ok = value.isFinite && value > -1 && value < 1
            return ok ? nil : "`\(key)` is \(shown); it must be in (-1, 1)" + Self.percentHint(value)
        case .takeProfit:
            let allowed = configuration.allowLargeTakeProfit
            if value.isFinite && value > 0 && value < 1 { return nil }
            if value.isFinite && value >= 1 && value <= 10 && allowed { return nil }
            if value.isFinite && value >= 1 && value <= 10 {
                return "`\(key)` is \(shown), a take profit of \(Self.percent(value)); it must be in (0, 1)"
                    + Self.percentHint(value) + ", or add \"allow_large_take_profit\": true to mean \(Self.percent(value))"
            }
            return "`\(key)` is \(shown); it must be in (0, 1)\(allowed ? " or [1, 10] with `allow_large_take_profit`" : "")" + Self.percentHint(value)
        case .basisPoints:
            let ok = value.isFinite && value >= 0 && value < 10_000
            return ok ? nil : "`\(key)` is \(shown); it must be in [0, 10000)"
        }
    }

    /// ` (a fraction: write 0.05 for 5%)` for a value from 1 to 100 (probably a percentage), else "".
    static func percentHint(_ value: Double) -> String {
        guard value.isFinite && value >= 1 && value <= 100 else { return "" }
        return " (a fraction: write \(JSONValue.format(value / 100)) for \(JSONValue.format(value))%)"
    }

    /// `value` as a percentage: `1.5` -> `150%`.
    static func percent(_ value: Double) -> String { "\(JSONValue.format(value * 100))%" }
}

extension BotConfiguration {
    /// The configuration with every key at its default (the required ones empty): decoding
    /// starts from it and each key reads over it.
    static var empty: BotConfiguration {
        BotConfiguration(
            name: "", symbol: "", quoteCurrency: "", initialBalance: 0, mode: .safetyOrders, baseOrderSize: 0,
            safetyOrderSize: 200, maxSafetyOrders: 5, maxActiveSafetyOrders: 5, priceDeviation: 0.01,
            safetyOrderStepScale: 1.5, safetyOrderVolumeScale: 2.0, takeProfit: nil, allowLargeTakeProfit: false,
            takeProfitType: .total, trailingDeviation: nil, stopLoss: nil, stopLossTimeoutBars: 0, cooldownBars: 0,
            maxDeals: nil, feeRate: 0.001, makerFeeRate: nil, feeCurrency: .quote, slippageBasisPoints: 0,
            tickSize: nil, stepSize: nil, minNotional: nil, minQty: nil, fillModel: .pessimistic,
            periodsPerYear: nil, riskFreeRate: 0, orderSize: 0, everyBars: 1, schedule: nil
        )
    }

    /// Every configuration key, in the order of the canonical JSON (and of docs/CONFIGURATION.md):
    /// the one table that drives decoding, range checks, the canonical JSON and the docs test.
    ///
    /// Keys are read in this order, except that those marked `readsLast` (their default depends on
    /// another key: `name` on `symbol`, `take_profit` being required on `mode`) are read after the rest.
    public static let keys: [ConfigurationKey] = [
        ConfigurationKey(
            "name", type: "text", unit: "-", default: #""SYMBOL DCA bot""#, range: "any", threeCommas: "name",
            readsLast: true, read: { r, c in c.name = r.string("name") ?? "\(c.symbol) DCA bot" }, write: { .string($0.name) }
        ),
        ConfigurationKey(
            "symbol", type: "text", unit: "-", default: "required", range: "not empty", threeCommas: "pairs",
            read: { r, c in c.symbol = r.string("symbol", required: r.raw("symbols") == nil) ?? "" },
            // A multi-pair bot's canonical JSON names its pairs in `symbols` alone, so that it
            // decodes again (`report RUN_ID`, `merge --data` read stored configurations back).
            write: { $0.tradedSymbols.count > 1 ? nil : .string($0.symbol) }
        ),
        ConfigurationKey(
            "symbols", type: "list of text", unit: "-", default: "null (one pair: `symbol`)", range: "not empty, no symbol twice",
            threeCommas: "pairs (multi-pair bot)",
            read: { r, c in
                guard let list = r.stringList("symbols") else { return }
                if !c.symbol.isEmpty && (list.count != 1 || list[0] != c.symbol) {
                    r.problems.append("both `symbol` and `symbols` are given; write `symbols` alone for a multi-pair bot")
                }
                c.symbols = list
                if c.symbol.isEmpty { c.symbol = list[0] }
            },
            // Left out for a one-pair bot: its canonical JSON (and ids) stay as they were.
            write: { $0.tradedSymbols.count > 1 ? .array($0.tradedSymbols.map { .string($0) }) : nil }
        ),
        ConfigurationKey(
            "max_active_deals", type: "integer", unit: "count", default: "1; required with more than one symbol",
            range: "[1, number of symbols]", threeCommas: "max_active_deals", readsLast: true,
            read: { r, c in
                if let n = r.optionalInteger("max_active_deals") {
                    c.maxActiveDeals = n
                } else if c.tradedSymbols.count > 1 && r.raw("max_active_deals") == nil {
                    r.problems.append("`max_active_deals` is required with more than one symbol (1 ... \(c.tradedSymbols.count))")
                }
            },
            write: { $0.tradedSymbols.count > 1 ? .integer(Int64($0.maxActiveDeals)) : nil }
        ),
        ConfigurationKey(
            "start_conditions", type: "list of conditions", unit: "-", default: "[] (start as soon as possible)",
            range: "see docs/CONDITIONS.md", threeCommas: "deal start conditions",
            read: { r, c in
                let decoded = DealCondition.decodeList(r.raw("start_conditions"), key: "start_conditions")
                c.startConditions = decoded.conditions
                r.problems += decoded.problems
            },
            write: { $0.startConditions.isEmpty ? nil : .array($0.startConditions.map(\.canonicalJSON)) }
        ),
        ConfigurationKey(
            "quote_currency", type: "text", unit: "-", default: "the symbol's suffix (USDT, USDC, BUSD, USD, EUR, BTC, ...), else USDT",
            range: "any", readsLast: true, read: { r, c in c.quoteCurrency = r.string("quote_currency") ?? quoteCurrency(ofSymbol: c.symbol) },
            write: { .string($0.quoteCurrency) }
        ),
        ConfigurationKey(
            "initial_balance", type: "number", unit: "quote currency", default: "required", range: "> 0",
            rule: .positive, read: { r, c in c.initialBalance = r.number("initial_balance", required: true) ?? 0 },
            write: { .optional($0.initialBalance) }, checked: { $0.initialBalance }
        ),
        ConfigurationKey(
            "mode", type: #""safety_orders" or "recurring""#, unit: "-", default: #""safety_orders""#,
            range: "one of the two", read: { r, c in c.mode = r.enumeration("mode", default: c.mode) },
            write: { .string($0.mode.rawValue) }
        ),
        ConfigurationKey(
            "base_order_size", type: "number", unit: "quote currency", default: "required",
            range: "> 0, at most `initial_balance`, at least `min_notional`", threeCommas: "base_order_volume",
            rule: .positive, read: { r, c in c.baseOrderSize = r.number("base_order_size", required: true) ?? 0 },
            write: { .optional($0.baseOrderSize) }, checked: { $0.baseOrderSize }
        ),
        ConfigurationKey(
            "safety_order_size", type: "number", unit: "quote currency", default: "200",
            range: "> 0 when `max_safety_orders` > 0", threeCommas: "safety_order_volume",
            read: { r, c in c.safetyOrderSize = r.number("safety_order_size") ?? c.safetyOrderSize },
            write: { $0.mode == .safetyOrders ? .optional($0.safetyOrderSize) : nil }
        ),
        ConfigurationKey(
            "max_safety_orders", type: "integer", unit: "count", default: "5", range: "[0, 1000]",
            threeCommas: "max_safety_orders",
            read: { r, c in c.maxSafetyOrders = r.integer("max_safety_orders", default: c.maxSafetyOrders) },
            write: { $0.mode == .safetyOrders ? .integer(Int64($0.maxSafetyOrders)) : nil }
        ),
        ConfigurationKey(
            "max_active_safety_orders", type: "integer", unit: "count", default: "`max_safety_orders`",
            range: "[1, `max_safety_orders`]", threeCommas: "active_safety_orders_count",
            readsLast: true, read: { r, c in c.maxActiveSafetyOrders = r.integer("max_active_safety_orders", default: c.maxSafetyOrders) },
            write: { $0.mode == .safetyOrders ? .integer(Int64($0.maxActiveSafetyOrders)) : nil }
        ),
        ConfigurationKey(
            "price_deviation", type: "number", unit: "fraction", default: "0.01", range: "(0, 1)",
            threeCommas: "safety_order_step_percentage", rule: .fraction(zeroAllowed: false),
            read: { r, c in c.priceDeviation = r.number("price_deviation") ?? c.priceDeviation },
            write: { $0.mode == .safetyOrders ? .optional($0.priceDeviation) : nil },
            checked: { $0.hasSafetyOrders ? $0.priceDeviation : nil }
        ),
        ConfigurationKey(
            "safety_order_step_scale", type: "number", unit: "factor", default: "1.5", range: "> 0, with `D_n` < 1",
            threeCommas: "martingale_step_coefficient", rule: .positive,
            read: { r, c in c.safetyOrderStepScale = r.number("safety_order_step_scale") ?? c.safetyOrderStepScale },
            write: { $0.mode == .safetyOrders ? .optional($0.safetyOrderStepScale) : nil },
            checked: { $0.hasSafetyOrders ? $0.safetyOrderStepScale : nil }
        ),
        ConfigurationKey(
            "safety_order_volume_scale", type: "number", unit: "factor", default: "2", range: "> 0",
            threeCommas: "martingale_volume_coefficient", rule: .positive,
            read: { r, c in c.safetyOrderVolumeScale = r.number("safety_order_volume_scale") ?? c.safetyOrderVolumeScale },
            write: { $0.mode == .safetyOrders ? .optional($0.safetyOrderVolumeScale) : nil },
            checked: { $0.hasSafetyOrders ? $0.safetyOrderVolumeScale : nil }
        ),
        ConfigurationKey(
            "order_size", type: "number", unit: "quote currency", default: "`base_order_size`", range: "> 0",
            rule: .positive, readsLast: true, read: { r, c in c.orderSize = r.number("order_size") ?? c.baseOrderSize },
            write: { $0.mode == .recurring ? .optional($0.orderSize) : nil },
            checked: { $0.mode == .recurring ? $0.orderSize : nil }
        ),
        ConfigurationKey(
            "every_bars", type: "integer", unit: "bars", default: "1", range: ">= 1",
            rule: .atLeastOne(note: ""), read: { r, c in c.everyBars = r.integer("every_bars", default: c.everyBars) },
            write: { $0.mode == .recurring ? .integer(Int64($0.everyBars)) : nil },
            checked: { $0.mode == .recurring ? Double($0.everyBars) : nil }
        ),
        ConfigurationKey(
            "schedule", type: "text", unit: "hours, days or weeks", default: "null (use `every_bars`)",
            range: #"a whole number and `h`, `d` or `w`: "12h", "1d", "1w""#,
            read: { r, c in c.schedule = r.string("schedule") },
            write: { $0.mode == .recurring ? ($0.schedule.map { .string($0) } ?? .null) : nil }
        ),
        ConfigurationKey(
            "take_profit", type: "number", unit: "fraction", default: "required in mode `safety_orders`",
            range: "(0, 1); up to 10 with `allow_large_take_profit`", threeCommas: "take_profit", rule: .takeProfit,
            readsLast: true, read: { r, c in c.takeProfit = r.number("take_profit", required: c.mode == .safetyOrders && c.takeProfitSteps.isEmpty && r.raw("take_profit_steps") == nil) },
            write: { .optional($0.takeProfit) }, checked: { $0.takeProfit }
        ),
        ConfigurationKey(
            "take_profit_steps", type: #"list of {"profit": p, "fraction": f}"#, unit: "fraction", default: "null (one `take_profit`)",
            range: "1 to 4 steps, profits > 0 strictly increasing, fractions > 0 summing to 1; not with `take_profit`",
            threeCommas: "take_profit_steps (multiple targets)",
            read: { r, c in c.takeProfitSteps = r.takeProfitSteps() },
            // Engine v2 keys are left out at their defaults: configurations stored before keep their ids.
            write: { c in c.takeProfitSteps.isEmpty ? nil : .array(c.takeProfitSteps.map { .object([("profit", .optional($0.profit)), ("fraction", .optional($0.fraction))]) }) }
        ),
        ConfigurationKey(
            "allow_large_take_profit", type: "boolean", unit: "-", default: "false", range: "true or false",
            read: { r, c in c.allowLargeTakeProfit = r.boolean("allow_large_take_profit") ?? false },
            // Left out at its default: configurations stored before the key existed keep their ids.
            write: { $0.allowLargeTakeProfit ? .bool(true) : nil }
        ),
        ConfigurationKey(
            "take_profit_type", type: #""total" or "base""#, unit: "-", default: #""total""#, range: "one of the two",
            threeCommas: "take_profit_type",
            read: { r, c in c.takeProfitType = r.enumeration("take_profit_type", default: c.takeProfitType) },
            write: { .string($0.takeProfitType.rawValue) }
        ),
        ConfigurationKey(
            "trailing_deviation", type: "number", unit: "fraction", default: "null (no trailing)", range: "(0, 1)",
            threeCommas: "trailing_deviation (with trailing_enabled)", rule: .fraction(zeroAllowed: false),
            read: { r, c in c.trailingDeviation = r.number("trailing_deviation") },
            write: { .optional($0.trailingDeviation) }, checked: { $0.trailingDeviation }
        ),
        ConfigurationKey(
            "stop_loss", type: "number", unit: "fraction", default: "null (no stop loss)", range: "(0, 1)",
            threeCommas: "stop_loss_percentage", rule: .fraction(zeroAllowed: false),
            read: { r, c in c.stopLoss = r.number("stop_loss") }, write: { .optional($0.stopLoss) }, checked: { $0.stopLoss }
        ),
        ConfigurationKey(
            "stop_loss_timeout_bars", type: "integer", unit: "bars", default: "0", range: ">= 0",
            threeCommas: "stop_loss_timeout_in_seconds (in seconds there)", rule: .nonNegative,
            read: { r, c in c.stopLossTimeoutBars = r.integer("stop_loss_timeout_bars", default: c.stopLossTimeoutBars) },
            write: { .integer(Int64($0.stopLossTimeoutBars)) }, checked: { Double($0.stopLossTimeoutBars) }
        ),
        ConfigurationKey(
            "trailing_stop_loss", type: "boolean", unit: "-", default: "false", range: "true or false; needs `stop_loss`, not with `stop_loss_timeout_bars` > 0",
            threeCommas: "trailing stop loss",
            read: { r, c in c.trailingStopLoss = r.boolean("trailing_stop_loss") ?? false }, write: { $0.trailingStopLoss ? .bool(true) : nil }
        ),
        ConfigurationKey(
            "stop_loss_to_breakeven", type: "boolean", unit: "-", default: "false", range: "true or false; needs `stop_loss` and `take_profit_steps`",
            threeCommas: "move stop loss to breakeven",
            read: { r, c in c.stopLossToBreakeven = r.boolean("stop_loss_to_breakeven") ?? false }, write: { $0.stopLossToBreakeven ? .bool(true) : nil }
        ),
        ConfigurationKey(
            "stop_loss_action", type: #""close_deal" or "stop_bot""#, unit: "-", default: #""close_deal""#, range: "one of the two; `stop_bot` needs `stop_loss`",
            threeCommas: "stop_loss_type",
            read: { r, c in c.stopLossAction = r.enumeration("stop_loss_action", default: c.stopLossAction) },
            write: { $0.stopLossAction == .closeDeal ? nil : .string($0.stopLossAction.rawValue) }
        ),
        ConfigurationKey(
            "close_conditions", type: "list of conditions", unit: "-", default: "[] (none)", range: "docs/CONDITIONS.md",
            threeCommas: "close_strategy_list",
            read: { r, c in
                let (conditions, problems) = DealCondition.decodeList(r.raw("close_conditions"), key: "close_conditions")
                c.closeConditions = conditions
                r.problems += problems
            },
            write: { $0.closeConditions.isEmpty ? nil : .array($0.closeConditions.map(\.canonicalJSON)) }
        ),
        ConfigurationKey(
            "close_min_profit", type: "number or false", unit: "fraction", default: "0", range: "> -1, or false (no guard)",
            threeCommas: "min_profit_percentage",
            read: { r, c in c.closeMinProfit = r.numberOrFalse("close_min_profit", default: 0) },
            write: { $0.closeConditions.isEmpty ? nil : ($0.closeMinProfit.map { .optional($0) } ?? .bool(false)) }
        ),
        ConfigurationKey(
            "cooldown_bars", type: "integer", unit: "bars", default: "0", range: ">= 0",
            threeCommas: "cooldown (in seconds there)", rule: .nonNegative,
            read: { r, c in c.cooldownBars = r.integer("cooldown_bars", default: c.cooldownBars) },
            write: { .integer(Int64($0.cooldownBars)) }, checked: { Double($0.cooldownBars) }
        ),
        ConfigurationKey(
            "max_deals", type: "integer", unit: "count", default: "null (no cap)", range: ">= 1",
            rule: .atLeastOne(note: " (or null for no cap)"), read: { r, c in c.maxDeals = r.optionalInteger("max_deals") },
            write: { $0.maxDeals.map { .integer(Int64($0)) } ?? .null }, checked: { $0.maxDeals.map(Double.init) }
        ),
        ConfigurationKey(
            "order_size_unit", type: #""quote" or "base""#, unit: "-", default: #""quote""#, range: "one of the two; `base` in mode `safety_orders` only",
            read: { r, c in c.orderSizeUnit = r.enumeration("order_size_unit", default: c.orderSizeUnit) },
            write: { $0.orderSizeUnit == .quote ? nil : .string($0.orderSizeUnit.rawValue) }
        ),
        ConfigurationKey(
            "compound", type: "boolean", unit: "-", default: "false", range: "true or false; mode `safety_orders` only",
            read: { r, c in c.compound = r.boolean("compound") ?? false }, write: { $0.compound ? .bool(true) : nil }
        ),
        ConfigurationKey(
            "fee_rate", type: "number", unit: "fraction", default: "0.001", range: "[0, 1)",
            rule: .fraction(zeroAllowed: true), read: { r, c in c.feeRate = r.number("fee_rate") ?? c.feeRate },
            write: { .optional($0.feeRate) }, checked: { $0.feeRate }
        ),
        ConfigurationKey(
            "maker_fee_rate", type: "number", unit: "fraction", default: "null (`fee_rate`)", range: "[0, 1)",
            rule: .fraction(zeroAllowed: true), read: { r, c in c.makerFeeRate = r.number("maker_fee_rate") },
            write: { .optional($0.makerFeeRate) }, checked: { $0.makerFeeRate }
        ),
        ConfigurationKey(
            "fee_currency", type: #""quote" or "base""#, unit: "-", default: #""quote""#, range: "one of the two",
            read: { r, c in c.feeCurrency = r.enumeration("fee_currency", default: c.feeCurrency) },
            write: { .string($0.feeCurrency.rawValue) }
        ),
        ConfigurationKey(
            "slippage_bps", type: "number", unit: "basis points (0.0001)", default: "0", range: "[0, 10000)",
            rule: .basisPoints, read: { r, c in c.slippageBasisPoints = r.number("slippage_bps") ?? c.slippageBasisPoints },
            write: { .optional($0.slippageBasisPoints) }, checked: { $0.slippageBasisPoints }
        ),
        ConfigurationKey(
            "tick_size", type: "number", unit: "quote currency", default: "null (no rounding)", range: "> 0",
            rule: .positive, read: { r, c in c.tickSize = r.number("tick_size") }, write: { .optional($0.tickSize) },
            checked: { $0.tickSize }
        ),
        ConfigurationKey(
            "step_size", type: "number", unit: "base currency", default: "null (no rounding)", range: "> 0",
            rule: .positive, read: { r, c in c.stepSize = r.number("step_size") }, write: { .optional($0.stepSize) },
            checked: { $0.stepSize }
        ),
        ConfigurationKey(
            "min_notional", type: "number", unit: "quote currency", default: "null (no minimum)", range: "> 0",
            rule: .positive, read: { r, c in c.minNotional = r.number("min_notional") }, write: { .optional($0.minNotional) },
            checked: { $0.minNotional }
        ),
        ConfigurationKey(
            "min_qty", type: "number", unit: "base currency", default: "null (no minimum)", range: "> 0",
            rule: .positive, read: { r, c in c.minQty = r.number("min_qty") }, write: { .optional($0.minQty) },
            checked: { $0.minQty }
        ),
        ConfigurationKey(
            "fill_model", type: FillModel.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "), unit: "-",
            default: #""pessimistic""#, range: "one of these",
            read: { r, c in c.fillModel = r.enumeration("fill_model", default: c.fillModel) },
            write: { .string($0.fillModel.rawValue) }
        ),
        ConfigurationKey(
            "periods_per_year", type: "number", unit: "bars per year", default: "null (from the bar interval)", range: "> 0",
            rule: .positive, read: { r, c in c.periodsPerYear = r.number("periods_per_year") },
            write: { .optional($0.periodsPerYear) }, checked: { $0.periodsPerYear }
        ),
        ConfigurationKey(
            "risk_free_rate", type: "number", unit: "fraction per year", default: "0", range: "(-1, 1)",
            rule: .yearlyRate, read: { r, c in c.riskFreeRate = r.number("risk_free_rate") ?? c.riskFreeRate },
            write: { .optional($0.riskFreeRate) }, checked: { $0.riskFreeRate }
        ),
    ]

    /// Every key the decoder knows.
    public static let knownKeys: [String] = keys.map(\.name)

    /// Whether the ladder has safety orders to check (mode `safety_orders`, `max_safety_orders` > 0).
    var hasSafetyOrders: Bool { mode == .safetyOrders && maxSafetyOrders != 0 }
}
