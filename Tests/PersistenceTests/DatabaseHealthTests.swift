import Foundation
import GRDB
import Testing

@testable import Persistence

struct DatabaseHealthTests {
    /// A new database with its schema, checkpointed into the main file and closed.
    func newDatabase() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dca-health-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("runs.sqlite").path
        do {
            let store = try RunStore(path: path)
            try store.pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        return path
    }

    @Test func aNewDatabasePassesBothChecks() throws {
        let report = try DatabaseHealth.check(path: try newDatabase())
        #expect(report.isHealthy)
    }

    @Test func damagedPagesAreFoundAndAShardWithThemIsNotMerged() throws {
        let path = try newDatabase()
        // Overwrite the second page (a table's b-tree page, 32 KiB pages) with garbage.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 32768 + 8)
        handle.write(Data(repeating: 0xA5, count: 4000))
        try handle.close()
        let report = try DatabaseHealth.check(path: path)
        #expect(!report.integrityProblems.isEmpty)
        #expect {
            try DatabaseHealth.requireHealthy(path: path, role: "the shard")
        } throws: { error in
            "\(error)".contains("the shard \(path) is damaged") && "\(error)".contains("dca-backtest db check --db \(path)")
        }
    }

    @Test func aReaderOpensAReadOnlyFileAndWritesNothing() throws {
        let path = try newDatabase()
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let reader = try RunStoreReader(path: path)
        #expect(try reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM bot_runs") } == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
        #expect(walSize == 0)
    }

    @Test func corruptionErrorsSayWhatToDo() {
        let error = DatabaseHealth.explain(DatabaseError(resultCode: .SQLITE_CORRUPT, message: "database disk image is malformed"), path: "r.sqlite", doing: "writing")
        #expect(error.description == "r.sqlite is damaged (SQLite: database disk image is malformed): writing was stopped and nothing was changed. See the details with `dca-backtest db check --db r.sqlite` (PRAGMA integrity_check), restore the file from a backup, or give a new --db.")
    }
}
