import CLibCSV
import Crypto

/// Loads candle files into a validated ``CandleSeries`` (docs/SEMANTICS.md, "Candles").
///
/// Rows are tokenised by libcsv and validated as they are read: every price finite and > 0,
/// volume >= 0, `low <= min(open, close)`, `high >= max(open, close)`, open times plausible
/// (1970-01-02 .. 2200-01-01). Epoch units are detected per value and every change is
/// reported. Rows all ascending are kept; all descending are reversed; otherwise the file is
/// refused unless ``LoadOptions/sort``. Exact duplicates are dropped and counted; two
/// different rows with one open time are an error naming both lines.
public enum CandleLoader {
    /// Problems listed in one error; the rest are counted.
    public static let maximumProblemsReported = 20
    /// Unit changes listed in a report; the rest are counted.
    public static let maximumUnitChangesListed = 20

    /// Loads one or more files of one symbol as one series: each file is validated on its own,
    /// the files are ordered by their first bar and checked as one series (overlapping rows
    /// that are equal are dropped, rows that differ are an error naming both).
    /// - Throws: ``CandleDataError`` naming file, line, column and reason of every problem.
    /// - Parameter useCache: read a valid binary cache next to each file instead of parsing it,
    ///   and write one after parsing (``CandleCache``).
    public static func load(paths: [String], options: LoadOptions = LoadOptions(), useCache requested: Bool = false) throws(CandleDataError) -> LoadedCandles {
        // The cache records sort, drop-invalid, unit and format only: other options parse.
        let useCache = requested && options.cacheable
        var parts: [Part] = []
        for path in paths {
            // A cache stands for the file only while its archive checksum says what it said
            // when the cache was built: a `.CHECKSUM` added, changed or damaged since then
            // sends the file through the full read, which verifies it (or says why not).
            if useCache, options.member == nil, let cached = CandleCache.read(source: path, options: options),
               case .some(let expected) = checksumExpectation(path), expected == cached.verifiedChecksum {
                var report = cached.report
                report.loadedFromCache = true
                report.checksumVerified = expected != nil
                // Line numbers only serve messages about overlapping files: count rows instead.
                parts.append((cached.series, (0..<cached.series.count).map { Int32(truncatingIfNeeded: $0 + 1) }, report))
                continue
            }
            // Plain text is read in chunks, never whole; archives are expanded in memory (their
            // CRC-32 and checksum are checked before any row is read).
            var part: Part
            let sourceDigest: [UInt8]
            if let plain = try plainTextChunks(path, options: options) {
                if useCache { plain.hashHead() }
                part = try parse(plain, options: options)
                sourceDigest = plain.digest.map { Array($0.finalize()) } ?? []
            } else {
                let contents = try InputFile.read(path: path, options: options)
                part = try parse(bytes: contents.bytes, file: path, options: options)
                part.report.checksumVerified = contents.checksumVerified
                part.report.archiveMember = contents.archiveMember
                sourceDigest = useCache ? Array(SHA256.hash(data: contents.bytes)) : []
            }
            if useCache, options.member == nil {
                var cached = part.series
                cached.keepInterval(given: nil)
                CandleCache.write(
                    source: path, sourceDigest: sourceDigest, options: options, series: cached, report: part.report,
                    verifiedChecksum: part.report.checksumVerified ? try? InputFile.expectedChecksum(zipPath: path) : nil
                )
            }
            parts.append(part)
        }
        var loaded = try merge(parts)
        loaded.series.keepInterval(given: options.interval)
        return loaded
    }

    /// What `<path>.CHECKSUM` expects: `.some(nil)` when there is none, `.some(hash)`, or nil
    /// when it is malformed.
    static func checksumExpectation(_ path: String) -> String?? {
        do { return .some(try InputFile.expectedChecksum(zipPath: path)) } catch { return nil }
    }

    /// Loads candles from bytes already in memory (tests, benchmarks), as if read from `file`.
    public static func load(bytes: [UInt8], file: String = "<memory>", options: LoadOptions = LoadOptions()) throws(CandleDataError) -> LoadedCandles {
        let part = try parse(bytes: bytes, file: file, options: options)
        var loaded = try merge([part])
        loaded.series.keepInterval(given: options.interval)
        return loaded
    }

    static func merge(_ parts: [Part]) throws(CandleDataError) -> LoadedCandles {
        let nonEmpty = parts.enumerated().filter { !$0.element.series.isEmpty }
        let ordered = nonEmpty.sorted { a, b in
            let ta = a.element.series.openTimes[0], tb = b.element.series.openTimes[0]
            return ta != tb ? ta < tb : a.offset < b.offset
        }
        if ordered.count <= 1 {
            return LoadedCandles(series: ordered.first?.element.series ?? CandleSeries(), files: parts.map(\.report), overlapDuplicatesDropped: 0)
        }
        var total = 0
        for part in ordered { total += part.element.series.count }
        // Concatenate with (file, line) provenance; sort only if the files overlap.
        var rows: [(time: Int64, file: Int, index: Int)] = []
        var needsSort = false
        var previousLast = Int64.min
        for part in ordered {
            if part.element.series.openTimes[0] <= previousLast { needsSort = true }
            previousLast = part.element.series.openTimes.last!
        }
        var series = CandleSeries()
        series.reserveCapacity(total)
        var dropped = 0
        if !needsSort {
            for part in ordered {
                let s = part.element.series
                series.openTimes += s.openTimes
                series.opens += s.opens
                series.highs += s.highs
                series.lows += s.lows
                series.closes += s.closes
                series.volumes += s.volumes
            }
        } else {
            rows.reserveCapacity(total)
            for part in ordered {
                for i in 0..<part.element.series.count { rows.append((part.element.series.openTimes[i], part.offset, i)) }
            }
            rows.sort { $0.time != $1.time ? $0.time < $1.time : ($0.file != $1.file ? $0.file < $1.file : $0.index < $1.index) }
            var problems: [DataProblem] = []
            var lastKept: (file: Int, index: Int)? = nil
            for row in rows {
                let s = parts[row.file].series
                if let last = lastKept, parts[last.file].series.openTimes[last.index] == row.time {
                    let p = parts[last.file].series
                    if p.opens[last.index] == s.opens[row.index] && p.highs[last.index] == s.highs[row.index]
                        && p.lows[last.index] == s.lows[row.index] && p.closes[last.index] == s.closes[row.index]
                        && p.volumes[last.index] == s.volumes[row.index] {
                        dropped += 1
                        continue
                    }
                    let firstLine = Int(parts[last.file].lines[last.index])
                    problems.append(DataProblem(
                        file: parts[row.file].report.file, line: Int(parts[row.file].lines[row.index]), column: nil,
                        reason: "open time \(UTCTime.iso8601(nanoseconds: row.time)) is also on line \(firstLine) of \(parts[last.file].report.file) with different values (overlapping files disagree)"
                    ))
                    continue
                }
                series.append(openTime: row.time, open: s.opens[row.index], high: s.highs[row.index], low: s.lows[row.index], close: s.closes[row.index], volume: s.volumes[row.index])
                lastKept = (row.file, row.index)
            }
            if !problems.isEmpty {
                throw CandleDataError(
                    problems: Array(problems.prefix(maximumProblemsReported)), moreProblems: max(0, problems.count - maximumProblemsReported),
                    advice: "Remove the overlapping file or the rows that differ."
                )
            }
        }
        return LoadedCandles(series: series, files: parts.map(\.report), overlapDuplicatesDropped: dropped)
    }

    // MARK: - One file

    /// One file's candles, the line each came from, and its report.
    typealias Part = (series: CandleSeries, lines: [Int32], report: FileLoadReport)

    /// What one pass over a file's text gave: its candles, or the date order its values decided
    /// when it differs from the one read provisionally (the text is then read again that way).
    enum PassOutcome {
        case parsed(Part)
        case readAgain(DateOrder)
        /// The two-reader pass gave up part way through a streamed text: read it again with one
        /// reader.
        case readWithOneReader
    }

    /// `path` opened for reading in chunks when it is plain text: not named `.zip` or `.gz`, not
    /// starting with gzip's magic number, and no `--member` asked for. Nil otherwise.
    static func plainTextChunks(_ path: String, options: LoadOptions) throws(CandleDataError) -> PlainTextChunks? {
        let lowered = path.lowercased()
        guard options.member == nil, !lowered.hasSuffix(".zip"), !lowered.hasSuffix(".gz") else { return nil }
        let chunks = try PlainTextChunks(path: path, limit: options.maximumDataBytes)
        let head = chunks.head
        return head.count >= 2 && head[0] == 0x1f && head[1] == 0x8b ? nil : chunks
    }

    /// Parses a plain text file read in chunks (``PlainTextChunks``); `twoReaders` allows
    /// ``TwoReaderPass``.
    static func parse(_ chunks: PlainTextChunks, options: LoadOptions, twoReaders: Bool = true) throws(CandleDataError) -> Part {
        let outcome = try parse(
            head: chunks.head, headIsWhole: chunks.atEnd, expectedBytes: chunks.size, file: chunks.path, options: options, twoReaders: twoReaders,
            next: chunks.next
        )
        if case .parsed(let part) = outcome { return part }
        // The values decided day-first, or the two readers met a row only one reader words: read
        // the file again that way (only such files pay this).
        var again = options
        if case .readAgain(let order) = outcome { again.dateOrder = order }
        guard let reopened = try plainTextChunks(chunks.path, options: again) else {
            throw InputFile.failure(chunks.path, "the file changed while it was read", advice: "Load it again once it is no longer being written.")
        }
        if chunks.digest != nil { reopened.hashHead() }
        let part = try parse(reopened, options: again, twoReaders: twoReaders && outcome.isReadAgain)
        chunks.digest = reopened.digest
        return part
    }

    /// Parses a text in memory; `twoReaders` allows ``TwoReaderPass``, and `forcedPieceSize`
    /// (tests, the fuzzer) makes it read any text of any size in pieces of that many bytes.
    static func parse(bytes: [UInt8], file: String, options: LoadOptions, twoReaders: Bool = true, forcedPieceSize: Int? = nil) throws(CandleDataError) -> Part {
        let outcome: Result<PassOutcome, CandleDataError> = bytes.withUnsafeBytes { raw in
            do throws(CandleDataError) {
                return .success(try parse(head: raw, headIsWhole: true, expectedBytes: raw.count, file: file, options: options, twoReaders: twoReaders, forcedPieceSize: forcedPieceSize) { () throws(CandleDataError) in
                    UnsafeRawBufferPointer(start: nil, count: 0)
                })
            } catch {
                return .failure(error)
            }
        }
        switch try outcome.get() {
        case .parsed(let part):
            return part
        case .readAgain(let order):
            var decided = options
            decided.dateOrder = order
            return try parse(bytes: bytes, file: file, options: decided, twoReaders: twoReaders, forcedPieceSize: forcedPieceSize)
        case .readWithOneReader:
            return try parse(bytes: bytes, file: file, options: options, twoReaders: false)
        }
    }

    /// One pass over a file's text: `head` is its first bytes (all of them when `headIsWhole`);
    /// the layout is inferred from the lines of the head, then the head and every further chunk
    /// that `next` gives (empty at the end) go through libcsv.
    /// - Parameter expectedBytes: the text's size, to reserve about one slot per row.
    static func parse(
        head: UnsafeRawBufferPointer, headIsWhole: Bool, expectedBytes: Int, file: String, options: LoadOptions, twoReaders: Bool = false,
        forcedPieceSize: Int? = nil, next: () throws(CandleDataError) -> UnsafeRawBufferPointer
    ) throws(CandleDataError) -> PassOutcome {
        // Inference reads whole lines only: a head that is not the whole text ends at its last line end.
        var sampleEnd = head.count
        if !headIsWhole, let lastEnd = head.lastIndex(where: { $0 == 10 || $0 == 13 }) { sampleEnd = lastEnd + 1 }
        let layout: ColumnLayout
        do throws(DataProblem) {
            layout = try ColumnLayout.detect(bytes: UnsafeRawBufferPointer(rebasing: head[0..<sampleEnd]), file: file, options: options)
        } catch {
            throw CandleDataError(problems: [error], advice: layoutAdvice(error, options: options))
        }

        // Reserve about one slot per line, from the length of the last of the first lines: the
        // loaded columns then hold close to 48 bytes a candle (a scan counting the lines cost 5%).
        let lineCount = expectedBytes / max(layout.sampleLineLength, 16) + expectedBytes / max(layout.sampleLineLength, 16) / 32 + 16
        // A byte-order mark is not data: libcsv starts after it (line numbers are unchanged).
        let text = UnsafeRawBufferPointer(rebasing: head[min(layout.startOffset, head.count)...])
        if twoReaders && TwoReaderPass.applies(head: text, expectedBytes: expectedBytes, layout: layout, forcedPieceSize: forcedPieceSize) {
            switch try TwoReaderPass.read(
                head: text, headIsWhole: headIsWhole, expectedRows: lineCount, file: file, layout: layout, options: options,
                pieceSize: forcedPieceSize ?? TwoReaderPass.pieceSize, inParallel: forcedPieceSize == nil, next: next
            ) {
            case .parsed(let part):
                return .parsed(part)
            case .gaveUp:
                // The text in memory is still whole; a streamed one is read again from the start.
                if !headIsWhole { return .readWithOneReader }
            }
        }

        let state = UnsafeMutablePointer<RowReader>.allocate(capacity: 1)
        state.initialize(to: RowReader(file: file, layout: layout, options: options, expectedRows: lineCount))
        defer { state.pointee.release(); state.deinitialize(count: 1); state.deallocate() }

        let parser = UnsafeMutablePointer<csv_parser>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard csv_init(parser, UInt8(CSV_REPALL_NL)) == 0 else {
            throw CandleDataError(problems: [DataProblem(file: file, line: nil, column: nil, reason: "libcsv could not start")], advice: "")
        }
        defer { csv_free(parser) }
        csv_set_delim(parser, layout.separator)
        func feed(_ chunk: UnsafeRawBufferPointer) throws(CandleDataError) {
            guard let base = chunk.baseAddress, chunk.count > 0 else { return }
            if !state.pointee.fieldsMayHoldLineEnds && TwoReaderPass.containsQuote(chunk) { state.pointee.fieldsMayHoldLineEnds = true }
            let parsed = csv_parse(parser, base, chunk.count, libcsvField, libcsvEndRow, state)
            if parsed != chunk.count {
                let message = String(cString: csv_strerror(csv_error(parser)))
                throw CandleDataError(problems: [DataProblem(file: file, line: state.pointee.line, column: nil, reason: "CSV error: \(message)")], advice: "")
            }
        }
        try feed(text)
        if !headIsWhole {
            while true {
                let chunk = try next()
                if chunk.isEmpty { break }
                try feed(chunk)
            }
        }
        csv_fini(parser, libcsvField, libcsvEndRow, state)
        if case .text(nil) = layout.timeFormat {
            try state.pointee.decideDateOrder()
            if let order = state.pointee.rereadWithOrder { return .readAgain(order) }
        }
        return .parsed(try state.pointee.finish())
    }

    /// What to do about a file whose layout cannot be inferred: only advice that can work.
    static func layoutAdvice(_ problem: DataProblem, options: LoadOptions) -> String {
        let reason = problem.reason
        if reason.contains("JSON") || reason.contains("no rows") || reason.contains("no data rows") { return "Give a file with candles." }
        if reason.contains("separated field(s) and no header") {
            return "Give a file whose rows hold time, open, high, low and close (with a header naming them if they are in another order)."
        }
        if reason.contains("has no column for") {
            return "Name the columns in the header (time, open, high, low, close and optionally volume; any order, common spellings such as Date, Timestamp, Open Time, O, H, L, C are read)."
        }
        if reason.contains("--format") { return "Give --format binance_kline or kraken for a file without a header, or leave --format out to infer the layout." }
        return ""
    }
}

extension CandleLoader.PassOutcome {
    var isReadAgain: Bool {
        if case .readAgain = self { return true }
        return false
    }
}
