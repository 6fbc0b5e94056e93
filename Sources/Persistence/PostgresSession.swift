import Foundation
import Logging
import MarketData
import PostgresNIO

/// Runs the jobs of async work on one thread of its own: the store's synchronous methods wait
/// for work that runs here and on PostgresNIO's event loop, never on Swift's shared cooperative
/// pool, so a caller that blocks a pool thread (a test, a worker) cannot starve its own query.
final class StoreThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while true {
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty { break }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
            condition.lock()
        }
        condition.unlock()
    }

    /// Ends the thread once the jobs queued so far have run.
    func shutdown() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }
}

/// One connection to a PostgreSQL server, with its event loop and the thread its async work
/// runs on; ``blocking(_:)`` bridges the synchronous ``RunDatabase`` calls to PostgresNIO's
/// async API (the caller's thread sleeps on a condition until the work has finished).
final class PostgresSession: @unchecked Sendable {
    let url: PostgresURL
    let connection: PostgresConnection
    let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let executor: StoreThreadExecutor
    /// One call at a time on the connection (a sweep writes from a thread of its own).
    private let lock = NSLock()

    /// Connects to the server `url` names.
    /// - Throws: ``StorageError`` in one sentence: the server cannot be reached, refused the
    ///   password, has no such database, or the sslmode cannot be honoured.
    init(url: PostgresURL, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) {
        self.url = url
        let logger = Logger(label: "dca-backtest.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = StoreThreadExecutor(name: "dca-backtest.postgres")
        self.logger = logger
        self.group = group
        self.executor = executor
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try Self.configuration(url, password: url.password(environment: environment))
        } catch let error as StorageError {
            Self.shutDown(group: group, executor: executor)
            throw error
        } catch {
            Self.shutDown(group: group, executor: executor)
            throw StorageError("--db \(url): cannot set up TLS for sslmode=\(url.sslMode.rawValue): \(error).")
        }
        let eventLoop = group.next()
        do {
            connection = try Self.wait(on: eventLoop, executor: executor) {
                try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 1, logger: logger)
            }
        } catch {
            Self.shutDown(group: group, executor: executor)
            throw Self.explain(error, url: url, doing: "connecting to")
        }
    }

    deinit {
        try? connection.close().wait()
        Self.shutDown(group: group, executor: executor)
    }

    private static func shutDown(group: MultiThreadedEventLoopGroup, executor: StoreThreadExecutor) {
        try? group.syncShutdownGracefully()
        executor.shutdown()
    }

    /// PostgresNIO's configuration for `url`: the `sslmode`s it can honour are `disable`,
    /// `prefer` (TLS when the server offers it, without certificate checks, as libpq),
    /// `require` (TLS or no connection, without certificate checks unless `sslrootcert` is
    /// given, then as `verify-ca`), `verify-ca` (the certificate must chain to `sslrootcert`'s
    /// authorities, else the system's trusted roots) and `verify-full` (and name the host).
    /// `allow` (plain first, TLS only if the server insists) has no PostgresNIO equivalent and
    /// is refused. `sslcert` and `sslkey` are the client certificate the server may ask for.
    static func configuration(_ url: PostgresURL, password: String?) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable:
            tls = .disable
        case .allow:
            throw StorageError("--db \(url): sslmode=allow is not supported (PostgresNIO cannot fall back from plain to TLS); use disable, prefer, require, verify-ca or verify-full.")
        case .prefer:
            tlsConfiguration.certificateVerification = .none
            tls = .prefer(try NIOSSLContext(configuration: try withFiles(tlsConfiguration)))
        case .require:
            // As libpq: with a root certificate given, require checks the chain as verify-ca.
            tlsConfiguration.certificateVerification = url.rootCertificateFile == nil ? .none : .noHostnameVerification
            tls = .require(try NIOSSLContext(configuration: try withFiles(tlsConfiguration)))
        case .verifyCA:
            tlsConfiguration.certificateVerification = .noHostnameVerification
            tls = .require(try NIOSSLContext(configuration: try withFiles(tlsConfiguration)))
        case .verifyFull:
            tlsConfiguration.certificateVerification = .fullVerification
            tls = .require(try NIOSSLContext(configuration: try withFiles(tlsConfiguration)))
        }
        /// The URL's TLS files in `configuration`: its trusted roots, its client certificate and key.
        func withFiles(_ configuration: TLSConfiguration) throws -> TLSConfiguration {
            var configuration = configuration
            for (key, path) in [("sslrootcert", url.rootCertificateFile), ("sslcert", url.certificateFile), ("sslkey", url.keyFile)] {
                guard let path else { continue }
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw StorageError("--db \(url): the \(key) file \(path) does not exist or cannot be read.")
                }
            }
            if let root = url.rootCertificateFile { configuration.trustRoots = .file(root) }
            if let certificate = url.certificateFile, let key = url.keyFile {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            return configuration
        }
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: password, database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(url.connectTimeout))
        configuration.options.additionalStartupParameters = [("application_name", "dca-backtest")]
        return configuration
    }

    /// Runs `body` on the store's thread and waits for it (one call at a time).
    func blocking<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let connection = connection
        return try Self.wait(on: connection.eventLoop, executor: executor) { try await body(connection) }
    }

    private static func wait<T: Sendable>(on eventLoop: any EventLoop, executor: StoreThreadExecutor, _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let promise = eventLoop.makePromise(of: T.self)
        Task(executorPreference: executor) {
            do { promise.succeed(try await body()) } catch { promise.fail(error) }
        }
        return try promise.futureResult.wait()
    }

    /// One sentence for a failure talking to the server.
    static func explain(_ error: any Error, url: PostgresURL, doing: String) -> StorageError {
        if let error = error as? StorageError { return error }
        let server = "the PostgreSQL server at \(url.host):\(url.port)"
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? ""
                let message = info[.message] ?? "\(error)"
                switch state {
                case "28P01":
                    return StorageError("\(server) refused the password of user \(url.user) (from PGPASSWORD, the password file or the URL): check it.")
                case "28000":
                    return StorageError("\(server) refused user \(url.user) for database \(url.database): \(message).")
                case "3D000":
                    return StorageError("the database \(url.database) does not exist on \(server): create it (createdb -h \(url.host) -p \(url.port) -U \(url.user) \(url.database)) or fix the URL.")
                case "42501":
                    return StorageError("user \(url.user) may not do this in \(url.database) on \(server) (\(message)): grant it the rights or use another --db.")
                default:
                    return StorageError("\(doing) \(url.database) on \(server) failed (SQLSTATE \(state)): \(message).")
                }
            }
            switch error.code {
            case .authMechanismRequiresPassword:
                return StorageError("\(server) asks a password of user \(url.user): set PGPASSWORD or add a line host:port:database:user:password to ~/.pgpass.")
            case .sslUnsupported:
                return StorageError("\(server) does not offer TLS but the URL says sslmode=\(url.sslMode.rawValue): use sslmode=prefer or disable, or enable ssl on the server.")
            case .connectionError:
                let reason = error.underlying.map { "\($0)" } ?? "no answer"
                let why = reason.contains("refused") || reason.contains("ECONNREFUSED") ? "connection refused"
                    : reason.lowercased().contains("timeout") || reason.contains("timed out") ? "no answer within \(url.connectTimeout) s" : reason
                return StorageError("cannot reach \(server) (\(why)): start the server or fix the host and port in --db.")
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return StorageError("the connection to \(server) was lost while \(doing) \(url.database); nothing of the unfinished work was kept.")
            default:
                return StorageError("\(doing) \(url) failed: \(error.code).")
            }
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return StorageError("cannot reach \(server) (no answer within \(url.connectTimeout) s): start the server or fix the host and port in --db.")
        }
        return StorageError("\(doing) \(url) failed: \(error).")
    }
}

/// A value bound to a query parameter (SQL casts give it its column type: `$1::uuid`).
enum PostgresBind: Sendable {
    case text(String?)
    case real(Double?)
    case integer(Int?)
    case bool(Bool)
    case texts([String])
    case integers([Int])

    static func bindings(_ values: [PostgresBind]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let s): bindings.append(s)
            // Non-finite numbers are stored as NULL, as SQLite stores them.
            case .real(let d): bindings.append(d.flatMap { $0.isFinite ? $0 : nil })
            case .integer(let i): bindings.append(i.map(Int64.init))
            case .bool(let b): bindings.append(b)
            case .texts(let a): bindings.append(a)
            case .integers(let a): bindings.append(a.map(Int64.init))
            }
        }
        return bindings
    }
}

extension PostgresConnection {
    /// Runs one statement and returns its rows as the commands read them.
    func rows(_ sql: String, _ binds: [PostgresBind] = [], logger: Logger) async throws -> [StoredRow] {
        let sequence = try await query(PostgresQuery(unsafeSQL: sql, binds: PostgresBind.bindings(binds)), logger: logger)
        var out: [StoredRow] = []
        var names: [String]?
        for try await row in sequence {
            var values: [StoredValue] = []
            var rowNames: [String] = []
            for cell in row {
                if names == nil { rowNames.append(cell.columnName) }
                values.append(try Self.storedValue(cell))
            }
            if names == nil { names = rowNames }
            out.append(StoredRow(columns: names ?? rowNames, values: values))
        }
        return out
    }

    /// Runs one statement, discarding any rows.
    func execute(_ sql: String, _ binds: [PostgresBind] = [], logger: Logger) async throws {
        let sequence = try await query(PostgresQuery(unsafeSQL: sql, binds: PostgresBind.bindings(binds)), logger: logger)
        for try await _ in sequence {}
    }

    /// Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
    static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000

    /// A cell as SQLite gives the same column: ids lowercase UUID text, times ISO-8601 UTC text
    /// with milliseconds, JSON as text, booleans 0 or 1.
    static func storedValue(_ cell: PostgresCell) throws -> StoredValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .uuid: return .text(try cell.decode(UUID.self).uuidString.lowercased())
        case .timestamptz, .timestamp:
            guard let microseconds = bytes.readInteger(as: Int64.self) else { return .null }
            return .text(UTCTime.iso8601(nanoseconds: (microseconds + postgresEpochMicroseconds) * 1000))
        case .jsonb:
            bytes.moveReaderIndex(forwardBy: 1)  // the jsonb format version
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        default:
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        }
    }
}

extension PostgresSession {
    /// Runs one statement outside any transaction (`CREATE DATABASE` for tests, benchmarks).
    func execute(_ sql: String) throws {
        let logger = self.logger
        try blocking { connection in try await connection.execute(sql, logger: logger) }
    }

    /// The rows of one statement.
    func query(_ sql: String) throws -> [StoredRow] {
        let logger = self.logger
        return try blocking { connection in try await connection.rows(sql, logger: logger) }
    }
}

extension PostgresStore {
    /// The rows of one read statement on this store's connection (tests, benchmarks).
    func query(_ sql: String) throws -> [StoredRow] { try session.query(sql) }
    /// Runs one statement on this store's connection (tests).
    func execute(_ sql: String) throws { try session.execute(sql) }
}
