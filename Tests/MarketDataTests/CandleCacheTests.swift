import Foundation
import Testing

@testable import MarketData

@Suite struct CandleCacheTests {
    static let csv = """
        timestamp,open,high,low,close,volume
        2024-05-01T00:00:00Z,100,101,99,100.5,5
        2024-05-01T01:00:00Z,100.5,101,98,98.5,4
        2024-05-01T03:00:00Z,98.5,99,97,97.5,6
        """

    static func file() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("candles.csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func cachedCandlesEqualParsedOnesAndAreUsedWhileTheFileIsUnchanged() throws {
        let path = try Self.file()
        let parsed = try CandleLoader.load(paths: [path], useCache: true)
        #expect(FileManager.default.fileExists(atPath: CandleCache.path(for: path)))
        let cached = try #require(CandleCache.read(source: path, options: LoadOptions()))
        #expect(cached.series == parsed.series)
        #expect(cached.series.intervalNanoseconds == 3_600_000_000_000)
        #expect(cached.report.gaps == 1)
        let again = try CandleLoader.load(paths: [path], useCache: true)
        #expect(again.series == parsed.series && again.files[0].gaps == 1)
        #expect(!parsed.files[0].loadedFromCache && again.files[0].loadedFromCache)
    }

    @Test func staleCorruptOrOtherOptionsCachesAreNeverTrusted() throws {
        let path = try Self.file()
        _ = try CandleLoader.load(paths: [path], useCache: true)
        // Other options: not used.
        #expect(CandleCache.read(source: path, options: LoadOptions(sort: true)) == nil)
        // Corrupt payload (last byte flipped): refused.
        let cachePath = CandleCache.path(for: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cachePath))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: cachePath))
        #expect(CandleCache.read(source: path, options: LoadOptions()) == nil)
        // Truncated: refused.
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cachePath))
        #expect(CandleCache.read(source: path, options: LoadOptions()) == nil)
        // A rebuilt cache is valid again; then the source changes: stale, rebuilt from the new rows.
        _ = try CandleLoader.load(paths: [path], useCache: true)
        #expect(CandleCache.read(source: path, options: LoadOptions()) != nil)
        try (Self.csv + "\n2024-05-01T04:00:00Z,97.5,98,94,96,5\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(CandleCache.read(source: path, options: LoadOptions()) == nil)
        let reloaded = try CandleLoader.load(paths: [path], useCache: true)
        #expect(reloaded.series.count == 4)
        #expect(CandleCache.read(source: path, options: LoadOptions())?.series.count == 4)
    }

    /// The cache never stands in for a checksum check: after the `.CHECKSUM` beside a cached
    /// archive is changed the load fails as it would without the cache, and once it is removed
    /// the cached load no longer claims a verified checksum.
    @Test func cachedArchiveIsRefusedWhenItsChecksumFileChanged() throws {
        let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-cache-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let zip = folder.appendingPathComponent("BTCUSDT-1m-2020-01-01.zip").path
        for suffix in ["", ".CHECKSUM"] {
            try FileManager.default.copyItem(atPath: project.appendingPathComponent("datasets/BTCUSDT-1m-2020-01-01.zip" + suffix).path, toPath: zip + suffix)
        }
        let first = try CandleLoader.load(paths: [zip], useCache: true)
        #expect(first.files[0].checksumVerified && !first.files[0].loadedFromCache)
        let again = try CandleLoader.load(paths: [zip], useCache: true)
        #expect(again.files[0].checksumVerified && again.files[0].loadedFromCache)
        // One hex digit of the expected hash changed: refused, naming the mismatch.
        var text = try String(contentsOfFile: zip + ".CHECKSUM", encoding: .utf8)
        text = (text.first == "0" ? "1" : "0") + text.dropFirst()
        try text.write(toFile: zip + ".CHECKSUM", atomically: true, encoding: .utf8)
        #expect {
            try CandleLoader.load(paths: [zip], useCache: true)
        } throws: { error in
            "\(error)".contains("does not match") && "\(error)".contains("download it again")
        }
        // No checksum file at all: the cached candles load, without a verified checksum.
        try FileManager.default.removeItem(atPath: zip + ".CHECKSUM")
        let unverified = try CandleLoader.load(paths: [zip], useCache: true)
        #expect(!unverified.files[0].checksumVerified && unverified.series == first.series)
    }

    /// A folder whose mode allows no writing (a shared dataset) is never written to, even by
    /// root: the cache goes to the cache home and is used from there.
    @Test func readOnlyDataFolderKeepsItsCacheInTheCacheHome() throws {
        let path = try Self.file()
        let folder = (path as NSString).deletingLastPathComponent
        let cacheHome = FileManager.default.temporaryDirectory.appendingPathComponent("dca-cache-home-\(UUID().uuidString)").path
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder) }
        let cachePath = CandleCache.path(for: path, cacheHome: cacheHome)
        #expect(cachePath.hasPrefix(cacheHome + "/") && cachePath.hasSuffix("-candles.csv.dcacache"))
        let parsed = try CandleLoader.load(paths: [path])
        CandleCache.write(source: path, sourceBytes: Array(Self.csv.utf8), options: LoadOptions(), series: parsed.series, report: parsed.files[0], cacheHome: cacheHome)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["candles.csv"])
        #expect(CandleCache.read(source: path, options: LoadOptions(), cacheHome: cacheHome)?.series == parsed.series)
        // Once the folder may be written again, the cache lives beside the file.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        #expect(CandleCache.path(for: path, cacheHome: cacheHome) == path + ".dcacache")
    }
}

@Suite struct CandleMemoryTests {
    @Test func loadedColumnsHoldAboutFortyEightBytesACandle() throws {
        // 10,000 rows of one length: the columns are sized from the first lines, so each of the
        // six holds at most 1/32 more slots than rows, plus 16.
        var text = "timestamp,open,high,low,close,volume\n"
        for i in 0..<10_000 { text += "\(1_700_000_000 + i * 60),100.5,101.25,99.75,100.25,12.5\n" }
        let loaded = try CandleLoader.load(bytes: Array(text.utf8))
        #expect(loaded.series.count == 10_000)
        for capacity in [loaded.series.openTimes.capacity, loaded.series.opens.capacity, loaded.series.volumes.capacity] {
            #expect(capacity <= 10_000 + 10_000 / 32 + 16 + 64)  // + 64: malloc's rounding of the block
        }
        #expect(MemoryLayout<Int64>.size + 5 * MemoryLayout<Double>.size == 48)
    }
}

@Suite struct HexTests {
    @Test func bytesAreTwoLowercaseDigitsEach() {
        #expect(Hex.lowercase([0x00, 0x0f, 0xa5, 0xff] as [UInt8]) == "000fa5ff")
        #expect(Hex.lowercase([] as [UInt8]) == "")
    }
}
