import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain (uncompressed) candle file read from disk in chunks into one buffer, so that its
/// text is never held whole: a year of Binance one-minute rows is 75 MB of text for 25 MB of
/// candles, and the loader's peak memory is the candles', not the text's.
///
/// Opening reads the ``head``, a full buffer (``chunkSize`` bytes, or the whole file when it is
/// smaller): layout inference reads its sample from it. Each ``next()`` reuses the buffer.
/// What has been read is counted against the limit, since a file can grow while it is read.
final class PlainTextChunks {
    /// Bytes read at a time; also the most that layout inference can see (it reads at most
    /// 64 lines within the first MiB).
    static let chunkSize = 2 << 20

    let path: String
    let limit: Int
    /// The file's size when it was opened, in bytes.
    let size: Int
    private let descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes read so far.
    private(set) var total = 0
    /// The end of the file was reached.
    private(set) var atEnd = false
    /// The first bytes of the file, read when it was opened; valid until ``next()`` is called.
    private(set) var head = UnsafeRawBufferPointer(start: nil, count: 0)
    /// When set, every byte read is hashed into it (the binary cache records the source's
    /// SHA-256); ``hashHead()`` adds the head.
    var digest: SHA256?

    /// Opens `path` as a candle file (a regular file within `limit` bytes).
    /// - Throws: ``CandleDataError`` naming the file, as ``InputFile/read(path:options:)`` does.
    init(path: String, limit: Int) throws(CandleDataError) {
        let opened: (descriptor: Int32, size: Int)
        do {
            opened = try RegularFile.openForReading(path, role: "candle file", limit: limit, limitAdvice: "Raise the limit with --max-data-size, or split the file.")
        } catch {
            throw InputFile.failure(path, error.reason, advice: error.advice.isEmpty ? "Check the path given to --data." : error.advice)
        }
        self.path = path
        self.limit = limit
        self.size = opened.size
        self.descriptor = opened.descriptor
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        head = try next()
    }

    /// Starts hashing what is read (``digest``), beginning with the head.
    func hashHead() {
        var hasher = SHA256()
        hasher.update(bufferPointer: head)
        digest = hasher
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// The next bytes of the file after those already given: a full chunk unless the file
    /// ends first; empty at the end. The bytes stay valid until the next call.
    /// - Throws: ``CandleDataError`` when reading fails or the file grew beyond the limit.
    func next() throws(CandleDataError) -> UnsafeRawBufferPointer {
        var filled = 0
        while filled < buffer.count && !atEnd {
            let count = systemRead(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw InputFile.failure(path, "read failed (\(String(cString: strerror(errno))))", advice: "Check the file and the disk it is on.")
            }
            if count == 0 { atEnd = true; break }
            filled += count
            total += count
            if total > limit {
                throw InputFile.failure(path, "the candle file grew above the limit of \(limit) bytes while being read", advice: "Raise the limit with --max-data-size, or split the file.")
            }
        }
        let chunk = UnsafeRawBufferPointer(start: buffer.baseAddress, count: filled)
        digest?.update(bufferPointer: chunk)
        return chunk
    }
}
