import Foundation
import GRDB

/// Checks of a results database's health, and messages for SQLite's damage and permission
/// errors that say what to do.
public enum DatabaseHealth {
    /// What `PRAGMA integrity_check` and `PRAGMA foreign_key_check` found.
    public struct Report: Sendable {
        /// `integrity_check` lines other than `ok` (at most 100).
        public var integrityProblems: [String]
        /// One line per row whose foreign key has no parent: `table rowid N -> parent`.
        public var foreignKeyProblems: [String]
        public var isHealthy: Bool { integrityProblems.isEmpty && foreignKeyProblems.isEmpty }
    }

    /// Runs the integrity and foreign-key checks on the database at `path`, read-only.
    /// - Throws: ``StorageError`` when the file is missing or cannot be opened as a database.
    public static func check(path: String) throws(StorageError) -> Report {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StorageError("No database at \(path): give the path of a dca-backtest database with --db.")
        }
        do {
            let queue = try RunStoreReader.openQueue(path: path)
            return try queue.read { db in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(100)").filter { $0 != "ok" }
                let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").prefix(100).map { row -> String in
                    let table: String = row[0]
                    let rowid: Int64? = row[1]
                    let parent: String = row[2]
                    return "\(table) row \(rowid.map(String.init) ?? "?") refers to a missing \(parent) row"
                }
                return Report(integrityProblems: integrity, foreignKeyProblems: Array(foreignKeys))
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw explain(error, path: path, doing: "checking it")
        }
    }

    /// Throws unless the database at `path` passes the integrity and foreign-key checks.
    public static func requireHealthy(path: String, role: String) throws(StorageError) {
        let report = try check(path: path)
        guard report.isHealthy else {
            let found = (report.integrityProblems + report.foreignKeyProblems).prefix(3).joined(separator: "; ")
            throw StorageError("\(role) \(path) is damaged (\(found)): nothing was read from it. \(repairAdvice(path))")
        }
    }

    /// The fix for a damaged database.
    static func repairAdvice(_ path: String) -> String {
        "See the details with `dca-backtest db check --db \(path)` (PRAGMA integrity_check), restore the file from a backup, or give a new --db."
    }

    /// A ``StorageError`` for `error` met while `doing` something with the database at `path`:
    /// damage, a read-only file, a folder that cannot be written, a full disk, with the fix.
    public static func explain(_ error: any Error, path: String, doing: String) -> StorageError {
        if let storage = error as? StorageError { return storage }
        guard let database = error as? DatabaseError else { return StorageError("\(doing) \(path) failed: \(error)") }
        let code = database.resultCode
        let detail = database.message ?? "\(database)"
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        switch code {
        case .SQLITE_CORRUPT:
            return StorageError("\(path) is damaged (SQLite: \(detail)): \(doing) was stopped and nothing was changed. \(repairAdvice(path))")
        case .SQLITE_NOTADB:
            return StorageError("\(path) is not an SQLite database (another kind of file, or damaged): give the path of a dca-backtest database, or a new file.")
        case .SQLITE_READONLY:
            return StorageError("\(path) is read-only (SQLite: \(detail)): \(doing) needs to write it. Make the file and its folder writable, or give another --db.")
        case .SQLITE_CANTOPEN where access(folder, W_OK) != 0:
            return StorageError("cannot open the database \(path): the folder \(folder) cannot be written (SQLite needs to create the file, or its -wal and -shm files, there). Give a --db in a folder you can write.")
        case .SQLITE_FULL:
            return StorageError("\(doing) \(path) failed: the disk is full; nothing of it was kept. Free some space and run again.")
        default:
            return StorageError("\(doing) \(path) failed: \(detail) (SQLite error \(code.rawValue)).")
        }
    }

    /// True for damage, read-only, unopenable and full-disk errors (which ``explain(_:path:doing:)`` words).
    static func isDamageOrPermission(_ error: any Error) -> Bool {
        guard let code = (error as? DatabaseError)?.resultCode else { return false }
        return [.SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_FULL].contains(code)
    }

    /// Refuses early, with the folder named, when a database cannot be created at `path`.
    static func requireWritableFolder(for path: String) throws(StorageError) {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { return }
        if access(folder, W_OK) != 0 {
            let exists = FileManager.default.fileExists(atPath: path)
            throw StorageError("cannot \(exists ? "write" : "create") the database \(path): the folder \(folder) cannot be written (\(exists ? "SQLite needs to create the -wal and -shm files there" : "permission denied or a read-only file system")). Give a --db in a folder you can write.")
        }
    }
}

/// Reads a results database without writing anything (`runs list`, `runs show`, `db check`),
/// so a read-only file, or one in a read-only folder, can be read.
public final class RunStoreReader: Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// Opens `path` read-only.
    /// - Throws: ``StorageError`` when it is missing, damaged, not a database, or newer than this program.
    public init(path: String) throws(StorageError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw StorageError("No database at \(path): run a backtest first (dca-backtest run ...) or pass --db.")
        }
        do {
            queue = try Self.openQueue(path: path)
            let migrator = Schema.migrator
            if try queue.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StorageError("\(path) was written by a newer version of dca-backtest: upgrade dca-backtest to read it.")
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw DatabaseHealth.explain(error, path: path, doing: "reading")
        }
    }

    /// A read-only connection; when SQLite cannot set up WAL reading (no `-shm` file and a folder
    /// it cannot write), the file is opened as immutable (nothing else may write it meanwhile).
    static func openQueue(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY {
            let url = URL(fileURLWithPath: path).absoluteURL
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
            components.queryItems = [URLQueryItem(name: "immutable", value: "1")]
            let queue = try DatabaseQueue(path: components.string!, configuration: configuration)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM sqlite_master") }
            return queue
        }
    }

    /// Runs a read-only closure on the database.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw DatabaseHealth.explain(error, path: path, doing: "reading")
        }
    }
}
