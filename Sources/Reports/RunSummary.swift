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

    /// The `--json` object: INTERFACE.md's keys first, then every other metric.
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
        lines.append("Backtest of \(c.name) on \(c.symbol): \(m.candles) candles, \(UTCTime.shortText(nanoseconds: result.candles.openTimes.first ?? 0)) to \(UTCTime.shortText(nanoseconds: result.candles.openTimes.last ?? 0)) UTC\(m.intervalSeconds.map { ", \(RunSummary.duration($0)) bars" } ?? "")")
        for note in dataNotes { lines.append("  data: " + note) }
        lines.append("")
        let rows: [(String, String)] = [
            ("Final equity [\(q)]", Format.money(m.finalEquity) + " (start \(Format.money(m.initialBalance)))"),
            ("Total PnL [\(q)]", Format.signedMoney(m.totalPnL) + " (" + Format.percent(m.totalReturn, signed: true) + ")"),
            ("Realized PnL [\(q)]", Format.signedMoney(m.realizedPnL)),
            ("Buy & hold return", m.buyAndHoldReturn.map { Format.percent($0, signed: true) } ?? "n/a"),
            ("Max. drawdown", Format.percent(m.maxDrawdown) + " (realized " + Format.percent(m.realizedMaxDrawdown) + ")"),
            ("Sharpe ratio", m.sharpeRatio.map { Format.ratio($0) } ?? "n/a (\(m.sharpeUndefinedReason ?? "undefined"))"),
            ("Sortino ratio", m.sortinoRatio.map { Format.ratio($0) } ?? "n/a"),
            ("Deals closed / opened", "\(m.dealsClosed) / \(m.dealsOpened)" + (m.winRate.map { ", win rate " + Format.percent($0) } ?? "")),
            ("Closed by", ReportWriter.closeReasons(result)),
            ("Orders filled / rejected", "\(m.totalTrades) / \(m.rejectedOrders)"),
            ("Max. safety orders used", "\(m.maxSafetyOrdersUsed) of \(c.maxSafetyOrders)"),
            ("Max. capital in use [\(q)]", Format.money(m.maxCapitalInUse) + " incl. fees (full ladder: \(Format.money(c.requiredCapital)) before fees)"),
            ("Fees paid [\(q)]", Format.money(m.feesPaid)),
            ("Exposure", Format.percent(m.exposure)),
            ("Fill model", c.fillModel.rawValue),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            lines.append("  " + label + String(repeating: " ", count: width - label.count) + "  " + value)
        }
        lines.append("")
        lines.append("Run \(runID) stored in \(databasePath)")
        if let reportFolder { lines.append("Report: \(reportFolder)/report.html (also summary.md, equity.csv)") }
        return lines.joined(separator: "\n")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s % 86_400 == 0 { return "\(s / 86_400)-day" }
        if s % 3_600 == 0 { return "\(s / 3_600)-hour" }
        if s % 60 == 0 { return "\(s / 60)-minute" }
        return "\(s)-second"
    }
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
