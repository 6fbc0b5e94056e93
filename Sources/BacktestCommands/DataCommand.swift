import ArgumentParser
import DCAStrategy
import MarketData

/// `dca-backtest data`: look at candle files without running anything.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect candle files.",
        subcommands: [InspectCommand.self, DataFetchCommand.self]
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
        if defects.isEmpty {
            print("Defects:      none")
        } else {
            print("Defects:      \(defects.count)")
            for d in defects.prefix(50) { print("  " + d.description) }
            if defects.count > 50 { print("  ... and \(defects.count - 50) more (use --json for all)") }
        }
    }
}
