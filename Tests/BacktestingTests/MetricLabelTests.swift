import Backtesting
import Testing

/// A metric's label names the quote currency where its table entry says `[Q]`.
@Suite struct MetricLabelTests {
    @Test func theQuoteMarkerBecomesTheCurrencyAndOtherLabelsStayAsTheyAre() throws {
        let fees = try #require(MetricDefinition.named("fees_paid"))
        #expect(fees.label(quoteCurrency: "USDT") == "Fees paid [USDT]")
        let realized = try #require(MetricDefinition.named("realized_pnl"))
        #expect(realized.label(quoteCurrency: "EUR") == "Realized PnL [EUR] (closed deals)")
        let trades = try #require(MetricDefinition.named("total_trades"))
        #expect(trades.label(quoteCurrency: "USDT") == "Orders filled")
        // Every label: exactly its "[Q]" replaced, nothing else.
        for metric in BacktestMetrics.table {
            let plain = metric.label(quoteCurrency: "Q")
            #expect(metric.label(quoteCurrency: "BUSD") == plain.split(separator: "[Q]", omittingEmptySubsequences: false).joined(separator: "[BUSD]"))
        }
    }
}
