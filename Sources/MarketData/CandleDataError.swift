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
