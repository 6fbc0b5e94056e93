import ArgumentParser
import DCAStrategy
import Foundation
import MarketData

/// `dca-backtest data`: look at candle files without running anything.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect, resample and fetch candle files.",
        subcommands: [InspectCommand.self, ResampleCommand.self, DataFetchCommand.self]
    )
}

/// `dca-backtest data inspect FILE... [--json]`.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a candle file's format, timestamp unit, rows, first and last bar, interval, gaps, duplicates and every defect.",
        discussion: """
            Several files are inspected as one series, as `run` would load them. A file that cannot be loaded \
            exits non-zero and names the file, line and column of each problem.
            """
    )

    @Argument(help: ArgumentHelp("Candle files (.csv, .txt, .csv.gz, Binance .zip).", valueName: "FILE"))
    var files: [String]

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var data: DataOptions

    func run() throws {
        let loaded = try CandleLoader.load(paths: files, options: data.loadOptions, useCache: data.cache)
        let series = loaded.series
        let gaps = loaded.gaps
        let interval = series.intervalNanoseconds.map { Double($0) / 1e9 }
        let units = Set(loaded.files.map(\.timestampUnit))
        let unit = units.count == 1 ? units.first! : "mixed"
        let formats = Set(loaded.files.map(\.format.rawValue))
        let defects = loaded.files.flatMap(\.defects)
        let duplicates = loaded.files.map(\.duplicatesDropped).reduce(0, +) + loaded.overlapDuplicatesDropped
        if json {
            let object: JSONValue = .object([
                ("files", .array(files.map { .string($0) })),
                ("format", .string(formats.count == 1 ? formats.first! : formats.sorted().joined(separator: ","))),
                ("timestamp_unit", .string(unit)),
                ("unit_changes", .integer(Int64(loaded.files.map(\.unitChangeCount).reduce(0, +)))),
                ("rows_read", .integer(Int64(loaded.files.map(\.rowsRead).reduce(0, +)))),
                ("rows", .integer(Int64(series.count))),
                ("first_open_time", series.openTimes.first.map { .string(UTCTime.iso8601(nanoseconds: $0)) } ?? .null),
                ("last_open_time", series.openTimes.last.map { .string(UTCTime.iso8601(nanoseconds: $0)) } ?? .null),
                ("interval_seconds", .optional(interval)),
                ("gaps", .integer(Int64(gaps.count))),
                ("largest_gap_seconds", gaps.count > 0 ? .number(Double(gaps.largestNanoseconds) / 1e9) : .null),
                ("duplicates_dropped", .integer(Int64(duplicates))),
                ("invalid_rows_dropped", .integer(Int64(loaded.files.map(\.invalidRowsDropped).reduce(0, +)))),
                ("reversed", .bool(loaded.files.contains { $0.reversed })),
                ("sorted", .bool(loaded.files.contains { $0.sorted })),
                ("has_volume", .bool(loaded.files.allSatisfy(\.hasVolume))),
                ("checksum_verified", .bool(loaded.files.contains { $0.checksumVerified })),
                ("time_format", .string(Set(loaded.files.map(\.timeFormat)).sorted().joined(separator: ","))),
                ("notices", .array(loaded.files.flatMap(\.notices).map { d in
                    .object([
                        ("file", .string(d.file)), ("line", d.line.map { .integer(Int64($0)) } ?? .null), ("reason", .string(d.reason)),
                    ])
                })),
                ("files_from_cache", .integer(Int64(loaded.files.filter(\.loadedFromCache).count))),
                ("defects", .array(defects.map { d in
                    .object([
                        ("file", .string(d.file)), ("line", d.line.map { .integer(Int64($0)) } ?? .null),
                        ("column", d.column.map { .string($0) } ?? .null), ("reason", .string(d.reason)),
                    ])
                })),
            ])
            print(object.text(pretty: true))
            return
        }
        print("Files:        \(files.joined(separator: ", "))")
        print("Format:       \(formats.sorted().joined(separator: ", "))")
        print("Time unit:    \(unit)")
        print("Candles:      \(series.count) (rows read \(loaded.files.map(\.rowsRead).reduce(0, +)))")
        if let first = series.openTimes.first, let last = series.openTimes.last {
            print("First bar:    \(UTCTime.iso8601(nanoseconds: first))")
            print("Last bar:     \(UTCTime.iso8601(nanoseconds: last))")
        }
        print("Interval:     \(interval.map { "\(JSONValue.format($0)) s" } ?? "n/a (fewer than 2 bars)")")
        print("Gaps:         \(gaps.count)\(gaps.count > 0 ? " (largest \(JSONValue.format(Double(gaps.largestNanoseconds) / 1e9)) s)" : "")")
        print("Duplicates:   \(duplicates) exact duplicate row(s) dropped")
        if data.cache {
            let cached = loaded.files.filter(\.loadedFromCache).count
            print("Cache:        \(cached) of \(loaded.files.count) file(s) loaded from the binary cache\(cached < loaded.files.count ? "; the others were parsed and cached" : "")")
        }
        for note in loaded.notes { print("  " + note) }
        if !loaded.files.contains(where: \.hasVolume) { print("Volume:       none in the file (0 on every bar)") }
        if defects.isEmpty {
            print("Defects:      none")
        } else {
            print("Defects:      \(defects.count)")
            for d in defects.prefix(50) { print("  " + d.description) }
            if defects.count > 50 { print("  ... and \(defects.count - 50) more (use --json for all)") }
        }
    }
}

/// `dca-backtest data resample FILE --to 1h [--out FILE]`.
struct ResampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resample",
        abstract: "Aggregate candles into longer UTC-aligned bars (open of the first, highest high, lowest low, close of the last, summed volume).",
        discussion: """
            Buckets start at multiples of the target since 1970-01-01 00:00 UTC (weeks on Monday 00:00 UTC), \
            so 4h bars open at 00:00, 04:00, ... UTC. A bucket opens at its start even when its first bar is later. \
            The first and last buckets are reported when the data starts or ends inside them (partial), \
            and so are buckets that miss bars inside the data (gaps). The output is CSV \
            (timestamp,open,high,low,close,volume, ISO-8601 UTC times) that every command reads back; \
            it is written whole or not at all.

            Example: dca-backtest data resample BTCUSDT-1m-2020-01-01.zip --to 1h --out BTCUSDT-1h.csv
            """
    )

    @Argument(help: ArgumentHelp("Candle files of one symbol (.csv, .txt, .csv.gz, Binance .zip), loaded as one series.", valueName: "FILE"))
    var files: [String]

    @Option(help: ArgumentHelp("The target bar length: a count and a unit (s, m, h, d, w), e.g. 15m, 1h, 4h, 1d, 1w.", valueName: "TIMEFRAME"))
    var to: String

    @Option(help: ArgumentHelp("Write the bars to this file instead of standard output.", valueName: "FILE"))
    var out: String?

    @OptionGroup var data: DataOptions

    func validate() throws {
        do { _ = try Timeframe(to) } catch { throw ValidationError("--to: \(error).") }
    }

    func run() throws {
        let timeframe = try Timeframe(to)
        let loaded = try CandleLoader.load(paths: files, options: data.loadOptions)
        let result: ResampledCandles
        do {
            result = try loaded.series.resampled(to: timeframe)
        } catch {
            throw CommandFailure("Cannot resample \(files.joined(separator: ", ")): \(error).")
        }
        var text = "timestamp,open,high,low,close,volume\n"
        let s = result.series
        text.reserveCapacity(s.count * 80)
        for i in 0..<s.count {
            text += "\(UTCTime.iso8601(nanoseconds: s.openTimes[i])),\(s.opens[i]),\(s.highs[i]),\(s.lows[i]),\(s.closes[i]),\(s.volumes[i])\n"
        }
        if let out {
            let url = URL(fileURLWithPath: out)
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw CommandFailure("Cannot write \(out): \(error.localizedDescription). Check that its folder exists and can be written.")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        var report = "Resampled \(loaded.series.count) bars of \(SpanText.text(result.sourceInterval)) into \(s.count) bars of \(timeframe) (UTC buckets, \(result.barsPerBucket) bars each when complete)"
        if let out { report += ", written to \(out)" }
        report += "."
        if let first = result.barsInBucket.first, result.partialFirst, let t = s.openTimes.first {
            report += " First bucket \(UTCTime.shortText(nanoseconds: t)) is partial (\(first) of \(result.barsPerBucket) bars: the data starts inside it)."
        }
        if let last = result.barsInBucket.last, result.partialLast, let t = s.openTimes.last {
            report += " Last bucket \(UTCTime.shortText(nanoseconds: t)) is partial (\(last) of \(result.barsPerBucket) bars: the data ends inside it)."
        }
        if result.incompleteInteriorBuckets > 0 {
            report += " \(result.incompleteInteriorBuckets) bucket(s) inside the data miss bars (gaps in the source)."
        }
        FileHandle.standardError.write(Data((report + "\n").utf8))
    }
}
