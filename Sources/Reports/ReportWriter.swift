import Analytics
import Backtesting
import DCAStrategy
import Foundation
import MarketData

/// Writes a run's report folder: `summary.md`, `equity.csv` and `report.html` (equity and
/// drawdown charts as inline SVG: no network, no scripts).
public enum ReportWriter {
    /// Writes the report of `summary` into `folder` (created if needed).
    /// - Parameter equity: every bar's row in `equity.csv` (`.full`), or at most
    ///   ``EquityDetail/sampledRowLimit`` rows (`.sampled`, the default).
    /// - Throws: the file system's error when a file cannot be written.
    public static func write(_ summary: RunSummary, to folder: String, equity: EquityDetail = .sampled) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try markdown(summary).write(toFile: folder + "/summary.md", atomically: true, encoding: .utf8)
        try equityCSV(summary.result, detail: equity).write(to: URL(fileURLWithPath: folder + "/equity.csv"), options: .atomic)
        try html(summary).write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
    }

    /// `open_time,close,equity,drawdown`: equity in quote currency at the bar's close, drawdown as
    /// a fraction of the running peak (the peak starts at the initial balance, and counts every
    /// bar, written or not). `.full` writes every bar; `.sampled` at most 100,000 rows (see
    /// ``EquityDetail/sampled``).
    public static func equityCSV(_ result: BacktestResult, detail: EquityDetail = .full) -> Data {
        let count = result.equity.count
        let step = detail.step(bars: count)
        var out = [UInt8]()
        out.reserveCapacity((count / step + 2) * 72)
        out.append(contentsOf: Array("open_time,close,equity,drawdown\n".utf8))
        var peak = result.configuration.initialBalance
        var time = [UInt8](repeating: 0, count: UTCTime.iso8601Length)
        let multi = result.isMultiPair
        result.equity.withUnsafeBufferPointer { equity in
            for i in 0..<count {
                let value = equity[i]
                if value > peak { peak = value }
                guard i % step == 0 || i == count - 1 else { continue }
                time.withUnsafeMutableBufferPointer { UTCTime.writeISO8601(nanoseconds: result.candles.openTimes[i], to: $0.baseAddress!) }
                out.append(contentsOf: time)
                out.append(UInt8(ascii: ","))
                // A multi-pair run's merged series has no one close: the field is left empty.
                if !multi { out.append(contentsOf: result.candles.closes[i].description.utf8) }
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: value.description.utf8)
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: (peak > 0 ? (peak - value) / peak : 0).description.utf8)
                out.append(UInt8(ascii: "\n"))
            }
        }
        return Data(out)
    }

    /// Every metric of the run as (label with unit, value), as summary.md and report.html show
    /// them: the whole metrics table.
    static func metricRows(_ summary: RunSummary) -> [(String, String)] {
        let m = summary.result.metrics
        let q = summary.result.configuration.quoteCurrency
        return BacktestMetrics.table.map { ($0.label(quoteCurrency: q), Format.metric($0, of: m)) } + [("Deals by close reason", closeReasons(summary.result))]
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
        var out = "# Backtest: \(t(c.name)) on \(t(c.tradedSymbols.joined(separator: ", ")))\n\n"
        out += "- Run `\(summary.runID)`, bot `\(summary.botID)`, engine \(engineVersion)\n"
        out += "- Data: \(r.metrics.candles) candles from \(summary.startedAt) to \(summary.endedAt), fingerprint `\(summary.dataFingerprint.prefix(16))…`\n"
        for note in summary.dataNotes { out += "- Data: \(t(note))\n" }
        for note in summary.metricNotes { out += "- Note: \(t(note))\n" }
        out += "- Fill model: `\(c.fillModel.rawValue)`; fee rate \(JSONValue.format(c.feeRate)) (fraction); slippage \(JSONValue.format(c.slippageBasisPoints)) bp\n\n"
        out += "| Metric | Value |\n|---|---|\n"
        for (label, value) in metricRows(summary) { out += "| \(t(label)) | \(t(value)) |\n" }
        if r.isMultiPair {
            let q = c.quoteCurrency
            out += "\n## Per symbol\n\n| Symbol | Deals | Closed | Win rate | Realized PnL [\(q)] | Fees [\(q)] | Max capital in use [\(q)] |\n|---|---|---|---|---|---|---|\n"
            for o in r.symbolOutcomes {
                out += "| \(t(o.symbol)) | \(o.dealsOpened) | \(o.dealsClosed) | \(o.winRate.map { Format.fixed($0 * 100, decimals: 1) + " %" } ?? "n/a") | \(Format.money(o.realizedPnL)) | \(Format.money(o.fees)) | \(Format.money(o.maxCapitalInUse)) |\n"
            }
        }
        if let signals = r.signals { out += "\nSignals: \(t(RunSummary.signalsText(signals)))\n" }
        out += "\n## Configuration\n\n| Key | Value |\n|---|---|\n"
        for (key, value) in configurationRows(c) { out += "| \(code(key)) | \(code(value)) |\n" }
        out += "\nFiles: `equity.csv` (equity and drawdown per bar), `report.html` (charts). The run's orders and deals are in the `order_logs` and `deals` tables of \(code(summary.databasePath)).\n"
        return out
    }

    /// The KPI cards at the top of report.html, in this order.
    static let cardMetrics = ["final_equity", "total_pnl", "total_return", "max_drawdown", "sharpe_ratio", "deals_closed", "total_trades", "fees_paid"]

    /// The colour of a fill marker by the order's role.
    static func roleColor(_ role: OrderRole) -> String {
        switch role {
        case .base: "#0969da"
        case .safety: "#1a7f37"
        case .recurring: "#8250df"
        case .takeProfit: "#d1242f"
        case .trailingTakeProfit: "#bc4c00"
        case .stopLoss: "#1f2328"
        case .closeCondition: "#9a6700"
        case .signal: "#bf3989"
        }
    }

    /// A role as the legend names it.
    static func roleLabel(_ role: OrderRole) -> String {
        switch role {
        case .base: "Base order"
        case .safety: "Safety order"
        case .recurring: "Recurring buy"
        case .takeProfit: "Take profit"
        case .trailingTakeProfit: "Trailing take profit"
        case .stopLoss: "Stop loss"
        case .closeCondition: "Close condition"
        case .signal: "Close signal"
        }
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

    /// The close price of symbol `symbol` (all of a one-pair run) with its fills by role and its
    /// deals' average entry and take-profit levels.
    static func priceChart(_ r: BacktestResult, symbol: Int) -> String {
        let q = r.configuration.quoteCurrency
        let multi = r.isMultiPair
        let series = multi ? r.symbolOutcomes[symbol].candles : r.candles
        // Fills on the close price by role (the first 5,000), buys drawn first so that the sells
        // (take profits at a deal's end, often at the next deal's first buy) stay visible on top.
        let fills = Array(r.orders.lazy.filter { $0.symbol == symbol && $0.status == .filled && $0.filledBar != nil && $0.averagePrice != nil }.prefix(5000))
        let markers = (fills.filter { $0.side == .buy } + fills.filter { $0.side == .sell }).map { order in
            ChartMarker(
                time: r.candles.openTimes[order.filledBar!], value: order.averagePrice!, color: roleColor(order.role), role: order.role.rawValue,
                title: "\(roleLabel(order.role)) \(order.side.rawValue) #\(order.sequence), deal \(order.deal.map(String.init) ?? "-"): \(Format.significant(order.filledQuantity)) at \(Format.significant(order.averagePrice!)) \(q), \(UTCTime.shortText(nanoseconds: r.candles.openTimes[order.filledBar!])) UTC"
            )
        }
        let rolesShown = OrderRole.allCases.filter { role in fills.contains { $0.role == role } }
        // Each deal's final average entry and take-profit price, from its first bar to its last
        // (the first 2,000 deals).
        var levels: [ChartLevel] = []
        var targets: [Int: Double] = [:]  // deal number -> its last take-profit price
        for order in r.orders where order.role == .takeProfit && order.symbol == symbol {
            if let deal = order.deal, deal <= 2000, let price = order.price { targets[deal] = price }
        }
        for deal in r.deals.lazy.filter({ $0.symbol == symbol }).prefix(2000) {
            let from = r.candles.openTimes[deal.openedBar]
            let to = r.candles.openTimes[deal.closedBar ?? (r.candles.count - 1)]
            levels.append(ChartLevel(from: from, to: to, value: deal.averageEntry, color: "#0969da", kind: "avg_entry", title: "Deal \(deal.number): average entry \(Format.significant(deal.averageEntry)) \(q)"))
            if let target = targets[deal.number] {
                levels.append(ChartLevel(from: from, to: to, value: target, color: "#d1242f", kind: "take_profit", title: "Deal \(deal.number): take profit at \(Format.significant(target)) \(q)"))
            }
        }
        return SVGChart.line(
            times: series.openTimes, values: series.closes, title: multi ? "\(r.symbolOutcomes[symbol].symbol): close price with fills by role" : "Close price with fills by role",
            yLabel: "Price [\(q)]", color: "#59636e", fill: false, baseline: nil,
            markers: markers,
            legend: rolesShown.map { (roleLabel($0), roleColor($0)) } + (levels.isEmpty ? [] : [("Avg. entry", "#0969da"), ("TP level", "#d1242f")]),
            levels: levels, logarithmicAbove: 5
        )
    }

    public static func html(_ summary: RunSummary) -> String {
        let r = summary.result
        let m = r.metrics
        let c = r.configuration
        let q = c.quoteCurrency
        let drawdown = EquityCurveStatistics.drawdownCurve(equity: r.equity, initialBalance: c.initialBalance).map { -$0 * 100 }
        // Buy and hold: the initial balance put into the base at the first open.
        let holdValues = r.isMultiPair || r.candles.isEmpty || r.equity.count != r.candles.count ? [] : r.candles.closes.map { c.initialBalance * $0 / r.candles.opens[0] }
        let equityChart = SVGChart.line(
            times: r.candles.openTimes, values: r.equity, title: "Equity at each bar's close", yLabel: "Equity [\(q)]",
            color: "#1f6feb", fill: false, baseline: c.initialBalance,
            legend: holdValues.isEmpty ? [] : [("Bot equity", "#1f6feb"), ("Buy and hold", "#9a6700")],
            overlay: holdValues.isEmpty ? nil : (holdValues, "#9a6700")
        )
        let drawdownChart = SVGChart.line(
            times: r.candles.openTimes, values: drawdown, title: "Drawdown from the running peak", yLabel: "Drawdown [%]",
            color: "#d1242f", fill: true, baseline: nil, height: 220
        )
        var symbolSection = ""
        if r.isMultiPair {
            symbolSection = "<h2>Per symbol</h2>\n<table>\n<tr><th>Symbol</th><th>Deals</th><th>Closed</th><th>Win rate</th><th>Realized PnL [\(q)]</th><th>Fees [\(q)]</th><th>Max capital in use [\(q)]</th></tr>\n"
            for o in r.symbolOutcomes {
                symbolSection += "<tr><td>\(escape(o.symbol))</td><td>\(o.dealsOpened)</td><td>\(o.dealsClosed)</td><td>\(o.winRate.map { Format.fixed($0 * 100, decimals: 1) + " %" } ?? "n/a")</td>"
                symbolSection += "<td>\(Format.signedMoney(o.realizedPnL))</td><td>\(Format.money(o.fees))</td><td>\(Format.money(o.maxCapitalInUse))</td></tr>\n"
            }
            symbolSection += "</table>\n"
        }
        if let signals = r.signals { symbolSection += "<p>Signals: \(escape(RunSummary.signalsText(signals)))</p>\n" }
        let priceCharts = r.symbolOutcomes.indices.map { Self.priceChart(r, symbol: $0) }.joined(separator: "\n")
        let cards: [(String, String)] = Self.cardMetrics.compactMap(MetricDefinition.named).map { metric in
            (metric.label(quoteCurrency: q), metric.key == "sharpe_ratio" && m.sharpeRatio == nil ? "n/a" : Format.metric(metric, of: m))
        }
        var dealRows = ""
        let lastCloses = r.symbolOutcomes.map(\.lastClose)
        let symbolNames = r.configuration.tradedSymbols
        for deal in r.deals.prefix(500) {
            // An open deal shows its unrealized PnL at the last close, as the positions table does.
            let pnl = deal.closedBar == nil ? (lastCloses[deal.symbol] - deal.averageEntry) * deal.quantity : deal.realizedPnL
            dealRows += "<tr><td>\(deal.number)</td>\(r.isMultiPair ? "<td>\(escape(symbolNames[deal.symbol]))</td>" : "")<td>\(UTCTime.shortText(nanoseconds: r.candles.openTimes[deal.openedBar]))</td>"
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
            orderRows += "<tr><td>\(order.sequence)</td>\(r.isMultiPair ? "<td>\(escape(symbolNames[order.symbol]))</td>" : "")<td>\(UTCTime.shortText(nanoseconds: r.candles.openTimes[order.createdBar]))</td>"
            orderRows += "<td>\(order.role.rawValue)\(order.safetyOrderIndex.map { " \($0)" } ?? "")\(order.takeProfitStep.map { " step \($0)" } ?? "")</td><td>\(order.side.rawValue) \(order.type.rawValue)</td>"
            orderRows += "<td>\(order.price.map { Format.significant($0) } ?? "")</td><td>\(Format.significant(order.quantity))</td>"
            orderRows += "<td>\(order.status.rawValue)\(order.reason.map { " (\(escape($0)))" } ?? "")</td><td>\(filled)</td>"
            orderRows += "<td>\(order.averagePrice.map { Format.significant($0) } ?? "")</td><td>\(Format.fixed(order.fees, decimals: 4))</td></tr>\n"
        }
        let moreOrders = r.orders.count > orderLimit ? "<p>First \(orderLimit) of \(r.orders.count) orders shown; all are in the <code>order_logs</code> table.</p>" : ""
        func table(_ rows: [(String, String)], code: Bool = false) -> String {
            rows.map { "<tr><th style=\"text-align:left\">\(code ? "<code>\(escape($0.0))</code>" : escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
        }
        let notes = (summary.dataNotes + summary.metricNotes).map { "<li>\(escape($0))</li>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(escape(c.name)) on \(escape(c.symbol)): backtest \(summary.runID.prefix(8))</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1360px; padding: 0 16px; color: #1f2328; }
            h1 { font-size: 22px; margin-bottom: 4px; } .sub { color: #59636e; font-size: 13px; margin-top: 0; }
            .cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0; }
            .card { border: 1px solid #d1d9e0; border-radius: 6px; padding: 8px 10px; flex: 1 1 0; min-width: 96px; }
            .card .label { color: #59636e; font-size: 12px; } .card .value { font-size: 17px; font-weight: 600; }
            table { border-collapse: collapse; font-size: 13px; margin-top: 8px; }
            td, th { border-bottom: 1px solid #d1d9e0; padding: 4px 10px; text-align: right; } th { background: #f6f8fa; }
            .pos { color: #1a7f37; } .neg { color: #d1242f; }
            </style>
            </head>
            <body>
            <h1>\(escape(c.name)) on \(escape(c.tradedSymbols.joined(separator: ", ")))</h1>
            <p class="sub">\(m.candles) candles, \(summary.startedAt) to \(summary.endedAt) (UTC) · fill model \(c.fillModel.rawValue) · run \(summary.runID) · \(engineVersion)</p>
            <div class="cards">
            \(cards.map { "<div class=\"card\"><div class=\"label\">\($0.0)</div><div class=\"value\">\(escape($0.1))</div></div>" }.joined(separator: "\n"))
            </div>
            \(equityChart)
            \(drawdownChart)
            \(symbolSection)
            \(priceCharts)
            <h2>Deals</h2>
            <table>
            <tr><th>#</th>\(r.isMultiPair ? "<th>Symbol</th>" : "")<th>Opened (UTC)</th><th>Closed (UTC)</th><th>Safety orders</th><th>Avg. entry</th><th>Cost [\(q)]</th><th>PnL [\(q)]</th><th>Closed by</th></tr>
            \(dealRows)</table>
            \(more)
            <h2>Orders</h2>
            <table>
            <tr><th>#</th>\(r.isMultiPair ? "<th>Symbol</th>" : "")<th>Placed (UTC)</th><th>Role</th><th>Side, type</th><th>Price [\(q)]</th><th>Quantity</th><th>Status</th><th>Filled (UTC)</th><th>Fill price [\(q)]</th><th>Fee [\(q)]</th></tr>
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
