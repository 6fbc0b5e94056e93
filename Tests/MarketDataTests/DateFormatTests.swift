import Foundation
import Testing

@testable import MarketData

/// Date forms decided per file from its values (SEMANTICS.md section 1), each over a small file.
/// Expected epoch seconds come from Python's `datetime(..., tzinfo=timezone.utc).timestamp()`.
@Suite struct DateFormatTests {
    func file(_ times: [String], header: String = "time") -> String {
        "\(header),open,high,low,close,volume\n" + times.map { "\($0),1,2,0.5,1.5,1\n" }.joined()
    }

    @Test func isoAndSpaceSeparatedTextWithFractionsAndOffsets() throws {
        #expect(seconds(try load(file(["2024-01-01T00:00:00Z", "2024-01-01T01:00:00.000+00:00"]))) == [1_704_067_200, 1_704_070_800])
        #expect(seconds(try load(file(["2024-01-01 00:00", "2024-01-01 01:00:00.5"]))).first == 1_704_067_200)
        #expect(seconds(try load(file(["2024-01-01 02:00:00+02:00", "2024-01-01 01:00:00Z"]))) == [1_704_067_200, 1_704_070_800])
    }

    @Test func dukascopyDayFirstDotsAreDecidedByLaterValues() throws {
        // Every value of the first days is ambiguous (day <= 12); 13.01.2017 decides day-first.
        // Hourly bars: the first 64 lines (the sample) are all ambiguous, so the full pass decides.
        var times: [String] = []
        for day in 1...13 { for hour in 0..<24 { times.append(String(format: "%02d.01.2017 %02d:00:00.000", day, hour)) } }
        let loaded = try load(file(times, header: "Gmt time"))
        #expect(seconds(loaded).first == 1_483_228_800)  // 2017-01-01 00:00 UTC
        let lastBar: Int64 = 1_483_228_800 + 12 * 86_400 + 23 * 3600  // 2017-01-13 23:00 UTC
        #expect(seconds(loaded).last == lastBar)
        #expect(loaded.series.intervalNanoseconds == 3_600_000_000_000)
        #expect(loaded.files[0].gaps == 0)
        #expect(loaded.files[0].timeFormat == "text (dmy)")
    }

    @Test func monthFirstSlashesAreDecidedByTheValues() throws {
        let loaded = try load(file(["03/04/2024", "03/13/2024"], header: "Date"))
        #expect(seconds(loaded) == [1_709_510_400, 1_710_288_000])  // 2024-03-04, 2024-03-13
    }

    @Test func dayFirstWithDashes() throws {
        let loaded = try load(file(["04-03-2024 13:45", "13-03-2024 00:00"], header: "Date"))
        #expect(seconds(loaded) == [1_709_559_900, 1_710_288_000])  // 2024-03-04 13:45, 2024-03-13
    }

    @Test func ambiguousDatesAreRefusedWithTheFix() throws {
        let error = try #require(loadError(file(["11/5/2019 9:30", "11/6/2019 9:30"], header: "Date")))
        #expect(error.problems.first?.file == "case.csv")
        #expect(error.problems.first?.line == 2)
        #expect(error.problems.first?.column == "date")
        #expect(error.problems.first?.reason.contains("fit both day-first and month-first") == true)
        #expect(error.advice.contains("--date-order dmy") && error.advice.contains("--date-order mdy"))
        // The fix works.
        let mdy = try load(file(["11/5/2019 9:30", "11/6/2019 9:30"], header: "Date"), LoadOptions(dateOrder: .mdy))
        #expect(seconds(mdy).first == 1_572_946_200)  // 2019-11-05 09:30
    }

    @Test func twelveHourTimesWithAmPm() throws {
        let loaded = try load(file(["2024-01-01 12:15 AM", "2024-01-01 12:15 PM", "2024-01-01 1:30 PM"]))
        #expect(seconds(loaded) == [1_704_068_100, 1_704_111_300, 1_704_115_800])
    }

    @Test func yyyymmddIntegersAndDecimalsAreDatesNeverEpochSeconds() throws {
        let integers = try load(file(["20040817", "20040818"], header: "Date"))
        #expect(seconds(integers) == [1_092_700_800, 1_092_787_200])
        #expect(integers.files[0].timeFormat == "YYYYMMDD")
        let decimals = try load(file(["20040817.0", "20040818.0"], header: "Date"))
        #expect(seconds(decimals) == [1_092_700_800, 1_092_787_200])
    }

    @Test func epochUnitsAreDetectedPerValueAsBefore() throws {
        let loaded = try load(file(["1704067200", "1704070800000", "1704074400000000"]))
        #expect(seconds(loaded) == [1_704_067_200, 1_704_070_800, 1_704_074_400])
        #expect(loaded.files[0].unitChangeCount == 2)
    }

    @Test func timeFormatPatternForcesTheReading() throws {
        let pattern = try TimePattern("%d-%b-%Y %H:%M")
        let loaded = try load(file(["01-Jan-2024 00:00", "01-Jan-2024 01:00"], header: "when"), LoadOptions(timeFormat: pattern))
        #expect(seconds(loaded) == [1_704_067_200, 1_704_070_800])
        // A named time column with a value in another form: refused naming its line.
        let error = loadError(file(["01-Jan-2024 00:00", "2024-01-01 01:00"], header: "time"), LoadOptions(timeFormat: pattern))
        #expect(error?.problems.first?.line == 3)
        #expect(error?.problems.first?.reason == "`2024-01-01 01:00` does not match --time-format `%d-%b-%Y %H:%M`")
    }

    @Test func unknownDirectivesInTimeFormatAreRefused() {
        #expect(throws: TimePatternError.self) { try TimePattern("%Q") }
        #expect(throws: TimePatternError.self) { try TimePattern("%H:%M") }
    }
}

/// Case 22 of ../shared/cases and the calendar checks behind it.
@Suite struct ImpossibleDateTests {
    static let feb29 = """
        timestamp,open,high,low,close,volume
        2023-02-27,100,101,99,100,1
        2023-02-28,100,102,99,101,1
        2023-02-29,101,103,100,102,1
        2023-03-02,102,104,101,103,1

        """
    static let hour24 = """
        timestamp,open,high,low,close,volume
        2023-02-27T22:00:00Z,100,101,99,100,1
        2023-02-27T23:00:00Z,100,102,99,101,1
        2023-02-27T24:30:00Z,101,103,100,102,1
        2023-02-28T01:00:00Z,102,104,101,103,1

        """

    @Test func february29OfACommonYearIsRefusedNamingTheLine() throws {
        let error = try #require(loadError(Self.feb29))
        #expect(error.problems.count == 1)
        #expect(error.problems[0].description == "case.csv:4, column timestamp: `2023-02-29` is not a date (February 2023 has 28 days)")
        #expect(error.advice.contains("--drop-invalid"))
    }

    @Test func hour24WithMinutesIsRefusedNamingTheLine() throws {
        let error = try #require(loadError(Self.hour24))
        #expect(error.problems.count == 1)
        #expect(error.problems[0].description == "case.csv:4, column timestamp: `2023-02-27T24:30:00Z` is not a time (hour 24 only as 24:00:00)")
    }

    @Test func dropInvalidGivesCase22sCandlesAndGaps() throws {
        let feb = try load(Self.feb29, LoadOptions(dropInvalid: true))
        #expect(seconds(feb) == [1_677_456_000, 1_677_542_400, 1_677_715_200])
        #expect(feb.files[0].invalidRowsDropped == 1)
        #expect(feb.files[0].gaps == 1)
        #expect(feb.files[0].largestGapSeconds == 172_800)  // 02-28 -> 03-02
        let hour = try load(Self.hour24, LoadOptions(dropInvalid: true))
        #expect(seconds(hour) == [1_677_535_200, 1_677_538_800, 1_677_546_000])
        #expect(hour.series.intervalNanoseconds == 3_600_000_000_000)
        #expect(hour.files[0].gaps == 1)
        #expect(hour.files[0].largestGapSeconds == 7200)
    }

    @Test(arguments: [
        ("2023-13-01", "not a date (month 13)"),
        ("2024-04-31", "not a date (April 2024 has 30 days)"),
        ("2023-01-01 23:60", "not a time (minute 60)"),
        ("2023-01-01 25:00", "not a time (hour 25)"),
        ("2023-01-01 13:00 PM", "not a time (hour 13 with AM/PM, which needs 1 to 12)"),
    ])
    func impossibleDatesAndTimesAreRefusedWithTheirReason(_ value: String, _ reason: String) throws {
        let error = try #require(loadError("time,open,high,low,close\n2023-01-01 00:00,1,2,0.5,1.5\n\(value),1,2,0.5,1.5\n"))
        #expect(error.problems.first?.line == 3)
        #expect(error.problems.first?.column == "time")
        #expect(error.problems.first?.reason == "`\(value)` is \(reason)")
    }

    @Test func leapDayOfALeapYearAndMidnightAs24AreAccepted() throws {
        let loaded = try load("time,open,high,low,close\n2024-02-29,1,2,0.5,1.5\n2024-02-29T24:00:00Z,1,2,0.5,1.5\n")
        #expect(seconds(loaded) == [1_709_164_800, 1_709_251_200])  // 2024-02-29, 2024-03-01
    }
}

/// Issue: times outside 1970-01-02 .. 2200-01-01 trapped on an overflow (exit 132); every
/// format and unit now refuses them naming the line.
@Suite struct ImplausibleTimeTests {
    @Test(arguments: ["0001-01-01", "9999-12-31", "2262-04-12", "1677-01-01T00:00:00Z", "99991231", "01/01/0001", "9999999999999999999", "-9223372036854775808", "1e300"])
    func timesOutsideThePlausibleRangeAreRefusedWithoutATrap(_ value: String) throws {
        for options in [LoadOptions(), LoadOptions(dropInvalid: true)] {
            let error = try #require(loadError("date,open,high,low,close,volume\n\(value),1,1,1,1,1\n", options))
            #expect(error.problems.first?.line == 2, "\(value)")
            #expect(error.problems.first?.column == "date")
            #expect(error.problems.first?.reason.contains("outside 1970-01-02 .. 2200-01-01") == true, "\(error)")
        }
    }

    @Test func forcedUnitsAndPatternsAreCheckedToo() throws {
        let unit = try #require(loadError("time,open,high,low,close\n1704067200000,1,1,1,1\n", LoadOptions(timestampUnit: .nanoseconds)))
        #expect(unit.problems.first?.reason.contains("outside 1970-01-02 .. 2200-01-01") == true)
        let pattern = try #require(loadError("time,open,high,low,close\n999999999999,1,1,1,1\n", LoadOptions(timeFormat: try TimePattern("%s"))))
        #expect(pattern.problems.first?.line == 2)
        #expect(pattern.problems.first?.reason.contains("outside 1970-01-02 .. 2200-01-01") == true)
    }

    @Test(.enabled(if: ByteOrderMarkTests.sharedAvailable, Comment(rawValue: sharedSkipMessage)))
    func sharedCase26Y2262IsRefusedNamingLine2() throws {
        let path = ByteOrderMarkTests.sharedCase.appendingPathComponent("26-hostile-archives-and-inputs/y2262.csv").path
        for options in [LoadOptions(), LoadOptions(dropInvalid: true)] {
            do {
                _ = try CandleLoader.load(paths: [path], options: options)
                Issue.record("y2262.csv loaded")
            } catch {
                #expect(error.problems.first?.line == 2)
                #expect(error.problems.first?.reason == "`2262-04-12` is outside 1970-01-02 .. 2200-01-01 (year 2262)")
            }
        }
    }

    @Test(.enabled(if: ByteOrderMarkTests.sharedAvailable, Comment(rawValue: sharedSkipMessage)))
    func sharedCase22FilesAreRefusedWithTheirExactMessages() throws {
        let folder = ByteOrderMarkTests.sharedCase.appendingPathComponent("22-impossible-calendar-dates").path
        for (name, expected) in [
            ("feb-29-2023.csv", "feb-29-2023.csv:4, column timestamp: `2023-02-29` is not a date (February 2023 has 28 days)"),
            ("hour-24-30.csv", "hour-24-30.csv:4, column timestamp: `2023-02-27T24:30:00Z` is not a time (hour 24 only as 24:00:00)"),
        ] {
            do {
                _ = try CandleLoader.load(paths: [folder + "/" + name])
                Issue.record("\(name) loaded")
            } catch {
                #expect(error.problems.first.map { $0.description.hasSuffix(expected) } == true, "\(error)")
            }
        }
    }
}
