import Foundation
import Testing

@testable import MarketData

/// Open times of a load in epoch seconds (expected values below were worked out with Python's
/// `datetime(..., tzinfo=timezone.utc).timestamp()`).
func seconds(_ loaded: LoadedCandles) -> [Int64] { loaded.series.openTimes.map { $0 / 1_000_000_000 } }

/// Layouts recognised by what the columns hold (SEMANTICS.md section 1), each over a small file.
@Suite struct LayoutInferenceTests {
    @Test func pandasIndexWithAnEmptyHeaderFieldIsTheTime() throws {
        let loaded = try load("""
            ,open,high,low,close,volume
            2024-01-01 00:00:00,100,101,99,100.5,3
            2024-01-01 01:00:00,100.5,102,100,101,4

            """)
        #expect(seconds(loaded) == [1_704_067_200, 1_704_070_800])
        #expect(loaded.series.closes == [100.5, 101])
        #expect(loaded.files[0].notices.contains { $0.reason.contains("pandas index") })
    }

    @Test(arguments: ["Gmt time", "Open Time", "DateTime", "timestamp", "Date", "<DATE>", "time_utc", "Datetime (UTC)"])
    func timeColumnIsFoundByAnyCommonSpelling(_ name: String) throws {
        let loaded = try load("\(name),Open,High,Low,Close,Volume\n2024-01-01T00:00:00Z,1,2,0.5,1.5,7\n2024-01-01T01:00:00Z,1.5,2,1,1.2,8\n")
        #expect(seconds(loaded) == [1_704_067_200, 1_704_070_800])
    }

    @Test func timeColumnWithAnUnknownNameIsFoundByItsValues() throws {
        let loaded = try load("""
            bar,close,low,symbol,high,open
            2024-01-01 00:00,1.5,0.5,BTC,2,1
            2024-01-01 01:00,1.2,1,BTC,2,1.5

            """)
        #expect(seconds(loaded) == [1_704_067_200, 1_704_070_800])
        // Prices found by name in any order.
        #expect(loaded.series.opens == [1, 1.5])
        #expect(loaded.series.highs == [2, 2])
        #expect(loaded.series.lows == [0.5, 1])
        #expect(loaded.series.closes == [1.5, 1.2])
        #expect(loaded.files[0].notices.contains { $0.reason.contains("column `bar` holds the open times") })
    }

    @Test func separateDateAndTimeColumnsAreJoined() throws {
        let loaded = try load("""
            Date,Time,Open,High,Low,Close,Volume
            2024-01-01,00:30,1,2,0.5,1.5,7
            2024-01-01,13:30,1.5,2,1,1.2,8

            """)
        #expect(seconds(loaded) == [1_704_069_000, 1_704_115_800])
        #expect(loaded.files[0].notices.contains { $0.reason.contains("joined") })
    }

    @Test func metaTraderFileWithSemicolonsDayFirstDatesAndATimeColumnLoads() throws {
        // The shape of ../shared/datasets/defects/metatrader.csv: no header, `;`, dd/mm/yyyy;HH:MM.
        let loaded = try load("23/05/2022;13:00;3970.0;3980.5;3963.75;3965.25;131081\n23/05/2022;14:00;3965.25;3975.5;3952.25;3972.0;252611")
        #expect(seconds(loaded) == [1_653_310_800, 1_653_314_400])
        #expect(loaded.series.volumes == [131_081, 252_611])
    }

    @Test func volumeIsOptionalAndSaidToBeAbsent() throws {
        let loaded = try load("time,open,high,low,close\n2024-01-01T00:00:00Z,1,2,0.5,1.5\n")
        #expect(loaded.series.volumes == [0])
        #expect(loaded.files[0].hasVolume == false)
        #expect(loaded.files[0].notices.contains { $0.reason == "no volume column: volume is 0 on every bar" })
    }

    @Test func bannerAndCommentLinesBeforeTheHeaderAreSkippedAndReported() throws {
        let loaded = try load("""
            # exported by some tool
            Data from an exchange, all rights reserved
            unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT
            1704067200,2024-01-01 00:00:00,BTCUSDT,1,2,0.5,1.5,7,10
            1704070800,2024-01-01 01:00:00,BTCUSDT,1.5,2,1,1.2,8,11

            """)
        #expect(seconds(loaded) == [1_704_067_200, 1_704_070_800])
        #expect(loaded.series.volumes == [7, 8])  // the base volume, the first `Volume ...` column
        let notices = loaded.files[0].notices
        #expect(notices.contains { $0.line == 1 && $0.reason.hasPrefix("2 line(s) before the header skipped") })
        #expect(notices.contains { $0.line == 3 && $0.reason == "line 3 taken as the header" })
    }

    @Test func aBannerBeforeAHeaderWhoseFirstColumnIsNotReadKeepsTheFirstRow() throws {
        // The first column (a symbol) is not read, and the banner has one field: it was once
        // taken for a blank line, so the header and the first data row were skipped in its stead.
        let loaded = try load("""
            https://www.CryptoDataDownload.com
            symbol,date,open,high,low,close,volume
            BTCUSDT,2024-01-01 00:00:00,1,2,0.5,1.5,7
            BTCUSDT,2024-01-01 01:00:00,1.5,2,1,1.2,8

            """)
        #expect(seconds(loaded) == [1_704_067_200, 1_704_070_800])
        #expect(loaded.files[0].rowsRead == 2)
    }

    @Test func aLineOfOneFieldAmongTheRowsIsRefusedWhicheverColumnsAreRead() {
        // It was skipped without a word when its one field was not in a column read.
        let error = loadError("""
            symbol,date,open,high,low,close,volume
            BTCUSDT,2024-01-01 00:00:00,1,2,0.5,1.5,7
            stray
            BTCUSDT,2024-01-01 01:00:00,1.5,2,1,1.2,8

            """)
        #expect(error?.problems.first?.line == 3)
        #expect(error?.problems.first?.reason == "1 field(s), expected at least 7")
    }

    @Test func crOnlyCrlfAndLfFilesGiveTheSameLineNumbersInMessages() {
        let rows = ["time,open,high,low,close,volume", "2024-01-01T00:00:00Z,1,2,0.5,1.5,7", "2024-01-01T01:00:00Z,1,0.5,2,1.5,7", "2024-01-01T02:00:00Z,1,2,0.5,1.5,7"]
        for end in ["\n", "\r\n", "\r"] {
            let error = loadError(rows.joined(separator: end) + end)
            #expect(error?.problems.first?.line == 3, "line end \(end.debugDescription)")
            #expect(error?.problems.first?.column == "high")
        }
    }

    @Test func crOnlyFileLoadsEveryRow() throws {
        let loaded = try load("time,open,high,low,close\r2024-01-01T00:00:00Z,1,2,0.5,1.5\r2024-01-01T01:00:00Z,1,2,0.5,1.5\r")
        #expect(loaded.series.count == 2)
    }

    @Test func forcedBinanceFormatReadsByPositionWhateverTheHeaderSays() throws {
        // The header's names are wrong for the data (open and close swapped): inference follows
        // the names, --format binance_kline the positions.
        let text = "a,close,high,low,open,volume\n1704067200000,1,2,0.5,1.5,7\n"
        let inferred = try load(text)
        let forced = try load(text, LoadOptions(format: .binanceKline))
        #expect(inferred.series.opens == [1.5])
        #expect(forced.series.opens == [1])
        #expect(forced.files[0].format == .binanceKline)
    }

    @Test func forcedHeaderFormatOnAHeaderlessFileIsRefusedSayingWhy() {
        let error = loadError("1704067200000,1,2,0.5,1.5,7\n", LoadOptions(format: .generic))
        #expect(error?.problems.first?.line == 1)
        #expect(error?.problems.first?.reason.contains("reads columns by their header names") == true)
        #expect(error?.advice.contains("leave --format out") == true)
    }
}

/// Case 20 of ../shared/cases: a byte-order mark before a headerless Binance file.
@Suite struct ByteOrderMarkTests {
    static let headerless = "\u{FEFF}1735689600000,100.00,100.50,99.80,100.20,12.0,1735689659999,1202.4,10,6.0,601.2,0\r\n"
        + "1735689660000,100.20,100.40,100.00,100.10,9.0,1735689719999,900.9,8,4.5,450.45,0\r\n"
        + "1735689720000,100.10,100.30,99.90,100.00,7.0,1735689779999,700.0,6,3.5,350.0,0\r\n"

    @Test func headerlessBinanceFileWithAByteOrderMarkLoadsThreeCandles() throws {
        let loaded = try load(Self.headerless)
        #expect(loaded.series.openTimes.map { UTCTime.iso8601(nanoseconds: $0) } == [
            "2025-01-01T00:00:00.000Z", "2025-01-01T00:01:00.000Z", "2025-01-01T00:02:00.000Z",
        ])
        #expect(loaded.series.intervalNanoseconds == 60_000_000_000)
        #expect(loaded.files[0].timestampUnit == "ms")
        #expect(loaded.files[0].defects.isEmpty)
        #expect(loaded.series.opens[0] == 100.00)
    }

    @Test func headedFileWithAByteOrderMarkStillLoads() throws {
        let loaded = try load("\u{FEFF}timestamp,open,high,low,close,volume\r\n2025-01-01T00:00:00Z,100,100.5,99.8,100.2,12\r\n2025-01-01T00:01:00Z,100.2,100.4,100,100.1,9\r\n")
        #expect(seconds(loaded) == [1_735_689_600, 1_735_689_660])
    }

    @Test func byteOrderMarkKeepsLineNumbers() {
        let error = loadError("\u{FEFF}timestamp,open,high,low,close\n2025-01-01T00:00:00Z,1,2,0.5,1.5\n2025-01-01T00:01:00Z,1,0.5,2,1.5\n")
        #expect(error?.problems.first?.line == 3)
    }

    static let sharedCase = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/cases")
    static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: sharedCase.path) }

    @Test(.enabled(if: sharedAvailable, Comment(rawValue: sharedSkipMessage)))
    func sharedCase20FilesLoad() throws {
        let folder = Self.sharedCase.appendingPathComponent("20-byte-order-mark-without-header").path
        let loaded = try CandleLoader.load(paths: [folder + "/candles.csv"])
        #expect(loaded.series.count == 3)
        #expect(UTCTime.iso8601(nanoseconds: loaded.series.openTimes[0]) == "2025-01-01T00:00:00.000Z")
        #expect(loaded.files[0].defects.isEmpty)
        #expect(try CandleLoader.load(paths: [folder + "/with-header-bom.csv"]).series.count >= 2)
    }
}
