import Crypto
import Foundation
import MarketData

/// Identifiers derived from content, so the same backtest always gets the same ids
/// (docs/SEMANTICS.md, "Determinism").
///
/// An id is the first 16 bytes of a SHA-256 digest written as a UUID (version nibble 8, RFC
/// 9562's custom layout; variant 10).
public enum ContentIdentifier {
    /// The lowercase hex SHA-256 of `text`.
    public static func sha256Hex(_ text: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(text.utf8)))
    }

    /// A UUID-shaped id from the SHA-256 of `text`.
    public static func uuid(of text: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(text.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return format(bytes)
    }

    /// The id of order `sequence` of a run: the run id's first 10 bytes and the sequence number
    /// in the last 6, so order ids are unique across runs and sort in creation order.
    public static func orderID(runID: String, sequence: Int) -> String {
        let prefix = runID.replacingOccurrences(of: "-", with: "").prefix(20)
        var hex = String(UInt64(sequence), radix: 16)
        hex = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        let all = Array(prefix + hex)
        return String(all[0..<8]) + "-" + String(all[8..<12]) + "-" + String(all[12..<16]) + "-" + String(all[16..<20]) + "-" + String(all[20..<32])
    }

    static func format(_ bytes: [UInt8]) -> String {
        let hex = Hex.lowercase(bytes)
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }
}
