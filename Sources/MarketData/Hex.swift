/// Lowercase hexadecimal text of bytes: digests in fingerprints, checksums and ids.
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// Two lowercase hex digits per byte, most significant first.
    public static func lowercase<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let bytes = Array(bytes)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for (k, byte) in bytes.enumerated() {
                text[2 * k] = digits[Int(byte >> 4)]
                text[2 * k + 1] = digits[Int(byte & 15)]
            }
            return bytes.count * 2
        }
    }
}
