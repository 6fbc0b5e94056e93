import ArgumentParser
import Persistence

/// `dca-backtest db`: maintenance of the results database.
struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check the results database.",
        subcommands: [DBCheckCommand.self]
    )
}

/// `dca-backtest db check [--db PATH]`: SQLite's integrity and foreign-key checks, read-only.
struct DBCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run SQLite's integrity and foreign-key checks on the database and report (read-only).",
        discussion: """
            Runs PRAGMA integrity_check (every page, index and constraint) and PRAGMA foreign_key_check \
            (every row's parent exists) without writing anything. Exit status 0 when both pass, 1 when \
            either finds a problem (the first 100 are listed). A damaged database: restore it from a backup, \
            or start a new one with --db NEW.sqlite (`sqlite3 OLD.sqlite .recover | sqlite3 NEW.sqlite` may \
            save what is readable).
            """
    )

    @Option(name: .customLong("db"), help: ArgumentHelp("The SQLite database to check.", valueName: "PATH"))
    var databasePath = "reports/backtests.sqlite"

    func run() throws {
        if case .postgres(let url) = try DatabaseLocation(databasePath) {
            throw CommandFailure("db check runs SQLite's checks on a file; \(url) is a PostgreSQL database, which checks its own pages and constraints (its amcheck extension verifies indexes).")
        }
        let report = try DatabaseHealth.check(path: databasePath)
        if report.isHealthy {
            print("\(databasePath): integrity check ok, foreign keys ok.")
            return
        }
        var lines = ["\(databasePath) is damaged:"]
        if !report.integrityProblems.isEmpty {
            lines.append("  integrity_check found \(report.integrityProblems.count)\(report.integrityProblems.count >= 100 ? "+" : "") problem(s):")
            lines += report.integrityProblems.map { "    " + $0 }
        }
        if !report.foreignKeyProblems.isEmpty {
            lines.append("  foreign_key_check found \(report.foreignKeyProblems.count)\(report.foreignKeyProblems.count >= 100 ? "+" : "") row(s) without a parent:")
            lines += report.foreignKeyProblems.map { "    " + $0 }
        }
        lines.append("Restore the file from a backup, or give a new --db; `sqlite3 \(databasePath) .recover | sqlite3 NEW.sqlite` may save what is readable.")
        throw CommandFailure(lines.joined(separator: "\n"))
    }
}
