import CGzip
import Crypto
import Foundation

/// Reads the bytes of a candle file: plain text, gzip (`.gz`) or a `.zip` archive (one CSV
/// entry, or the one named by ``LoadOptions/member``; read through libzip, CRC-32 checked), the
/// archive verified against a sibling `.CHECKSUM` file holding `<sha256>  <zip name>` when one
/// is present.
///
/// Only regular files are read (``RegularFile``). What is held in memory is bounded by
/// ``LoadOptions/maximumDataBytes``: a plain file's size, a zip entry's declared and actual
/// expanded size, and a gzip stream's expanded size, which is counted while streaming (never by
/// expanding first), so an archive that expands beyond the limit is refused using little memory.
public enum InputFile {
    /// The default limit on candle text held in memory: 4 GiB, or a quarter of the physical
    /// memory when that is smaller (at least 256 MiB).
    public static let defaultMaximumDataBytes: Int = {
        let quarter = Int(clamping: ProcessInfo.processInfo.physicalMemory / 4)
        return max(min(1 << 32, quarter), 1 << 28)
    }()

    /// A gzip stream's expanded bytes kept in memory while its total is still unknown (64 MiB):
    /// a longer stream is counted to its end (or to the limit) first, then expanded again into
    /// a buffer of exactly its size.
    static let gzipInMemoryBudget = 1 << 26

    /// What was read: the candle text, whether a checksum was verified, and the archive entry.
    public struct Contents: Sendable {
        public var bytes: [UInt8]
        public var checksumVerified: Bool
        /// The zip entry read, or nil for plain and gzip files.
        public var archiveMember: String?
    }

    /// The decompressed bytes of `path` and whether a checksum was verified.
    /// - Throws: ``CandleDataError`` when the file is not a regular file, cannot be read, is
    ///   larger than the limit, is not valid gzip or zip, or does not match its `.CHECKSUM`.
    public static func read(path: String, options: LoadOptions = LoadOptions()) throws(CandleDataError) -> Contents {
        let limit = options.maximumDataBytes
        let raw: [UInt8]
        do {
            raw = try RegularFile.read(path, role: "candle file", limit: limit, limitAdvice: "Raise the limit with --max-data-size, or split the file.")
        } catch {
            throw failure(path, error.reason, advice: error.advice.isEmpty ? "Check the path given to --data." : error.advice)
        }
        let verified = path.lowercased().hasSuffix(".zip") ? try verifyChecksum(zipPath: path, bytes: raw) : false
        var contents = try decode(raw, name: path, options: options)
        contents.checksumVerified = verified
        return contents
    }

    /// Expands bytes already in memory as ``read(path:options:)`` does (no checksum): a `.zip`
    /// when `name` ends in `.zip`, gzip when the bytes start with its magic number.
    /// - Throws: ``CandleDataError`` naming `name` and the archive entry.
    public static func decode(_ raw: [UInt8], name: String, options: LoadOptions = LoadOptions()) throws(CandleDataError) -> Contents {
        let limit = options.maximumDataBytes
        do throws(FileRefusal) {
            if name.lowercased().hasSuffix(".zip") {
                let entry = try ZipArchive.extract(raw, name: name, member: options.member, limit: limit)
                return Contents(bytes: entry.bytes, checksumVerified: false, archiveMember: entry.entry)
            }
            if options.member != nil {
                throw FileRefusal(path: name, reason: "--member picks an entry of a .zip archive, and this is not one", advice: "Leave out --member for this file.")
            }
            if name.lowercased().hasSuffix(".gz") || (raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
                return Contents(bytes: try gunzip(raw, name: name, limit: limit), checksumVerified: false, archiveMember: nil)
            }
        } catch {
            throw failure(error.path, error.reason, advice: error.advice)
        }
        guard raw.count <= limit else {
            throw failure(name, "the candle text is \(raw.count) bytes, above the limit of \(limit) bytes", advice: "Raise the limit with --max-data-size.")
        }
        return Contents(bytes: raw, checksumVerified: false, archiveMember: nil)
    }

    static func failure(_ path: String, _ reason: String, advice: String = "") -> CandleDataError {
        CandleDataError(problems: [DataProblem(file: path, line: nil, column: nil, reason: reason)], advice: advice)
    }

    /// The SHA-256 of `bytes`, lowercase hex (as a `.CHECKSUM` file writes it).
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.lowercase(SHA256.hash(data: bytes))
    }

    /// Verifies `bytes` against `<path>.CHECKSUM` when that file exists.
    /// - Returns: `true` when a checksum file was found and matched, `false` when there is none.
    /// - Throws: ``CandleDataError`` when the checksum file is malformed or does not match.
    public static func verifyChecksum(zipPath path: String, bytes: [UInt8]) throws(CandleDataError) -> Bool {
        let checksumPath = path + ".CHECKSUM"
        guard let expected = try expectedChecksum(zipPath: path) else { return false }
        let actual = Hex.lowercase(SHA256.hash(data: bytes))
        guard actual == expected else {
            throw failure(path, "SHA-256 \(actual) does not match \(expected) in \(checksumPath)", advice: "The archive is damaged or was replaced: download it again.")
        }
        return true
    }

    /// The SHA-256 (lowercase hex) that `<path>.CHECKSUM` expects, or nil when there is no such
    /// file (or `path` is not a `.zip`).
    /// - Throws: ``CandleDataError`` when the checksum file is malformed.
    public static func expectedChecksum(zipPath path: String) throws(CandleDataError) -> String? {
        let checksumPath = path + ".CHECKSUM"
        guard path.lowercased().hasSuffix(".zip"), FileManager.default.fileExists(atPath: checksumPath) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(checksumPath, role: "checksum file", limit: 4096)
        } catch {
            throw failure(checksumPath, error.reason, advice: error.advice)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let expected = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.map({ $0.lowercased() }),
              expected.count == 64, expected.allSatisfy({ $0.isHexDigit })
        else {
            throw failure(checksumPath, "not a checksum file (expected `<sha256>  <file name>`)")
        }
        return expected
    }

    /// Inflates gzip data (several members are concatenated, as `gzip` does), checking each
    /// member's CRC-32 and length (zlib does), and refusing once the expanded size passes `limit`.
    static func gunzip(_ bytes: [UInt8], name: String, limit: Int) throws(FileRefusal) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(min(bytes.count * 4, gzipInMemoryBudget))
        var total = 0
        var counting = false
        try inflateAll(bytes, name: name) { (chunk: UnsafeBufferPointer<UInt8>) throws(FileRefusal) in
            total += chunk.count
            if total > limit {
                throw FileRefusal(
                    path: name, reason: "the gzip data expands beyond the limit of \(limit) bytes (\(ByteCount.text(limit))); expanding stopped there",
                    advice: "If the file is genuine, raise the limit with --max-data-size."
                )
            }
            if counting { return }
            if output.count + chunk.count > gzipInMemoryBudget {
                counting = true
                output = []
            } else {
                output.append(contentsOf: chunk)
            }
        }
        guard counting else { return output }
        // Within the limit: expand again into a buffer of exactly the size counted.
        output.reserveCapacity(total)
        try inflateAll(bytes, name: name) { (chunk: UnsafeBufferPointer<UInt8>) throws(FileRefusal) in output.append(contentsOf: chunk) }
        return output
    }

    /// Streams the inflated bytes of `bytes` to `sink`, 256 KiB at a time.
    static func inflateAll(_ bytes: [UInt8], name: String, sink: (UnsafeBufferPointer<UInt8>) throws(FileRefusal) -> Void) throws(FileRefusal) {
        var stream = z_stream()
        var status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw FileRefusal(path: name, reason: "zlib could not start (\(status))") }
        defer { inflateEnd(&stream) }
        let chunkSize = 1 << 18
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        let result: Result<Void, FileRefusal> = bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                stream.next_out = chunk
                stream.avail_out = uInt(chunkSize)
                status = inflate(&stream, Z_NO_FLUSH)
                let produced = chunkSize - Int(stream.avail_out)
                if produced > 0 {
                    do throws(FileRefusal) { try sink(UnsafeBufferPointer(start: chunk, count: produced)) } catch { return .failure(error) }
                }
                if status == Z_STREAM_END && stream.avail_in > 0 {
                    status = inflateReset(&stream)  // next gzip member
                }
            } while status == Z_OK
            switch status {
            case Z_STREAM_END:
                return .success(())
            case Z_BUF_ERROR:
                return .failure(FileRefusal(path: name, reason: "the gzip data is truncated (it ends inside a compressed block)", advice: "The file is incomplete: download it again, or check it with `gzip -t`."))
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                return .failure(FileRefusal(path: name, reason: "not valid gzip data (\(detail))", advice: "The file is damaged or not gzip: check it with `gzip -t`."))
            }
        }
        try result.get()
    }
}
