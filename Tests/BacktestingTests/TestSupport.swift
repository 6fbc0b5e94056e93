import DCAStrategy
import Foundation
import MarketData
import Testing

@testable import Backtesting

/// Helpers that turn the small inputs of `../shared/cases` (written out here) into runs.
enum Fixture {
    /// The cases' defaults: fee 0, max_deals 1, initial balance 10000, fill model pessimistic.
    static func configuration(_ json: String) throws -> BotConfiguration {
        try BotConfiguration.decode(json: Data(json.utf8))
    }

    static func candles(_ csv: String, options: LoadOptions = LoadOptions()) throws -> CandleSeries {
        try CandleLoader.load(bytes: Array(csv.utf8), file: "case.csv", options: options).series
    }

    static func run(_ json: String, _ csv: String) throws -> BacktestResult {
        Parity.run(configuration: try configuration(json), candles: try candles(csv))
    }

    static func time(_ iso: String) -> Int64 { UTCTime.parse(iso)! }
}

extension BacktestResult {
    var filledOrders: [OrderRecord] { orders.filter { $0.status == .filled } }
    func barTime(_ bar: Int?) -> String? { bar.map { UTCTime.iso8601(nanoseconds: candles.openTimes[$0]) } }
}

func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}
