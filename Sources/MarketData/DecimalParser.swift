#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts decimal text to `Double`, correctly rounded.
///
/// The fast path reads up to 19 digits into a `UInt64` mantissa; when the number has at most 15
/// significant digits and at most 22 decimals, `mantissa / 10^decimals` is a single correctly
/// rounded IEEE division of two exactly representable values, hence identical to `strtod`.
/// Anything else (exponents, longer mantissas, `nan`, `inf`) goes to `strtod`.
/// (TOOLCHAIN.md measured `Double(String)` at about 125 MB/s; this path is what makes
/// ingestion reach the disk's speed.)
public enum DecimalParser {
    @usableFromInline
    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of `bytes` (surrounding blanks and one pair of double quotes ignored), or `nil`
    /// when the text is empty or not a number.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var start = 0
        var end = bytes.count
        while start < end && (bytes[start] == 32 || bytes[start] == 9) { start += 1 }
        while end > start && (bytes[end - 1] == 32 || bytes[end - 1] == 9 || bytes[end - 1] == 13) { end -= 1 }
        guard start < end else { return nil }
        var i = start
        var negative = false
        if bytes[i] == 45 { negative = true; i += 1 } else if bytes[i] == 43 { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var decimals = 0
        var sawDigit = false
        while i < end, bytes[i] &- 48 < 10 {
            sawDigit = true
            if significant > 0 || bytes[i] != 48 { significant += 1 }
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 48) }
            digits += 1
            i += 1
        }
        if i < end, bytes[i] == 46 {
            i += 1
            while i < end, bytes[i] &- 48 < 10 {
                sawDigit = true
                if significant > 0 || bytes[i] != 48 { significant += 1 }
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 48) }
                digits += 1
                decimals += 1
                i += 1
            }
        }
        if i == end && sawDigit && digits <= 19 && significant <= 15 && decimals <= 22 {
            let value = Double(mantissa) / powersOfTen[decimals]
            return negative ? -value : value
        }
        return slowParse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// `strtod` on a NUL-terminated copy; the whole text must be consumed.
    @usableFromInline
    static func slowParse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard bytes.count < 128 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for k in 0..<bytes.count { buffer[k] = CChar(bitPattern: bytes[k]) }
            buffer[bytes.count] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &endPointer)
            guard let endPointer, endPointer - buffer.baseAddress! == bytes.count else { return nil }
            return value
        }
    }

    /// Parses a `String` (tests and configuration use).
    public static func parse(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }
}
