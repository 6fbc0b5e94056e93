import Foundation
import Testing

/// report.html rendered by a real browser (Debian's headless `chromium`): the DOM it builds has
/// every fill marker with its tooltip, the legends, no console error, and the KPI cards on one
/// row in a 1400 px wide window.
@Suite(.serialized) struct ReportRenderingTests {
    /// `chromium` on the PATH, if any.
    static let chromium: String? = {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(folder)/chromium"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()
    /// CI installs chromium (scripts/install-test-deps.sh): there the test must run, not skip.
    static let required = ProcessInfo.processInfo.environment["CI"] != nil
    static let skipMessage = "chromium is not installed (scripts/install-test-deps.sh installs it): report.html is not rendered"

    /// Renders `file` and returns the DOM text and the browser's standard error.
    static func dumpDOM(_ file: URL) throws -> (dom: String, log: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium!)
        let profile = Project.temporaryFolder()
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)", "--window-size=1400,1000",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom", file.absoluteString,
        ]
        // Standard error to a file: reading two pipes from one thread could block on either.
        let log = profile.appendingPathComponent("chromium.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let err = try FileHandle(forWritingTo: log)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let dom = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let stderrData = (try? Data(contentsOf: log)) ?? Data()
        return (String(decoding: dom, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func renderedReportShowsEveryFillTheLegendsAndOneRowOfCards() throws {
        guard Self.chromium != nil else {
            if Self.required { Issue.record("CI must install chromium: \(Self.skipMessage)") }
            print("➜ ReportRenderingTests skipped: \(Self.skipMessage)")
            return
        }
        let folder = Project.temporaryFolder()
        let db = folder.appendingPathComponent("runs.sqlite").path
        let result = try runCLI(["run", "--config", "datasets/btc-1m-ladder.json", "--data", "datasets/BTCUSDT-1m-2020-01-01.zip", "datasets/BTCUSDT-1m-2020-01-02.zip", "--db", db, "--report-dir", folder.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try jsonObject(result.stdout)
        let runID = try #require(json["run_id"] as? String)
        let filled = try #require(json["total_trades"] as? Int)
        let opened = try #require(json["deals_opened"] as? Int)
        let closed = try #require(json["deals_closed"] as? Int)
        let report = folder.appendingPathComponent(runID).appendingPathComponent("report.html")
        // The report has no script of its own; a copy gets one that records where each KPI card
        // sits, so the layout can be read from the DOM.
        let html = try String(contentsOf: report, encoding: .utf8)
        let probe = """
            <script>
            const tops = Array.from(document.querySelectorAll('.card')).map(c => Math.round(c.getBoundingClientRect().top));
            document.body.setAttribute('data-card-rows', String(new Set(tops).size));
            document.body.setAttribute('data-cards', String(tops.length));
            </script>
            </body>
            """
        let probed = folder.appendingPathComponent("probed.html")
        try html.replacingOccurrences(of: "</body>", with: probe).write(to: probed, atomically: true, encoding: .utf8)

        let (dom, log) = try Self.dumpDOM(report)
        // One marker per filled order; a base order per deal opened; this bot has no stop, so
        // every closed deal closed by its take profit.
        #expect(filled > 0 && closed > 0)
        #expect(Self.count("<circle class=\"fill ", in: dom) == filled, "fill markers")
        #expect(Self.count("<circle class=\"fill take_profit\"", in: dom) == closed, "take-profit markers")
        #expect(Self.count("<circle class=\"fill base\"", in: dom) == opened, "base-order markers")
        // Sells are drawn after (above) every buy.
        let lastBuy = try #require(dom.range(of: "<circle class=\"fill safety\"", options: .backwards)).lowerBound
        let firstSell = try #require(dom.range(of: "<circle class=\"fill take_profit\"")).lowerBound
        #expect(lastBuy < firstSell)
        #expect(Self.count("</title></circle>", in: dom) == filled, "a tooltip on every fill")
        for label in ["Base order", "Safety order", "Take profit", "Avg. entry", "TP level", "Bot equity", "Buy and hold"] {
            #expect(dom.contains(">\(label)</text>"), "legend \(label)")
        }
        #expect(dom.contains("class=\"level take_profit\"") && dom.contains("class=\"level avg_entry\""))
        #expect(!log.contains("CONSOLE"), "console messages: \(log)")

        let (probedDOM, probedLog) = try Self.dumpDOM(probed)
        #expect(probedDOM.contains("data-card-rows=\"1\""), "KPI cards on one row at 1400 px")
        #expect(probedDOM.contains("data-cards=\"8\""))
        #expect(!probedLog.contains("Uncaught"), "\(probedLog)")
    }
}
