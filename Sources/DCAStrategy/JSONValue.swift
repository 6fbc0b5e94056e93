/// A JSON value with object keys kept in the order given, written deterministically.
///
/// Numbers are written in Swift's shortest round-trip form (`0.015`, `630.0` as `630`), so the
/// same value always gives the same bytes; non-finite numbers are written as `null`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.text() == rhs.text()
    }

    /// A `Double?` as a number or `null`.
    public static func optional(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    /// Compact text (no spaces), or indented with two spaces when `pretty`.
    public func text(pretty: Bool = false) -> String {
        // Written as UTF-8 bytes into one buffer (a run's id and its metrics are JSON text: a
        // sweep writes two documents per point, so appending to a String scalar by scalar was a
        // tenth of a sweep's instructions).
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, pretty: pretty, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// A number in shortest round-trip form; integral values without a fraction.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var magnitude = value.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            if value < 0 { out.append(UInt8(ascii: "-")) }
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[k]) }
        }
    }

    private static func appendNewline(indent: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(2 * indent) { out.append(UInt8(ascii: " ")) }
    }

    private func write(into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: Self.append("null", to: &out)
        case .bool(let b): Self.append(b ? "true" : "false", to: &out)
        case .number(let d):
            if !d.isFinite {
                Self.append("null", to: &out)
            } else if d == d.rounded(), abs(d) < 1e15 {
                Self.appendInteger(Int64(d), to: &out)
            } else {
                out.append(contentsOf: d.description.utf8)
            }
        case .integer(let i): Self.appendInteger(i, to: &out)
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let items):
            if items.isEmpty { Self.append("[]", to: &out); return }
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { Self.appendNewline(indent: indent + 1, to: &out) }
                item.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { Self.appendNewline(indent: indent, to: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { Self.append("{}", to: &out); return }
            out.append(UInt8(ascii: "{"))
            for (k, (key, value)) in pairs.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { Self.appendNewline(indent: indent + 1, to: &out) }
                JSONValue.writeString(key, into: &out)
                if pretty { Self.append(": ", to: &out) } else { out.append(UInt8(ascii: ":")) }
                value.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { Self.appendNewline(indent: indent, to: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string: `"` and `\\` escaped, `\n`, `\r`, `\t` by name, other control characters
    /// as `\u00XX` (lowercase hex); every other byte of the UTF-8 as it is.
    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Runs of bytes that need no escape (most strings are one such run) go in at once.
            var start = 0
            for (k, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<k]))
                start = k + 1
                switch byte {
                case UInt8(ascii: "\""): append("\\\"", to: &out)
                case UInt8(ascii: "\\"): append("\\\\", to: &out)
                case UInt8(ascii: "\n"): append("\\n", to: &out)
                case UInt8(ascii: "\r"): append("\\r", to: &out)
                case UInt8(ascii: "\t"): append("\\t", to: &out)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    append("\\u00", to: &out)
                    out.append(hex.utf8Start[Int(byte >> 4)])
                    out.append(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
