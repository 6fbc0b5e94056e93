import Backtesting
import Foundation
import Testing

@testable import Persistence

/// The URL's TLS files (`sslrootcert`, `sslcert`, `sslkey`, as libpq names them), read without a
/// server.
@Suite struct PostgresTLSURLTests {
    @Test func theTLSFilesAreReadFromTheURLAndShownInItsDescription() throws {
        let url = try PostgresURL("postgresql://dca_cert@db.internal:5433/runs?sslmode=verify-full&sslrootcert=/etc/ca.crt&sslcert=/home/me/client.crt&sslkey=/home/me/client%20key.pem")
        #expect(url.rootCertificateFile == "/etc/ca.crt")
        #expect(url.certificateFile == "/home/me/client.crt")
        #expect(url.keyFile == "/home/me/client key.pem")
        #expect(url.description == "postgresql://dca_cert@db.internal:5433/runs?sslmode=verify-full&sslrootcert=/etc/ca.crt&sslcert=/home/me/client.crt&sslkey=/home/me/client key.pem")
    }

    @Test func aCertificateWithoutItsKeyIsRefused() {
        #expect(throws: StorageError.self) { try PostgresURL("postgresql://u@h/db?sslmode=require&sslcert=/c.crt") }
        do {
            _ = try PostgresURL("postgresql://u@h/db?sslmode=require&sslkey=/c.key")
            Issue.record("a key without its certificate was accepted")
        } catch {
            #expect(String(describing: error) == "postgresql://u@h/db?sslmode=require&sslkey=/c.key: give sslcert and sslkey together (the client certificate and its private key).")
        }
    }

    @Test func tlsFilesWithTLSTurnedOffAreRefused() {
        do {
            _ = try PostgresURL("postgresql://u@h/db?sslmode=disable&sslrootcert=/ca.crt")
            Issue.record("sslrootcert with sslmode=disable was accepted")
        } catch {
            #expect(String(describing: error) == "postgresql://u@h/db?sslmode=disable&sslrootcert=/ca.crt: sslrootcert, sslcert and sslkey need TLS, but sslmode=disable turns it off.")
        }
    }

    @Test func aTLSFileThatCannotBeReadIsNamedBeforeConnecting() throws {
        let missing = "/nonexistent/dca-backtest/client.crt"
        let url = try PostgresURL("postgresql://u@127.0.0.1:1/db?sslmode=verify-full&sslcert=\(missing)&sslkey=/nonexistent/k.pem")
        do {
            _ = try PostgresSession(url: url)
            Issue.record("a missing certificate file was accepted")
        } catch {
            #expect(String(describing: error) == "--db \(url): the sslcert file \(missing) does not exist or cannot be read.")
        }
    }
}

/// TLS against the real server of the tests (`scripts/start-postgres.sh` starts it with its own
/// certificate authority in `DCA_BACKTEST_POSTGRES_TLS_DIR`, and the role `dca_cert`, which logs
/// in by its client certificate alone): verified TLS with a client certificate stores a run, a
/// missing certificate or a server certificate from another authority is refused.
enum PostgresTLSServer {
    static let variable = "DCA_BACKTEST_POSTGRES_TLS_DIR"
    static var folder: String? { ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 } }
    static var enabled: Bool { (folder != nil && PostgresTestServer.baseURL != nil) || PostgresTestServer.inCI }
    static let skipMessage = "DCA_BACKTEST_POSTGRES_TLS_DIR is not set: the PostgreSQL TLS tests are skipped (eval \"$(scripts/start-postgres.sh)\" sets it; CI never skips them)"
}

@Suite(.enabled(if: PostgresTLSServer.enabled, Comment(rawValue: PostgresTLSServer.skipMessage)))
struct PostgresTLSTests {

    /// A new database owned by `dca_cert` and the URL reaching it over TLS with `parameters`.
    static func certificateDatabase(_ parameters: (String) -> String) throws -> (PostgresTestServer.Database, String) {
        guard let folder = PostgresTLSServer.folder else { throw StorageError("CI=true but \(PostgresTLSServer.variable) is not set: CI must start PostgreSQL with scripts/start-postgres.sh") }
        var database = try PostgresTestServer.freshDatabase()
        database.drop()
        try database.admin.execute("CREATE DATABASE \(database.url.database) OWNER dca_cert")
        let text = "postgresql://dca_cert@\(database.url.host):\(database.url.port)/\(database.url.database)?" + parameters(folder)
        return (database, text)
    }

    @Test func aClientCertificateOverVerifiedTLSStoresARun() throws {
        let (database, text) = try Self.certificateDatabase { "sslmode=verify-full&sslrootcert=\($0)/ca.crt&sslcert=\($0)/client.crt&sslkey=\($0)/client.key" }
        defer { database.drop() }
        // No password at all: the certificate is the login.
        let store = try PostgresStore(url: try PostgresURL(text), environment: [:])
        let (result, identity) = try PostgresStoreTests.waveRun()
        try store.write(result, identity: identity, orders: .all, membership: .standalone, executedAt: "2026-01-02T03:04:05.678Z", wallSeconds: 0.25)
        #expect(try store.count("order_logs") == result.orders.count)
        let session = try PostgresSession(url: try PostgresURL(text), environment: [:])
        let connection = try session.query("SELECT current_user AS who, ssl, client_dn FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE pid = pg_backend_pid()")
        #expect(connection.first?["who"].text == "dca_cert")
        #expect(connection.first?["client_dn"].text == "/CN=dca_cert")
    }

    @Test func theCertificateRoleWithoutItsCertificateIsRefusedInOneSentence() throws {
        let (database, text) = try Self.certificateDatabase { "sslmode=verify-full&sslrootcert=\($0)/ca.crt" }
        defer { database.drop() }
        do {
            _ = try PostgresStore(url: try PostgresURL(text), environment: [:])
            Issue.record("connected without a client certificate")
        } catch {
            #expect(String(describing: error).hasPrefix("the PostgreSQL server at \(database.url.host):\(database.url.port) refused user dca_cert for database \(database.url.database): "), "\(String(describing: error))")
            #expect(String(describing: error).contains("client certificate"), "\(String(describing: error))")
            #expect(!String(describing: error).dropLast().contains("\n"), "\(String(describing: error))")
        }
    }

    @Test func aServerCertificateFromAnotherAuthorityIsRefused() throws {
        // The client's own certificate as the only trusted root: the server's does not chain to it.
        let (database, text) = try Self.certificateDatabase { "sslmode=verify-ca&sslrootcert=\($0)/client.crt&sslcert=\($0)/client.crt&sslkey=\($0)/client.key" }
        defer { database.drop() }
        #expect(throws: StorageError.self) { try PostgresStore(url: try PostgresURL(text), environment: [:]) }
    }
}
