import Foundation
import Testing

@testable import MarketData

/// Archives: one candle file per zip unless --member picks one; sizes bounded; damage refused.
struct ArchiveTests {
    static let sharedCases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/cases")
    static let case23 = sharedCases.appendingPathComponent("23-zip-with-several-candle-files/Kraken_OHLCVT.zip")
    static var case23Available: Bool { FileManager.default.fileExists(atPath: case23.path) }
    static let skip = Comment(rawValue: "../shared/cases is not beside this clone: the case 23 tests are skipped (CI has it and runs them)")

    @Test(.enabled(if: case23Available, skip))
    func aZipWithSeveralCSVFilesIsRefusedNamingThem() {
        #expect {
            _ = try CandleLoader.load(paths: [Self.case23.path])
        } throws: { error in
            // The entries in archive order (case 23).
            "\(error)".contains("Kraken_OHLCVT.zip: the archive holds 3 CSV files (ETHUSD_60.csv, XBTUSD_1.csv, XBTUSD_60.csv): give one")
                && "\(error)".contains("--member")
        }
    }

    @Test(.enabled(if: case23Available, skip))
    func memberPicksTheEntryAndTheReportNamesIt() throws {
        var options = LoadOptions()
        options.member = "XBTUSD_60.csv"
        let loaded = try CandleLoader.load(paths: [Self.case23.path], options: options)
        // Case 23: 5 hourly Kraken rows, opens 95000.. (never ETHUSD's 3000..).
        #expect(loaded.series.count == 5)
        #expect(loaded.series.opens[0] >= 95000)
        #expect(loaded.files[0].archiveMember == "XBTUSD_60.csv")
    }

    @Test(.enabled(if: case23Available, skip))
    func anUnknownMemberIsRefusedListingTheEntries() {
        var options = LoadOptions()
        options.member = "XBTUSD_5.csv"
        #expect {
            _ = try CandleLoader.load(paths: [Self.case23.path], options: options)
        } throws: { error in
            "\(error)".contains("the archive has no entry XBTUSD_5.csv") && "\(error)".contains("ETHUSD_60.csv, XBTUSD_1.csv, XBTUSD_60.csv")
        }
    }

    @Test func gzipExpandingPastTheLimitIsRefusedNamingTheLimit() throws {
        // 1 MiB of zeros, gzipped by zlib; a 64 KiB limit (65,536 bytes).
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let gz = try gzip(zeros)
        var options = LoadOptions()
        options.maximumDataBytes = 65_536
        #expect {
            _ = try InputFile.decode(gz, name: "zeros.csv.gz", options: options)
        } throws: { error in
            "\(error)".contains("zeros.csv.gz: the gzip data expands beyond the limit of 65536 bytes (64 KiB)")
        }
        options.maximumDataBytes = 1 << 20
        #expect(try InputFile.decode(gz, name: "zeros.csv.gz", options: options).bytes == zeros)
    }

    @Test func truncatedGzipIsRefusedAsTruncated() throws {
        let gz = try gzip(Array(String(repeating: "1700000000,1,2,0.5,1.5,10\n", count: 1000).utf8))
        #expect {
            _ = try InputFile.decode(Array(gz.prefix(gz.count / 2)), name: "cut.csv.gz")
        } throws: { error in
            "\(error)".contains("cut.csv.gz: the gzip data is truncated")
        }
    }

    @Test func aPlainFileAboveTheLimitIsRefusedBeforeReading() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archive-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("big.csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: 2000)))
        var options = LoadOptions()
        options.maximumDataBytes = 1000
        #expect {
            _ = try InputFile.read(path: path, options: options)
        } throws: { error in
            "\(error)".contains("big.csv: the candle file is 2000 bytes, above the limit of 1000 bytes") && "\(error)".contains("--max-data-size")
        }
    }

    @Test func sizesParseWithBinarySuffixes() {
        #expect(ByteCount.parse("8G") == 8 * 1_073_741_824)
        #expect(ByteCount.parse("512MiB") == 536_870_912)
        #expect(ByteCount.parse("1000") == 1000)
        #expect(ByteCount.parse("lots") == nil)
        #expect(ByteCount.parse("99999999999T") == nil)
    }

    /// `gzip -c` of `bytes`, through the system's gzip.
    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(bytes))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }
}
