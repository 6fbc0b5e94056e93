import Foundation
import Testing

@testable import MarketData

/// Messages that help: rows failing one way are told once with the fix that works for them,
/// and no advice is given that cannot help.
@Suite struct RefusalMessageTests {
    @Test func manyRowsFailingTheSameWayAreOneSentenceWithTheirCount() throws {
        var text = "time,open,high,low,close\n"
        for hour in 0..<30 { text += "Jan 5 2020 \(hour % 24)h,1,2,0.5,1.5\n" }
        let error = try #require(loadError(text))
        #expect(error.problems.count == 1)
        let problem = error.problems[0]
        #expect(problem.file == "case.csv")
        #expect(problem.line == 2)
        #expect(problem.column == "time")
        #expect(problem.reason.hasPrefix("`Jan 5 2020 0h` is not a time"))
        #expect(problem.reason.hasSuffix("29 more row(s) fail the same way (lines 3, 4, 5, 6, 7, ...)"))
        #expect(error.advice.contains("--time-format"))
        // Every row is invalid: dropping them cannot help, so it is not suggested.
        #expect(!error.advice.contains("--drop-invalid"))
    }

    @Test func aLineEndInsideAQuotedFieldCountsAsALineInMessages() throws {
        // Line 2's note holds an LF and line 4's a CRLF, both quoted: the row with an empty high
        // starts on line 6.
        let text = "time,open,high,low,close,note\n2024-01-01T00:00:00Z,1,2,0.5,1.5,\"first\nsecond\"\n2024-01-01T01:00:00Z,1,2,0.5,1.5,\"a\r\nb\"\n2024-01-01T02:00:00Z,1,,0.5,1.5,x\n"
        let error = try #require(loadError(text))
        #expect(error.problems.map(\.description) == ["case.csv:6, column high: empty field"])
    }

    @Test func dropInvalidIsSuggestedOnlyWhenSomeRowsAreValid() throws {
        let error = try #require(loadError("time,open,high,low,close\n2024-01-01T00:00:00Z,1,2,0.5,1.5\n2024-01-01T01:00:00Z,1,,0.5,1.5\n"))
        #expect(error.problems.map(\.description) == ["case.csv:3, column high: empty field"])
        #expect(error.advice == "Fix these rows, or pass --drop-invalid to drop each invalid row (counted and reported).")
    }

    @Test func everyRowInvalidUnderDropInvalidSaysSoAndWhatToCheck() throws {
        // The GoCryptoTrader shape: t,volume,open,high,low,close without a header.
        let text = "1546300800,23741.687033,3701.23,3797.14,3642,3797.14\n1546387200,35156.463369,3796.45,3858.56,3750.45,3858.56\n"
        let error = try #require(loadError(text, LoadOptions(dropInvalid: true)))
        #expect(error.problems.first?.line == 1)
        #expect(error.advice.hasPrefix("Every one of the 2 data rows is invalid, so --drop-invalid leaves no candles."))
        #expect(error.advice.contains("check the column order"))
        #expect(!error.advice.contains("--format"))
    }

    @Test func headerNamingFewerColumnsThanTheRowsIsRefusedNamingTheUnnamedTime() throws {
        // The backtrader shape: Date,Open,... over rows `date,time,open,...`.
        let error = try #require(loadError("Date,Open,High,Low,Close,Volume,OpenInterest\r\n2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0\r\n"))
        #expect(error.problems.first?.line == 2)
        #expect(error.problems.first?.reason.contains("names 7 columns but line 2 has 8 fields") == true)
        #expect(error.problems.first?.reason.contains("`09:01:00`, is a time of day with no name") == true)
    }

    @Test func headerWithoutATimeColumnSaysWhichNamesAreRead() throws {
        let error = try #require(loadError("a,open,high,low,close\nx,1,2,0.5,1.5\n"))
        #expect(error.problems.first?.line == 1)
        #expect(error.problems.first?.reason.contains("has no column for time") == true)
        #expect(error.advice.contains("Name the columns in the header"))
        #expect(!error.advice.contains("--format"))
    }

    @Test func calendarFaultsInADayFirstFileSuggestTheOtherOrder() throws {
        let error = try #require(loadError("Date,open,high,low,close\n13/01/2024,1,2,0.5,1.5\n31/02/2024,1,2,0.5,1.5\n"))
        #expect(error.problems.first?.line == 3)
        #expect(error.problems.first?.reason == "`31/02/2024` is not a date (February 2024 has 29 days)")
        #expect(error.advice.contains("These dates or times do not exist as read day-first"))
    }

    @Test func datesMixingBothOrdersAreRefusedNamingBothLines() throws {
        let error = try #require(loadError("Date,open,high,low,close\n13/01/2024,1,2,0.5,1.5\n01/14/2024,1,2,0.5,1.5\n"))
        #expect(error.problems.first?.line == 3)
        #expect(error.problems.first?.reason.contains("(line 2) can only be day-first") == true)
        #expect(error.problems.first?.reason.contains("(line 3) only month-first") == true)
    }
}

/// `--interval` for files that omit empty bars.
@Suite struct GivenIntervalTests {
    static let sparse = """
        time,open,high,low,close
        2024-01-01T00:00:00Z,1,2,0.5,1.5
        2024-01-01T00:30:00Z,1,2,0.5,1.5
        2024-01-01T01:00:00Z,1,2,0.5,1.5
        2024-01-01T01:15:00Z,1,2,0.5,1.5

        """

    @Test func givenIntervalReplacesTheMostCommonSpacingAndCountsGaps() throws {
        let inferred = try load(Self.sparse)
        #expect(inferred.series.intervalNanoseconds == 1_800_000_000_000)
        let given = try load(Self.sparse, LoadOptions(interval: 900_000_000_000))
        #expect(given.series.intervalNanoseconds == 900_000_000_000)
        #expect(given.files[0].gaps == 2)  // 30-minute spacings skip one 15-minute bar each
        #expect(given.files[0].intervalGiven)
    }

    @Test func barsCloserThanTheGivenIntervalAreRefusedNamingTheLine() throws {
        let error = try #require(loadError(Self.sparse, LoadOptions(interval: 1_800_000_000_000)))
        #expect(error.problems.first?.line == 5)
        #expect(error.problems.first?.reason.contains("is 15 min after line 4's, less than --interval 30 min") == true)
    }
}
