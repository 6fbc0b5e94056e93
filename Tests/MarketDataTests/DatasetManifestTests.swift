import Foundation
import Testing

@testable import MarketData

let sharedSkipMessage = "../shared/datasets is not beside this clone: tests over the shared datasets are skipped (CI has it and runs them)"

/// Walks `../shared/datasets` and holds every file to the outcome its MANIFEST.tsv states.
@Suite struct DatasetManifestTests {
    static let datasets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/datasets")
    static var available: Bool { FileManager.default.fileExists(atPath: datasets.appendingPathComponent("MANIFEST.tsv").path) }

    struct Entry: CustomTestStringConvertible, Sendable {
        var fields: [String: String]
        var path: String { fields["path"]! }
        var testDescription: String { path }
    }

    static var entries: [Entry] {
        guard available, let text = try? String(contentsOf: datasets.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        return lines.dropFirst().map { Entry(fields: Dictionary(uniqueKeysWithValues: zip(header, $0))) }
    }

    @Test(.enabled(if: available, Comment(rawValue: sharedSkipMessage)))
    func everyFileOnDiskIsInTheManifestAndEveryManifestPathIsOnDisk() throws {
        let listed = Set(Self.entries.map(\.path))
        let root = Self.datasets.path + "/"
        var onDisk = Set<String>()
        let enumerator = FileManager.default.enumerator(atPath: Self.datasets.path)!
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + relative, isDirectory: &isDirectory)
            if isDirectory.boolValue || relative == "README.md" || relative == "MANIFEST.tsv" || relative.hasSuffix(".CHECKSUM") { continue }
            onDisk.insert(relative)
        }
        #expect(listed.count == 71)
        #expect(onDisk == listed)
    }

    @Test(.enabled(if: available, Comment(rawValue: sharedSkipMessage)), arguments: entries)
    func fileHasItsManifestOutcome(_ entry: Entry) throws {
        let path = Self.datasets.appendingPathComponent(entry.path).path
        let outcome = entry.fields["expected_outcome"]!
        let firstProblem = entry.fields["first_problem_line"]!
        switch outcome {
        case "load", "load_with_report":
            let loaded = try CandleLoader.load(paths: [path])
            try expectMatches(loaded, entry)
            if outcome == "load" {
                #expect(loaded.files[0].gaps == 0 && loaded.files[0].duplicatesDropped == 0 && !loaded.files[0].reversed)
            }
        case "reject":
            for options in [LoadOptions(), LoadOptions(sort: true), LoadOptions(dropInvalid: true), LoadOptions(sort: true, dropInvalid: true)] {
                let error = try #require(refusal(path, options), "\(entry.path) must be refused with \(options)")
                #expect(error.problems.first?.line == Int(firstProblem), "\(error)")
            }
        case "reject_unless_option":
            let error = try #require(refusal(path, LoadOptions()))
            #expect(error.problems.first?.line == Int(firstProblem))
            let note = entry.fields["note"]!
            let options = LoadOptions(sort: note.contains("--sort"), dropInvalid: note.contains("--drop-invalid"))
            let loaded = try CandleLoader.load(paths: [path], options: options)
            // The note of the only such file: "2 rows dropped: 2,517 candles, 544 gaps".
            if note.contains("2,517 candles") {
                #expect(loaded.series.count == 2517)
                #expect(loaded.files[0].invalidRowsDropped == 2)
                #expect(loaded.files[0].gaps == 544)
            }
        case "load_or_reject":
            if let loaded = try? CandleLoader.load(paths: [path]) {
                #expect(loaded.series.count == Int(entry.fields["candles"]!))
            } else {
                let error = try #require(refusal(path, LoadOptions()))
                #expect(firstProblem == "-" ? error.problems.first?.line == 1 || error.problems.first?.line == nil : error.problems.first?.line == Int(firstProblem))
            }
        default:
            Issue.record("unknown outcome \(outcome)")
        }
    }

    func refusal(_ path: String, _ options: LoadOptions) -> CandleDataError? {
        do {
            _ = try CandleLoader.load(paths: [path], options: options)
            return nil
        } catch {
            return error
        }
    }

    func expectMatches(_ loaded: LoadedCandles, _ entry: Entry) throws {
        let f = entry.fields
        let series = loaded.series
        #expect(series.count == Int(f["candles"]!))
        #expect(series.openTimes.first == UTCTime.parse(f["first_open_time"]!))
        #expect(series.openTimes.last == UTCTime.parse(f["last_open_time"]!))
        #expect(series.intervalNanoseconds == Int64(f["interval_seconds"]!)! * 1_000_000_000)
        #expect(loaded.files[0].gaps == Int(f["gaps"]!))
        #expect(loaded.files[0].duplicatesDropped == Int(f["exact_duplicates"]!))
        #expect(loaded.files[0].reversed == (f["order"] == "descending"))
    }
}
