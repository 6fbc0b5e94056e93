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
        Hex.lowercase(digest(text))
    }

    /// The SHA-256 of `text`'s UTF-8 bytes, hashed where they are.
    static func digest(_ text: String) -> SHA256.Digest {
        var hasher = SHA256()
        var text = text
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }

    /// A UUID-shaped id from the SHA-256 of `text`.
    public static func uuid(of text: String) -> String {
        var bytes = digest(text).withUnsafeBytes { Array($0.prefix(16)) }
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

    /// 16 bytes as a UUID's text: lowercase hex in groups of 8-4-4-4-12 digits.
    static func format(_ bytes: [UInt8]) -> String {
        precondition(bytes.count >= 16, "a UUID is 16 bytes")
        return String(unsafeUninitializedCapacity: 36) { text in
            var written = 0
            for k in 0..<16 {
                if k == 4 || k == 6 || k == 8 || k == 10 {
                    text[written] = UInt8(ascii: "-")
                    written += 1
                }
                text[written] = hexDigits[Int(bytes[k] >> 4)]
                text[written + 1] = hexDigits[Int(bytes[k] & 15)]
                written += 2
            }
            return written
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
