import Foundation
import Testing

@testable import MarketData

func load(_ text: String, _ options: LoadOptions = LoadOptions(), file: String = "case.csv") throws -> LoadedCandles {
    try CandleLoader.load(bytes: Array(text.utf8), file: file, options: options)
}

func loadError(_ text: String, _ options: LoadOptions = LoadOptions()) -> CandleDataError? {
    do {
        _ = try load(text, options)
        return nil
    } catch {
        return error as? CandleDataError
    }
}

/// Cases 01-05 of `../shared/cases`, with their exact lines and values.
@Suite struct LoaderCaseTests {
    // MARK: 01 Binance switch from milliseconds to microseconds

    static let case01 = """
        1735689540000,100.00,100.50,99.80,100.20,12.0,1735689599999,1202.4,10,6.0,601.2,0
        1735689600000000,100.20,100.40,100.00,100.10,9.0,1735689659999999,900.9,8,4.5,450.45,0
        1735689660000000,100.10,100.30,99.90,100.00,7.0,1735689719999999,700.0,6,3.5,350.0,0

        """

    @Test func binanceFileSpanningTheMicrosecondSwitchLoadsAsOneSeries() throws {
        let loaded = try load(Self.case01)
        #expect(loaded.series.openTimes.map { UTCTime.iso8601(nanoseconds: $0) } == [
            "2024-12-31T23:59:00.000Z", "2025-01-01T00:00:00.000Z", "2025-01-01T00:01:00.000Z",
        ])
        #expect(loaded.series.intervalNanoseconds == 60_000_000_000)
        let report = loaded.files[0]
        #expect(report.format == .binanceKline)
        #expect(report.gaps == 0)
        #expect(report.timestampUnit == "mixed")
        #expect(report.unitChanges == [UnitChange(line: 2, from: .milliseconds, to: .microseconds)])
    }

    @Test func forcingMillisecondsRejectsTheMicrosecondLine() {
        let error = loadError(Self.case01, LoadOptions(timestampUnit: .milliseconds))
        #expect(error?.problems.first?.line == 2)
        #expect(error?.problems.first?.column == "open_time")
        #expect(error?.problems.count == 2)
    }

    // MARK: 02 header or not

    static let rows02 = """
        1698364800000,100.00,101.00,99.50,100.50,10.0,1698368399999,1005.0,12,5.0,502.5,0
        1698368400000,100.50,102.00,100.00,101.50,11.0,1698371999999,1116.5,14,5.5,558.25,0
        1698372000000,101.50,101.80,100.90,101.00,9.0,1698375599999,909.0,10,4.5,454.5,0

        """

    @Test func binanceFilesLoadTheSameWithAndWithoutAHeader() throws {
        let plain = try load(Self.rows02)
        let headed = try load("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n" + Self.rows02)
        #expect(plain.series.count == 3)
        #expect(plain.series == headed.series)
        #expect(UTCTime.iso8601(nanoseconds: plain.series.openTimes[0]) == "2023-10-27T00:00:00.000Z")
        #expect(plain.series.opens[0] == 100.00)
        #expect(headed.files[0].format == .binanceKline)
    }

    // MARK: 03 unsorted and duplicate rows

    static let case03 = """
        timestamp,open,high,low,close,volume
        2024-01-03T00:00:00Z,102,104,101,103,10
        2024-01-01T00:00:00Z,100,101,99,100,10
        2024-01-02T00:00:00Z,100,103,99,102,10
        2024-01-04T00:00:00Z,103,105,102,104,10
        2024-01-04T00:00:00Z,103,105,102,104,10

        """

    @Test func outOfOrderFileIsRefusedNamingTheFirstEarlierLine() {
        let error = loadError(Self.case03)
        #expect(error?.problems.first?.line == 3)
        #expect(error?.problems.first?.reason.contains("earlier than line 2") == true)
        #expect(error?.description.contains("--sort") == true)
    }

    @Test func sortOptionSortsAndDropsTheExactDuplicate() throws {
        let loaded = try load(Self.case03, LoadOptions(sort: true))
        #expect(loaded.series.count == 4)
        #expect(loaded.files[0].duplicatesDropped == 1)
        #expect(loaded.files[0].defects.contains { $0.line == 6 && $0.reason.contains("exact duplicate of line 5") })
        let handSorted = try load("""
            timestamp,open,high,low,close,volume
            2024-01-01T00:00:00Z,100,101,99,100,10
            2024-01-02T00:00:00Z,100,103,99,102,10
            2024-01-03T00:00:00Z,102,104,101,103,10
            2024-01-04T00:00:00Z,103,105,102,104,10
            """)
        #expect(loaded.series == handSorted.series)
        #expect(loaded.series.opens[0] == 100)
    }

    @Test func conflictingRowsWithOneTimeAreAnErrorNamingBothLines() {
        let error = loadError("""
            timestamp,open,high,low,close,volume
            2024-01-01T00:00:00Z,100,101,99,100,10
            2024-01-02T00:00:00Z,100,103,99,102,10
            2024-01-02T00:00:00Z,101,103,99,102,10
            """, LoadOptions(sort: true, dropInvalid: true))
        #expect(error?.problems.first?.line == 4)
        #expect(error?.problems.first?.reason.contains("also on line 3 with different values") == true)
    }

    // MARK: 04 impossible candle

    @Test func highBelowLowStopsTheLoadNamingLineAndColumn() {
        let error = loadError("""
            timestamp,open,high,low,close,volume
            2024-10-28T16:00:00Z,88.840,88.855,88.840,88.840,1773
            2024-10-28T16:01:00Z,88.830,88.860,88.820,88.820,4047
            2024-10-28T16:02:00Z,88.815,88.815,88.780,88.790,1179
            2024-10-28T16:03:00Z,88.790,88.820,88.790,88.800,1504
            2024-10-28T16:04:00Z,88.800,88.830,88.795,88.830,3499
            2024-10-28T16:05:00Z,88.830,88.780,88.820,88.830,1200
            """)
        #expect(error?.problems.count == 1)
        #expect(error?.problems.first?.line == 7)
        #expect(error?.problems.first?.column == "high")
        #expect(error?.problems.first?.reason == "high 88.780 is below low 88.820, open 88.830, close 88.830")
    }

    // MARK: 05 empty fields

    static let case05 = """
        timestamp,open,high,low,close,volume
        2024-05-01T00:00:00Z,100,101,99,100.5,5
        2024-05-01T01:00:00Z,100.5,101,98,98.5,4
        2024-05-01T02:00:00Z,98.5,99,,97,6
        2024-05-01T03:00:00Z,,98,96,97.5,5
        2024-05-01T04:00:00Z,97.5,98,94,96,5
        """

    @Test func emptyFieldsAreAllNamedInOneMessage() {
        let error = loadError(Self.case05)
        #expect(error?.problems.map(\.line) == [4, 5])
        #expect(error?.problems.map(\.column) == ["low", "open"])
        #expect(error?.problems.allSatisfy { $0.reason == "empty field" } == true)
        #expect(error?.description.contains("--drop-invalid") == true)
    }

    @Test func dropInvalidDropsAndReportsTheRowsAndLeavesTheGap() throws {
        let loaded = try load(Self.case05, LoadOptions(dropInvalid: true))
        #expect(loaded.series.count == 3)
        #expect(loaded.files[0].invalidRowsDropped == 2)
        #expect(loaded.files[0].gaps == 1)
        #expect(loaded.files[0].largestGapSeconds == 10_800.0)
        #expect(loaded.series.lows == [99, 98, 94])
    }
}

@Suite struct TimestampTests {
    @Test func unitIsDetectedFromMagnitude() {
        #expect(TimestampUnit.detect(magnitude: 1_700_000_000) == .seconds)
        #expect(TimestampUnit.detect(magnitude: 1_700_000_000_000) == .milliseconds)
        #expect(TimestampUnit.detect(magnitude: 1_700_000_000_000_000) == .microseconds)
        #expect(TimestampUnit.detect(magnitude: 1_700_000_000_000_000_000) == .nanoseconds)
    }

    @Test func isoTextWithOffsetsAndFractionsParses() {
        // 2022-05-02T23:00:00Z = 1651532400 s
        #expect(UTCTime.parse("2022-05-03 00:00:00+01:00") == Int64(1_651_532_400_000_000_000))
        #expect(UTCTime.parse("2022-05-02T23:00:00Z") == Int64(1_651_532_400_000_000_000))
        #expect(UTCTime.parse("2022-05-02 23:00") == Int64(1_651_532_400_000_000_000))
        #expect(UTCTime.parse("2022-05-02") == Int64(1_651_449_600_000_000_000))
        #expect(UTCTime.parse("2021-12-31 23:01:00.250000") == Int64(1_640_991_660_250_000_000))
        #expect(UTCTime.parse("3/11/2020") == nil)
    }

    @Test func decimalFastPathAgreesWithStrtod() {
        for text in ["0.00002853", "88.780", "100", "-3.5", "29374.99", "1e3", "0.1", "123456789012345.6", "1.70027E+12"] {
            #expect(DecimalParser.parse(text) == strtod(text, nil), "\(text)")
        }
        #expect(DecimalParser.parse("") == nil)
        #expect(DecimalParser.parse("NULL") == nil)
        #expect(DecimalParser.parse("1.2.3") == nil)
    }
}

@Suite struct DecimalParserPropertyTests {
    /// Seeded decimal texts of every shape the fast path takes or refuses, against `strtod`.
    @Test func agreesWithStrtodOnSeededDecimals() {
        var state: UInt64 = 99
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 17
        }
        for _ in 0..<20_000 {
            let integerDigits = Int(next() % 12)
            let fractionDigits = Int(next() % 14)
            var text = next() % 5 == 0 ? "-" : ""
            for _ in 0..<max(integerDigits, 1) { text += String(next() % 10) }
            if fractionDigits > 0 {
                text += "."
                for _ in 0..<fractionDigits { text += String(next() % 10) }
            }
            #expect(DecimalParser.parse(text) == strtod(text, nil), "\(text)")
        }
    }
}

@Suite struct LoaderRefusalTests {
    @Test func folderHeaderOnlyAndEmptyFilesAreRefusedWithAReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-refusals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let headerOnly = folder.appendingPathComponent("header.csv").path
        try "timestamp,open,high,low,close,volume\n".write(toFile: headerOnly, atomically: true, encoding: .utf8)
        let empty = folder.appendingPathComponent("empty.csv").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        for (path, reason) in [(folder.path, "is a folder, not a file"), (headerOnly, "no data rows after its header"), (empty, "the file holds no rows"),
                               (folder.appendingPathComponent("missing.csv").path, "no such file")] {
            do {
                _ = try CandleLoader.load(paths: [path])
                Issue.record("\(path) must be refused")
            } catch {
                #expect(error.description.contains(reason), "\(error)")
            }
        }
    }
}
