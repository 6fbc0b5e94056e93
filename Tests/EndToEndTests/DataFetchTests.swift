import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 (an ephemeral port) serving files by path, with range
/// requests, for `data fetch` tests: no test reaches the internet.
final class LocalHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32
    private let lock = NSLock()
    private var files: [String: [UInt8]]
    private var corruptNext: [String: Int] = [:]
    private var requests: [String: Int] = [:]

    init(files: [String: [UInt8]]) throws {
        self.files = files
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        socketFD = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The next `count` responses for `path` have one byte changed.
    func corrupt(_ path: String, times count: Int) { lock.withLock { corruptNext[path] = count } }

    func requestCount(_ path: String) -> Int { lock.withLock { requests[path] ?? 0 } }

    func stop() { shutdown(socketFD, Int32(SHUT_RDWR)); close(socketFD) }

    private func serve() {
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 { return }
            let thread = Thread { [self] in handle(client) }
            thread.start()
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: Array("\r\n\r\n".utf8)) {
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { return }
            request += buffer[0..<n]
        }
        let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return }
        let path = String(parts[1])
        var offset = 0
        for line in lines where line.lowercased().hasPrefix("range: bytes=") {
            offset = Int(line.dropFirst("range: bytes=".count).split(separator: "-").first ?? "") ?? 0
        }
        let (body, corrupted): ([UInt8]?, Bool) = lock.withLock {
            requests[path, default: 0] += 1
            guard var body = files[path] else { return (nil, false) }
            if let left = corruptNext[path], left > 0 {
                corruptNext[path] = left - 1
                body[body.count / 2] ^= 0xFF
                return (body, true)
            }
            return (body, false)
        }
        _ = corrupted
        var head: String
        var payload: [UInt8]
        if let body {
            if offset > 0, offset < body.count {
                payload = Array(body[offset...])
                head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes \(offset)-\(body.count - 1)/\(body.count)\r\n"
            } else {
                payload = body
                head = "HTTP/1.1 200 OK\r\n"
            }
        } else {
            payload = Array("not found".utf8)
            head = "HTTP/1.1 404 Not Found\r\n"
        }
        head += "Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + payload
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            sent += n
        }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// `data fetch binance` against a local server laid out as data.binance.vision.
@Suite(.serialized)
struct DataFetchTests {
    static let days = ["2020-01-01", "2020-01-02"]
    static func sitePath(_ day: String) -> String { "/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-\(day).zip" }

    /// A server holding the two bundled archives and their .CHECKSUM files.
    func server() throws -> LocalHTTPServer {
        var files: [String: [UInt8]] = [:]
        for day in Self.days {
            let local = Project.root.appendingPathComponent("datasets/BTCUSDT-1m-\(day).zip")
            files[Self.sitePath(day)] = [UInt8](try Data(contentsOf: local))
            files[Self.sitePath(day) + ".CHECKSUM"] = [UInt8](try Data(contentsOf: local.appendingPathExtension("CHECKSUM")))
        }
        return try LocalHTTPServer(files: files)
    }

    func fetch(_ server: LocalHTTPServer, into folder: URL) throws -> ProcessResult {
        try runCLI(["data", "fetch", "binance", "BTCUSDT", "1m", "2020-01-01", "2020-01-02", "--dir", folder.path, "--base-url", server.baseURL])
    }

    func bundled(_ day: String) throws -> Data { try Data(contentsOf: Project.root.appendingPathComponent("datasets/BTCUSDT-1m-\(day).zip")) }

    @Test func aFreshFetchDownloadsAndVerifiesEachDayAndARerunDownloadsNothing() throws {
        let server = try server()
        defer { server.stop() }
        let folder = Project.temporaryFolder()
        let first = try fetch(server, into: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("2 downloaded"), "\(first.stdout)")
        for day in Self.days {
            #expect(try Data(contentsOf: folder.appendingPathComponent("BTCUSDT-1m-\(day).zip")) == (try bundled(day)))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("BTCUSDT-1m-\(day).zip.CHECKSUM").path))
        }
        #expect(first.stderr.contains("[1/2] BTCUSDT-1m-2020-01-01.zip:") && first.stderr.contains("checksum verified"))
        // Idempotent: present and verified files are not downloaded again.
        let second = try fetch(server, into: folder)
        #expect(second.status == 0)
        #expect(second.stdout.contains("0 downloaded (0 bytes), 2 already present"), "\(second.stdout)")
        #expect(server.requestCount(Self.sitePath("2020-01-01")) == 1)
    }

    @Test func aPartialDownloadIsResumedWithARangeRequest() throws {
        let server = try server()
        defer { server.stop() }
        let folder = Project.temporaryFolder()
        // An interrupted fetch left the first 1000 bytes of day 1.
        let part = try bundled("2020-01-01").prefix(1000)
        try Data(part).write(to: folder.appendingPathComponent("BTCUSDT-1m-2020-01-01.zip.part"))
        let result = try fetch(server, into: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: folder.appendingPathComponent("BTCUSDT-1m-2020-01-01.zip")) == (try bundled("2020-01-01")))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("BTCUSDT-1m-2020-01-01.zip.part").path))
    }

    @Test func aCorruptedDownloadIsRetriedOnce() throws {
        let server = try server()
        defer { server.stop() }
        let folder = Project.temporaryFolder()
        server.corrupt(Self.sitePath("2020-01-01"), times: 1)
        let result = try fetch(server, into: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("BTCUSDT-1m-2020-01-01.zip: its SHA-256"), "\(result.stderr)")
        #expect(result.stderr.contains("retrying once"))
        #expect(server.requestCount(Self.sitePath("2020-01-01")) == 2)
        #expect(try Data(contentsOf: folder.appendingPathComponent("BTCUSDT-1m-2020-01-01.zip")) == (try bundled("2020-01-01")))
    }

    @Test func anArchiveCorruptedTwiceIsRefusedAndNothingOfItIsKept() throws {
        let server = try server()
        defer { server.stop() }
        let folder = Project.temporaryFolder()
        server.corrupt(Self.sitePath("2020-01-01"), times: 2)
        let result = try fetch(server, into: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("Cannot fetch BTCUSDT-1m-2020-01-01.zip from \(server.baseURL)\(Self.sitePath("2020-01-01")): its SHA-256"), "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!left.contains("BTCUSDT-1m-2020-01-01.zip") && !left.contains("BTCUSDT-1m-2020-01-01.zip.part") && !left.contains("BTCUSDT-1m-2020-01-01.zip.CHECKSUM"), "\(left)")
    }
}
