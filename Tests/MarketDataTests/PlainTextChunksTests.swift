import Foundation
import Testing

@testable import MarketData

/// Plain candle files are read from disk in chunks of ``PlainTextChunks/chunkSize`` (2 MiB),
/// never whole: these files are larger than a chunk, so rows, line ends and the date-order
/// decision cross chunk boundaries.
@Suite struct PlainTextChunksTests {
    static let chunk = PlainTextChunks.chunkSize

    /// Writes `text` to a new file and returns its path.
    func write(_ text: String, name: String = "candles.csv") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Binance-layout rows: minute `i` opens at 2020-01-01T00:00Z + i minutes, every price is
    /// 100 + (i mod 50), high one more, low one less.
    func binanceRows(_ count: Int, lineEnd: String = "\n") -> String {
        var text = ""
        text.reserveCapacity(count * 90)
        for i in 0..<count {
            let ms = 1_577_836_800_000 + Int64(i) * 60_000
            let p = 100 + i % 50
            text += "\(ms),\(p).00000000,\(p + 1).00000000,\(p - 1).00000000,\(p).00000000,12.50000000,\(ms + 59_999),1250.0,10,6.25,625.0,0\(lineEnd)"
        }
        return text
    }

    @Test func aFileOfSeveralChunksLoadsTheSameCandlesAsFromMemory() throws {
        let rows = 100_000  // about 9 MB: five chunks
        let text = binanceRows(rows)
        #expect(text.utf8.count > 4 * Self.chunk)
        let path = try write(text)
        let fromFile = try CandleLoader.load(paths: [path])
        #expect(fromFile.series.count == rows)
        // 2020-01-01T00:00Z is 1,577,836,800 s; the last row opens 99,999 minutes later.
        #expect(fromFile.series.openTimes[0] == Int64(1_577_836_800) * 1_000_000_000)
        #expect(fromFile.series.openTimes[rows - 1] == Int64(1_577_836_800 + 99_999 * 60) * 1_000_000_000)
        #expect(fromFile.series.closes[99_999] == Double(100 + 99_999 % 50))
        #expect(fromFile.series.intervalNanoseconds == Int64(60_000_000_000))
        let fromMemory = try CandleLoader.load(bytes: Array(text.utf8), file: path)
        #expect(fromFile.series == fromMemory.series)
    }

    @Test func aBadRowAfterTheFirstChunkIsNamedByItsLine() throws {
        var lines = binanceRows(60_000).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Line 50,000 (far past the first 2 MiB, at about 90 bytes a line) gets a letter O in its high.
        var fields = lines[49_999].split(separator: ",").map(String.init)
        fields[2] = "1O5.00000000"
        lines[49_999] = fields.joined(separator: ",")
        let path = try write(lines.joined(separator: "\n"))
        #expect(throws: CandleDataError.self) { try CandleLoader.load(paths: [path]) }
        do {
            _ = try CandleLoader.load(paths: [path])
        } catch {
            #expect(error.problems.first?.line == 50_000)
            #expect(error.problems.first?.column == "high")
        }
    }

    @Test func aCRLFSplitBetweenTwoChunksEndsOneLine() throws {
        // A 33-byte header line (31 characters and CRLF), then rows of 58 characters and CRLF:
        // the first chunk ends 2 MiB - 33 = 60 x 34,951 + 59 bytes into the rows, right after
        // the CR of row 34,952, whose LF opens the second chunk.
        let header = "time,open,high,low,close,volume\r\n"
        #expect(header.utf8.count == 33)
        var text = header
        let rows = 40_000
        for i in 0..<rows {
            let seconds = 1_577_836_800 + i * 60
            // `1577836800,100.000,101.000,99.0000,100.000,1.0000000000000` is 58 characters.
            text += "\(seconds),100.000,101.000,99.0000,100.000,1.0000000000000\r\n"
        }
        let bytes = Array(text.utf8)
        #expect(bytes[Self.chunk - 1] == 13 && bytes[Self.chunk] == 10)
        let path = try write(text)
        let loaded = try CandleLoader.load(paths: [path])
        #expect(loaded.series.count == rows)
        #expect(loaded.series.openTimes[rows - 1] == Int64(1_577_836_800 + (rows - 1) * 60) * 1_000_000_000)

        // A bad row after the split is named by its physical line: row k is on line k + 1.
        var broken = bytes
        let row35000 = 33 + 60 * 34_999  // row 35,000 (line 35,001) starts here
        broken[row35000 + 11] = UInt8(ascii: "x")  // the first digit of its open
        let brokenPath = try write(String(decoding: broken, as: UTF8.self))
        do {
            _ = try CandleLoader.load(paths: [brokenPath])
            Issue.record("a row whose open is not a number must be refused")
        } catch {
            #expect(error.problems.first?.line == 35_001)
            #expect(error.problems.first?.column == "open")
        }
    }

    @Test func aDayFirstDecisionPastTheFirstChunkReadsTheWholeFileDayFirst() throws {
        // Minute bars from 01/01/2020 00:00 to 13/01/2020 00:00 written day-first: every date up
        // to the 12th also reads month-first, so only the last row (past the first 2 MiB, thanks
        // to a wide comment column) decides day-first, and the file is read again that way.
        let note = String(repeating: "n", count: 120)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = "Date,Open,High,Low,Close,Volume,Note\n"
        let rows = 12 * 1_440 + 1
        for i in 0..<rows {
            let day = 1 + i / 1_440, minute = i % 1_440
            text += "\(two(day))/01/2020 \(two(minute / 60)):\(two(minute % 60)),1,2,0.5,1.5,7,\(note)\n"
        }
        #expect(text.utf8.count > Self.chunk + 100_000)
        let path = try write(text)
        let loaded = try CandleLoader.load(paths: [path])
        #expect(loaded.series.count == rows)
        #expect(loaded.files[0].timeFormat == "text (dmy)")
        // 2020-01-02T00:00Z (row 1,440) is 1,577,923,200 s; 2020-01-13T00:00Z is 1,578,873,600 s.
        #expect(loaded.series.openTimes[1_440] == 1_577_923_200 * 1_000_000_000)
        #expect(loaded.series.openTimes[rows - 1] == Int64(1_578_873_600) * 1_000_000_000)
    }

    @Test func aGzipFileNamedCsvIsExpandedNotReadAsText() throws {
        // `printf '1577836800,1,2,0.5,1.5,7\n' | gzip -n -9`: gzip's magic number 1f 8b leads.
        let gzip: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x33, 0x34, 0x35, 0x37, 0xb7, 0x30,
            0x36, 0xb3, 0x30, 0x30, 0xd0, 0x31, 0xd4, 0x31, 0xd2, 0x31, 0xd0, 0x33, 0xd5, 0x31, 0x04, 0x62,
            0x73, 0x2e, 0x00, 0xca, 0x08, 0x9b, 0x22, 0x19, 0x00, 0x00, 0x00,
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("candles.csv").path
        try Data(gzip).write(to: URL(fileURLWithPath: path))
        let loaded = try CandleLoader.load(paths: [path])
        #expect(loaded.series.openTimes == [1_577_836_800 * 1_000_000_000])
        #expect(loaded.series.closes == [1.5])
    }
}
