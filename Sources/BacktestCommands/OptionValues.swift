import ArgumentParser
import MarketData
import Persistence

// The closed value sets of the command options: argument-parser lists them in `--help` and
// refuses any other value with its "Please provide one of ..." error.

/// `--timestamp-unit`: the epoch unit of a numeric time column.
enum EpochUnitOption: String, CaseIterable, ExpressibleByArgument {
    case s, ms, us, ns

    var unit: TimestampUnit {
        switch self {
        case .s: .seconds
        case .ms: .milliseconds
        case .us: .microseconds
        case .ns: .nanoseconds
        }
    }
}

extension CandleFileFormat: ExpressibleByArgument {}
extension DateOrder: ExpressibleByArgument {}
extension OrderDetail: ExpressibleByArgument {}

/// `data fetch --market`: Binance's spot market or one of its futures markets.
enum BinanceMarket: String, CaseIterable, ExpressibleByArgument {
    /// Spot.
    case spot
    /// USD-M futures.
    case um
    /// COIN-M futures.
    case cm
}

/// `data fetch SOURCE`: where archives are downloaded from.
enum ArchiveSource: String, CaseIterable, ExpressibleByArgument {
    case binance
}

/// `runs list --sort`: a column of ``RunListing/sortKeys``.
struct RunSortKey: ExpressibleByArgument, Equatable {
    let key: String

    init(_ key: String) { self.key = key }

    init?(argument: String) {
        guard RunListing.sortKeys.contains(where: { $0.key == argument }) else { return nil }
        key = argument
    }

    var defaultValueDescription: String { key }
    static var allValueStrings: [String] { RunListing.sortKeys.map(\.key) }
}

/// `sweep --orders`: all, none or top:N.
extension SweepOrders: ExpressibleByArgument {
    init?(argument: String) { self.init(argument) }
    var defaultValueDescription: String { description }
    static var allValueStrings: [String] { ["all", "none", "top:N"] }
}
