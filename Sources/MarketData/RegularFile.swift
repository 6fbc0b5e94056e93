#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that cannot be read as an input, with the reason and what to do.
public struct FileRefusal: Error, Sendable, CustomStringConvertible {
    /// The path as the user gave it.
    public var path: String
    /// What is wrong, as a sentence fragment (`is a FIFO (named pipe), not a regular file`).
    public var reason: String
    /// What the user can do, as a sentence, or empty.
    public var advice: String

    public init(path: String, reason: String, advice: String = "") {
        self.path = path
        self.reason = reason
        self.advice = advice
    }

    /// `PATH: reason. Advice`
    public var description: String { "\(path): \(reason)." + (advice.isEmpty ? "" : " " + advice) }
}

/// Reads inputs (candles, configurations, grids, signals) only from regular files.
///
/// A symlink to a regular file is followed. Devices (`/dev/zero`), FIFOs, sockets and folders
/// are refused before anything is read, so an input can neither block forever nor stream
/// without end. The size is checked against a limit before reading and again while reading (a
/// file that grows meanwhile is refused too).
public enum RegularFile {
    /// Configuration and grid files: 1 MB (10^6 bytes), checked before parsing.
    public static let configurationSizeLimit = 1_000_000

    /// The whole content of `path`.
    /// - Parameters:
    ///   - role: what the file is for, in the message (`configuration file`, `candle file`).
    ///   - limit: the largest size accepted, in bytes.
    ///   - limitAdvice: what to do when the file is larger (e.g. the option that raises the limit).
    /// - Throws: ``FileRefusal`` when `path` does not exist, is not a regular file, cannot be
    ///   read, or is larger than `limit`.
    public static func read(_ path: String, role: String, limit: Int, limitAdvice: String = "") throws(FileRefusal) -> [UInt8] {
        let (fd, size) = try openForReading(path, role: role, limit: limit, limitAdvice: limitAdvice)
        defer { close(fd) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, chunkSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileRefusal(path: path, reason: "read failed (\(String(cString: strerror(errno))))")
            }
            if count == 0 { break }
            if bytes.count + count > limit {
                throw FileRefusal(path: path, reason: "the \(role) grew above the limit of \(limit) bytes while being read", advice: limitAdvice)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Opens `path` for reading after the checks of ``read(_:role:limit:limitAdvice:)``: the
    /// caller reads the descriptor (counting against `limit`, since a file can grow) and closes it.
    /// - Returns: the open descriptor and the file's size in bytes when it was opened.
    /// - Throws: ``FileRefusal`` when `path` does not exist, is not a regular file, cannot be
    ///   opened, or is larger than `limit`.
    public static func openForReading(_ path: String, role: String, limit: Int, limitAdvice: String = "") throws(FileRefusal) -> (descriptor: Int32, size: Int) {
        let size = try checkedSize(path, role: role)
        if size > limit {
            throw FileRefusal(path: path, reason: "the \(role) is \(size) bytes, above the limit of \(limit) bytes", advice: limitAdvice)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileRefusal(path: path, reason: "cannot be opened (\(String(cString: strerror(errno))))") }
        var status = stat()
        // The path may have been replaced between the check and the open.
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw FileRefusal(path: path, reason: "is not a regular file", advice: "Give the path of a file.")
        }
        return (fd, Int(status.st_size))
    }

    /// The size of `path` in bytes when it is a regular file (or a symlink to one).
    /// - Throws: ``FileRefusal`` naming what the path is instead.
    public static func checkedSize(_ path: String, role: String) throws(FileRefusal) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw FileRefusal(path: path, reason: "no such file", advice: "Check the path.")
            case EACCES: throw FileRefusal(path: path, reason: "permission denied", advice: "Make the file readable, or give another path.")
            case ELOOP: throw FileRefusal(path: path, reason: "a loop of symbolic links", advice: "Give the path of a file.")
            default: throw FileRefusal(path: path, reason: "cannot be examined (\(String(cString: strerror(code))))")
            }
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return Int(status.st_size)
        case S_IFDIR: throw FileRefusal(path: path, reason: "is a folder, not a file", advice: "Give a file in it.")
        case S_IFIFO: throw FileRefusal(path: path, reason: "is a FIFO (named pipe), not a regular file", advice: "Save the \(role) to a file and give its path.")
        case S_IFCHR: throw FileRefusal(path: path, reason: "is a character device, not a regular file", advice: "Give the path of a \(role).")
        case S_IFBLK: throw FileRefusal(path: path, reason: "is a block device, not a regular file", advice: "Give the path of a \(role).")
        case S_IFSOCK: throw FileRefusal(path: path, reason: "is a socket, not a regular file", advice: "Give the path of a \(role).")
        default: throw FileRefusal(path: path, reason: "is not a regular file", advice: "Give the path of a \(role).")
        }
    }
}

