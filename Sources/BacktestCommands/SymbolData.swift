import DCAStrategy
import MarketData

/// The candles of each of a bot's symbols and its signals, read and checked before anything runs
/// (docs/SEMANTICS.md sections 7 and 8, docs/CONDITIONS.md).
struct SymbolData: Sendable {
    /// Each symbol's candles, in the configuration's symbol order.
    var series: [CandleSeries]
    /// What loading noted, each line naming its symbol when there are several.
    var notes: [String]
    /// The fingerprint of the candles (and the signals): one symbol without signals keeps its
    /// series' own fingerprint, so its run ids are those of a one-pair run.
    var fingerprint: String
    var signals: [Signal]
    /// The signals as they enter the fingerprint (`time,SYMBOL,action` lines in time order), `nil`
    /// without `--signals`.
    var signalsText: String?
    /// The data interval (nanoseconds), `nil` with a single bar.
    var interval: Int64? { series.lazy.compactMap(\.intervalNanoseconds).first }

    /// Reads `arguments` (`--data` values: `SYMBOL=FILE` or files whose names each contain one of
    /// the symbols) and `signalsPath` for `configurations` (one or, in a sweep, several sharing
    /// one symbol list).
    /// - Throws: ``CommandFailure`` listing every problem found: a file naming no symbol or several,
    ///   a symbol without data, unreadable candles, a symbol whose files hold no candles, symbols
    ///   of different intervals, condition timeframes that are not a whole multiple of the
    ///   interval, unreadable signals.
    static func load(arguments: [String], signalsPath: String?, symbols: [String], configurations: [BotConfiguration], data: DataOptions) throws -> SymbolData {
        var problems: [String] = []
        let (files, assignmentProblems) = SymbolDataAssignment.assignWhatCanBe(arguments: arguments, symbols: symbols)
        if symbols.count == 1 && !assignmentProblems.isEmpty {
            throw CommandFailure(SymbolDataAssignmentError(problems: assignmentProblems).description)
        }
        problems += assignmentProblems
        var series: [CandleSeries] = []
        var notes: [String] = []
        if symbols.count == 1 {
            // A one-pair bot: its loader's own errors, as before multi-pair bots.
            let loaded = try CandleLoader.load(paths: files[0], options: data.loadOptions, useCache: data.cache)
            guard !loaded.series.isEmpty else { throw CommandFailure("The data files hold no candles: \(files[0].joined(separator: ", ")).") }
            series.append(loaded.series)
            notes = loaded.notes
        }
        for (index, symbol) in symbols.enumerated() where symbols.count > 1 {
            guard !files[index].isEmpty else {
                series.append(CandleSeries())
                continue
            }
            do {
                let loaded = try CandleLoader.load(paths: files[index], options: data.loadOptions, useCache: data.cache)
                if loaded.series.isEmpty { problems.append("\(symbol): the data files hold no candles (\(files[index].joined(separator: ", ")))") }
                series.append(loaded.series)
                notes += symbols.count == 1 ? loaded.notes : loaded.notes.map { "\(symbol): \($0)" }
            } catch {
                problems.append(symbols.count == 1 ? error.description : "\(symbol): \(error.description)")
                series.append(CandleSeries())
            }
        }
        // One interval for all symbols.
        let intervals = series.map(\.intervalNanoseconds)
        if symbols.count > 1, let first = intervals.compactMap({ $0 }).first, intervals.contains(where: { $0 != nil && $0 != first }) {
            let listed = zip(symbols, intervals).compactMap { symbol, interval in interval.map { "\(symbol) \(Timeframe.describe(nanoseconds: $0))" } }
            problems.append("the symbols' candles have different intervals (\(listed.joined(separator: ", "))); a multi-pair bot needs one interval for all")
        }
        let interval = intervals.compactMap { $0 }.first
        problems += ConditionCheck.problems(configurations, interval: interval)
        var signals: [Signal] = []
        if let signalsPath {
            do {
                signals = try SignalFile.load(path: signalsPath, symbols: symbols)
            } catch {
                problems.append(error.description)
            }
        }
        var unique: [String] = []
        for problem in problems where !unique.contains(problem) { unique.append(problem) }
        guard unique.isEmpty else {
            var message = "Cannot run: " + unique.joined(separator: "; ") + "."
            if !assignmentProblems.isEmpty {
                message += " Name each file's symbol with `--data SYMBOL=FILE`, or use file names that each contain exactly one of the bot's symbols (BTCUSDT-1h-2021-10.csv)."
            }
            throw CommandFailure(message)
        }
        let signalsText = signalsPath == nil ? nil : Self.signalsText(signals, symbols: symbols)
        let fingerprint = Self.fingerprint(symbols: symbols, series: series, signalsText: signalsText)
        return SymbolData(series: series, notes: notes, fingerprint: fingerprint, signals: signals, signalsText: signalsText)
    }

    /// The fingerprint of `symbols`' candles: one symbol's is its series' own (so a one-pair run's
    /// ids do not change), several symbols' the SHA-256 of `SYMBOL=fingerprint` in their order.
    /// With `signalsText` (a signals file was given, even one without rows): the SHA-256 of that
    /// fingerprint, `signals` and the text.
    static func fingerprint(symbols: [String], series: [CandleSeries], signalsText: String? = nil) -> String {
        let candles = series.count == 1 ? series[0].fingerprint : CandleSeries.combinedFingerprint(zip(symbols, series).map { "\($0)=\($1.fingerprint)" })
        guard let signalsText else { return candles }
        return CandleSeries.combinedFingerprint([candles, "signals", signalsText])
    }

    /// The signals as the fingerprint reads them: one `time,SYMBOL,action` line each, in the
    /// file's time order; the same text whatever the order of the symbols.
    static func signalsText(_ signals: [Signal], symbols: [String]) -> String {
        signals.map { "\($0.time),\(symbols[$0.symbolIndex]),\($0.action.rawValue)" }.joined(separator: "\n")
    }

    /// The signals of a bot trading `traded` (some of ``SymbolData``'s `symbols`, in its own
    /// order), their symbol indices its own; `nil` when a signal names a symbol it does not trade
    /// (`run --signals` refuses such a file for that bot).
    static func signals(_ signals: [Signal], of symbols: [String], for traded: [String]) -> [Signal]? {
        let position = symbols.map { traded.firstIndex(of: $0) }
        var own: [Signal] = []
        own.reserveCapacity(signals.count)
        for signal in signals {
            guard let index = position[signal.symbolIndex] else { return nil }
            var copy = signal
            copy.symbolIndex = index
            own.append(copy)
        }
        return own
    }

    /// Whether the run needs the multi-pair loop: several symbols, or signals.
    var needsPortfolio: Bool { series.count > 1 || !signals.isEmpty }
}
