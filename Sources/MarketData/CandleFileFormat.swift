import Foundation

/// File layouts the loader reads (`--format` names them).
public enum CandleFileFormat: String, Sendable, Codable, CaseIterable {
    /// Binance kline archives: 12 columns `open_time, open, high, low, close, volume, close_time,
    /// quote_asset_volume, number_of_trades, taker_buy_base_volume, taker_buy_quote_volume,
    /// ignore`, header optional, epoch ms or µs.
    case binanceKline = "binance_kline"
    /// A header line naming the columns (time, open, high, low, close, optional volume), found by
    /// name case-insensitively with the usual aliases.
    case generic
    /// Yahoo Finance / yfinance exports: `Date` or `Datetime`, `Open, High, Low, Close,
    /// Adj Close, Volume` (the `Close` column is used, not `Adj Close`).
    case yahoo
    /// CryptoDataDownload: an optional URL line, a header with a `unix` column, newest first.
    case cryptoDataDownload = "cryptodatadownload"
    /// Kraken OHLCVT: no header, `time, open, high, low, close, volume, trades`, epoch seconds.
    case kraken
}

/// Where the candle fields are in a row.
struct ColumnLayout: Sendable {
    var format: CandleFileFormat
    /// Records to skip before data (URL line, header line).
    var skippedRecords: Int
    var time: Int
    var open: Int
    var high: Int
    var low: Int
    var close: Int
    /// `nil` when the file has no volume column.
    var volume: Int?
    /// The column names used in messages, by role: time, open, high, low, close, volume.
    var names: [String]
    /// Bytes of a data line near the top (with its line end), to size the columns up front.
    var sampleLineLength = 64

    var fieldsNeeded: Int { max(time, open, high, low, close, volume ?? 0) + 1 }

    /// Detects the layout from the first lines of a file.
    /// - Throws: ``DataProblem`` naming the first line that cannot be read.
    static func detect(bytes: UnsafeRawBufferPointer, file: String, forced: CandleFileFormat?) throws(DataProblem) -> ColumnLayout {
        var firstByte = 0
        while firstByte < bytes.count, [9, 10, 13, 32, 0xEF, 0xBB, 0xBF].contains(bytes[firstByte]) { firstByte += 1 }
        if firstByte < bytes.count, bytes[firstByte] == UInt8(ascii: "[") || bytes[firstByte] == UInt8(ascii: "{") {
            throw DataProblem(
                file: file, line: nil, column: nil,
                reason: "the file is JSON, not CSV (a Binance REST klines response?); save the candles as CSV with a header or in Binance's archive layout"
            )
        }
        var lines: [(number: Int, fields: [String], length: Int)] = []
        var start = 0
        var lineNumber = 1
        while start < bytes.count && lines.count < 2 {
            var end = start
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            let trimmed = text.trimmingCharacters(in: [" ", "\r", "\t", "\u{FEFF}"])
            if !trimmed.isEmpty {
                lines.append((lineNumber, splitFields(trimmed), end - start + 1))
            }
            start = end + 1
            lineNumber += 1
        }
        guard !lines.isEmpty else {
            throw DataProblem(file: file, line: nil, column: nil, reason: "the file holds no rows")
        }
        var skipped = 0
        var first = lines[0]
        var format = forced
        if first.fields.count == 1, first.fields[0].lowercased().hasPrefix("http") || first.fields[0].lowercased().contains("cryptodatadownload") {
            skipped = 1
            if format == nil { format = .cryptoDataDownload }
            guard lines.count > 1 else {
                throw DataProblem(file: file, line: first.number + 1, column: nil, reason: "no header after the URL line")
            }
            first = lines[1]
        }
        let firstValue = Array(first.fields[0].utf8)
        let looksLikeData = firstValue.withUnsafeBytes { DecimalParser.parse($0) != nil } || UTCTime.parse(firstValue) != nil
        if looksLikeData {
            // No header: columns by position.
            let count = first.fields.count
            if count < 5 {
                throw DataProblem(
                    file: file, line: first.number, column: nil,
                    reason: "\(count) comma-separated field(s) and no header; a candle row needs at least time, open, high, low, close (is the separator ';' or are columns missing?)"
                )
            }
            let detected: CandleFileFormat = format ?? (count == 12 ? .binanceKline : count == 7 ? .kraken : .generic)
            let names = detected == .binanceKline ? ["open_time", "open", "high", "low", "close", "volume"] : ["time", "open", "high", "low", "close", "volume"]
            return ColumnLayout(
                format: detected, skippedRecords: skipped, time: 0, open: 1, high: 2, low: 3, close: 4, volume: count >= 6 ? 5 : nil, names: names,
                sampleLineLength: first.length
            )
        }
        // A header: find the columns by name.
        skipped += 1
        let normalized = first.fields.map { $0.lowercased().trimmingCharacters(in: [" ", "\""]) }
        func column(_ aliases: [String]) -> Int? {
            for alias in aliases { if let index = normalized.firstIndex(of: alias) { return index } }
            return nil
        }
        let timeIndex = column(["unix", "timestamp", "open_time", "opentime", "open time", "datetime", "date", "time", "date_time", "ts"])
        let openIndex = column(["open", "o", "open_price"])
        let highIndex = column(["high", "h", "high_price"])
        let lowIndex = column(["low", "l", "low_price"])
        let closeIndex = column(["close", "c", "close_price"])
        let volumeIndex = column(["volume", "vol", "v", "base_volume", "volume_base"]) ?? normalized.firstIndex { $0.hasPrefix("volume ") || $0.hasPrefix("volume_") }
        var missing: [String] = []
        if timeIndex == nil { missing.append("time (timestamp, time, date, open_time, datetime or unix)") }
        if openIndex == nil { missing.append("open") }
        if highIndex == nil { missing.append("high") }
        if lowIndex == nil { missing.append("low") }
        if closeIndex == nil { missing.append("close") }
        guard missing.isEmpty, let timeIndex, let openIndex, let highIndex, let lowIndex, let closeIndex else {
            throw DataProblem(
                file: file, line: first.number, column: nil,
                reason: "the header `\(first.fields.joined(separator: ","))` has no column for \(missing.joined(separator: ", "))"
            )
        }
        let detected: CandleFileFormat = format ?? {
            if normalized.contains("unix") { return .cryptoDataDownload }
            if normalized.contains("adj close") { return .yahoo }
            if normalized.count == 12 && normalized[0] == "open_time" { return .binanceKline }
            return .generic
        }()
        var names = [timeIndex, openIndex, highIndex, lowIndex, closeIndex].map { normalized[$0] }
        names.append(volumeIndex.map { normalized[$0] } ?? "volume")
        return ColumnLayout(
            format: detected, skippedRecords: skipped, time: timeIndex, open: openIndex, high: highIndex, low: lowIndex,
            close: closeIndex, volume: volumeIndex, names: names, sampleLineLength: lines.count > 1 ? lines[lines.count - 1].length : first.length
        )
    }

    /// Splits one line at commas outside double quotes (for detection only; rows go through libcsv).
    static func splitFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle(); continue }
            if character == "," && !quoted { fields.append(current); current = ""; continue }
            current.append(character)
        }
        fields.append(current)
        return fields.map { $0.trimmingCharacters(in: [" ", "\t"]) }
    }
}
