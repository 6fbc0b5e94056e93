import ArgumentParser
import Backtesting
import DCAStrategy
import MarketData

/// `--detail`: the finer candles of the `detail` fill model, shared by `run` and `sweep`.
struct DetailOptions: ParsableArguments {
    @Option(
        name: .customLong("detail"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Finer candles of the same symbol (e.g. the 1-minute files under hourly --data) that give the path through each bar, for fill_model \"detail\", which needs them; their interval must divide the bars'. A multi-pair bot's files are SYMBOL=FILE (repeat --detail), or files whose names each contain one of its symbols. The data options apply to them too.",
            valueName: "[SYMBOL=]FILE"))
    var paths: [String] = []

    /// The finer candles laid under `bars`, with the data fingerprint of the runs that use them
    /// (bars and detail together); `nil` when no configuration uses the `detail` fill model.
    /// - Throws: `CommandFailure` when `detail` is used without `--detail` files or the other way
    ///   round, or the files cannot be loaded or laid under the bars.
    func load(for configurations: [BotConfiguration], bars: CandleSeries, barsFingerprint: String, data: DataOptions) throws -> (path: DetailPath, fingerprint: String, notes: [String])? {
        let symbol = configurations.first?.tradedSymbols.first ?? ""
        guard let loaded = try load(for: configurations, symbols: [symbol], series: [bars], data: data), let path = loaded.paths[0] else { return nil }
        return (path, loaded.fingerprint(barsFingerprint: barsFingerprint, symbols: [symbol]), loaded.notes)
    }

    /// Each symbol's finer candles laid under its own bars (docs/SEMANTICS.md "Fills" and
    /// section 7); `nil` when no configuration uses the `detail` fill model.
    /// - Parameters:
    ///   - configurations: the run's configuration, or a sweep's valid points.
    ///   - symbols: the symbols whose bars `series` holds, in the same order (a configuration
    ///     with the `detail` fill model trades some of them).
    /// - Throws: `CommandFailure` when `detail` is used without `--detail` files or the other way
    ///   round. With one symbol, the loader's or the path's own error; with several, one message
    ///   listing every problem: a symbol walked with `detail` that has no file, a file for a
    ///   symbol no such configuration trades (or naming none, or several), unreadable files, a
    ///   detail interval that is not shorter than the bars' or does not divide it, finer candles
    ///   outside their bars or of other days.
    func load(for configurations: [BotConfiguration], symbols: [String], series: [CandleSeries], data: DataOptions) throws -> DetailCandles? {
        let walking = configurations.filter { $0.fillModel == .detail }
        if walking.isEmpty {
            if !paths.isEmpty { throw CommandFailure("--detail gives the finer candles of fill_model \"detail\", but the configuration uses fill_model \"\(configurations.first?.fillModel.rawValue ?? "pessimistic")\": set \"fill_model\": \"detail\" or leave --detail out.") }
            return nil
        }
        // The symbols walked through finer candles, in `symbols`' order.
        let walked = symbols.filter { symbol in walking.contains { $0.tradedSymbols.contains(symbol) } }
        guard !paths.isEmpty else {
            if walked.count == 1 {
                throw CommandFailure("fill_model \"detail\" walks each bar through finer candles: pass them with --detail FILE [FILE ...] (e.g. the 1-minute files of the same days as the --data bars).")
            }
            throw CommandFailure("fill_model \"detail\" walks each bar through finer candles: pass each symbol's with --detail SYMBOL=FILE (\(walked.map { "--detail \($0)=FILE" }.joined(separator: " "))), e.g. the 1-minute files of the same days as the --data bars.")
        }
        let (files, assignmentProblems) = SymbolDataAssignment.assignWhatCanBe(arguments: paths, symbols: walked, option: "--detail")
        var result = DetailCandles(symbols: symbols, paths: Array(repeating: nil, count: symbols.count), fingerprints: Array(repeating: nil, count: symbols.count), notes: [])
        if walked.count == 1 {
            // One symbol: the loader's and the path's own errors, as for a one-pair bot.
            if !assignmentProblems.isEmpty { throw CommandFailure(SymbolDataAssignmentError(problems: assignmentProblems).description.replacingOccurrences(of: "--data", with: "--detail")) }
            let index = symbols.firstIndex(of: walked[0])!
            let loaded = try CandleLoader.load(paths: files[0], options: data.loadOptions, useCache: data.cache)
            let path: DetailPath
            do { path = try DetailPath(bars: series[index], detail: loaded.series) } catch { throw CommandFailure(error.description) }
            result.paths[index] = path
            result.fingerprints[index] = loaded.series.fingerprint
            // What loading the finer files found (dropped rows, gaps, checksums), as for --data.
            result.notes = [Self.note(path, bars: series[index])] + loaded.notes.map { "detail " + $0 }
            return result
        }
        var problems = assignmentProblems
        for (w, symbol) in walked.enumerated() where !files[w].isEmpty {
            let index = symbols.firstIndex(of: symbol)!
            do {
                let loaded = try CandleLoader.load(paths: files[w], options: data.loadOptions, useCache: data.cache)
                let path = try DetailPath(bars: series[index], detail: loaded.series)
                result.paths[index] = path
                result.fingerprints[index] = loaded.series.fingerprint
                result.notes += ["\(symbol): " + Self.note(path, bars: series[index])] + loaded.notes.map { "\(symbol): detail " + $0 }
            } catch let error as DetailPathError {
                problems.append("\(symbol): " + error.description.replacingOccurrences(of: "Cannot use the detail candles: ", with: "its detail candles cannot be used: "))
            } catch {
                problems.append("\(symbol): its detail candles cannot be read: \(error)")
            }
        }
        guard problems.isEmpty else {
            var message = "Cannot run with fill_model \"detail\": " + problems.joined(separator: "; ") + "."
            if !assignmentProblems.isEmpty {
                message += " Each traded symbol walks its bars through its own finer candles: give them with `--detail SYMBOL=FILE` for every symbol (\(walked.joined(separator: ", "))), or use file names that each contain exactly one of the symbols (BTCUSDT-1m-2021-10.csv)."
            }
            throw CommandFailure(message)
        }
        return result
    }

    static func note(_ path: DetailPath, bars: CandleSeries) -> String {
        var note = "detail: \(path.candlesUsed) finer candles under \(bars.count) bars"
        if path.barsWithoutDetail > 0 { note += "; \(path.barsWithoutDetail) bar(s) without finer candles walked as pessimistic" }
        return note
    }
}

/// The finer candles of the symbols walked with the `detail` fill model, each laid under its own
/// bars, indexed like the symbols they were loaded for (`nil`: a symbol not walked).
struct DetailCandles: Sendable {
    var symbols: [String]
    var paths: [DetailPath?]
    /// Each walked symbol's finer candles' fingerprint.
    var fingerprints: [String?]
    /// What loading noted, each line naming its symbol when there are several.
    var notes: [String]

    /// The paths of `traded` symbols, in their order (`nil` for one not walked).
    func paths(of traded: [String]) -> [DetailPath?] {
        traded.map { symbol in symbols.firstIndex(of: symbol).flatMap { paths[$0] } }
    }

    /// The data fingerprint of a `detail` run of `traded` on bars of `barsFingerprint` (candles and
    /// signals): one symbol's is SHA-256 over the bars' and its finer candles' fingerprints (the
    /// one-pair run's id, unchanged); several symbols' adds `SYMBOL=fingerprint` of each one's
    /// finer candles, in the configuration's order.
    func fingerprint(barsFingerprint: String, symbols traded: [String]) -> String {
        let own = traded.map { symbol in symbols.firstIndex(of: symbol).flatMap { fingerprints[$0] } ?? "" }
        if traded.count == 1 { return CandleSeries.combinedFingerprint([barsFingerprint, own[0]]) }
        return CandleSeries.combinedFingerprint([barsFingerprint, "detail"] + zip(traded, own).map { "\($0)=\($1)" })
    }
}
