import Foundation

/// Where a sweep's progress goes (`--progress auto|always|never`).
public enum ProgressMode: String, Sendable, CaseIterable {
    /// A live line on a terminal's standard error; lines every few seconds when it is piped.
    case auto
    /// Whole lines every few seconds, on a terminal too (for a terminal session that is logged).
    case always
    /// No progress.
    case never
}

/// A sweep's progress on standard error: points done of the total, rate (points per second) and
/// the estimated time left.
///
/// On a terminal it rewrites one line in place (`\r`) after every stored batch. When standard
/// error is piped to a file or a cluster log (`auto` off a terminal; `always` everywhere), it writes one
/// complete line at most every `interval` seconds, and a last one when the sweep ends, so logs
/// show progress without carriage returns:
///
///     progress: 1200/5000 points (24.0%), 310.5 points/s, ETA 12 s
public final class SweepProgress: @unchecked Sendable {
    public enum Style: Sendable, Equatable {
        case silent
        /// One line rewritten in place.
        case live
        /// Whole lines, at most one per interval (seconds).
        case lines(interval: Double)
    }

    public let total: Int
    public let style: Style
    private let write: @Sendable (String) -> Void
    private let lock = NSLock()
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastLine: ContinuousClock.Instant?
    private var done = 0

    /// The style for `mode` given whether standard error is a terminal.
    public static func style(for mode: ProgressMode, terminal: Bool, interval: Double = 5) -> Style {
        switch mode {
        case .never: .silent
        case .auto: terminal ? .live : .lines(interval: interval)
        case .always: .lines(interval: interval)
        }
    }

    /// - Parameter write: where text goes (standard error unless a test says otherwise).
    public init(total: Int, style: Style, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.total = total
        self.style = style
        self.write = write
        started = clock.now
    }

    /// `done` points of `total` are stored now.
    public func update(done: Int) {
        lock.lock()
        defer { lock.unlock() }
        self.done = done
        guard total > 0 else { return }
        switch style {
        case .silent: return
        case .live: write("\r" + line() + "   ")
        case .lines(let interval):
            let now = clock.now
            if let lastLine, (now - lastLine) / .seconds(1) < interval { return }
            if lastLine == nil, (now - started) / .seconds(1) < interval { return }
            lastLine = now
            write("progress: " + line() + "\n")
        }
    }

    /// The sweep's points are all stored: ends the live line, or writes the last line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard total > 0 else { return }
        switch style {
        case .silent: return
        case .live: write("\n")
        case .lines: write("progress: " + line() + "\n")
        }
    }

    func line() -> String {
        let seconds = (clock.now - started) / .seconds(1)
        let rate = Double(done) / max(seconds, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let percent = Double(done) / Double(total) * 100
        return "\(done)/\(total) points (\(String(format: "%.1f", percent))%), \(String(format: "%.1f", rate)) points/s, ETA \(Int(eta.rounded())) s"
    }
}
