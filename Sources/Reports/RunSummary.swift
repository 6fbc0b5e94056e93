import Backtesting
import Foundation
import DCAStrategy
import MarketData

/// What the CLI reports about one run: the ids and where things were written, with the result.
public struct RunSummary: Sendable {
    public var runID: String
    public var botID: String
    public var dataFingerprint: String
    public var result: BacktestResult
    public var databasePath: String
    public var reportFolder: String?
    /// What loading the data found, one line per notable item (gaps, reversals, unit changes).
    public var dataNotes: [String]

    public init(runID: String, botID: String, dataFingerprint: String, result: BacktestResult, databasePath: String, reportFolder: String?, dataNotes: [String]) {
        self.runID = runID
        self.botID = botID
        self.dataFingerprint = dataFingerprint
        self.result = result
        self.databasePath = databasePath
        self.reportFolder = reportFolder
        self.dataNotes = dataNotes
    }

    var startedAt: String { result.candles.openTimes.first.map { UTCTime.iso8601(nanoseconds: $0) } ?? "" }
    var endedAt: String { result.candles.openTimes.last.map { UTCTime.iso8601(nanoseconds: $0) } ?? "" }

    /// The `--json` object: the keys scripts rely on first (README, "Commands"), then every other metric.
    public var json: JSONValue {
        let m = result.metrics
        let c = result.configuration
        var pairs: [(String, JSONValue)] = [
            ("run_id", .string(runID)), ("bot_id", .string(botID)), ("symbol", .string(c.symbol)),
            ("candles", .integer(Int64(m.candles))), ("started_at", .string(startedAt)), ("ended_at", .string(endedAt)),
            ("total_trades", .integer(Int64(m.totalTrades))), ("total_pnl", .optional(m.totalPnL)),
            ("realized_pnl", .optional(m.realizedPnL)), ("total_return", .optional(m.totalReturn)),
            ("max_drawdown", .optional(m.maxDrawdown)), ("sharpe_ratio", .optional(m.sharpeRatio)),
            ("sortino_ratio", .optional(m.sortinoRatio)), ("fees_paid", .optional(m.feesPaid)),
            ("final_equity", .optional(m.finalEquity)), ("deals_closed", .integer(Int64(m.dealsClosed))),
            ("rejected_orders", .integer(Int64(m.rejectedOrders))), ("periods_per_year", .optional(m.periodsPerYear)),
            ("fill_model", .string(c.fillModel.rawValue)), ("data_fingerprint", .string(dataFingerprint)),
        ]
        let seen = Set(pairs.map(\.0))
        pairs += m.jsonPairs.filter { !seen.contains($0.0) }
        if result.isMultiPair {
            pairs.append(("symbols", .array(result.configuration.tradedSymbols.map { .string($0) })))
            pairs.append(("per_symbol", .array(result.symbolOutcomes.map(Self.symbolJSON))))
        }
        if let signals = result.signals {
            pairs.append(("signals", Self.signalsJSON(signals)))
        }
        pairs += [
            ("bot_stopped", .bool(result.botStopped)),
            ("quote_currency", .string(c.quoteCurrency)), ("engine_version", .string(engineVersion)),
            ("database", .string(databasePath)), ("report", reportFolder.map { .string($0) } ?? .null),
        ]
        return .object(pairs)
    }

    /// The human summary printed by `dca-backtest run`.
    public var text: String {
        let m = result.metrics
        let c = result.configuration
        let q = c.quoteCurrency
        var lines: [String] = []
        lines.append("Backtest of \(c.name) on \(c.tradedSymbols.joined(separator: ", ")): \(m.candles) candles, \(UTCTime.shortText(nanoseconds: result.candles.openTimes.first ?? 0)) to \(UTCTime.shortText(nanoseconds: result.candles.openTimes.last ?? 0)) UTC\(m.intervalSeconds.map { ", \(Format.duration($0)) bars" } ?? "")")
        for note in dataNotes { lines.append("  data: " + note) }
        for note in metricNotes { lines.append("  note: " + note) }
        lines.append("")
        var rows: [(String, String)] = Self.summaryMetrics.compactMap(MetricDefinition.named).map { metric in
            (metric.label(quoteCurrency: q), Format.metric(metric, of: m))
        }
        rows.append(("Closed by", ReportWriter.closeReasons(result)))
        rows.append(("Fill model", c.fillModel.rawValue))
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            lines.append("  " + label + String(repeating: " ", count: width - label.count) + "  " + value)
        }
        if result.isMultiPair {
            lines.append("")
            lines += Self.symbolTable(result)
        }
        if let signals = result.signals {
            lines.append("")
            lines.append("  Signals: " + Self.signalsText(signals))
        }
        lines.append("")
        lines.append("Run \(runID) stored in \(databasePath)")
        if let reportFolder { lines.append("Report: \(reportFolder)/report.html (also summary.md, equity.csv)") }
        return lines.joined(separator: "\n")
    }

    /// One symbol's figures as JSON (`per_symbol` of `--json`): quote currency amounts, win rate a fraction.
    static func symbolJSON(_ o: SymbolOutcome) -> JSONValue {
        .object([
            ("symbol", .string(o.symbol)), ("candles", .integer(Int64(o.candles.count))), ("deals_opened", .integer(Int64(o.dealsOpened))),
            ("deals_closed", .integer(Int64(o.dealsClosed))), ("win_rate", .optional(o.winRate)), ("realized_pnl", .optional(o.realizedPnL)),
            ("fees_paid", .optional(o.fees)), ("max_capital_in_use", .optional(o.maxCapitalInUse)), ("filled_orders", .integer(Int64(o.filledOrders))),
            ("rejected_orders", .integer(Int64(o.rejectedOrders))), ("base_held", .optional(o.baseFree + o.baseLocked)),
            ("buy_and_hold_return", .optional(o.buyAndHoldReturn)),
        ])
    }

    static func signalsJSON(_ t: SignalTally) -> JSONValue {
        .object([
            ("read", .integer(Int64(t.read))), ("used", .integer(Int64(t.used))), ("dropped", .integer(Int64(t.droppedTotal))),
            ("dropped_by_reason", .object(t.dropped.map { ($0.reason, .integer(Int64($0.count))) })),
        ])
    }

    /// `5 read, 3 used, 2 dropped (deal_already_open 1, no_later_bar 1)`.
    public static func signalsText(_ t: SignalTally) -> String {
        var text = "\(t.read) read, \(t.used) used, \(t.droppedTotal) dropped"
        if !t.dropped.isEmpty { text += " (" + t.dropped.map { "\($0.reason) \($0.count)" }.joined(separator: ", ") + ")" }
        return text
    }

    /// The per-symbol table of the summary: deals, win rate, PnL, fees, max capital in use.
    public static func symbolTable(_ result: BacktestResult) -> [String] {
        let q = result.configuration.quoteCurrency
        let header = ["Symbol", "Deals", "Closed", "Win rate", "Realized PnL [\(q)]", "Fees [\(q)]", "Max capital [\(q)]"]
        let rows = result.symbolOutcomes.map { o in
            [o.symbol, String(o.dealsOpened), String(o.dealsClosed), o.winRate.map { Format.fixed($0 * 100, decimals: 1) + " %" } ?? "n/a",
             Format.money(o.realizedPnL), Format.money(o.fees), Format.money(o.maxCapitalInUse)]
        }
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "  " + cells.indices.map { i in
                i == 0 ? cells[i] + String(repeating: " ", count: widths[i] - cells[i].count) : String(repeating: " ", count: widths[i] - cells[i].count) + cells[i]
            }.joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }

    /// What a reader must know to read the metrics: how the ratios are annualised when that is
    /// not plain `365 days / bar interval`, and that a run under 30 days gives yearly figures
    /// nothing to stand on.
    public var metricNotes: [String] {
        let m = result.metrics
        var notes: [String] = []
        if m.periodsPerYearSource == .weekdayDaily {
            notes.append("daily bars on weekdays only (at most 5.5 a week): Sharpe and Sortino are annualised with 252 periods a year, not 365")
        }
        if m.isTooShortToAnnualise {
            let days = (m.spanSeconds ?? 0) / 86_400
            let span = days >= 1 ? "\(Format.fixed(days, decimals: 1)) days" : "\(Format.fixed(days * 24, decimals: 1)) hours"
            notes.append("the run spans \(span), under 30 days: annualised figures (CAGR, Sharpe, Sortino, Calmar) are not meaningful")
        }
        return notes
    }

    /// The metrics `dca-backtest run` prints, in this order (every metric is in summary.md,
    /// report.html and the JSON).
    static let summaryMetrics = [
        "final_equity", "total_pnl", "total_return", "realized_pnl", "buy_and_hold_return", "max_drawdown", "sharpe_ratio",
        "sortino_ratio", "cagr", "deals_closed", "win_rate", "total_trades", "rejected_orders", "max_safety_orders_used",
        "max_capital_in_use", "fees_paid", "exposure",
    ]
}

/// Number formatting for people (deterministic: no locale).
public enum Format {
    /// `12345.678` as `12,345.68`.
    public static func money(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        guard abs(value) < 9e16 else { return "\(value)" }
        let negative = value < 0
        let cents = (abs(value) * 100).rounded()
        let whole = Int64(cents / 100)
        let fraction = Int64(cents) % 100
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + String(digits.suffix(3)) + grouped
            digits = String(digits.dropLast(3))
        }
        return (negative ? "-" : "") + digits + grouped + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    public static func signedMoney(_ value: Double) -> String { (value > 0 ? "+" : "") + money(value) }

    /// A metric's value in its format; `n/a` when undefined (the Sharpe ratio with its reason).
    public static func metric(_ metric: MetricDefinition, of metrics: BacktestMetrics) -> String {
        let value = metric.value(of: metrics)
        let number: Double
        switch value {
        case .number(let d): number = d
        case .integer(let i): number = Double(i)
        case .string(let text): return text
        default:
            if metric.key == "sharpe_ratio" { return "n/a (\(metrics.sharpeUndefinedReason ?? "undefined"))" }
            if metric.key == "profit_factor" && metrics.dealsClosed > 0 { return "n/a (no losing deal)" }
            return "n/a"
        }
        return Self.metric(metric, value: number)
    }

    /// A metric's number in its format (`n/a` for `nil`).
    public static func metric(_ metric: MetricDefinition, value: Double?) -> String {
        guard let number = value else { return "n/a" }
        switch metric.format {
        case .money: return money(number)
        case .signedMoney: return signedMoney(number)
        case .percent: return percent(number)
        case .signedPercent: return percent(number, signed: true)
        case .ratio: return ratio(number)
        case .count: return String(Int64(number))
        case .duration: return duration(number)
        case .number, .text: return JSONValue.format(number)
        }
    }

    /// The one duration format: `45s`, `1m`, `2h 5m`, `3d 4h`, `1d 0h 1m` as `1d 1m` (zero parts left
    /// out, seconds only under a minute).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "n/a" }
        let s = Int64(seconds.rounded())
        if s < 60 { return "\(s)s" }
        let parts = [(s / 86_400, "d"), (s % 86_400 / 3_600, "h"), (s % 3_600 / 60, "m")].filter { $0.0 > 0 }
        return parts.map { "\($0.0)\($0.1)" }.joined(separator: " ")
    }

    /// A fraction as a percentage with two decimals: `0.0123` as `1.23%`.
    public static func percent(_ fraction: Double, signed: Bool = false) -> String {
        guard fraction.isFinite else { return "n/a" }
        return (signed && fraction > 0 ? "+" : "") + fixed(fraction * 100, decimals: 2) + "%"
    }

    public static func ratio(_ value: Double) -> String { fixed(value, decimals: 3) }

    /// `value` to `digits` significant digits (at most 15 decimals), trailing zeros dropped:
    /// `7303.168599999999` as `7303.1686`, `0.013898` as `0.013898`. For prices and quantities
    /// people read; stored values keep every bit.
    public static func significant(_ value: Double, digits: Int = 10) -> String {
        guard value.isFinite else { return "n/a" }
        guard value != 0 else { return "0" }
        guard abs(value) < 1e15 else { return "\(value)" }
        let magnitude = Int(Foundation.log10(abs(value)).rounded(.down))
        var text = fixed(value, decimals: min(15, max(0, digits - 1 - magnitude)))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// `value` with exactly `decimals` decimals, rounded half away from zero.
    /// Values too large for that many decimals in 64 bits (an annualised return over a few
    /// minutes can be 1e300) are written in exponent form, `1e+300`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "n/a" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        guard abs(value) * scale < 9e18 else { return "\(value)" }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(scaled) - whole * Int64(scale)
        var fractionText = String(fraction)
        fractionText = String(repeating: "0", count: max(0, decimals - fractionText.count)) + fractionText
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return sign + String(whole) + (decimals > 0 ? "." + fractionText : "")
    }
}
