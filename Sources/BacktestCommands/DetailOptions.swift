import ArgumentParser
import Backtesting
import DCAStrategy
import MarketData

/// `--detail`: the finer candles of the `detail` fill model, shared by `run` and `sweep`.
struct DetailOptions: ParsableArguments {
    @Option(
        name: .customLong("detail"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Finer candles of the same symbol (e.g. the 1-minute files under hourly --data) that give the path through each bar, for fill_model \"detail\", which needs them. The data options apply to them too.",
            valueName: "FILE"))
    var paths: [String] = []

    /// The finer candles laid under `bars`, with the data fingerprint of the runs that use them
    /// (bars and detail together); `nil` when no configuration uses the `detail` fill model.
    /// - Throws: `CommandFailure` when `detail` is used without `--detail` files or the other way
    ///   round, or the files cannot be loaded or laid under the bars.
    func load(for configurations: [BotConfiguration], bars: CandleSeries, barsFingerprint: String, data: DataOptions) throws -> (path: DetailPath, fingerprint: String, notes: [String])? {
        let needed = configurations.contains { $0.fillModel == .detail }
        if !needed {
            if !paths.isEmpty { throw CommandFailure("--detail gives the finer candles of fill_model \"detail\", but the configuration uses fill_model \"\(configurations.first?.fillModel.rawValue ?? "pessimistic")\": set \"fill_model\": \"detail\" or leave --detail out.") }
            return nil
        }
        guard !paths.isEmpty else {
            throw CommandFailure("fill_model \"detail\" walks each bar through finer candles: pass them with --detail FILE [FILE ...] (e.g. the 1-minute files of the same days as the --data bars).")
        }
        let loaded = try CandleLoader.load(paths: paths, options: data.loadOptions, useCache: data.cache)
        let path: DetailPath
        do { path = try DetailPath(bars: bars, detail: loaded.series) } catch { throw CommandFailure(error.description) }
        let fingerprint = CandleSeries.combinedFingerprint([barsFingerprint, loaded.series.fingerprint])
        var note = "detail: \(path.candlesUsed) finer candles under \(bars.count) bars"
        if path.barsWithoutDetail > 0 { note += "; \(path.barsWithoutDetail) bar(s) without finer candles walked as pessimistic" }
        // What loading the finer files found (dropped rows, gaps, checksums), as for --data.
        return (path, fingerprint, [note] + loaded.notes.map { "detail " + $0 })
    }
}
