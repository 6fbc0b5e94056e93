import ArgumentParser
import DCAStrategy
import MarketData

/// The data options shared by every command that reads candles (README, "Commands").
struct DataOptions: ParsableArguments {
    @Flag(help: "Sort rows by time instead of refusing a file whose rows are out of order.")
    var sort = false

    @Flag(name: .customLong("drop-invalid"), help: "Drop invalid rows (empty fields, impossible candles), counting and reporting each, instead of refusing the file.")
    var dropInvalid = false

    @Option(
        name: .customLong("timestamp-unit"),
        help: ArgumentHelp("Force the epoch unit of the time column instead of detecting it per value.")
    )
    var timestampUnit: EpochUnitOption?

    @Option(help: ArgumentHelp(
        "Force the file layout instead of inferring it: binance_kline and kraken read the columns by position (time, open, high, low, close, volume), generic, yahoo and cryptodatadownload by their header names."
    ))
    var format: CandleFileFormat?

    @Option(
        name: .customLong("date-order"),
        help: ArgumentHelp("Read dates like 03/04/2024 day-first (dmy: 3 April) or month-first (mdy: March 4) when the file's values fit both (ymd: year first).")
    )
    var dateOrder: DateOrder?

    @Option(
        name: .customLong("time-format"),
        help: ArgumentHelp("Read every time with this strftime pattern instead of inferring the format, e.g. '%d.%m.%Y %H:%M:%S.%f' (directives %Y %y %m %d %H %I %M %S %f %p %b %j %z %Z %s %T %F).", valueName: "PATTERN")
    )
    var timeFormat: String?

    @Option(help: ArgumentHelp("The bar interval (e.g. 1m, 15m, 1h, 1d) for files that omit empty bars, instead of the most common spacing between bars.", valueName: "INTERVAL"))
    var interval: String?

    @Flag(help: "Keep a binary cache next to each data file (FILE.dcacache; in $XDG_CACHE_HOME/dca-backtest or ~/.cache/dca-backtest when the file's folder is read-only) and load from it while the file is unchanged: repeated runs and sweeps skip parsing.")
    var cache = false

    @Option(help: ArgumentHelp("The entry of a .zip archive to read, when it holds several candle files (its name as `unzip -l` lists it).", valueName: "NAME"))
    var member: String?

    @Option(
        name: .customLong("max-data-size"),
        help: ArgumentHelp("The most candle text held in memory: a file's size, or an archive's expanded size (default: 4 GiB, or a quarter of the memory when less). Larger inputs are refused.", valueName: "SIZE, e.g. 8G")
    )
    var maxDataSize: String?

    func validate() throws {
        if let maxDataSize, ByteCount.parse(maxDataSize) == nil {
            throw ValidationError("--max-data-size takes a size in bytes, or with a binary suffix K, M, G or T, e.g. 8G (got '\(maxDataSize)').")
        }
        if let timeFormat {
            do { _ = try TimePattern(timeFormat) } catch { throw ValidationError("\(error).") }
        }
        if let interval {
            do { _ = try Timeframe(interval) } catch { throw ValidationError("--interval: \(error).") }
        }
    }

    var loadOptions: LoadOptions {
        var options = LoadOptions(
            sort: sort, dropInvalid: dropInvalid, timestampUnit: timestampUnit?.unit,
            format: format,
            dateOrder: dateOrder,
            timeFormat: timeFormat.flatMap { try? TimePattern($0) },
            interval: interval.flatMap { try? Timeframe($0).nanoseconds }
        )
        options.member = member
        if let size = maxDataSize.flatMap(ByteCount.parse) { options.maximumDataBytes = size }
        return options
    }
}

extension LoadedCandles {
    /// One line per notable finding, for summaries.
    var notes: [String] {
        var notes: [String] = []
        for file in files {
            let name = file.file.split(separator: "/").last.map(String.init) ?? file.file
            var parts: [String] = []
            if let member = file.archiveMember, member != name.dropLast(4) + ".csv" { parts.append("archive entry \(member)") }
            let unitText = file.timestampUnit == "mixed"
                ? "in mixed units (\(file.unitChangeCount) change(s), first at line \(file.unitChanges.first?.line ?? 0))"
                : file.timestampUnit == "text" ? "as \(file.timeFormat)" : "in \(TimestampUnit(rawValue: file.timestampUnit)?.name ?? file.timestampUnit)"
            parts.append("\(file.candles) candles, \(file.format.rawValue), time \(unitText)")
            if file.checksumVerified { parts.append("SHA-256 checksum verified") }
            if file.reversed { parts.append("newest-first rows reversed") }
            if file.sorted { parts.append("rows sorted") }
            if file.duplicatesDropped > 0 { parts.append("\(file.duplicatesDropped) exact duplicate(s) dropped") }
            if file.invalidRowsDropped > 0 { parts.append("\(file.invalidRowsDropped) invalid row(s) dropped") }
            if file.gaps > 0 { parts.append("\(file.gaps) gap(s), largest \(Int(file.largestGapSeconds ?? 0)) s") }
            if file.intervalGiven, let seconds = file.intervalSeconds { parts.append("interval \(JSONValue.format(seconds)) s from --interval") }
            notes.append(name + ": " + parts.joined(separator: ", "))
            for notice in file.notices { notes.append("  " + notice.description) }
        }
        if overlapDuplicatesDropped > 0 { notes.append("\(overlapDuplicatesDropped) row(s) shared by overlapping files dropped") }
        return notes
    }
}
