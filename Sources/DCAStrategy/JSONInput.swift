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

    /// A decoding error as a short sentence with the position when known.
    public static func explain(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
