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
