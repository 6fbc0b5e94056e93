import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
let systemRead = Darwin.read
#endif

/// A binary cache of loaded candles next to their source file (`FILE.dcacache`; in the user's
/// cache folder when the source's folder is read-only, see ``path(for:cacheHome:)``), so
/// repeated runs and sweeps skip parsing.
///
/// Layout (little-endian): the magic `DCACNDL2`, a header of the source's size (UInt64), its
/// modification time (Int64 nanoseconds), the SHA-256 of its bytes (32 bytes), the candle count
/// (UInt64), the interval in nanoseconds (Int64, `Int64.min` when none), a checksum of the
/// payload (``payloadChecksum(_:)``, 8 bytes, zero-padded to 32), the load options the candles were read with (4 bytes) and the serialised
/// ``FileLoadReport`` length (UInt64), the SHA-256 (64 hex characters, zeros when none) that the
/// archive's `.CHECKSUM` held when it was verified, and the report's JSON; then the payload: open times, then open, high,
/// low, close and volume columns, 8 bytes per value.
///
/// A cache is used only when the source's size and modification time match and its payload
/// checksum verifies; anything else (stale, truncated, corrupt, other options) is ignored and
/// rebuilt, never trusted. The columns are read from the file straight into their arrays.
public enum CandleCache {
    /// A checksum of the payload for detecting damage (not tampering): four independent lanes of
    /// multiply-xor over 64-bit words, folded together, so it runs at memory speed.
    static func payloadChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x9E37_79B9_7F4A_7C15
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)
        let words = bytes.count / 8
        var k = 0
        while k + 4 <= words {
            lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)) &* prime
            lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: (k + 1) * 8, as: UInt64.self)) &* prime
            lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: (k + 2) * 8, as: UInt64.self)) &* prime
            lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: (k + 3) * 8, as: UInt64.self)) &* prime
            k += 4
        }
        while k < words {
            lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)) &* prime
            k += 1
        }
        var h = UInt64(bytes.count)
        for lane in [lanes.0, lanes.1, lanes.2, lanes.3] { h = (h ^ lane ^ (lane >> 29)) &* prime }
        return h
    }

    static let magic = Array("DCACNDL2".utf8)

    /// Where the cache of `source` lives: `FILE.dcacache` beside it when its folder is meant to be
    /// written (some write permission bit is set and this process may write there). A folder
    /// kept read-only, such as a shared or mounted dataset, is never written to, even by root:
    /// its caches go to `cacheHome` (default `$XDG_CACHE_HOME/dca-backtest`, else
    /// `~/.cache/dca-backtest`), named by the first 16 hex digits of the SHA-256 of the source's
    /// absolute path, then its file name.
    public static func path(for source: String, cacheHome: String? = nil) -> String {
        let absolute = URL(fileURLWithPath: source).standardizedFileURL
        let folder = absolute.deletingLastPathComponent().path
        if folderIsWritable(folder) { return source + ".dcacache" }
        let home = cacheHome ?? defaultCacheHome()
        let digest = Hex.lowercase(SHA256.hash(data: Data(absolute.path.utf8)).prefix(8))
        return (home as NSString).appendingPathComponent("\(digest)-\(absolute.lastPathComponent).dcacache")
    }

    /// `$XDG_CACHE_HOME/dca-backtest`, else `~/.cache/dca-backtest`.
    static func defaultCacheHome() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return (xdg as NSString).appendingPathComponent("dca-backtest") }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".cache/dca-backtest")
    }

    /// True when `folder` has a write permission bit and `access(2)` allows writing (root
    /// passes `access` everywhere, so the mode bits carry the folder owner's intent).
    static func folderIsWritable(_ folder: String) -> Bool {
        var status = stat()
        guard stat(folder, &status) == 0, status.st_mode & 0o222 != 0 else { return false }
        return access(folder, W_OK) == 0
    }

    struct Key: Equatable {
        var size: UInt64
        var modified: Int64
    }

    static func key(of source: String) -> Key? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: source),
              let size = (attributes[.size] as? NSNumber)?.uint64Value,
              let date = attributes[.modificationDate] as? Date
        else { return nil }
        return Key(size: size, modified: Int64((date.timeIntervalSince1970 * 1e9).rounded()))
    }

    static func optionsCode(_ options: LoadOptions) -> [UInt8] {
        [options.sort ? 1 : 0, options.dropInvalid ? 1 : 0, UInt8(options.timestampUnit.map { $0.index + 1 } ?? 0),
         UInt8((options.format.flatMap { CandleFileFormat.allCases.firstIndex(of: $0) } ?? -1) + 1)]
    }

    /// The candles cached for `source`, or `nil` when there is no valid cache for it.
    /// - Returns: the candles, the report of the parse that built the cache, and the SHA-256 the
    ///   archive's `.CHECKSUM` held when that parse verified it (nil: none was verified).
    public static func read(source: String, options: LoadOptions, cacheHome: String? = nil) -> (series: CandleSeries, report: FileLoadReport, verifiedChecksum: String?)? {
        guard let key = key(of: source), let handle = FileHandle(forReadingAtPath: path(for: source, cacheHome: cacheHome)) else { return nil }
        defer { try? handle.close() }
        // The fixed header: magic 8, size 8, mtime 8, source hash 32, count 8, interval 8,
        // checksum 32, options 4, report length 8, verified archive checksum 64.
        guard let header = try? handle.read(upToCount: 180), header.count == 180 else { return nil }
        let verifiedText = String(decoding: header[116..<180], as: UTF8.self)
        let verifiedChecksum: String? = header[116..<180].allSatisfy({ $0 == 0 }) ? nil : verifiedText
        func u64(_ at: Int) -> UInt64 { header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        guard Array(header.prefix(8)) == magic, u64(8) == key.size, Int64(bitPattern: u64(16)) == key.modified,
              Array(header[104..<108]) == optionsCode(options)
        else { return nil }
        let count = Int(u64(56))
        let interval = Int64(bitPattern: u64(64))
        let checksum = u64(72)
        let reportLength = Int(u64(108))
        guard count >= 0, count < 1 << 40, reportLength >= 0, reportLength < 1 << 30,
              let reportBytes = try? handle.read(upToCount: reportLength), reportBytes.count == reportLength,
              let report = try? JSONDecoder().decode(FileLoadReport.self, from: reportBytes)
        else { return nil }
        // One read per column, into the array's own storage.
        let descriptor = handle.fileDescriptor
        var failed = false
        var running: UInt64 = 0
        var checksums: [UInt64] = []
        func column<T>(_ type: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                let raw = UnsafeMutableRawBufferPointer(buffer)
                var done = 0
                while done < raw.count {
                    let n = systemRead(descriptor, raw.baseAddress! + done, raw.count - done)
                    if n <= 0 { break }
                    done += n
                }
                if done != raw.count {
                    failed = true
                    raw.initializeMemory(as: UInt8.self, repeating: 0)
                } else {
                    checksums.append(payloadChecksum(UnsafeRawBufferPointer(raw)))
                }
                initialized = count
            }
        }
        var series = CandleSeries(
            openTimes: column(Int64.self), opens: column(Double.self), highs: column(Double.self), lows: column(Double.self),
            closes: column(Double.self), volumes: column(Double.self)
        )
        var extra: UInt8 = 0
        guard !failed, systemRead(descriptor, &extra, 1) == 0 else { return nil }  // nothing may follow
        for c in checksums { running = (running ^ c) &* 0x9E37_79B9_7F4A_7C15 }
        guard running == checksum else { return nil }
        series.intervalCache = .some(interval == Int64.min ? nil : interval)
        return (series, report, verifiedChecksum)
    }

    /// Writes the cache of `source` (atomically; a failure to write is not an error: the cache
    /// is an optimisation).
    /// - Parameter verifiedChecksum: the SHA-256 the archive's `.CHECKSUM` held when the parse
    ///   verified it (nil: none).
    public static func write(
        source: String, sourceBytes: [UInt8], options: LoadOptions, series: CandleSeries, report: FileLoadReport,
        verifiedChecksum: String? = nil, cacheHome: String? = nil
    ) {
        write(
            source: source, sourceDigest: Array(SHA256.hash(data: sourceBytes)), options: options, series: series, report: report,
            verifiedChecksum: verifiedChecksum, cacheHome: cacheHome
        )
    }

    /// Writes the cache of `source` whose bytes hash to `sourceDigest` (SHA-256, 32 bytes).
    public static func write(
        source: String, sourceDigest: [UInt8], options: LoadOptions, series: CandleSeries, report: FileLoadReport,
        verifiedChecksum: String? = nil, cacheHome: String? = nil
    ) {
        guard sourceDigest.count == 32 else { return }
        guard let key = key(of: source), let reportJSON = try? JSONEncoder().encode(report) else { return }
        var payload = Data(capacity: series.count * 48)
        var running: UInt64 = 0
        series.openTimes.withUnsafeBytes { bytes in
            payload.append(contentsOf: bytes)
            running = (running ^ payloadChecksum(bytes)) &* 0x9E37_79B9_7F4A_7C15
        }
        for column in [series.opens, series.highs, series.lows, series.closes, series.volumes] {
            column.withUnsafeBytes { bytes in
                payload.append(contentsOf: bytes)
                running = (running ^ payloadChecksum(bytes)) &* 0x9E37_79B9_7F4A_7C15
            }
        }
        var data = Data(magic)
        func append(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        append(key.size)
        append(UInt64(bitPattern: key.modified))
        data.append(contentsOf: sourceDigest)
        append(UInt64(series.count))
        append(UInt64(bitPattern: series.intervalNanoseconds ?? Int64.min))
        append(running)
        data.append(contentsOf: [UInt8](repeating: 0, count: 24))
        data.append(contentsOf: optionsCode(options))
        append(UInt64(reportJSON.count))
        let verified = Array((verifiedChecksum ?? "").utf8.prefix(64))
        data.append(contentsOf: verified.count == 64 ? verified : [UInt8](repeating: 0, count: 64))
        data.append(reportJSON)
        data.append(payload)
        let destination = path(for: source, cacheHome: cacheHome)
        try? FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: destination), options: .atomic)
    }
}
