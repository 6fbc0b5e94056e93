import Foundation
import Testing

@testable import Persistence

/// The PostgreSQL server of the tests: `DCA_BACKTEST_POSTGRES_URL` (with `PGPASSWORD`), as
/// `eval "$(scripts/start-postgres.sh)"` sets them. Without it the tests skip, saying so; in CI
/// (`CI=true`) they run and fail instead.
enum PostgresTestServer {
    static let variable = "DCA_BACKTEST_POSTGRES_URL"
    static var baseURL: String? { ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 } }
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// Whether the PostgreSQL tests run: a server is given, or this is CI (where its absence fails).
    static var enabled: Bool { baseURL != nil || inCI }
    static let skipMessage = "DCA_BACKTEST_POSTGRES_URL is not set: the PostgreSQL tests are skipped (eval \"$(scripts/start-postgres.sh)\" starts a server and sets it; CI sets it and never skips them)"

    /// A new empty database on the server, dropped by `drop()`; each test has its own, so tests
    /// run in parallel and again.
    struct Database {
        let url: PostgresURL
        let admin: PostgresSession
        var urlText: String { url.description }
        func drop() {
            try? admin.execute("DROP DATABASE IF EXISTS \(url.database) WITH (FORCE)")
        }
    }

    static func freshDatabase() throws -> Database {
        guard let base = baseURL else {
            throw StorageError("CI=true but \(variable) is not set: CI must start PostgreSQL (scripts/start-postgres.sh) before the tests")
        }
        let server = try PostgresURL(base)
        let admin = try PostgresSession(url: server)
        var url = server
        url.database = "dca_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try admin.execute("CREATE DATABASE \(url.database)")
        return Database(url: url, admin: admin)
    }
}
