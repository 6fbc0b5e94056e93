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
    }
    return 0
}
