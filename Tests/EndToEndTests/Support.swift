import Foundation
import GRDB
import Testing

/// Paths and helpers for tests that drive the real `dca-backtest` binary.
enum Project {
    /// The package root (this file is Tests/EndToEndTests/Support.swift).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the clone: present in CI, absent in a user's clone.
    static let shared: URL = root.deletingLastPathComponent().appendingPathComponent("shared")
    static var sharedDatasets: URL { shared.appendingPathComponent("datasets") }
    static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: sharedDatasets.appendingPathComponent("MANIFEST.tsv").path) }
    static let skipMessage = "../shared/datasets is not beside this clone: tests over the shared datasets are skipped (CI has it and runs them)"

    /// The built `dca-backtest` next to the test bundle.
    static var binary: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dca-backtest"),
            Bundle.main.bundleURL.appendingPathComponent("dca-backtest"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("dca-backtest"),
            root.appendingPathComponent(".build/debug/dca-backtest"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }

    /// A fresh temporary folder.
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dca-backtest-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Batch-scheduler variables that choose a sweep's shard: never inherited by the binary under
/// test (tests run in parallel, and CI itself might run inside such a job); a test passes them
/// to its own process with `environment`.
let schedulerVariables = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX"]

/// This process's environment without the scheduler variables.
func testEnvironment() -> [String: String] {
    ProcessInfo.processInfo.environment.filter { !schedulerVariables.contains($0.key) }
}

/// The binary with `arguments` in the package root, with `environment` added to this process's
/// environment (scheduler variables removed), its output discarded; not started.
func binaryProcess(_ arguments: [String], environment: [String: String] = [:]) -> Process {
    let process = Process()
    process.executableURL = Project.binary
    process.arguments = arguments
    process.currentDirectoryURL = Project.root
    process.environment = testEnvironment().merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    return process
}

/// Runs the binary (``binaryProcess(_:environment:)``) and collects its exit status and output.
func runCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    let process = binaryProcess(arguments, environment: environment)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

/// A JSON value decoded with `JSONDecoder`, whose numbers round-trip exactly (Foundation's
/// `JSONSerialization` on Linux does not always read back the shortest form of a double).
enum Loose: Decodable {
    case null, bool(Bool), number(Double), string(String), array([Loose]), object([String: Loose])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([Loose].self) { self = .array(a) } else {
            self = .object(try c.decode([String: Loose].self))
        }
    }

    var any: Any? {
        switch self {
        case .null: nil
        case .bool(let b): b
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? (Int(d) as Any) : d
        case .string(let s): s
        case .array(let a): a.map(\.any) as [Any?]
        case .object(let o): o.mapValues(\.any) as [String: Any?]
        }
    }
}

/// A JSON object's members; integral numbers come as `Int`, others as `Double`.
func jsonObject(_ text: String) throws -> [String: Any] {
    guard case .object(let members) = try JSONDecoder().decode(Loose.self, from: Data(text.utf8)) else {
        throw CocoaError(.coderReadCorrupt)
    }
    return members.compactMapValues { $0.any }
}

extension Dictionary where Key == String, Value == Any {
    /// A number member as `Double` whether it was integral or not.
    func double(_ key: String) -> Double? {
        if let d = self[key] as? Double { return d }
        if let i = self[key] as? Int { return Double(i) }
        return nil
    }
}

/// Every row of every table, ordered, as text, leaving out the wall-clock columns.
func orderedDump(_ path: String) throws -> String {
    let queue = try DatabaseQueue(path: path)
    return try queue.read { db in
        var out = ""
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name")
        for table in tables {
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }.filter { $0 != "executed_at" && $0 != "wall_seconds" }
            let list = columns.map { "quote(\($0))" }.joined(separator: " || '|' || ")
            let rows = try String.fetchAll(db, sql: "SELECT \(list) FROM \(table) ORDER BY \(columns.joined(separator: ", "))")
            out += "## \(table)\n" + rows.joined(separator: "\n") + "\n"
        }
        return out
    }
}
