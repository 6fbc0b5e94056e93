import ArgumentParser
import MarketData

/// The data options shared by every command that reads candles (README, "Commands").
struct DataOptions: ParsableArguments {
    @Flag(help: "Sort rows by time instead of refusing a file whose rows are out of order.")
    var sort = false

    @Flag(name: .customLong("drop-invalid"), help: "Drop invalid rows (empty fields, impossible candles), counting and reporting each, instead of refusing the file.")
    var dropInvalid = false

    @Option(
        name: .customLong("timestamp-unit"),
        help: ArgumentHelp("Force the epoch unit of the time column instead of detecting it per value.", valueName: "s|ms|us|ns")
    )
    var timestampUnit: String?

    @Option(help: ArgumentHelp("Force the file layout instead of detecting it.", valueName: "binance_kline|generic|yahoo|cryptodatadownload|kraken"))
    var format: String?

    @Flag(help: "Keep a binary cache next to each data file (FILE.dcacache; in $XDG_CACHE_HOME/dca-backtest or ~/.cache/dca-backtest when the file's folder is read-only) and load from it while the file is unchanged: repeated runs and sweeps skip parsing.")
    var cache = false

    func validate() throws {
        if let timestampUnit, !["s", "ms", "us", "ns"].contains(timestampUnit) {
            throw ValidationError("--timestamp-unit must be one of s, ms, us, ns (got '\(timestampUnit)').")
        }
        if let format, CandleFileFormat(rawValue: format) == nil {
            throw ValidationError("--format must be one of \(CandleFileFormat.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(format)').")
        }
    }

    var loadOptions: LoadOptions {
        LoadOptions(
            sort: sort, dropInvalid: dropInvalid, timestampUnit: timestampUnit.flatMap { TimestampUnit(rawValue: $0) },
            format: format.flatMap { CandleFileFormat(rawValue: $0) }
        )
    }
}

extension LoadedCandles {
    /// One line per notable finding, for summaries.
    var notes: [String] {
        var notes: [String] = []
        for file in files {
            let name = file.file.split(separator: "/").last.map(String.init) ?? file.file
            var parts: [String] = []
            parts.append("\(file.candles) candles, \(file.format.rawValue), time in \(file.timestampUnit == "mixed" ? "mixed units (\(file.unitChangeCount) change(s), first at line \(file.unitChanges.first?.line ?? 0))" : TimestampUnit(rawValue: file.timestampUnit)?.name ?? file.timestampUnit)")
            if file.checksumVerified { parts.append("SHA-256 checksum verified") }
            if file.reversed { parts.append("newest-first rows reversed") }
            if file.sorted { parts.append("rows sorted") }
            if file.duplicatesDropped > 0 { parts.append("\(file.duplicatesDropped) exact duplicate(s) dropped") }
            if file.invalidRowsDropped > 0 { parts.append("\(file.invalidRowsDropped) invalid row(s) dropped") }
            if file.gaps > 0 { parts.append("\(file.gaps) gap(s), largest \(Int(file.largestGapSeconds ?? 0)) s") }
            notes.append(name + ": " + parts.joined(separator: ", "))
        }
        if overlapDuplicatesDropped > 0 { notes.append("\(overlapDuplicatesDropped) row(s) shared by overlapping files dropped") }
        return notes
    }
}
