import ArgumentParser
import Dispatch
import Foundation
import MarketData
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `dca-backtest data fetch binance SYMBOL INTERVAL FROM TO`: kline archives from Binance's
/// public data site, each verified against its published `.CHECKSUM`.
struct DataFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download Binance kline archives (daily, or monthly where whole months are asked for), each verified against its .CHECKSUM.",
        discussion: """
            Files are laid out as on data.binance.vision: <base-url>/data/spot/daily/klines/SYMBOL/INTERVAL/\
            SYMBOL-INTERVAL-YYYY-MM-DD.zip (futures: data/futures/um or data/futures/cm; monthly: .../monthly/.../\
            SYMBOL-INTERVAL-YYYY-MM.zip), each with a .CHECKSUM file holding its SHA-256. A calendar month wholly \
            inside FROM..TO and before the current month is fetched as one monthly archive (its days when the \
            monthly one is missing).

            Resumable and idempotent: a file already in --dir whose .CHECKSUM matches is skipped; a download goes \
            to FILE.part, resumed with an HTTP range request when a .part is left from an interrupted fetch, and \
            is renamed only once its SHA-256 matches. A failed or corrupted download is retried once from scratch, \
            then refused naming the file; nothing unverified is kept.

            Example:
              dca-backtest data fetch binance BTCUSDT 1m 2020-01-01 2020-01-02 --dir data/
              dca-backtest run --config bot.json --data data/BTCUSDT-1m-2020-01-0*.zip
            """
    )

    @Argument(help: ArgumentHelp("The source.", valueName: "SOURCE"))
    var source: ArchiveSource

    @Argument(help: ArgumentHelp("The pair, e.g. BTCUSDT.", valueName: "SYMBOL"))
    var symbol: String

    @Argument(help: ArgumentHelp("The kline interval: 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d.", valueName: "INTERVAL"))
    var interval: String

    @Argument(help: ArgumentHelp("The first day (UTC), YYYY-MM-DD.", valueName: "FROM"))
    var from: String

    @Argument(help: ArgumentHelp("The last day (UTC, included), YYYY-MM-DD.", valueName: "TO"))
    var to: String

    @Option(help: ArgumentHelp("spot, um (USD-M futures) or cm (COIN-M futures)."))
    var market = BinanceMarket.spot

    @Option(help: ArgumentHelp("The folder the archives are saved in.", valueName: "DIR"))
    var dir = "data"

    @Option(name: .customLong("base-url"), help: ArgumentHelp("The site to download from.", valueName: "URL"))
    var baseURL = "https://data.binance.vision"

    static let intervals = ["1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1mo"]

    func validate() throws {
        guard !symbol.isEmpty, symbol.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
            throw ValidationError("SYMBOL is written as on Binance, in capitals, e.g. BTCUSDT (got '\(symbol)').")
        }
        guard Self.intervals.contains(interval) else { throw ValidationError("INTERVAL must be one of \(Self.intervals.joined(separator: ", ")) (got '\(interval)').") }
        guard let first = Self.day(from), let last = Self.day(to) else { throw ValidationError("FROM and TO are days written YYYY-MM-DD, e.g. 2020-01-01 (got '\(from)' and '\(to)').") }
        guard first <= last else { throw ValidationError("FROM \(from) is after TO \(to).") }
        guard last - first < 366 * 20 else { throw ValidationError("FROM..TO spans more than 20 years: fetch it in parts.") }
        guard URL(string: baseURL)?.scheme != nil else { throw ValidationError("--base-url must be a URL such as https://data.binance.vision (got '\(baseURL)').") }
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD`, or nil.
    static func day(_ text: String) -> Int64? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]), (1970...2200).contains(y), (1...12).contains(m), d >= 1, d <= daysIn(year: y, month: m)
        else { return nil }
        return UTCTime.daysFromCivil(year: y, month: m, day: d)
    }

    static func daysIn(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// One archive to fetch: its name, its path on the site, and the days it covers.
    struct Archive {
        var name: String
        var path: String
        var days: ClosedRange<Int64>
    }

    /// The archives for `first...last`: whole past months as monthly archives, other days daily.
    func archives(first: Int64, last: Int64, today: Int64) -> [Archive] {
        let prefix = market == .spot ? "data/spot" : "data/futures/\(market.rawValue)"
        func daily(_ day: Int64) -> Archive {
            let c = UTCTime.civilFromDays(day)
            let name = "\(symbol)-\(interval)-\(c.year)-\(Self.two(c.month))-\(Self.two(c.day)).zip"
            return Archive(name: name, path: "\(prefix)/daily/klines/\(symbol)/\(interval)/\(name)", days: day...day)
        }
        var result: [Archive] = []
        var day = first
        while day <= last {
            let c = UTCTime.civilFromDays(day)
            let monthEnd = day + Self.daysIn(year: c.year, month: c.month) - c.day
            if c.day == 1, monthEnd <= last, monthEnd < today - Int64(UTCTime.civilFromDays(today).day) + 1 {
                let name = "\(symbol)-\(interval)-\(c.year)-\(Self.two(c.month)).zip"
                result.append(Archive(name: name, path: "\(prefix)/monthly/klines/\(symbol)/\(interval)/\(name)", days: day...monthEnd))
                day = monthEnd + 1
            } else {
                result.append(daily(day))
                day += 1
            }
        }
        return result
    }

    static func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }

    func run() throws {
        let first = Self.day(from)!, last = Self.day(to)!
        let today = Int64((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let client = HTTPClient()
        var planned = archives(first: first, last: last, today: today)
        var downloaded = 0, present = 0, bytes = 0
        var k = 0
        while k < planned.count {
            let archive = planned[k]
            let target = (dir as NSString).appendingPathComponent(archive.name)
            if try verifiedCopyExists(target) {
                present += 1
                progress("[\(k + 1)/\(planned.count)] \(archive.name): already here, checksum verified")
                k += 1
                continue
            }
            let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            let url = "\(base)/\(archive.path)"
            do {
                let size = try fetch(url: url, to: target, client: client, label: "[\(k + 1)/\(planned.count)] \(archive.name)")
                downloaded += 1
                bytes += size
                k += 1
            } catch let missing as MissingArchive where archive.days.count > 1 {
                // A monthly archive not (yet) published: its days instead.
                _ = missing
                progress("[\(k + 1)/\(planned.count)] \(archive.name): not on the site; fetching its days")
                let days = archive.days.map { day -> Archive in
                    let c = UTCTime.civilFromDays(day)
                    let name = "\(symbol)-\(interval)-\(c.year)-\(Self.two(c.month))-\(Self.two(c.day)).zip"
                    return Archive(name: name, path: archive.path.replacingOccurrences(of: "/monthly/", with: "/daily/").replacingOccurrences(of: archive.name, with: name), days: day...day)
                }
                planned.replaceSubrange(k...k, with: days)
            }
        }
        print("Fetched \(symbol) \(interval) \(from)..\(to) into \(dir): \(downloaded) downloaded (\(bytes) bytes), \(present) already present; every archive verified against its .CHECKSUM.")
    }

    struct MissingArchive: Error {}

    func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// True when `target` and `target.CHECKSUM` exist and agree.
    func verifiedCopyExists(_ target: String) throws -> Bool {
        guard FileManager.default.fileExists(atPath: target), FileManager.default.fileExists(atPath: target + ".CHECKSUM") else { return false }
        let bytes = try RegularFile.read(target, role: "archive", limit: Int.max)
        return (try? InputFile.verifyChecksum(zipPath: target, bytes: bytes)) == true
    }

    /// Downloads `url` (and its `.CHECKSUM`) to `target`, verified; retried once.
    /// - Returns: the archive's size in bytes.
    func fetch(url: String, to target: String, client: HTTPClient, label: String) throws -> Int {
        let partial = target + ".part"
        var lastProblem = ""
        for attempt in 1...2 {
            do {
                let checksumText = try client.get(url + ".CHECKSUM")
                guard checksumText.status == 200 else {
                    if checksumText.status == 404 { throw MissingArchive() }
                    throw FetchProblem("the .CHECKSUM answered HTTP \(checksumText.status)")
                }
                let text = String(decoding: checksumText.body, as: UTF8.self)
                guard let expected = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.map({ $0.lowercased() }),
                      expected.count == 64, expected.allSatisfy(\.isHexDigit)
                else { throw FetchProblem("the .CHECKSUM is not `<sha256>  <file name>`") }
                // Resume a .part left by an interrupted fetch (first attempt only).
                var body: [UInt8] = attempt == 1 ? ((try? RegularFile.read(partial, role: "partial download", limit: Int.max)) ?? []) : []
                let response = try client.get(url, from: body.count)
                switch response.status {
                case 206 where !body.isEmpty: body += response.body
                case 200: body = response.body
                case 404: throw MissingArchive()
                default: throw FetchProblem("HTTP \(response.status)")
                }
                guard FileManager.default.createFile(atPath: partial, contents: Data(body)) else {
                    throw FetchProblem("it could not be written to \(partial) (check the folder's permissions and free space)")
                }
                let actual = InputFile.sha256Hex(body)
                guard actual == expected else {
                    try? FileManager.default.removeItem(atPath: partial)
                    throw FetchProblem("its SHA-256 \(actual) does not match \(expected) in its .CHECKSUM")
                }
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.moveItem(atPath: partial, toPath: target)
                try Data(checksumText.body).write(to: URL(fileURLWithPath: target + ".CHECKSUM"), options: .atomic)
                progress("\(label): \(body.count) bytes, checksum verified\(attempt > 1 ? " (second attempt)" : "")")
                return body.count
            } catch let missing as MissingArchive {
                throw missing
            } catch let problem as FetchProblem {
                lastProblem = problem.text
            } catch {
                lastProblem = "\(error)"
            }
            try? FileManager.default.removeItem(atPath: partial)
            if attempt == 1 { progress("\(label): \(lastProblem); retrying once") }
        }
        throw CommandFailure("Cannot fetch \((target as NSString).lastPathComponent) from \(url): \(lastProblem), twice. Nothing of it was kept; run the same command again later (files already verified are skipped).")
    }

    struct FetchProblem: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }
}

/// A blocking HTTP GET over FoundationNetworking's URLSession.
final class HTTPClient: Sendable {
    let session: URLSession

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    final class Box: @unchecked Sendable {
        var status = 0
        var body: [UInt8] = []
        var error: (any Error)?
    }

    /// The status and body of `url`, from byte `offset` on (a range request) when it is not 0.
    func get(_ url: String, from offset: Int = 0) throws -> (status: Int, body: [UInt8]) {
        guard let address = URL(string: url) else { throw CommandFailure("Not a URL: \(url)") }
        var request = URLRequest(url: address)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.body = data.map { [UInt8]($0) } ?? []
            box.error = error
            done.signal()
        }
        task.resume()
        done.wait()
        if let error = box.error { throw DataFetchCommand.FetchProblem("the download failed (\(error.localizedDescription))") }
        return (box.status, box.body)
    }
}
