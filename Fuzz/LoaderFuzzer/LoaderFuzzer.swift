// libFuzzer target over the whole candle loading path: bytes in, candles or a refusal out.
//
// Built by scripts/fuzz.sh with `swiftc -sanitize=fuzzer,address` over Sources/MarketData.
// FUZZ_KIND (csv, gz or zip) names the input as `input.csv`, `input.csv.gz` or `input.zip`, so
// the same bytes go through the path a file with that name takes: the archive layer
// (`InputFile.decode`: zlib, or libzip with its CRC-32 checks and size limits), then parsing
// and validation (`CandleLoader.load(bytes:)`), with and without --drop-invalid --sort. Any
// crash, trap or hang is a finding; so is a loaded series that breaks the loader's promises
// (times strictly increasing, prices finite and positive, low <= open, close <= high).

import Foundation

let fuzzKind = ProcessInfo.processInfo.environment["FUZZ_KIND"] ?? "csv"
let fuzzName = fuzzKind == "gz" ? "input.csv.gz" : fuzzKind == "zip" ? "input.zip" : "input.csv"

func fuzzCheck(_ series: CandleSeries) {
    for i in 0..<series.count {
        let o = series.opens[i], h = series.highs[i], l = series.lows[i], c = series.closes[i]
        precondition(o.isFinite && h.isFinite && l.isFinite && c.isFinite && o > 0 && h > 0 && l > 0 && c > 0, "price not finite and positive at \(i)")
        precondition(series.volumes[i].isFinite && series.volumes[i] >= 0, "volume not finite and >= 0 at \(i)")
        precondition(l <= min(o, c) && h >= max(o, c), "impossible candle at \(i)")
        if i > 0 { precondition(series.openTimes[i] > series.openTimes[i - 1], "times not increasing at \(i)") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func loaderFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let raw = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    var strict = LoadOptions()
    // Bounded so that a bomb is refused at 64 MiB rather than exhausting the fuzzer's memory.
    strict.maximumDataBytes = 64 << 20
    var lenient = strict
    lenient.dropInvalid = true
    lenient.sort = true
    for options in [strict, lenient] {
        do {
            let contents = try InputFile.decode(raw, name: fuzzName, options: options)
            let loaded = try CandleLoader.load(bytes: contents.bytes, file: fuzzName, options: options)
            fuzzCheck(loaded.series)
        } catch {
            precondition(!error.description.isEmpty, "a refusal without a message")
        }
        if fuzzKind == "csv" { fuzzTwoReaders(raw, options: options, pieceSize: 64 + size % 192) }
    }
    return 0
}

/// The two-reader pass (``TwoReaderPass``), forced onto the input in small pieces, must give what
/// one reader gives: the same candles, lines and report, or the same refusal.
func fuzzTwoReaders(_ bytes: [UInt8], options: LoadOptions, pieceSize: Int) {
    func outcome(_ twoReaders: Bool) -> (series: CandleSeries?, lines: [Int32], report: String, refusal: String) {
        do {
            let part = try CandleLoader.parse(bytes: bytes, file: fuzzName, options: options, twoReaders: twoReaders, forcedPieceSize: twoReaders ? pieceSize : nil)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let report = (try? encoder.encode(part.report)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return (part.series, part.lines, report, "")
        } catch {
            return (nil, [], "", error.description)
        }
    }
    let two = outcome(true), one = outcome(false)
    precondition(two.series == one.series && two.lines == one.lines && two.refusal == one.refusal, "two readers differ from one")
    precondition(two.report == one.report, "two readers' report differs from one's")
}
