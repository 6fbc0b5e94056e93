import Analytics
import Backtesting
import DCAStrategy
import Foundation
import MarketData

/// Writes a run's report folder: `summary.md`, `equity.csv` and `report.html` (equity and
/// drawdown charts as inline SVG: no network, no scripts).
public enum ReportWriter {
    /// Writes the report of `summary` into `folder` (created if needed).
    /// - Throws: the file system's error when a file cannot be written.
    public static func write(_ summary: RunSummary, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try markdown(summary).write(toFile: folder + "/summary.md", atomically: true, encoding: .utf8)
        try equityCSV(summary.result).write(toFile: folder + "/equity.csv", atomically: true, encoding: .utf8)
        try html(summary).write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
    }

    /// `open_time,close,equity,drawdown`: one row per bar, equity in quote currency at the close,
    /// drawdown as a fraction of the running peak (the peak starts at the initial balance).
    public static func equityCSV(_ result: BacktestResult) -> String {
        let drawdown = EquityCurveStatistics.drawdownCurve(equity: result.equity, initialBalance: result.configuration.initialBalance)
        var out = "open_time,close,equity,drawdown\n"
        out.reserveCapacity(result.equity.count * 64)
        for i in 0..<result.equity.count {
            out += UTCTime.iso8601(nanoseconds: result.candles.openTimes[i])
            out += ","
            out += "\(result.candles.closes[i]),\(result.equity[i]),\(drawdown[i])\n"
        }
        return out
    }

    /// Every metric of the run as (label with unit, value), as summary.md and report.html show them.
    static func metricRows(_ summary: RunSummary) -> [(String, String)] {
        let m = summary.result.metrics
        let q = summary.result.configuration.quoteCurrency
        let periods = m.periodsPerYear.map { JSONValue.format($0) } ?? "n/a"
        return [
            ("Equity Final [\(q)]", Format.money(m.finalEquity)),
            ("Total PnL [\(q)]", Format.signedMoney(m.totalPnL)),
            ("Return [%]", Format.percent(m.totalReturn, signed: true)),
            ("Realized PnL [\(q)] (closed deals)", Format.signedMoney(m.realizedPnL)),
            ("Unrealized PnL [\(q)] (open deal, incl. its fees)", Format.signedMoney(m.unrealizedPnL)),
            ("Buy & Hold Return [%]", m.buyAndHoldReturn.map { Format.percent($0, signed: true) } ?? "n/a"),
            ("Max. Drawdown [%]", Format.percent(m.maxDrawdown)),
            ("Max. Realized Drawdown [%]", Format.percent(m.realizedMaxDrawdown)),
            ("Sharpe Ratio (per bar, x sqrt(\(periods)) bars/year)", m.sharpeRatio.map { Format.ratio($0) } ?? "n/a (\(m.sharpeUndefinedReason ?? "undefined"))"),
            ("Sharpe Ratio (daily returns, x sqrt(365))", m.sharpeRatioDaily.map { Format.ratio($0) } ?? "n/a"),
            ("Sortino Ratio", m.sortinoRatio.map { Format.ratio($0) } ?? "n/a"),
            ("CAGR [%]", m.compoundAnnualGrowthRate.map { Format.percent($0) } ?? "n/a"),
            ("Calmar Ratio", m.calmarRatio.map { Format.ratio($0) } ?? "n/a"),
            ("Deals Closed", "\(m.dealsClosed) of \(m.dealsOpened) opened"),
            ("Deals By Close Reason", closeReasons(summary.result)),
            ("Win Rate [%] (closed deals)", m.winRate.map { Format.percent($0) } ?? "n/a"),
            ("Profit Factor", m.profitFactor.map { Format.ratio($0) } ?? "n/a (no losing deal)"),
            ("Avg. Deal Duration", m.averageDealDurationSeconds.map(duration) ?? "n/a"),
            ("Longest Deal Duration", m.longestDealDurationSeconds.map(duration) ?? "n/a"),
            ("Max. Safety Orders Used", "\(m.maxSafetyOrdersUsed)"),
            ("Max. Capital In Use [\(q)]", Format.money(m.maxCapitalInUse)),
            ("Exposure Time [%]", Format.percent(m.exposure)),
            ("Fees [\(q)]", Format.money(m.feesPaid)),
            ("Orders Filled", "\(m.totalTrades)"),
            ("Orders Rejected", "\(m.rejectedOrders)"),
            ("Periods Per Year", periods),
        ]
    }

    /// How the closed deals ended, e.g. `take_profit 3, stop_loss 1`, and whether the bot
    /// stopped (`stop_loss_action = stop_bot`).
    static func closeReasons(_ result: BacktestResult) -> String {
        var counts: [(OrderRole, Int)] = []
        for deal in result.deals {
            guard let reason = deal.closeReason else { continue }
            if let i = counts.firstIndex(where: { $0.0 == reason }) { counts[i].1 += 1 } else { counts.append((reason, 1)) }
        }
        let text = counts.isEmpty ? "none" : counts.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", ")
        return result.botStopped ? text + "; bot stopped after a stop loss (stop_loss_action stop_bot)" : text
    }

    /// The bot's configuration with every default resolved, key by key (which grid point a
    /// report belongs to).
    static func configurationRows(_ configuration: BotConfiguration) -> [(String, String)] {
        guard case .object(let pairs) = configuration.canonicalJSON else { return [] }
        return pairs.map { ($0.0, $0.1.text()) }
    }

    public static func markdown(_ summary: RunSummary) -> String {
        let r = summary.result
        let c = r.configuration
        let t = markdownText, code = markdownCode
        var out = "# Backtest: \(t(c.name)) on \(t(c.symbol))\n\n"
        out += "- Run `\(summary.runID)`, bot `\(summary.botID)`, engine \(engineVersion)\n"
        out += "- Data: \(r.metrics.candles) candles from \(summary.startedAt) to \(summary.endedAt), fingerprint `\(summary.dataFingerprint.prefix(16))…`\n"
        for note in summary.dataNotes { out += "- Data: \(t(note))\n" }
        out += "- Fill model: `\(c.fillModel.rawValue)`; fee rate \(JSONValue.format(c.feeRate)) (fraction); slippage \(JSONValue.format(c.slippageBasisPoints)) bp\n\n"
        out += "| Metric | Value |\n|---|---|\n"
        for (label, value) in metricRows(summary) { out += "| \(t(label)) | \(t(value)) |\n" }
        out += "\n## Configuration\n\n| Key | Value |\n|---|---|\n"
        for (key, value) in configurationRows(c) { out += "| \(code(key)) | \(code(value)) |\n" }
        out += "\nFiles: `equity.csv` (equity and drawdown per bar), `report.html` (charts). The run's orders and deals are in the `order_logs` and `deals` tables of \(code(summary.databasePath)).\n"
        return out
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds)
        let days = s / 86_400, hours = s % 86_400 / 3_600, minutes = s % 3_600 / 60
        if days > 0 { return "\(days)d \(hours)h \(minutes)m" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m"
    }

    /// Text from the user (a bot's name, a file name) as Markdown shows it literally: HTML
    /// escaped as in report.html, Markdown's punctuation backslash-escaped, line breaks as spaces
    /// (a table cell or list item stays one line).
    static func markdownText(_ text: String) -> String {
        var out = ""
        for character in escape(text) {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "|", "#", "!", "~": out += "\\" + String(character)
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    /// Text in a Markdown code span: fenced with more backticks than it holds in a row, `|`
    /// escaped (inside a table), line breaks as spaces.
    static func markdownCode(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        var longest = 0, run = 0
        for character in flat {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + pad + flat + pad + fence
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    public static func html(_ summary: RunSummary) -> String {
        let r = summary.result
        let m = r.metrics
        let c = r.configuration
        let q = c.quoteCurrency
        let drawdown = EquityCurveStatistics.drawdownCurve(equity: r.equity, initialBalance: c.initialBalance).map { -$0 * 100 }
        let equityChart = SVGChart.line(
            times: r.candles.openTimes, values: r.equity, title: "Equity at each bar's close", yLabel: "Equity [\(q)]",
            color: "#1f6feb", fill: false, baseline: c.initialBalance
        )
        let drawdownChart = SVGChart.line(
            times: r.candles.openTimes, values: drawdown, title: "Drawdown from the running peak", yLabel: "Drawdown [%]",
            color: "#d1242f", fill: true, baseline: nil, height: 220
        )
        // Fills on the close price: buys green, sells red (the first 5,000).
        let fills = r.orders.lazy.filter { $0.status == .filled && $0.filledBar != nil && $0.averagePrice != nil }.prefix(5000)
        let priceChart = SVGChart.line(
            times: r.candles.openTimes, values: r.candles.closes, title: "Close price with fills (buys green, sells red)",
            yLabel: "Price [\(q)]", color: "#59636e", fill: false, baseline: nil,
            markers: fills.map { (r.candles.openTimes[$0.filledBar!], $0.averagePrice!, $0.side == .buy ? "#1a7f37" : "#d1242f") }
        )
        let cards: [(String, String)] = [
            ("Final equity", Format.money(m.finalEquity) + " " + q), ("Total PnL", Format.signedMoney(m.totalPnL) + " " + q),
            ("Return", Format.percent(m.totalReturn, signed: true)), ("Max. drawdown", Format.percent(m.maxDrawdown)),
            ("Sharpe ratio", m.sharpeRatio.map { Format.ratio($0) } ?? "n/a"), ("Deals closed", "\(m.dealsClosed)"),
            ("Orders filled", "\(m.totalTrades)"), ("Fees", Format.money(m.feesPaid) + " " + q),
        ]
        var dealRows = ""
        let lastClose = r.candles.closes.last ?? 0
        for deal in r.deals.prefix(500) {
            // An open deal shows its unrealized PnL at the last close, as the positions table does.
            let pnl = deal.closedBar == nil ? (lastClose - deal.averageEntry) * deal.quantity : deal.realizedPnL
            dealRows += "<tr><td>\(deal.number)</td><td>\(UTCTime.shortText(nanoseconds: r.candles.openTimes[deal.openedBar]))</td>"
            dealRows += "<td>\(deal.closedBar.map { UTCTime.shortText(nanoseconds: r.candles.openTimes[$0]) } ?? "open")</td>"
            dealRows += "<td>\(deal.safetyOrdersFilled)</td><td>\(Format.fixed(deal.averageEntry, decimals: 4))</td>"
            dealRows += "<td>\(Format.money(deal.cost))</td><td class=\"\(pnl < 0 ? "neg" : "pos")\">\(Format.signedMoney(pnl))\(deal.closedBar == nil ? " (unrealized)" : "")</td>"
            dealRows += "<td>\(deal.closeReason?.rawValue ?? "")</td></tr>\n"
        }
        let more = r.deals.count > 500 ? "<p>First 500 of \(r.deals.count) deals shown; all are in the <code>deals</code> table.</p>" : ""
        let orderLimit = 2000
        var orderRows = ""
        for order in r.orders.prefix(orderLimit) {
            let filled = order.filledBar.map { UTCTime.shortText(nanoseconds: r.candles.openTimes[$0]) } ?? ""
            orderRows += "<tr><td>\(order.sequence)</td><td>\(UTCTime.shortText(nanoseconds: r.candles.openTimes[order.createdBar]))</td>"
            orderRows += "<td>\(order.role.rawValue)\(order.safetyOrderIndex.map { " \($0)" } ?? "")\(order.takeProfitStep.map { " step \($0)" } ?? "")</td><td>\(order.side.rawValue) \(order.type.rawValue)</td>"
            orderRows += "<td>\(order.price.map { Format.significant($0) } ?? "")</td><td>\(Format.significant(order.quantity))</td>"
            orderRows += "<td>\(order.status.rawValue)\(order.reason.map { " (\(escape($0)))" } ?? "")</td><td>\(filled)</td>"
            orderRows += "<td>\(order.averagePrice.map { Format.significant($0) } ?? "")</td><td>\(Format.fixed(order.fees, decimals: 4))</td></tr>\n"
        }
        let moreOrders = r.orders.count > orderLimit ? "<p>First \(orderLimit) of \(r.orders.count) orders shown; all are in the <code>order_logs</code> table.</p>" : ""
        func table(_ rows: [(String, String)], code: Bool = false) -> String {
            rows.map { "<tr><th style=\"text-align:left\">\(code ? "<code>\(escape($0.0))</code>" : escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
        }
        let notes = summary.dataNotes.map { "<li>\(escape($0))</li>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(escape(c.name)) on \(escape(c.symbol)): backtest \(summary.runID.prefix(8))</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1040px; color: #1f2328; }
            h1 { font-size: 22px; margin-bottom: 4px; } .sub { color: #59636e; font-size: 13px; margin-top: 0; }
            .cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; }
            .card { border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px 12px; min-width: 110px; }
            .card .label { color: #59636e; font-size: 12px; } .card .value { font-size: 17px; font-weight: 600; }
            table { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
            td, th { border-bottom: 1px solid #d1d9e0; padding: 4px 10px; text-align: right; } th { background: #f6f8fa; }
            .pos { color: #1a7f37; } .neg { color: #d1242f; }
            </style>
            </head>
            <body>
            <h1>\(escape(c.name)) on \(escape(c.symbol))</h1>
            <p class="sub">\(m.candles) candles, \(summary.startedAt) to \(summary.endedAt) (UTC) · fill model \(c.fillModel.rawValue) · run \(summary.runID) · \(engineVersion)</p>
            <div class="cards">
            \(cards.map { "<div class=\"card\"><div class=\"label\">\($0.0)</div><div class=\"value\">\(escape($0.1))</div></div>" }.joined(separator: "\n"))
            </div>
            \(equityChart)
            \(drawdownChart)
            \(priceChart)
            <h2>Deals</h2>
            <table>
            <tr><th>#</th><th>Opened (UTC)</th><th>Closed (UTC)</th><th>Safety orders</th><th>Avg. entry</th><th>Cost [\(q)]</th><th>PnL [\(q)]</th><th>Closed by</th></tr>
            \(dealRows)</table>
            \(more)
            <h2>Orders</h2>
            <table>
            <tr><th>#</th><th>Placed (UTC)</th><th>Role</th><th>Side, type</th><th>Price [\(q)]</th><th>Quantity</th><th>Status</th><th>Filled (UTC)</th><th>Fill price [\(q)]</th><th>Fee [\(q)]</th></tr>
            \(orderRows)</table>
            \(moreOrders)
            <h2>Every metric</h2>
            <table>
            \(table(metricRows(summary)))
            </table>
            <h2>Data</h2>
            <ul>
            \(notes)
            </ul>
            <h2>Configuration</h2>
            <table>
            \(table(configurationRows(c), code: true))
            </table>
            <p class="sub">Orders are in the <code>order_logs</code> table of \(escape(summary.databasePath)) (<code>dca-backtest runs show \(summary.runID.prefix(8))</code>).</p>
            </body>
            </html>

            """
    }
}
