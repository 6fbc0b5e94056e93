import Foundation

/// A PostgreSQL connection URL, `postgresql://USER@HOST:PORT/DB?sslmode=MODE`, as libpq reads
/// it: the user defaults to `PGUSER` or the login name, the host to `localhost`, the port to
/// 5432, the database to the user name, `sslmode` to `prefer`. TLS files: `sslrootcert`,
/// `sslcert` and `sslkey` (paths of PEM files, percent-encoded like any value).
///
/// The password comes from `PGPASSWORD`, else from the password file (`PGPASSFILE` or
/// `~/.pgpass`, lines `host:port:database:user:password`, `*` matching anything), else from the
/// URL itself (accepted, never shown: ``description`` leaves it out). It is never printed or
/// stored.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// Seconds to wait for the server to answer a connection (`connect_timeout`), default 10.
    public var connectTimeout: Int
    /// PEM files, as libpq names them: `sslrootcert`, the certificate authorities the server's
    /// certificate must chain to (`verify-ca`, `verify-full`; default: the system's); `sslcert`
    /// and `sslkey`, the client's certificate and its private key, sent when the server asks for
    /// one (`cert` authentication). `nil`: not given (libpq's `~/.postgresql/` defaults are not
    /// read).
    public var rootCertificateFile: String?
    public var certificateFile: String?
    public var keyFile: String?
    /// A password written in the URL (discouraged; PGPASSWORD or ~/.pgpass are preferred).
    var urlPassword: String?

    /// The URL without its password.
    public var description: String {
        var parameters: [String] = []
        if sslMode != .prefer { parameters.append("sslmode=\(sslMode.rawValue)") }
        for (key, value) in [("sslrootcert", rootCertificateFile), ("sslcert", certificateFile), ("sslkey", keyFile)] {
            if let value { parameters.append("\(key)=\(value)") }
        }
        return "postgresql://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// Parses `text`.
    /// - Throws: ``StorageError`` naming what is wrong (a bad port, an unknown parameter or sslmode).
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) {
        let shown = Self.redacted(text)
        guard let schemeEnd = text.range(of: "://") else { throw StorageError("\(shown) is not a PostgreSQL URL: write postgresql://USER@HOST:PORT/DB.") }
        var rest = String(text[schemeEnd.upperBound...])
        var query = ""
        if let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = String(rest[..<q])
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = String(rest[..<slash])
        }
        var userInfo: String?
        if let at = rest.lastIndex(of: "@") {
            userInfo = String(rest[..<at])
            rest = String(rest[rest.index(after: at)...])
        }
        func decode(_ s: Substring) -> String { String(s).removingPercentEncoding ?? String(s) }
        var user = environment["PGUSER"] ?? environment["USER"] ?? NSUserName()
        if let userInfo, !userInfo.isEmpty {
            if let colon = userInfo.firstIndex(of: ":") {
                user = decode(userInfo[..<colon])
                urlPassword = decode(userInfo[userInfo.index(after: colon)...])
            } else {
                user = decode(userInfo[...])
            }
        }
        var host = "localhost"
        var port = 5432
        if rest.hasPrefix("[") , let close = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = String(rest[rest.index(after: close)...])
            if rest.hasPrefix(":") { rest.removeFirst() } else { rest = "" }
            if !rest.isEmpty { guard let p = Int(rest), (1...65535).contains(p) else { throw StorageError("\(shown): the port '\(rest)' must be a number from 1 to 65535.") }; port = p }
        } else {
            if let colon = rest.lastIndex(of: ":") {
                let portText = String(rest[rest.index(after: colon)...])
                guard let p = Int(portText), (1...65535).contains(p) else { throw StorageError("\(shown): the port '\(portText)' must be a number from 1 to 65535.") }
                port = p
                rest = String(rest[..<colon])
            }
            if !rest.isEmpty { host = decode(rest[...]) }
        }
        let database = path.isEmpty ? user : decode(path[...])
        var sslMode = SSLMode.prefer
        var connectTimeout = 10
        var files: [String: String] = [:]
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = decode(parts[0]), value = parts.count > 1 ? decode(parts[1]) : ""
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw StorageError("\(shown): sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(value)').")
                }
                sslMode = mode
            case "connect_timeout":
                guard let seconds = Int(value), seconds >= 0 else { throw StorageError("\(shown): connect_timeout must be a whole number of seconds (got '\(value)').") }
                connectTimeout = seconds == 0 ? 10 : seconds
            case "application_name":
                break
            case "sslrootcert", "sslcert", "sslkey":
                guard !value.isEmpty else { throw StorageError("\(shown): \(key) needs the path of a PEM file.") }
                files[key] = value
            default:
                throw StorageError("\(shown): the URL parameter '\(key)' is not supported (supported: sslmode, sslrootcert, sslcert, sslkey, connect_timeout, application_name).")
            }
        }
        if (files["sslcert"] == nil) != (files["sslkey"] == nil) {
            throw StorageError("\(shown): give sslcert and sslkey together (the client certificate and its private key).")
        }
        if sslMode == .disable && !files.isEmpty {
            throw StorageError("\(shown): sslrootcert, sslcert and sslkey need TLS, but sslmode=disable turns it off.")
        }
        guard !database.isEmpty, !user.isEmpty else { throw StorageError("\(shown): give a user and a database, as in postgresql://USER@HOST:PORT/DB.") }
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
        self.connectTimeout = connectTimeout
        rootCertificateFile = files["sslrootcert"]
        certificateFile = files["sslcert"]
        keyFile = files["sslkey"]
    }

    /// `text` with any password between `://user:` and `@` replaced by `***`.
    public static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// The password to send: PGPASSWORD, then the password file, then the URL's; nil when none.
    public func password(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let password = environment["PGPASSWORD"] { return password }
        let file = environment["PGPASSFILE"] ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? NSHomeDirectory() + "/.pgpass")
        if let text = try? String(contentsOfFile: file, encoding: .utf8), let password = Self.passwordFileEntry(text, host: host, port: port, database: database, user: user) {
            return password
        }
        return urlPassword
    }

    /// The password of the first matching line of a password file (libpq's format: fields
    /// separated by `:`, `\:` and `\\` escapes, `*` matching any value, `#` comments).
    static func passwordFileEntry(_ text: String, host: String, port: Int, database: String, user: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [], field = "", escaped = false
            for character in line {
                if escaped { field.append(character); escaped = false } else if character == "\\" { escaped = true } else if character == ":" && fields.count < 4 {
                    fields.append(field); field = ""
                } else { field.append(character) }
            }
            fields.append(field)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            let hostMatches = fields[0] == "*" || fields[0] == host || (fields[0] == "localhost" && host == "127.0.0.1")
            if hostMatches && zip(fields[1...3], wanted[1...3]).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
