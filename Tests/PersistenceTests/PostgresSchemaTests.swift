import Foundation
import GRDB
import Testing

@testable import Persistence

/// The PostgreSQL schema (as SQL, without a server) against the SQLite schema it copies: the
/// SQLite database written by the current migrations is the reference.
@Suite struct PostgresSchemaTests {
    /// Column names in order of each `CREATE TABLE name (...)` of `sql` (table constraints skipped).
    static func tables(in sql: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        var current: String? = nil
        for rawLine in sql.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("CREATE TABLE ") {
                let name = line.dropFirst("CREATE TABLE ".count).split(separator: " ").first.map(String.init) ?? ""
                current = name
                result[name] = []
            } else if line.hasPrefix(")") {
                current = nil
            } else if let table = current, let first = line.split(separator: " ").first {
                let word = String(first)
                if ["PRIMARY", "FOREIGN", "CHECK", "UNIQUE", "CONSTRAINT"].contains(word) { continue }
                result[table]!.append(word)
            }
        }
        return result
    }

    @Test func everySQLiteTableHasTheSameColumnsInTheSameOrder() throws {
        let (store, _) = try SchemaTests.storedRun()
        let postgres = Self.tables(in: PostgresSchema.migrations.map(\.sql).joined(separator: "\n"))
        try store.read { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name")
            #expect(names.count == 10)
            for table in names {
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
                #expect(postgres[table] == columns, "\(table)")
            }
            #expect(Set(postgres.keys) == Set(names))
        }
    }

    @Test func migrationsAreNamedAndTheViewIsTheLast() {
        #expect(PostgresSchema.migrationNames == ["v1_platform_schema", "v2_run_summary_view", "v3_symbol_results", "v4_symbol_figures_of_runs_swept_without_orders"])
        #expect(PostgresSchema.migrationsTable.contains("dca_migrations"))
    }
}
