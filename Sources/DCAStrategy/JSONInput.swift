import Foundation

/// A parsed JSON document as read from a user's file (configuration, grid).
public enum JSONInput: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONInput])
    case object([String: JSONInput])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let b = try? container.decode(Bool.self) { self = .bool(b); return }
        if let d = try? container.decode(Double.self) { self = .number(d); return }
        if let s = try? container.decode(String.self) { self = .string(s); return }
        if let a = try? container.decode([JSONInput].self) { self = .array(a); return }
        self = .object(try container.decode([String: JSONInput].self))
    }

    /// How a value is named in a message: `text "abc"`, `true`, `a list`.
    public var summary: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): JSONValue.format(n)
        case .string(let s): "text \"\(s)\""
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// Back to an output value (object keys sorted).
    public var value: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(\.value))
        case .object(let o): .object(o.keys.sorted().map { ($0, o[$0]!.value) })
        }
    }

    /// Where JSON text stops being valid, as `line L, column C: reason`, or `nil` when the text is
    /// valid or the position is unknown.
    public static func locateSyntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard let range = text.range(of: #"character (\d+)"#, options: .regularExpression),
                  let offset = Int(text[range].dropFirst("character ".count))
            else { return text }
            var line = 1
            var column = 1
            for byte in data.prefix(offset) {
                if byte == 10 { line += 1; column = 1 } else { column += 1 }
            }
            let reason = text.components(separatedBy: " around").first ?? text
            return "line \(line), column \(column): \(reason)"
        }
    }

    /// A decoding error as a short sentence with the position when known.
    public static func explain(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError {
                let text = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(underlying)"
                return text
            }
            return context.debugDescription
        }
        return "\(error)"
    }
}

extension JSONInput {
    /// Parses a user's JSON file, refusing an object that gives one key twice (JSON parsers
    /// otherwise keep one of the values silently).
    /// - Throws: the decoder's error for invalid JSON, or ``JSONDuplicateKey`` naming the key
    ///   and both positions.
    public static func decode(_ data: Data) throws -> JSONInput {
        let value = try JSONDecoder().decode(JSONInput.self, from: data)
        if let duplicate = firstDuplicateKey(in: data) { throw duplicate }
        return value
    }

    /// The first key given twice in one object, with its line and column (1-based), or nil.
    /// A scan of the text that follows strings, escapes and nesting; it assumes valid JSON.
    public static func firstDuplicateKey(in data: Data) -> JSONDuplicateKey? {
        let bytes = [UInt8](data)
        var i = 0
        var line = 1
        var lineStart = 0
        // One entry per open container: the keys seen (nil for an array), with their lines.
        var stack: [[String: Int]?] = []
        var expectingKey = false
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case 10:
                line += 1
                lineStart = i + 1
                i += 1
            case UInt8(ascii: "{"):
                stack.append([:])
                expectingKey = true
                i += 1
            case UInt8(ascii: "["):
                stack.append(nil)
                expectingKey = false
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
                expectingKey = false
                i += 1
            case UInt8(ascii: ","):
                expectingKey = stack.last.map { $0 != nil } ?? false
                i += 1
            case UInt8(ascii: "\""):
                let column = i - lineStart + 1
                let startLine = line
                var scalars: [UInt16] = []
                i += 1
                while i < bytes.count && bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        let e = bytes[i + 1]
                        i += 2
                        switch e {
                        case UInt8(ascii: "n"): scalars.append(10)
                        case UInt8(ascii: "t"): scalars.append(9)
                        case UInt8(ascii: "r"): scalars.append(13)
                        case UInt8(ascii: "b"): scalars.append(8)
                        case UInt8(ascii: "f"): scalars.append(12)
                        case UInt8(ascii: "u"):
                            let hex = String(decoding: bytes[i..<min(i + 4, bytes.count)], as: UTF8.self)
                            scalars.append(UInt16(hex, radix: 16) ?? 0)
                            i += 4
                        default: scalars.append(UInt16(e))
                        }
                    } else {
                        // UTF-8 bytes of one character: decoded below as a whole.
                        var end = i + 1
                        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
                        scalars.append(contentsOf: String(decoding: bytes[i..<end], as: UTF8.self).utf16)
                        i = end
                    }
                }
                i += 1
                if expectingKey, var keys = stack.last ?? nil {
                    let key = String(decoding: scalars, as: UTF16.self)
                    if let first = keys[key] {
                        return JSONDuplicateKey(key: key, line: startLine, column: column, firstLine: first)
                    }
                    keys[key] = startLine
                    stack[stack.count - 1] = keys
                    expectingKey = false
                }
            default:
                i += 1
            }
        }
        return nil
    }
}

/// A JSON object that gives one key twice.
public struct JSONDuplicateKey: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String
    /// Line and column (1-based) of the second occurrence.
    public var line: Int
    public var column: Int
    /// Line of the first occurrence.
    public var firstLine: Int

    public var description: String {
        "line \(line), column \(column): the key \"\(key)\" is given twice (also on line \(firstLine)); keep one of them"
    }
}
