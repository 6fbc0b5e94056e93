import CGzip
import Crypto
import Foundation
import ZIPFoundation

/// Reads the bytes of a candle file: plain text, gzip (`.gz`) or a Binance `.zip` archive
/// (its single CSV entry, CRC-checked, and the archive verified against a sibling `.CHECKSUM`
/// file holding `<sha256>  <zip name>` when one is present).
public enum InputFile {
    /// The decompressed bytes of `path` and whether a checksum was verified.
    /// - Throws: ``CandleDataError`` when the file cannot be read, is not valid gzip or zip,
    ///   or does not match its `.CHECKSUM`.
    public static func read(path: String) throws -> (bytes: [UInt8], checksumVerified: Bool) {
        let raw = try readWholeFile(path)
        let lower = path.lowercased()
        if lower.hasSuffix(".zip") {
            let verified = try verifyChecksum(zipPath: path, bytes: raw)
            return (try unzipSingleEntry(path: path, bytes: raw), verified)
        }
        if lower.hasSuffix(".gz") || (raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
            return (try gunzip(path: path, bytes: raw), false)
        }
        return (raw, false)
    }

    static func failure(_ path: String, _ reason: String, advice: String = "") -> CandleDataError {
        CandleDataError(problems: [DataProblem(file: path, line: nil, column: nil, reason: reason)], advice: advice)
    }

    static func readWholeFile(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw failure(path, "is a folder, not a file", advice: "Give the candle files in it, e.g. --data \(path)/*.csv.")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw failure(path, FileManager.default.fileExists(atPath: path) ? "the file cannot be opened for reading" : "no such file", advice: "Check the path given to --data.")
        }
        defer { try? handle.close() }
        do {
            let data = try handle.readToEnd() ?? Data()
            return [UInt8](data)
        } catch {
            throw failure(path, "read failed: \(error)")
        }
    }

    /// Verifies `bytes` against `<path>.CHECKSUM` when that file exists.
    /// - Returns: `true` when a checksum file was found and matched, `false` when there is none.
    /// - Throws: ``CandleDataError`` when the checksum file is malformed or does not match.
    public static func verifyChecksum(zipPath path: String, bytes: [UInt8]) throws -> Bool {
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
    public static func expectedChecksum(zipPath path: String) throws -> String? {
        let checksumPath = path + ".CHECKSUM"
        guard path.lowercased().hasSuffix(".zip"), FileManager.default.fileExists(atPath: checksumPath) else { return nil }
        let text = String(decoding: try readWholeFile(checksumPath), as: UTF8.self)
        guard let expected = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.map({ $0.lowercased() }),
              expected.count == 64, expected.allSatisfy({ $0.isHexDigit })
        else {
            throw failure(checksumPath, "not a checksum file (expected `<sha256>  <file name>`)")
        }
        return expected
    }

    static func unzipSingleEntry(path: String, bytes: [UInt8]) throws -> [UInt8] {
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw failure(path, "not a readable zip archive (\(error))")
        }
        let entries = archive.filter { $0.type == .file }
        guard let entry = entries.first(where: { $0.path.lowercased().hasSuffix(".csv") }) ?? entries.first else {
            throw failure(path, "the zip archive holds no file")
        }
        var output = [UInt8]()
        output.reserveCapacity(Int(entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: false) { chunk in
                output.append(contentsOf: chunk)
            }
        } catch {
            throw failure(path, "entry \(entry.path) cannot be extracted (\(error))", advice: "The archive is damaged: download it again.")
        }
        return output
    }

    /// Inflates gzip data (several members are concatenated, as `gzip` does).
    static func gunzip(path: String, bytes: [UInt8]) throws -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 3)
        var stream = z_stream()
        var status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw failure(path, "zlib could not start (\(status))") }
        defer { inflateEnd(&stream) }
        let chunkSize = 1 << 18
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END && stream.avail_in > 0 {
                    status = inflateReset(&stream)  // next gzip member
                }
            } while status == Z_OK
            guard status == Z_STREAM_END else {
                throw failure(path, "not valid gzip data (zlib status \(status))", advice: "The file is damaged or not gzip: check it with `gzip -t`.")
            }
        }
        return output
    }
}
