import CGzip
import CLibZip
import Foundation

/// Reads one entry of a `.zip` archive through libzip, which checks the archive's structure and
/// each entry's CRC-32 as it is read.
///
/// Every size is bounded before anything is allocated: an entry declaring more than the
/// limit is refused from its header, and reading stops with a refusal as soon as the bytes
/// produced pass the declared size or the limit (a truncated, corrupt or CRC-mismatched entry is
/// refused naming the archive and the entry).
enum ZipArchive {
    /// One file entry of an archive.
    struct Entry {
        var index: UInt64
        var name: String
        /// The declared uncompressed size in bytes (from the central directory).
        var size: UInt64
        /// The declared compressed size in bytes.
        var compressedSize: UInt64
        /// The compression method (0 stored, 8 deflate, ...).
        var method: UInt16
        /// The declared CRC-32 of the uncompressed bytes.
        var crc: UInt32
    }

    /// Expanded bytes kept before the first read's buffer grows (64 MiB).
    static let initialReservation = 1 << 26

    /// The expanded bytes of the entry chosen by ``choose(_:member:archive:)``, and its name.
    /// - Throws: ``FileRefusal`` naming `name` (the archive) and the entry.
    static func extract(_ bytes: [UInt8], name: String, member: String?, limit: Int) throws(FileRefusal) -> (bytes: [UInt8], entry: String, entries: Int) {
        let result: Result<(bytes: [UInt8], entry: String, entries: Int), FileRefusal> = bytes.withUnsafeBytes { raw in
            var error = zip_error_t()
            zip_error_init(&error)
            defer { zip_error_fini(&error) }
            // An empty buffer still needs a valid pointer.
            let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            // First without ZIP_CHECKCONS, to list the entries and refuse a declared size beyond
            // the limit before anything else; then with it (every header cross-checked) to read.
            func open(_ flags: Int32) -> Result<OpaquePointer, FileRefusal> {
                guard let source = zip_source_buffer_create(base, UInt64(raw.count), 0, &error) else {
                    return .failure(FileRefusal(path: name, reason: "libzip could not start (\(message(&error)))"))
                }
                guard let archive = zip_open_from_source(source, ZIP_RDONLY | flags, &error) else {
                    zip_source_free(source)
                    return .failure(FileRefusal(path: name, reason: "not a readable zip archive (\(message(&error)))", advice: "The file is damaged or not a zip: download it again, or check it with `unzip -t`."))
                }
                return .success(archive)
            }
            do {
                let listing = try open(0).get()
                defer { zip_discard(listing) }
                let entries = try fileEntries(listing, name: name)
                let entry = try choose(entries, member: member, archive: name)
                try checkDeclaredSize(entry, archive: name, limit: limit)
                let archive = try open(ZIP_CHECKCONS).get()
                defer { zip_discard(archive) }
                return .success((try read(entry, from: archive, archive: name, limit: limit), entry.name, entries.count))
            } catch let refusal as FileRefusal {
                return .failure(refusal)
            } catch {
                return .failure(FileRefusal(path: name, reason: "\(error)"))
            }
        }
        return try result.get()
    }

    static func message(_ error: UnsafeMutablePointer<zip_error_t>) -> String {
        String(cString: zip_error_strerror(error))
    }

    /// The file entries (folders and macOS resource-fork entries left out), in archive order.
    static func fileEntries(_ archive: OpaquePointer, name: String) throws(FileRefusal) -> [Entry] {
        let count = zip_get_num_entries(archive, 0)
        guard count >= 0 else { throw FileRefusal(path: name, reason: "not a readable zip archive (no central directory)") }
        var entries: [Entry] = []
        for index in 0..<UInt64(count) {
            var status = zip_stat_t()
            zip_stat_init(&status)
            guard zip_stat_index(archive, index, 0, &status) == 0, let rawName = status.name else {
                throw FileRefusal(path: name, reason: "entry \(index + 1) cannot be read (\(String(cString: zip_strerror(archive))))", advice: "The archive is damaged: download it again.")
            }
            let entryName = String(decoding: UnsafeRawBufferPointer(start: rawName, count: strlen(rawName)), as: UTF8.self)
            if entryName.hasSuffix("/") || entryName.hasPrefix("__MACOSX/") || entryName.split(separator: "/").last?.hasPrefix("._") == true { continue }
            guard status.valid & UInt64(ZIP_STAT_SIZE) != 0 else {
                throw FileRefusal(path: name, reason: "entry \(entryName) does not declare its size", advice: "The archive is damaged: download it again.")
            }
            guard status.valid & UInt64(ZIP_STAT_COMP_SIZE) != 0, status.valid & UInt64(ZIP_STAT_CRC) != 0, status.valid & UInt64(ZIP_STAT_COMP_METHOD) != 0 else {
                throw FileRefusal(path: name, reason: "entry \(entryName) does not declare its compressed size, method and CRC-32", advice: "The archive is damaged: download it again.")
            }
            entries.append(Entry(index: index, name: entryName, size: status.size, compressedSize: status.comp_size, method: status.comp_method, crc: status.crc))
        }
        return entries
    }

    /// The entry to read: `member` when given (by full name, or by file name when that is
    /// unambiguous), else the only CSV (or text) entry, else the only entry.
    /// - Throws: ``FileRefusal`` naming the entries when there is no such member, no file, or
    ///   several candle files and no `member`.
    static func choose(_ entries: [Entry], member: String?, archive name: String) throws(FileRefusal) -> Entry {
        func listed(_ list: [Entry]) -> String {
            let shown = list.prefix(10).map(\.name).joined(separator: ", ")
            return list.count > 10 ? shown + " and \(list.count - 10) more" : shown
        }
        if let member {
            if let exact = entries.first(where: { $0.name == member }) { return exact }
            let byFileName = entries.filter { $0.name.split(separator: "/").last.map(String.init) == member }
            if byFileName.count == 1 { return byFileName[0] }
            throw FileRefusal(
                path: name, reason: byFileName.isEmpty ? "the archive has no entry \(member)" : "\(byFileName.count) entries are named \(member) (\(listed(byFileName)))",
                advice: entries.isEmpty ? "The archive holds no file." : "Its entries: \(listed(entries)); give one of them, in full, with --member."
            )
        }
        let candles = entries.filter { let lower = $0.name.lowercased(); return lower.hasSuffix(".csv") || lower.hasSuffix(".txt") }
        if candles.count == 1 { return candles[0] }
        if candles.count > 1 {
            throw FileRefusal(path: name, reason: "the archive holds \(candles.count) CSV files (\(listed(candles))): give one", advice: "Pick it with --member NAME, e.g. --member \(candles[0].name).")
        }
        if entries.count == 1 { return entries[0] }
        if entries.isEmpty { throw FileRefusal(path: name, reason: "the zip archive holds no file") }
        throw FileRefusal(path: name, reason: "the archive holds \(entries.count) files and none is a CSV (\(listed(entries)))", advice: "Pick one with --member NAME.")
    }

    /// Refuses an entry whose declared expanded size is beyond `limit`, before reading it.
    static func checkDeclaredSize(_ entry: Entry, archive name: String, limit: Int) throws(FileRefusal) {
        guard entry.size <= UInt64(limit) else {
            throw FileRefusal(
                path: name, reason: "entry \(entry.name) declares \(entry.size) bytes expanded, beyond the limit of \(limit) bytes (\(ByteCount.text(limit)))",
                advice: "Nothing was expanded. If the archive is genuine, raise the limit with --max-data-size."
            )
        }
    }

    /// The entry's expanded bytes. Deflate entries are inflated with zlib from their compressed
    /// bytes (as libzip hands them over), which must form one complete deflate stream that ends
    /// exactly at the declared sizes; the CRC-32 is then compared with the declared one. Other
    /// methods are expanded by libzip, which checks the CRC-32 itself.
    static func read(_ entry: Entry, from archive: OpaquePointer, archive name: String, limit: Int) throws(FileRefusal) -> [UInt8] {
        let where_ = "entry \(entry.name)"
        try checkDeclaredSize(entry, archive: name, limit: limit)
        if entry.method == UInt16(ZIP_CM_DEFLATE) || entry.method == UInt16(ZIP_CM_STORE) {
            let compressed = try readAll(entry, from: archive, archive: name, flags: ZIP_FL_COMPRESSED, bound: entry.compressedSize)
            guard UInt64(compressed.count) == entry.compressedSize else {
                throw FileRefusal(path: name, reason: "the archive entry is truncated: \(entry.name) holds \(compressed.count) of its \(entry.compressedSize) compressed bytes", advice: advice(ZIP_ER_EOF))
            }
            let output = entry.method == UInt16(ZIP_CM_STORE) ? compressed : try RawInflate.inflate(compressed, expectedSize: Int(entry.size), archive: name, entry: entry.name)
            let crc = output.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            guard crc == entry.crc else {
                throw FileRefusal(path: name, reason: "\(where_): the entry's CRC-32 does not match its content", advice: advice(ZIP_ER_CRC))
            }
            return output
        }
        let output = try readAll(entry, from: archive, archive: name, flags: 0, bound: entry.size)
        guard output.count == Int(entry.size) else {
            throw FileRefusal(path: name, reason: "the archive entry is truncated: \(entry.name) expands to \(output.count) of its \(entry.size) bytes", advice: advice(ZIP_ER_EOF))
        }
        return output
    }

    /// The entry's bytes as libzip reads them (`ZIP_FL_COMPRESSED`: its compressed bytes), at
    /// most `bound` bytes (more is refused).
    static func readAll(_ entry: Entry, from archive: OpaquePointer, archive name: String, flags: zip_flags_t, bound: UInt64) throws(FileRefusal) -> [UInt8] {
        let where_ = "entry \(entry.name)"
        guard let file = zip_fopen_index(archive, entry.index, flags) else {
            throw FileRefusal(path: name, reason: "\(where_) cannot be opened (\(String(cString: zip_strerror(archive))))", advice: advice(zip_error_code_zip(zip_get_error(archive))))
        }
        defer { zip_fclose(file) }
        let declared = Int(bound)
        var output = [UInt8]()
        output.reserveCapacity(min(declared, initialReservation))
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, UInt64(chunkSize)) }
            if count < 0 {
                let code = zip_error_code_zip(zip_file_get_error(file))
                throw FileRefusal(path: name, reason: "\(where_): \(describe(code, detail: String(cString: zip_file_strerror(file))))", advice: advice(code))
            }
            if count == 0 { break }
            if output.count + Int(count) > declared {
                throw FileRefusal(path: name, reason: "\(where_) holds more than its declared size of \(declared) bytes", advice: advice(ZIP_ER_INCONS))
            }
            output.append(contentsOf: chunk[0..<Int(count)])
        }
        return output
    }

    static func describe(_ code: Int32, detail: String) -> String {
        switch code {
        case ZIP_ER_CRC: return "the entry's CRC-32 does not match its content"
        case ZIP_ER_EOF: return "the archive entry is truncated"
        case ZIP_ER_COMPRESSED_DATA, ZIP_ER_ZLIB: return "the compressed data is corrupt (\(detail))"
        case ZIP_ER_COMPNOTSUPP: return "its compression method is not supported (\(detail))"
        case ZIP_ER_ENCRNOTSUPP, ZIP_ER_NOPASSWD, ZIP_ER_WRONGPASSWD: return "the entry is encrypted"
        case ZIP_ER_INCONS: return "the archive is inconsistent (\(detail))"
        default: return detail
        }
    }

    static func advice(_ code: Int32) -> String {
        switch code {
        case ZIP_ER_ENCRNOTSUPP, ZIP_ER_NOPASSWD, ZIP_ER_WRONGPASSWD: return "Decrypt it first (e.g. `unzip` with its password) and give the CSV."
        case ZIP_ER_COMPNOTSUPP: return "Re-pack it with deflate (`zip`), or give the CSV."
        default: return "The archive is damaged: download it again, or check it with `unzip -t`."
        }
    }
}

/// Byte counts for messages.
public enum ByteCount {
    /// `4 GiB`, `512 MiB`, `1.5 KiB`, `17 bytes`.
    public static func text(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = "bytes"
        for next in units where value >= 1024 {
            value /= 1024
            unit = next
        }
        if unit == "bytes" { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(unit)" : "\(rounded) \(unit)"
    }

    /// Parses `4G`, `4GiB`, `512M`, `100000` (bytes); binary multiples.
    /// - Returns: nil when the text is not a positive size that fits in an `Int`.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let suffix = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let shifts: [String: Int] = ["": 0, "b": 0, "k": 10, "kib": 10, "kb": 10, "m": 20, "mib": 20, "mb": 20, "g": 30, "gib": 30, "gb": 30, "t": 40, "tib": 40, "tb": 40]
        guard let shift = shifts[suffix] else { return nil }
        let (value, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        return overflow || value <= 0 ? nil : value
    }
}

/// Raw deflate (RFC 1951) with zlib, strict: one complete stream, no byte left over, and
/// exactly the expected size; anything else is refused.
enum RawInflate {
    static func inflate(_ compressed: [UInt8], expectedSize: Int, archive: String, entry: String) throws(FileRefusal) -> [UInt8] {
        var stream = z_stream()
        var status = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw FileRefusal(path: archive, reason: "zlib could not start (\(status))") }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        // Grown as the data expands, never allocated from the declared size alone.
        output.reserveCapacity(min(expectedSize, ZipArchive.initialReservation))
        let chunkSize = 1 << 18
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        let advice = "The archive is damaged: download it again, or check it with `unzip -t`."
        var tooLong = false
        compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                stream.next_out = chunk
                stream.avail_out = uInt(chunkSize)
                status = CGzip.inflate(&stream, Z_NO_FLUSH)
                let produced = chunkSize - Int(stream.avail_out)
                if output.count + produced > expectedSize { tooLong = true; return }
                output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
            } while status == Z_OK
        }
        if tooLong {
            throw FileRefusal(path: archive, reason: "entry \(entry) expands past its declared size of \(expectedSize) bytes", advice: advice)
        }
        switch status {
        case Z_STREAM_END:
            guard stream.avail_in == 0 else {
                throw FileRefusal(path: archive, reason: "entry \(entry) has \(stream.avail_in) bytes after the end of its compressed data", advice: advice)
            }
            guard output.count == expectedSize else {
                throw FileRefusal(path: archive, reason: "the archive entry is truncated: \(entry) expands to \(output.count) of its declared \(expectedSize) bytes", advice: advice)
            }
            return output
        case Z_BUF_ERROR:
            throw FileRefusal(path: archive, reason: "the archive entry is truncated: \(entry) ends inside its compressed data (after \(output.count) bytes expanded)", advice: advice)
        default:
            let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw FileRefusal(path: archive, reason: "entry \(entry): the compressed data is corrupt (\(detail))", advice: advice)
        }
    }
}
