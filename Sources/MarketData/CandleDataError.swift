import Foundation

/// One problem found in a candle file: where it is and what is wrong.
public struct DataProblem: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based physical line (header and URL lines counted; inside the decompressed file for
    /// `.gz` and `.zip`), or `nil` when the problem is not on one line.
    public var line: Int?
    /// The column's name (`open_time`, `open`, `high`, `low`, `close`, `volume`), or `nil`.
    public var column: String?
    /// What is wrong, as a sentence fragment (`empty field`, `high 88.780 is below low 88.820`).
    public var reason: String

    public init(file: String, line: Int?, column: String?, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let column { text += ", column \(column)" }
        return text + ": " + reason
    }
}

/// A candle input that cannot be loaded.
///
/// Thrown by ``CandleLoader`` before anything is run or stored. `problems` lists every problem
/// found (up to ``CandleLoader/maximumProblemsReported``), in file and line order; `advice`
/// says what the user can do (`pass --sort`, `pass --drop-invalid`, fix the file).
public struct CandleDataError: Error, Sendable, CustomStringConvertible {
    public var problems: [DataProblem]
    /// Problems found beyond those listed.
    public var moreProblems: Int
    public var advice: String

    public init(problems: [DataProblem], moreProblems: Int = 0, advice: String) {
        self.problems = problems
        self.moreProblems = moreProblems
        self.advice = advice
    }

    /// One paragraph: every problem with its file, line and column, then the advice.
    public var description: String {
        var text = "Cannot load candles: " + problems.map(\.description).joined(separator: "; ")
        if moreProblems > 0 { text += "; and \(moreProblems) more problem(s)" }
        text += "."
        if !advice.isEmpty { text += " " + advice }
        return text
    }
}

/// Turns the problems of one file into one error: rows that fail the same way (same kind,
/// same column) are told once, with their count and first lines, and the advice names only
/// fixes that can work for what was found.
enum ProblemSummary {
    /// A kind with more problems than this is condensed into one sentence.
    static let condenseAbove = 3

    static func error(
        file: String, problems: [DataProblem], kinds: [ProblemKind], validRows: Int, layout: ColumnLayout, options: LoadOptions, dropping: Bool
    ) -> CandleDataError {
        let order = problems.indices.sorted { a, b in
            let la = problems[a].line ?? 0, lb = problems[b].line ?? 0
            return la != lb ? la < lb : a < b
        }
        var groups: [(kind: ProblemKind, members: [Int])] = []
        var groupIndex: [String: Int] = [:]
        for i in order {
            let key = "\(kinds[i].rawValue)|\(problems[i].column ?? "")"
            if let g = groupIndex[key] { groups[g].members.append(i) } else {
                groupIndex[key] = groups.count
                groups.append((kinds[i], [i]))
            }
        }
        var listed: [DataProblem] = []
        for group in groups {
            let first = problems[group.members[0]]
            if group.members.count > condenseAbove {
                let others = group.members.dropFirst()
                let shown = others.prefix(5).compactMap { problems[$0].line }.map(String.init).joined(separator: ", ")
                var condensed = first
                condensed.reason += "; \(others.count) more row(s) fail the same way (line\(others.count > 1 ? "s" : "") \(shown)\(others.count > 5 ? ", ..." : ""))"
                listed.append(condensed)
            } else {
                listed += group.members.map { problems[$0] }
            }
        }
        listed.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        let present = Set(kinds)
        let rowKinds: Set<ProblemKind> = [.fieldCount, .empty, .notNumber, .price, .volume, .high, .low, .timeText, .calendar, .range]
        let total = problems.count
        var advice: [String] = []
        if dropping {
            advice.append("Every one of the \(total) data rows is invalid, so --drop-invalid leaves no candles.")
        }
        if present.contains(.timeText) {
            let reason = problems.indices.first { kinds[$0] == .timeText }.map { problems[$0].reason } ?? ""
            let example = reason.split(separator: "`", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
            if options.timeFormat != nil {
                advice.append("Check the --time-format pattern against the values shown (strftime directives: %Y %m %d %H %M %S %f %p %b %z).")
            } else if example.contains(where: { $0.isLetter && $0 != "T" && $0 != "Z" }) && example.range(of: "[A-Za-z]{3}", options: .regularExpression) != nil {
                advice.append("The times are written in a form that is not inferred: give it with --time-format, e.g. --time-format '%d-%b-%Y %H:%M' for `05-Jan-2020 10:00`.")
            } else {
                advice.append("The times are written in a form that is not inferred: give it with --time-format PATTERN (strftime directives, e.g. --time-format '%d.%m.%Y %H:%M:%S').")
            }
        }
        if present.contains(.calendar) {
            if case .text(let order?) = layout.timeFormat, order != .ymd {
                advice.append("These dates or times do not exist as read \(order == .dmy ? "day-first" : "month-first"): fix them at the source, or if the file is \(order == .dmy ? "month-first" : "day-first") pass --date-order \(order == .dmy ? "mdy" : "dmy").")
            } else {
                advice.append("These dates or times do not exist: fix them at the source.")
            }
        }
        if present.contains(.range) {
            advice.append("Times outside 1970-01-02 .. 2200-01-01 are placeholders or a wrong unit: remove or correct them\(options.timestampUnit != nil ? " (or check --timestamp-unit)" : "").")
        }
        if validRows == 0 && !dropping || dropping {
            if present.contains(.fieldCount) {
                advice.append("The rows have fewer fields than the layout needs: check the separator and that no column is missing.")
            }
            if !present.isDisjoint(with: [.notNumber, .empty, .price, .high, .low, .volume]) {
                if let header = layout.headerLine {
                    advice.append("No row reads as a candle under the header on line \(header) (open in column `\(layout.names[1])`, close in `\(layout.names[4])`): check that the header names the columns the rows hold.")
                } else {
                    advice.append("No row reads as a candle by position (time, open, high, low, close, volume): check the column order, or add a header naming the columns.")
                }
            }
        }
        if !dropping && validRows > 0 && !present.isDisjoint(with: rowKinds) {
            advice.append("Fix these rows, or pass --drop-invalid to drop each invalid row (counted and reported).")
        }
        if present.contains(.order) { advice.append("Pass --sort to sort the rows.") }
        if present.contains(.duplicate) { advice.append("Two different candles for one time cannot both be right: correct or delete one of them.") }
        if present.contains(.interval) { advice.append("--interval must not be longer than the spacing of the bars: give the bars' own interval.") }
        return CandleDataError(
            problems: Array(listed.prefix(CandleLoader.maximumProblemsReported)),
            moreProblems: max(0, listed.count - CandleLoader.maximumProblemsReported),
            advice: advice.joined(separator: " ")
        )
    }
}
