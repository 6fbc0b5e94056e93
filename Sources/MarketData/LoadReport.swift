/// Options of every command that reads candles (README, "Commands").
public struct LoadOptions: Sendable, Equatable {
    /// Sort rows instead of refusing an out-of-order file (`--sort`).
    public var sort: Bool
    /// Drop invalid rows, counted and reported, instead of refusing the file (`--drop-invalid`).
    public var dropInvalid: Bool
    /// Force the epoch unit instead of detecting it per value (`--timestamp-unit`).
    public var timestampUnit: TimestampUnit?
    /// Force the file layout (`--format`): `binance_kline` and `kraken` read columns by
    /// position, `generic`, `yahoo` and `cryptodatadownload` by header name.
    public var format: CandleFileFormat?
    /// Decide day-first or month-first dates (`--date-order`) instead of inferring the order.
    public var dateOrder: DateOrder?
    /// Read every time with this strftime pattern (`--time-format`) instead of inferring it.
    public var timeFormat: TimePattern?
    /// The bar interval in nanoseconds (`--interval`), for files that omit empty bars, instead
    /// of the most common spacing.
    public var interval: Int64?
    /// The entry of a `.zip` archive to read (`--member`); nil reads its only CSV entry.
    public var member: String?
    /// The most candle text held in memory, in bytes (`--max-data-size`): a plain file's size or
    /// an archive's expanded size. Larger inputs are refused.
    public var maximumDataBytes: Int = InputFile.defaultMaximumDataBytes

    public init(
        sort: Bool = false, dropInvalid: Bool = false, timestampUnit: TimestampUnit? = nil, format: CandleFileFormat? = nil,
        dateOrder: DateOrder? = nil, timeFormat: TimePattern? = nil, interval: Int64? = nil
    ) {
        self.sort = sort
        self.dropInvalid = dropInvalid
        self.timestampUnit = timestampUnit
        self.format = format
        self.dateOrder = dateOrder
        self.timeFormat = timeFormat
        self.interval = interval
    }

    /// True when a binary cache (which records only sort, drop-invalid, unit and format, and
    /// reads an archive's only entry) can
    /// stand for a parse with these options.
    var cacheable: Bool { dateOrder == nil && timeFormat == nil && interval == nil && member == nil }
}

/// A change of epoch unit between two consecutive rows of a file.
public struct UnitChange: Sendable, Equatable, Codable {
    /// The first line written in the new unit.
    public var line: Int
    public var from: TimestampUnit
    public var to: TimestampUnit
}

/// What loading found in one file (the `data inspect` fields).
public struct FileLoadReport: Sendable, Codable {
    public var file: String
    public var format: CandleFileFormat
    /// The unit of the time column: one unit, or `mixed` when the file changes unit.
    public var timestampUnit: String
    public var unitChanges: [UnitChange]
    /// Total unit changes (only the first few are listed in `unitChanges`).
    public var unitChangeCount: Int
    /// Data rows read (header and URL lines not counted).
    public var rowsRead: Int
    /// Candles after loading (rows less dropped duplicates and dropped invalid rows).
    public var candles: Int
    public var firstOpenTime: Int64?
    public var lastOpenTime: Int64?
    public var intervalSeconds: Double?
    public var gaps: Int
    public var largestGapSeconds: Double?
    public var duplicatesDropped: Int
    public var invalidRowsDropped: Int
    /// True when the file was newest-first and was reversed.
    public var reversed: Bool
    /// True when rows were out of order and `--sort` sorted them.
    public var sorted: Bool
    public var hasVolume: Bool
    public var checksumVerified: Bool
    /// The `.zip` entry the candles came from, or nil.
    public var archiveMember: String? = nil
    /// Everything found that did not stop the load (dropped rows, duplicates, unit changes).
    public var defects: [DataProblem]
    /// What inference decided that the user should know: banner lines skipped, the header
    /// line taken, columns joined or found by their values, no volume column, the separator.
    public var notices: [DataProblem] = []
    /// How the time column was read: `epoch`, `YYYYMMDD`, `text (ymd|dmy|mdy)` or `pattern P`.
    public var timeFormat: String = "epoch"
    /// True when `--interval` gave the interval.
    public var intervalGiven = false
    /// True when the candles came from the file's binary cache (``CandleCache``), not a parse.
    /// Not encoded: a cache stores the report of the parse that built it.
    public var loadedFromCache = false

    enum CodingKeys: String, CodingKey {
        case file, format, timestampUnit, unitChanges, unitChangeCount, rowsRead, candles, firstOpenTime, lastOpenTime
        case intervalSeconds, gaps, largestGapSeconds, duplicatesDropped, invalidRowsDropped, reversed, sorted, hasVolume
        case checksumVerified, archiveMember, defects, notices, timeFormat, intervalGiven
    }
}

/// The candles of one or more files of one symbol, as one series, with what loading found.
public struct LoadedCandles: Sendable {
    public var series: CandleSeries
    public var files: [FileLoadReport]
    /// Duplicate rows dropped where files overlap.
    public var overlapDuplicatesDropped: Int

    /// Gaps of the whole series: spacings larger than the interval.
    public var gaps: (count: Int, largestNanoseconds: Int64) {
        guard let interval = series.intervalNanoseconds else { return (0, 0) }
        var count = 0
        var largest: Int64 = 0
        let times = series.openTimes
        for i in 1..<times.count {
            let spacing = times[i] - times[i - 1]
            if spacing > interval { count += 1; largest = max(largest, spacing) }
        }
        return (count, largest)
    }
}
