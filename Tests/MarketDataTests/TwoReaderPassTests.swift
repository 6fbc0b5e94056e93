import Foundation
import Testing

@testable import MarketData

/// Texts of 4 MiB and more without quotes are read by two libcsv parsers at once
/// (``TwoReaderPass``): the candles, line numbers, report and refusals must be those of one
/// reader, whatever falls on either side of a piece boundary. Every text here is about 5 MB
/// (`rows` rows of about 105 bytes: three pieces), and each is read both ways.
@Suite struct TwoReaderPassTests {
    static let rows = 48_000

    /// The Binance kline row of minute `i`: opens at 2020-01-01T00:00Z + i minutes (in `unit`),
    /// every price 100 + (i mod 50), high one more, low one less.
    static func row(_ i: Int, microseconds: Bool = false) -> String {
        let ms = 1_577_836_800_000 + Int64(i) * 60_000
        let time = microseconds ? ms * 1_000 : ms
        let p = 100 + i % 50
        return "\(time),\(p).00000000,\(p + 1).00000000,\(p - 1).00000000,\(p).00000000,12.50000000,\(time + 59_999),1250.0,10,6.25,625.0,0"
    }

    static func text(_ lines: [String], lineEnd: String = "\n", finalLineEnd: Bool = true) -> [UInt8] {
        Array((lines.joined(separator: lineEnd) + (finalLineEnd ? lineEnd : "")).utf8)
    }

    static func rowLines(_ count: Int = rows) -> [String] { (0..<count).map { row($0) } }

    /// What a pass gave, comparable: the candles, their lines and the report, or the refusal.
    struct Read: Equatable {
        var series: CandleSeries?
        var lines: [Int32] = []
        var report = ""
        var refusal = ""
    }

    static func read(_ bytes: [UInt8], twoReaders: Bool, options: LoadOptions = LoadOptions(), forcedPieceSize: Int? = nil) -> Read {
        do {
            let part = try CandleLoader.parse(bytes: bytes, file: "big.csv", options: options, twoReaders: twoReaders, forcedPieceSize: forcedPieceSize)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let report = String(decoding: (try? encoder.encode(part.report)) ?? Data(), as: UTF8.self)
            return Read(series: part.series, lines: part.lines, report: report)
        } catch {
            return Read(series: nil, refusal: error.description)
        }
    }

    /// The text read by two readers and by one; both results, expected equal.
    static func bothWays(_ bytes: [UInt8], options: LoadOptions = LoadOptions()) -> (two: Read, one: Read) {
        #expect(bytes.count >= TwoReaderPass.minimumBytes, "the text must be long enough for two readers")
        return (read(bytes, twoReaders: true, options: options), read(bytes, twoReaders: false, options: options))
    }

    @Test func linesBeforeTheHeaderThatRunPastTheFirstPieceAreNotReadAsRows() throws {
        // The fuzzer's input (241 bytes, pieces of 113 as it cut them): five banner and comment
        // lines, the last of them shaped like a row (`#0883200000M,243.73,245.3,229.54,231.55,
        // 2064900.485,...`), run past the first piece. The reader of the second piece skips no
        // records, so it read that banner line as a candle, while one reader refuses the file at
        // line 7 (`165nclose,72876,10808649.3-12-01T00:13`: 3 fields). Both must give the same.
        let hex = [
            "2f2f0000002c310a2330330a2f2fb9392c19ffff003230352c0000002f30302c0300000000000000ff310a2330003230",
            "302c0a23303838333230303030304d2c3234332e37332c3234352e332c3232392e35342c3233312e35352c3230363439",
            "30302e3438352c000000000000000000000000000000000000000000000000000000000000000032c8cd302d30352d33",
            "310a313539303936393630303074696d657374716d702c6f70656e2c686967682c6c6f772c636c6f7365d48a6f6c756d",
            "652c6461746574696d650a3136356e636c6f73652c37323837362c31303830383634392e332d31322d30315430303a31",
            "33",
        ].joined()
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        #expect(bytes.count == 241)
        for dropInvalid in [false, true] {
            var options = LoadOptions()
            options.dropInvalid = dropInvalid
            let two = Self.read(bytes, twoReaders: true, options: options, forcedPieceSize: 64 + bytes.count % 192)
            let one = Self.read(bytes, twoReaders: false, options: options)
            #expect(two == one)
            #expect(two.series == nil && two.refusal.contains("big.csv:7: 3 field(s), expected at least 6"), "\(two.refusal)")
        }
    }

    @Test func aCleanTextIsReadByTwoReadersWithoutGivingUp() throws {
        let bytes = Self.text(Self.rowLines())
        let layout = try bytes.withUnsafeBytes { raw in try ColumnLayout.detect(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<4096]), file: "big.csv", options: LoadOptions()) }
        let outcome = try bytes.withUnsafeBytes { raw throws(CandleDataError) in
            try TwoReaderPass.read(head: raw, headIsWhole: true, expectedRows: Self.rows, file: "big.csv", layout: layout, options: LoadOptions()) { () throws(CandleDataError) in
                UnsafeRawBufferPointer(start: nil, count: 0)
            }
        }
        guard case .parsed(let part) = outcome else {
            Issue.record("two readers gave up on a clean text")
            return
        }
        #expect(part.series.count == Self.rows)
        #expect(part.lines.first == 1)
        #expect(part.lines.last == Int32(Self.rows))
        // Minute i opens at 2020-01-01T00:00Z + i minutes, in nanoseconds.
        #expect(part.series.openTimes[Self.rows - 1] == (1_577_836_800_000 + Int64(Self.rows - 1) * 60_000) * 1_000_000)
        #expect(part.series.closes[Self.rows - 1] == Double(100 + (Self.rows - 1) % 50))
    }

    @Test(arguments: [
        ("LF", "\n", true, false),
        ("CRLF", "\r\n", true, false),
        ("no final line end", "\n", false, false),
        ("CRLF, no final line end", "\r\n", false, false),
        ("header", "\n", true, true),
        ("CRLF and header", "\r\n", true, true),
    ])
    func twoReadersGiveOneReadersCandlesLinesAndReport(name: String, lineEnd: String, finalLineEnd: Bool, header: Bool) {
        let lines = (header ? ["open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore"] : []) + Self.rowLines()
        let (two, one) = Self.bothWays(Self.text(lines, lineEnd: lineEnd, finalLineEnd: finalLineEnd))
        #expect(two == one, "\(name)")
        #expect(two.series?.count == Self.rows, "\(name)")
        // Each row is one line, after the header line when there is one.
        #expect(two.lines.first == (header ? 2 : 1), "\(name)")
        #expect(two.lines.last == Int32(Self.rows + (header ? 1 : 0)), "\(name)")
    }

    @Test func blankLinesKeepTheLineNumbersOfTheRowsAfterThem() {
        // A blank line after every 1,000th row: row i sits on line i + 1 + i / 1000.
        var lines: [String] = []
        for i in 0..<Self.rows {
            lines.append(Self.row(i))
            if i % 1_000 == 999 { lines.append("") }
        }
        let (two, one) = Self.bothWays(Self.text(lines))
        #expect(two == one)
        #expect(two.series?.count == Self.rows)
        let last = Self.rows - 1
        #expect(two.lines.last == Int32(last + 1 + last / 1_000))
    }

    @Test func aRefusedRowInALaterPieceIsWordedAsOneReaderWordsIt() {
        // Row 40,000 (line 40,001, in the third piece) has a high below its low.
        var lines = Self.rowLines()
        lines[40_000] = "1580236800000,100.0,90.0,95.0,100.0,1.0,1580236859999,1.0,1,1.0,1.0,0"
        let (two, one) = Self.bothWays(Self.text(lines))
        #expect(two == one)
        #expect(two.series == nil)
        #expect(two.refusal.contains("big.csv:40001,"))
    }

    @Test func rowsOutOfOrderAcrossPiecesAreRefusedAtTheirLine() {
        // Rows 30,000 and 30,001 swapped: line 30,002 opens before line 30,001.
        var lines = Self.rowLines()
        lines.swapAt(30_000, 30_001)
        let (two, one) = Self.bothWays(Self.text(lines))
        #expect(two == one)
        #expect(two.series == nil)
        #expect(two.refusal.contains("big.csv:30002,"))
    }

    @Test func anExactDuplicateInALaterPieceIsDroppedAndCountedAsByOneReader() {
        // Row 45,000 written twice: the second (line 45,002) is dropped.
        var lines = Self.rowLines()
        lines.insert(Self.row(45_000), at: 45_001)
        let (two, one) = Self.bothWays(Self.text(lines))
        #expect(two == one)
        #expect(two.series?.count == Self.rows)
        #expect(two.report.contains("\"duplicatesDropped\":1"))
    }

    @Test func anEpochUnitChangeInALaterPieceIsReportedAtItsLine() {
        // From row 30,000 on, times are in microseconds: the change is at line 30,001.
        let lines = (0..<Self.rows).map { Self.row($0, microseconds: $0 >= 30_000) }
        let (two, one) = Self.bothWays(Self.text(lines))
        #expect(two == one)
        #expect(two.series?.count == Self.rows)
        #expect(two.report.contains("\"line\":30001"))
    }

    @Test func quotedFieldsAfterTheFirstPieceAreReadAsOneReaderReadsThem() {
        // A quoted price on row 40,000, with a line feed inside the quotes of row 40,010's last field.
        var lines = Self.rowLines()
        lines[40_000] = lines[40_000].replacingOccurrences(of: ",12.50000000,", with: ",\"12.50000000\",")
        lines[40_010] = String(lines[40_010].dropLast()) + "\"a\nb\""
        let (two, one) = Self.bothWays(Self.text(lines))
        #expect(two == one)
        #expect(two.series?.count == Self.rows)
        // The row after the quoted line feed is on the line after it.
        #expect(two.lines.last == Int32(Self.rows + 1))
    }

    @Test func droppedRowsAreDroppedAsByOneReader() {
        var lines = Self.rowLines()
        lines[35_000] = "1579936800000,abc,101.0,99.0,100.0,1.0,1579936859999,1.0,1,1.0,1.0,0"
        var options = LoadOptions()
        options.dropInvalid = true
        let (two, one) = Self.bothWays(Self.text(lines), options: options)
        #expect(two == one)
        #expect(two.series?.count == Self.rows - 1)
        #expect(two.report.contains("\"invalidRowsDropped\":1"))
    }

    /// A seeded generator (SplitMix64), so that every run tests the same texts.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func smallPiecesGiveOneReadersResultOnRandomTextsWithFaults() {
        // 400 texts of 20-200 rows read in pieces of 40-400 bytes, so that rows, CRLF pairs,
        // blank lines and faults fall on every side of a boundary: each result (candles, lines,
        // report, or the refusal's words) must be one reader's.
        var random = SplitMix(state: 2026)
        var readByTwo = 0
        for trial in 0..<400 {
            let count = Int.random(in: 20...200, using: &random)
            var lines = (0..<count).map { Self.row($0, microseconds: false) }
            let fault = Int.random(in: 0..<14, using: &random)
            switch fault {
            case 0: lines[Int.random(in: 0..<count, using: &random)] = "1577836800000,1,0.5,2,1,1,0,0,0,0,0,0"  // high below low
            case 1: lines.swapAt(count / 2, count / 2 + 1)  // out of order
            case 2: lines.insert(lines[count / 3], at: count / 3 + 1)  // exact duplicate
            case 3: for k in (count / 2)..<count { lines[k] = Self.row(k, microseconds: true) }  // unit change
            case 4: lines[count - 1] = lines[count - 1].replacingOccurrences(of: ",12.50000000,", with: ",\"12.50000000\",")  // a quote
            case 5: for _ in 0..<5 { lines.insert("", at: Int.random(in: 0..<lines.count, using: &random)) }  // blank lines
            case 6: lines.insert("open_time,open,high,low,close,volume,close_time,qv,n,tb,tq,ignore", at: 0)  // header
            case 7: lines[Int.random(in: 0..<count, using: &random)] = "1577836800000,x,2,0.5,1,1,0,0,0,0,0,0"  // not a number
            // Faults at the tail a reader skips (the six fields after volume).
            case 9: for k in Set((0..<5).map { _ in Int.random(in: 0..<count, using: &random) }) {  // a row without a tail, one with an empty one
                    let fields = lines[k].split(separator: ",", omittingEmptySubsequences: false)
                    lines[k] = fields[0..<6].joined(separator: ",") + (k % 2 == 0 ? "" : ",")
                }
            case 10: lines[Int.random(in: 0..<count, using: &random)] = "1577836800000,100.0,101.0,99.0,100.0"  // too few fields
            case 11: for k in 0..<count where k % 3 == 0 { lines[k] = " " + lines[k].replacingOccurrences(of: ",", with: " , ") + " " }  // blanks around fields
            case 12: let k = Int.random(in: 0..<(count - 1), using: &random)  // a CR-only line end
                let next = lines.remove(at: k + 1)
                lines[k] += "\r" + next
            case 13: lines[Int.random(in: 0..<count, using: &random)] += ",,,x;y\tz"  // more fields, odd bytes in them
            default: break
            }
            let lineEnd = Bool.random(using: &random) ? "\n" : "\r\n"
            let bytes = Self.text(lines, lineEnd: lineEnd, finalLineEnd: Bool.random(using: &random))
            let pieceSize = Int.random(in: 40...400, using: &random)
            var options = LoadOptions()
            options.dropInvalid = Bool.random(using: &random)
            let two = Self.read(bytes, twoReaders: true, options: options, forcedPieceSize: pieceSize)
            let one = Self.read(bytes, twoReaders: false, options: options)
            #expect(two == one, "trial \(trial): \(count) rows, pieces of \(pieceSize) bytes")
            // Clean texts (no fault, blank lines, a header) in pieces longer than a row are read
            // by two readers, not handed back to one.
            if [5, 6, 8, 9, 13].contains(fault) && pieceSize >= 120 {
                #expect(Self.twoReadersKeep(bytes, pieceSize: pieceSize, options: options), "trial \(trial)")
                readByTwo += 1
            }
        }
        #expect(readByTwo > 50)
    }

    @Test func linesWithFieldsAfterTheLastOneReadHaveTheirTailsSkipped() {
        // A Binance row: the layout reads 6 fields; the close time and the 5 fields after it
        // ("1577836859999,1250.0,10,6.25,625.0,0", 36 bytes) are the tail.
        let binance = Self.text(Self.rowLines(200))
        let sixColumns = Self.text((0..<200).map { "\(1_577_836_800_000 + Int64($0) * 60_000),100.0,101.0,99.0,100.0,12.5" })
        for (bytes, tails) in [(binance, true), (sixColumns, false)] {
            bytes.withUnsafeBytes { raw in
                guard let layout = try? ColumnLayout.detect(bytes: raw, file: "big.csv", options: LoadOptions()) else {
                    Issue.record("no layout")
                    return
                }
                #expect(layout.fieldsNeeded == 6)
                #expect(TwoReaderPass.linesHaveTails(raw, layout: layout) == tails)
            }
        }
        // The tail of "a,b,c,d,e,f,g\r\n" after 6 fields starts at the sixth comma (offset 11);
        // a line with 5 commas, or with a CR before its end, has none to skip.
        for (line, expected) in [("a,b,c,d,e,f,g\r\n", 11), ("a,b,c,d,e,f\n", nil), ("a,b\rc,d,e,f,g\n", nil), (",,,,,,\n", 5)] as [(String, Int?)] {
            let bytes = Array(line.utf8)
            let start = bytes.withUnsafeBytes { raw in
                PieceReader.tailStart(raw.baseAddress!, from: 0, lineFeed: bytes.count - 1, fields: 6, separator: 44)
            }
            #expect(start == expected, "\(line.debugDescription)")
        }
    }

    /// Whether ``TwoReaderPass`` reads `bytes` in pieces of `pieceSize` without giving up.
    static func twoReadersKeep(_ bytes: [UInt8], pieceSize: Int, options: LoadOptions) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard let layout = try? ColumnLayout.detect(bytes: raw, file: "big.csv", options: options),
                  let outcome = try? TwoReaderPass.read(
                    head: UnsafeRawBufferPointer(rebasing: raw[layout.startOffset...]), headIsWhole: true, expectedRows: 256, file: "big.csv",
                    layout: layout, options: options, pieceSize: pieceSize, next: { () throws(CandleDataError) in UnsafeRawBufferPointer(start: nil, count: 0) }
                  )
            else { return false }
            if case .parsed = outcome { return true }
            return false
        }
    }

    /// Writes `bytes` to a new file and returns its path.
    static func write(_ bytes: [UInt8]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("two-readers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("big.csv").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aStreamedFileGivesWhatItsTextInMemoryGives() throws {
        for finalLineEnd in [true, false] {
            let bytes = Self.text(Self.rowLines(), lineEnd: "\r\n", finalLineEnd: finalLineEnd)
            let path = try Self.write(bytes)
            let chunks = try #require(try CandleLoader.plainTextChunks(path, options: LoadOptions()))
            let streamed = try CandleLoader.parse(chunks, options: LoadOptions())
            let one = Self.read(bytes, twoReaders: false)
            #expect(streamed.series == one.series)
            #expect(streamed.lines == one.lines)
        }
    }

    @Test func aStreamedFileWithALateRefusedRowIsReadAgainByOneReader() throws {
        var lines = Self.rowLines()
        lines[46_000] = "1580596800000,100.0,101.0,99.0,100.0,-1.0,1580596859999,1.0,1,1.0,1.0,0"
        let bytes = Self.text(lines)
        let path = try Self.write(bytes)
        let one = Self.read(bytes, twoReaders: false)
        #expect(one.refusal.contains("big.csv:46001,"))
        do {
            _ = try CandleLoader.load(paths: [path])
            Issue.record("a negative volume was loaded")
        } catch {
            #expect(error.description == one.refusal.replacingOccurrences(of: "big.csv", with: path))
        }
    }

    @Test func aStreamedFileReadAgainByOneReaderKeepsItsCache() throws {
        // A quote in the last piece sends the file to one reader after two read the first pieces:
        // the cache it writes must still stand for the whole file (its SHA-256).
        var lines = Self.rowLines()
        lines[47_000] = lines[47_000].replacingOccurrences(of: ",12.50000000,", with: ",\"12.50000000\",")
        let bytes = Self.text(lines)
        let path = try Self.write(bytes)
        let loaded = try CandleLoader.load(paths: [path], useCache: true)
        #expect(loaded.series.count == Self.rows)
        #expect(CandleCache.read(source: path, options: LoadOptions())?.series == loaded.series)
        // The cache header records the source's SHA-256 at bytes 24..<56.
        let cache = try Data(contentsOf: URL(fileURLWithPath: CandleCache.path(for: path)))
        #expect(Hex.lowercase(cache[24..<56]) == InputFile.sha256Hex(bytes))
    }
}
