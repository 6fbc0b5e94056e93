import CLibCSV
import Dispatch
import Foundation

/// A file's rows read by two libcsv parsers at once, one per core: the same candles, line numbers
/// and report as the one-reader pass in ``CandleLoader``, in about half the time on two cores.
///
/// The text is cut into pieces of about ``pieceSize`` bytes, each ending just after a line feed.
/// Pieces go alternately to two ``PieceReader``s (each with its own libcsv parser and
/// ``RowReader``), two at a time in parallel, and their rows are then put back in file order with
/// their line numbers; the whole-file checks (order, duplicates, `--interval`, the report) run
/// once over the result, as they do after one reader.
///
/// A line feed is a row boundary only outside quoted fields, so a piece holding a `"` is never
/// cut: the pass gives up. It also gives up, and the caller reads the file with one reader
/// (whose messages say exactly what is wrong where), at the first piece with a refused or
/// dropped row, a libcsv error, an epoch-unit change, or a line longer than a piece. Only files
/// with no such row go faster; the rest cost at most the pieces read before giving up.
enum TwoReaderPass {
    /// Bytes per piece: a piece ends at the last line feed within this many bytes.
    static let pieceSize = PlainTextChunks.chunkSize
    /// The smallest text read this way: below it, starting two readers costs more than it saves.
    static let minimumBytes = 2 * pieceSize

    /// Whether a file of `expectedBytes` with `layout` is worth trying on two readers: big
    /// enough, more than one core, its text not quoted (as far as the `head` shows), and a time
    /// format that needs no decision from the whole file (a day-first / month-first order left
    /// open is decided from every value's evidence, which the one-reader pass gathers).
    /// A `forcedPieceSize` (tests, the fuzzer) skips the size and core checks.
    static func applies(head: UnsafeRawBufferPointer, expectedBytes: Int, layout: ColumnLayout, forcedPieceSize: Int? = nil) -> Bool {
        if forcedPieceSize == nil {
            guard expectedBytes >= minimumBytes, ProcessInfo.processInfo.activeProcessorCount >= 2 else { return false }
        }
        if case .text(nil) = layout.timeFormat { return false }
        return !containsQuote(head)
    }

    /// What the pass gave.
    enum Outcome {
        case parsed(CandleLoader.Part)
        /// Read the file with one reader instead.
        case gaveUp
    }

    /// Reads the text that starts with `head` (the bytes after any byte-order mark; the whole
    /// text when `headIsWhole`, else followed by the chunks `next` gives, empty at the end).
    /// A text in memory is cut into pieces of at most `pieceSize` bytes (tests and the fuzzer
    /// give small ones, so that rows fall on many boundaries); a streamed one into its chunks.
    /// Each pair of pieces is read on two threads unless `inParallel` is false (forced small
    /// pieces: the same reads, one after the other).
    /// - Throws: what ``RowReader/finish()`` throws over the rows read (order, duplicates,
    ///   interval), or a read error from `next`.
    static func read(
        head: UnsafeRawBufferPointer, headIsWhole: Bool, expectedRows: Int, file: String, layout: ColumnLayout, options: LoadOptions,
        pieceSize: Int = TwoReaderPass.pieceSize, inParallel: Bool = true, next: () throws(CandleDataError) -> UnsafeRawBufferPointer
    ) throws(CandleDataError) -> Outcome {
        // Each reader holds the rows of one piece at a time: about two pieces' lines.
        let pieceRows = min(expectedRows, 2 * max(pieceSize, PlainTextChunks.chunkSize) / max(layout.sampleLineLength, 16) + 64)
        let skipsTails = linesHaveTails(head, layout: layout)
        guard let first = PieceReader(file: file, layout: layout, options: options, expectedRows: pieceRows, skipsHeader: true, skipsTails: skipsTails),
              let second = PieceReader(file: file, layout: layout, options: options, expectedRows: pieceRows, skipsHeader: false, skipsTails: skipsTails)
        else { return .gaveUp }
        let readers = [first, second]
        var cutter = PieceCutter(head: head, headIsWhole: headIsWhole, pieceSize: pieceSize)
        defer { cutter.release() }
        // The rows go back in file order, with the file's line numbers, after each pair of pieces.
        let merged = UnsafeMutablePointer<RowReader>.allocate(capacity: 1)
        merged.initialize(to: RowReader(file: file, layout: layout, options: options, expectedRows: expectedRows))
        defer { merged.pointee.release(); merged.deinitialize(count: 1); merged.deallocate() }
        var lineOffset = 1
        var previousUnit: TimestampUnit? = nil
        var last: (reader: PieceReader, shift: Int32)? = nil
        /// Moves the rows `reader` read from its last piece into `merged`, or says to give up.
        func take(_ rows: PieceRows, from reader: PieceReader, shift: Int32) -> Bool {
            // An epoch-unit change between two pieces is one the one-reader pass reports.
            if let unit = rows.firstUnit, let previous = previousUnit, unit != previous { return false }
            if let unit = rows.lastUnit { previousUnit = unit }
            reader.moveRows(into: merged, lineShift: shift)
            return true
        }
        var reading = true
        while reading {
            // Up to two pieces, then both read at once (piece k of the pair by reader k).
            var taken = 0
            for reader in readers {
                switch try cutter.next(next) {
                case .piece(let text):
                    reader.pending = text
                    taken += 1
                case .end:
                    reading = false
                case .gaveUp:
                    return .gaveUp
                }
                if !reading { break }
            }
            if taken == 2 && inParallel {
                DispatchQueue.concurrentPerform(iterations: 2) { k in readers[k].readPending() }
            } else {
                // One piece, or forced small pieces (tests, the fuzzer): the same reads one after
                // the other, without waking a second thread for every few hundred bytes.
                for reader in readers.prefix(taken) { reader.readPending() }
            }
            // The records before the data (banner, comment and header lines) must end in the
            // first piece: the reader of the first piece skips them, the other reader skips none,
            // so a piece after the first that began among them read them as rows.
            if last == nil, taken > 0, readers[0].reader.pointee.recordsSeen < readers[0].reader.pointee.recordsToSkip {
                return .gaveUp
            }
            for reader in readers.prefix(taken) {
                guard let rows = reader.lastPiece else { return .gaveUp }
                let shift = Int32(truncatingIfNeeded: lineOffset - rows.lineBefore)
                guard take(rows, from: reader, shift: shift) else { return .gaveUp }
                lineOffset += rows.lineAfter - rows.lineBefore
                last = (reader, shift)
            }
        }
        // A text that does not end with a line end leaves its last row in the last piece's parser.
        guard let last, let rows = last.reader.finish(), take(rows, from: last.reader, shift: last.shift) else { return .gaveUp }
        for reader in readers {
            merged.pointee.rowsRead += reader.reader.pointee.rowsRead
            for unit in TimestampUnit.allCases { merged.pointee.unitCounts[unit.index] += reader.reader.pointee.unitCounts[unit.index] }
        }
        merged.pointee.lastEpochUnit = previousUnit
        return .parsed(try merged.pointee.finish())
    }

    /// The shortest line tail worth skipping: below it, finding the tail costs about what
    /// libcsv would spend reading it (about 41 instructions a byte).
    static let minimumTail = 16

    /// Whether the text's lines carry fields after the last one the layout reads (Binance's
    /// close time, quote volume, trades, taker volumes and `ignore`: 64 of a row's 146 bytes),
    /// judged on the last whole line of the first 64 KiB of `head` (past any header or banner).
    /// Each line is checked again as it is read, so a wrong guess costs time, never a result.
    static func linesHaveTails(_ head: UnsafeRawBufferPointer, layout: ColumnLayout) -> Bool {
        guard let base = head.baseAddress, head.count > 0 else { return false }
        let window = min(head.count, 1 << 16)
        guard let end = lastLineFeed(base, window), end > 0 else { return false }
        let start = (lastLineFeed(base, end) ?? -1) + 1
        guard let tail = PieceReader.tailStart(base, from: start, lineFeed: end, fields: layout.fieldsNeeded, separator: layout.separator) else { return false }
        return end - tail >= minimumTail
    }

    /// The offset of the last line feed in the `count` bytes at `base` (a scan back from the end:
    /// about one line's length).
    static func lastLineFeed(_ base: UnsafeRawPointer, _ count: Int) -> Int? {
        var k = count - 1
        while k >= 0 {
            if base.load(fromByteOffset: k, as: UInt8.self) == 10 { return k }
            k -= 1
        }
        return nil
    }

    static func containsQuote(_ text: UnsafeRawBufferPointer) -> Bool {
        guard let base = text.baseAddress, text.count > 0 else { return false }
        return memchr(base, 0x22, text.count) != nil
    }
}

/// What one piece gave its reader: the reader's line before and after the piece, and the first
/// and last epoch unit of its values (its rows are the reader's rows until they are moved).
struct PieceRows {
    var lineBefore: Int
    var lineAfter: Int
    var firstUnit: TimestampUnit?
    var lastUnit: TimestampUnit?
}

/// One of the two readers of ``TwoReaderPass``: a libcsv parser and a ``RowReader`` of its own,
/// fed whole lines. Used by one thread at a time (the pass hands it a piece, then waits for
/// both readers before touching either again), hence `@unchecked Sendable`.
///
/// A reader that `skipsTails` gives libcsv each line's fields up to the last one the layout
/// reads, then the line's end, and skips the fields between: a row is refused only for having
/// fewer fields than the layout reads (``RowReader/readRow(line:fields:)``), never for more, and
/// in a text without quotes (the only kind this pass reads) the skipped bytes cannot end the
/// field or the row any other way, so the rows, lines and refusals are those of the whole line.
/// libcsv keeps its state between calls, so the two calls of a line read as one. A line that
/// has too few fields, or a carriage return before its end (CR-only line ends), is given whole.
final class PieceReader: @unchecked Sendable {
    let parser: UnsafeMutablePointer<csv_parser>
    let reader: UnsafeMutablePointer<RowReader>
    /// The piece to read next (set by the pass before ``readPending()``).
    var pending = UnsafeRawBufferPointer(start: nil, count: 0)
    /// What the last piece gave; nil when the reader gave up on it.
    private(set) var lastPiece: PieceRows?

    /// The fields each line gives libcsv when the reader skips line tails; nil to give whole pieces.
    let fieldsGiven: Int?
    let separator: UInt8

    /// A reader for pieces of the text after the layout's start; the one that reads the first
    /// piece skips the header (and banner) records, the other skips none.
    init?(file: String, layout: ColumnLayout, options: LoadOptions, expectedRows: Int, skipsHeader: Bool, skipsTails: Bool = false) {
        // Two fields at least: the part given then ends inside a field, never before a row.
        fieldsGiven = skipsTails && layout.fieldsNeeded >= 2 ? layout.fieldsNeeded : nil
        separator = layout.separator
        parser = UnsafeMutablePointer<csv_parser>.allocate(capacity: 1)
        guard csv_init(parser, UInt8(CSV_REPALL_NL)) == 0 else {
            parser.deallocate()
            return nil
        }
        csv_set_delim(parser, layout.separator)
        reader = UnsafeMutablePointer<RowReader>.allocate(capacity: 1)
        reader.initialize(to: RowReader(file: file, layout: layout, options: options, expectedRows: expectedRows))
        if !skipsHeader { reader.pointee.recordsToSkip = 0 }
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
        reader.pointee.release()
        reader.deinitialize(count: 1)
        reader.deallocate()
    }

    /// Reads ``pending`` (whole lines) and sets ``lastPiece``.
    func readPending() {
        let lineBefore = reader.pointee.line
        reader.pointee.lastEpochUnit = nil
        reader.pointee.firstEpochUnit = nil
        lastPiece = nil
        guard let base = pending.baseAddress, pending.count > 0 else { return }
        guard parse(base, pending.count), reader.pointee.readEverything else { return }
        lastPiece = PieceRows(
            lineBefore: lineBefore, lineAfter: reader.pointee.line, firstUnit: reader.pointee.firstEpochUnit, lastUnit: reader.pointee.lastEpochUnit
        )
    }

    /// Gives libcsv the `count` bytes at `base` (whole lines, the last perhaps without its end),
    /// each line without its tail when the reader skips tails; false at a libcsv error.
    private func parse(_ base: UnsafeRawPointer, _ count: Int) -> Bool {
        /// libcsv reads the bytes `from ..< to`; false at an error.
        func give(_ from: Int, _ to: Int) -> Bool {
            csv_parse(parser, base + from, to - from, libcsvField, libcsvEndRow, reader) == to - from
        }
        guard let fields = fieldsGiven else { return give(0, count) }
        var position = 0
        while position < count {
            guard let found = memchr(base + position, 10, count - position) else { return give(position, count) }
            let lineFeed = base.distance(to: UnsafeRawPointer(found))
            if let tail = PieceReader.tailStart(base, from: position, lineFeed: lineFeed, fields: fields, separator: separator) {
                // The line's end: its CRLF, or its LF.
                let end = lineFeed > tail + 1 && base.load(fromByteOffset: lineFeed - 1, as: UInt8.self) == 13 ? lineFeed - 1 : lineFeed
                guard give(position, tail), give(end, lineFeed + 1) else { return false }
            } else {
                guard give(position, lineFeed + 1) else { return false }
            }
            position = lineFeed + 1
        }
        return true
    }

    /// Where the tail of the line `start ..< lineFeed` starts: the offset of the separator that
    /// ends its `fields`-th field, when the line has one and no carriage return before the one
    /// that may precede its line feed; nil otherwise (the line is then given whole).
    @inline(__always)
    static func tailStart(_ base: UnsafeRawPointer, from start: Int, lineFeed: Int, fields: Int, separator: UInt8) -> Int? {
        var at = start
        for _ in 0..<fields {
            guard at < lineFeed, let found = memchr(base + at, Int32(separator), lineFeed - at) else { return nil }
            at = base.distance(to: UnsafeRawPointer(found)) + 1
        }
        if lineFeed - 1 > start, memchr(base + start, 13, lineFeed - 1 - start) != nil { return nil }
        return at - 1
    }

    /// Appends the rows read so far to `merged`'s, their lines moved by `lineShift`, and empties
    /// this reader's (keeping their memory for the next piece).
    func moveRows(into merged: UnsafeMutablePointer<RowReader>, lineShift: Int32) {
        let count = reader.pointee.series.count
        merged.pointee.series.append(reader.pointee.series, rows: 0..<count)
        for line in reader.pointee.lines { merged.pointee.lines.append(line &+ lineShift) }
        reader.pointee.series.removeAll(keepingCapacity: true)
        reader.pointee.lines.removeAll(keepingCapacity: true)
    }

    /// Ends the text after the last piece it read (a last row without a line end): what that
    /// gave, or nil when the reader gave up on it.
    func finish() -> PieceRows? {
        let lineBefore = reader.pointee.line
        csv_fini(parser, libcsvField, libcsvEndRow, reader)
        guard reader.pointee.readEverything else { return nil }
        return PieceRows(
            lineBefore: lineBefore, lineAfter: reader.pointee.line, firstUnit: reader.pointee.firstEpochUnit, lastUnit: reader.pointee.lastEpochUnit
        )
    }
}

/// Cuts the text into pieces that end just after a line feed (the last piece ends where the text
/// does). A text all in memory is cut in place; a streamed one is copied chunk by chunk into two
/// buffers in turn, so the two pieces read at once are both valid, and the bytes after a piece's
/// last line feed are carried to the start of the next.
struct PieceCutter {
    enum Cut {
        case piece(UnsafeRawBufferPointer)
        case end
        case gaveUp
    }

    private let head: UnsafeRawBufferPointer
    private let headIsWhole: Bool
    private let pieceSize: Int
    /// In memory: where the next piece starts.
    private var position = 0
    /// Streamed: the two piece buffers, the count of pieces cut, the carried bytes (in the buffer
    /// of the previous piece), whether the head was taken and whether the source ended.
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private var count = 0
    private var carry = UnsafeRawBufferPointer(start: nil, count: 0)
    private var headTaken = false
    private var ended = false

    /// In memory, pieces of at most `pieceSize` bytes; streamed, a piece is the bytes carried
    /// from the last one and the next chunk (at most ``PlainTextChunks/chunkSize``).
    init(head: UnsafeRawBufferPointer, headIsWhole: Bool, pieceSize: Int) {
        self.head = head
        self.headIsWhole = headIsWhole
        self.pieceSize = max(pieceSize, 1)
        if !headIsWhole {
            buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * PlainTextChunks.chunkSize, alignment: 16) }
        }
    }

    func release() {
        for buffer in buffers { buffer.deallocate() }
    }

    mutating func next(_ source: () throws(CandleDataError) -> UnsafeRawBufferPointer) throws(CandleDataError) -> Cut {
        let cut = headIsWhole ? nextInMemory() : try nextStreamed(source)
        if case .piece(let text) = cut, TwoReaderPass.containsQuote(text) { return .gaveUp }
        return cut
    }

    private mutating func nextInMemory() -> Cut {
        guard let base = head.baseAddress, position < head.count else { return .end }
        let limit = min(position + pieceSize, head.count)
        if limit == head.count {
            defer { position = head.count }
            return .piece(UnsafeRawBufferPointer(start: base + position, count: head.count - position))
        }
        guard let feed = TwoReaderPass.lastLineFeed(base + position, limit - position) else { return .gaveUp }
        let end = position + feed + 1
        defer { position = end }
        return .piece(UnsafeRawBufferPointer(start: base + position, count: end - position))
    }

    private mutating func nextStreamed(_ source: () throws(CandleDataError) -> UnsafeRawBufferPointer) throws(CandleDataError) -> Cut {
        let target = buffers[count % 2]
        var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
        if !headTaken {
            chunk = head
            headTaken = true
        } else if !ended {
            chunk = try source()
        }
        if chunk.isEmpty { ended = true }
        guard carry.count + chunk.count <= target.count else { return .gaveUp }
        if carry.count > 0 { target.baseAddress!.copyMemory(from: carry.baseAddress!, byteCount: carry.count) }
        if chunk.count > 0 { (target.baseAddress! + carry.count).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count) }
        let filled = carry.count + chunk.count
        carry = UnsafeRawBufferPointer(start: nil, count: 0)
        guard filled > 0 else { return .end }
        count += 1
        if ended { return .piece(UnsafeRawBufferPointer(start: target.baseAddress, count: filled)) }
        guard let feed = TwoReaderPass.lastLineFeed(UnsafeRawPointer(target.baseAddress!), filled) else { return .gaveUp }
        let end = feed + 1
        carry = UnsafeRawBufferPointer(start: target.baseAddress! + end, count: filled - end)
        return .piece(UnsafeRawBufferPointer(start: target.baseAddress, count: end))
    }
}
