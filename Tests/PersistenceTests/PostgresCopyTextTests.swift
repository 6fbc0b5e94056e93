import Testing

@testable import Persistence

/// The text of `COPY ... FROM STDIN` as ``CopyText`` writes it, without a server: every expected
/// byte string below is written out by hand from PostgreSQL's text format (tab between fields,
/// newline after a row, `\N` for NULL, `\\`, `\t`, `\n`, `\r` for those four bytes in a text).
@Suite struct PostgresCopyTextTests {
    static func text(_ rows: (inout CopyText) -> Void) -> String {
        var text = CopyText(capacity: 16)
        rows(&text)
        return String(decoding: text.buffer.readableBytesView, as: UTF8.self)
    }

    @Test func fieldsAreSeparatedByTabsAndRowsEndWithANewline() {
        let written = Self.text { text in
            text.row(capacity: CopyRow.bytes(fields: 3, textBytes: 7)) { row in
                row.plain("buy")
                row.text("BTCUSDT")
                row.null()
            }
            text.row(capacity: CopyRow.bytes(fields: 1, textBytes: 0)) { row in row.plain("sell") }
        }
        #expect(written == "buy\tBTCUSDT\t\\N\nsell\n")
    }

    @Test func backslashTabNewlineAndCarriageReturnInATextAreEscaped() {
        let reason = "a\\b\tc\nd\re"
        let written = Self.text { text in
            text.row(capacity: CopyRow.bytes(fields: 2, textBytes: reason.utf8.count)) { row in
                row.text(reason)
                row.text(nil)
            }
        }
        #expect(written == "a\\\\b\\tc\\nd\\re\t\\N\n")
    }

    @Test func aTextOfOnlyCharactersToEscapeFitsTheBytesReservedForIt() {
        let reason = String(repeating: "\\\t", count: 50)
        let written = Self.text { text in
            text.row(capacity: CopyRow.bytes(fields: 1, textBytes: reason.utf8.count)) { row in row.text(reason) }
        }
        #expect(written == String(repeating: "\\\\\\t", count: 50) + "\n")
    }

    @Test func integersAreWrittenInDecimalWithTheirSign() {
        let written = Self.text { text in
            text.row(capacity: CopyRow.bytes(fields: 5, textBytes: 0)) { row in
                row.integer(0)
                row.integer(7)
                row.integer(-42)
                row.integer(Int.max)
                row.integer(Int.min)
            }
        }
        #expect(written == "0\t7\t-42\t9223372036854775807\t-9223372036854775808\n")
    }

    @Test func doublesAreWrittenInTheirShortestRoundTripFormAndNonFiniteOnesAsNull() {
        let written = Self.text { text in
            text.row(capacity: CopyRow.bytes(fields: 6, textBytes: 0)) { row in
                row.real(0.1)
                row.real(-2.2250738585072014e-308)
                row.real(19.10949742021785)
                row.real(.infinity)
                row.real(.nan)
                row.real(nil)
            }
        }
        #expect(written == "0.1\t-2.2250738585072014e-308\t19.10949742021785\t\\N\t\\N\t\\N\n")
    }

    @Test func barTimesAreISO8601WithMilliseconds() {
        // 2024-03-01T00:00:00Z is 1,709,251,200 s after the epoch; plus 1.5 s.
        let times: [Int64] = [1_709_251_201_500_000_000]
        let written = Self.text { text in
            text.row(capacity: CopyRow.bytes(fields: 2, textBytes: 0)) { row in
                row.time(bar: 0, times: times)
                row.time(bar: nil, times: times)
            }
        }
        #expect(written == "2024-03-01T00:00:01.500Z\t\\N\n")
    }

    @Test func storedValuesOfAMergeAreWrittenAsTheirColumnsTakeThem() {
        let written = Self.text { text in text.row([.integer(-3), .real(1.5), .text("x\ty"), .null]) }
        #expect(written == "-3\t1.5\tx\\ty\t\\N\n")
    }

    @Test func rowsLargerThanTheBuffersCapacityMakeItGrow() {
        let symbol = String(repeating: "S", count: 100)
        let written = Self.text { text in
            for _ in 0..<3 {
                text.row(capacity: CopyRow.bytes(fields: 1, textBytes: symbol.utf8.count)) { row in row.text(symbol) }
            }
        }
        #expect(written == String(repeating: symbol + "\n", count: 3))
    }
}
