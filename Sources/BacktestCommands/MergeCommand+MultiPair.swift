import Backtesting
import DCAStrategy
import Foundation
import MarketData
import Persistence

/// `merge --data SYMBOL=FILE ...`: the best N points of a `--orders top:N` sweep whose points
/// trade several symbols are run again on each symbol's candles, as the sweep itself runs them
/// (``PointRunner``), to store their orders and deals.
extension MergeCommand {
    /// Runs again the points `configurations` of `sweep` (``storedPoints(_:in:)``) and stores them with their orders and deals when
    /// the sweep's points trade several symbols (a point trades several, or its base configuration
    /// and grid name several: a point trading one symbol of such a grid ran on that symbol's
    /// candles alone); returns false, running nothing, for a one-symbol sweep (the caller's
    /// one-pair path runs its points, with `--detail` when they need it).
    /// - Parameter loaded: each symbol list's candles, read once per merge.
    /// - Throws: ``CommandFailure`` when `--detail` is given, the `--data` files cannot be given to the symbols or read, or they are not the
    ///   candles the sweep ran on (the re-run's run id differs from the stored one).
    func storeOrdersOfMultiPairPoints(
        _ configurations: [StoredPoint], of sweep: SweepRecord, points: [String: Int?], in store: any RunDatabase, loaded: inout [[String]: SymbolData]
    ) throws -> Bool {
        guard configurations.contains(where: { $0.configuration.tradedSymbols.count > 1 }) || Self.namedSymbols(of: sweep).count > 1 else { return false }
        if !detailCandles.paths.isEmpty {
            throw CommandFailure("--detail works with one-pair bots only; sweep \(sweep.id) trades several symbols: leave --detail out and give each symbol's candles as --data SYMBOL=FILE.")
        }
        let symbols = Self.symbols(of: sweep, configurations: configurations.map(\.configuration), arguments: dataPaths)
        let symbolData: SymbolData
        if let cached = loaded[symbols] {
            symbolData = cached
        } else {
            symbolData = try SymbolData.load(arguments: dataPaths, signalsPath: nil, symbols: symbols, configurations: [], data: data)
            loaded[symbols] = symbolData
        }
        let first = symbolData.series.min { ($0.openTimes.first ?? .max) < ($1.openTimes.first ?? .max) } ?? CandleSeries()
        let runner = PointRunner(candles: first, detail: nil, symbolData: symbolData, symbols: symbols)
        for (runID, configuration, _) in configurations {
            let identity = RunIdentity(configuration: configuration, dataFingerprint: runner.fingerprint(of: configuration))
            guard identity.runID == runID else {
                throw CommandFailure(
                    "The --data files are not the candles run \(runID) of sweep \(sweep.id) ran on (\(configuration.tradedSymbols.joined(separator: ", "))): give the files the sweep ran on, each as --data SYMBOL=FILE. Merge runs points without signals: the orders of a sweep run with --signals cannot be stored by merge in this version."
                )
            }
            try Self.storeAgain(identity, of: sweep, point: points[runID] ?? nil, in: store) { runner.run(configuration) }
        }
        return true
    }

    /// A point of a sweep to run again: its run id, its stored configuration decoded, and the
    /// data fingerprint it was stored with.
    typealias StoredPoint = (runID: String, configuration: BotConfiguration, dataFingerprint: String)

    /// The stored configurations of `runIDs` (a run without one is left out), each decoded once.
    /// - Throws: ``CommandFailure`` when a stored configuration does not decode.
    static func storedPoints(_ runIDs: [String], in store: any RunDatabase) throws -> [StoredPoint] {
        var points: [StoredPoint] = []
        for runID in runIDs {
            guard let stored = try store.configuration(ofRun: runID) else { continue }
            do { points.append((runID, try BotConfiguration.decode(json: Data(stored.config.utf8)), stored.dataFingerprint)) } catch {
                throw CommandFailure("run \(runID): its stored configuration does not decode: \(error.description)")
            }
        }
        return points
    }

    /// Runs a point again (`run`, timed) and stores it with its orders and deals as a member of
    /// `sweep`.
    static func storeAgain(_ identity: RunIdentity, of sweep: SweepRecord, point: Int?, in store: any RunDatabase, run: () -> BacktestResult) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = run()
        try store.write(result, identity: identity, orders: .all, membership: .sweep(sweep.id, point: point),
                        executedAt: RunCommand.wallClockISO8601(), wallSeconds: (clock.now - start) / .seconds(1))
    }

    /// The symbols whose `--data` files a multi-pair merge reads: those of the points it runs
    /// again (as their configurations spell them), then any other symbol named by a
    /// `SYMBOL=FILE` argument or, of the sweep's base configuration and grid, by a file's name,
    /// so that every file the sweep was given can be given to a symbol here too.
    static func symbols(of sweep: SweepRecord, configurations: [BotConfiguration], arguments: [String]) -> [String] {
        var symbols: [String] = []
        func add(_ symbol: String) {
            let trimmed = symbol.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !symbols.contains(where: { $0.uppercased() == trimmed.uppercased() }) { symbols.append(trimmed) }
        }
        for configuration in configurations { configuration.tradedSymbols.forEach(add) }
        var plainNames: [String] = []
        for argument in arguments {
            if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
                add(String(argument[..<equals]))
            } else {
                plainNames.append((argument as NSString).lastPathComponent.uppercased())
            }
        }
        // A symbol of the grid that no point run again trades, whose file is given by its name.
        for symbol in namedSymbols(of: sweep) where plainNames.contains(where: { $0.contains(symbol.uppercased()) }) {
            add(symbol)
        }
        return symbols
    }

    /// Every symbol the sweep's base configuration and grid name (`symbol`, `symbols`, and the
    /// values of those grid keys), each once, in that order.
    static func namedSymbols(of sweep: SweepRecord) -> [String] {
        func strings(_ value: JSONInput?) -> [String] {
            switch value {
            case .string(let s)?: [s]
            case .array(let items)?: items.flatMap { strings($0) }
            default: []
            }
        }
        var named: [String] = []
        for text in [sweep.baseConfig, sweep.grid] {
            guard case .object(let object)? = try? JSONInput.decode(Data(text.utf8)) else { continue }
            for symbol in strings(object["symbol"]) + strings(object["symbols"]) where !named.contains(symbol) { named.append(symbol) }
        }
        return named
    }
}
