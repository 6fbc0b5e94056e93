/// Lowercase hexadecimal text of bytes: digests in fingerprints, checksums and ids.
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// Two lowercase hex digits per byte, most significant first.
    public static func lowercase<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
