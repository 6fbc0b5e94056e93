import Foundation

/// A parameter grid: configuration keys mapped to lists of values (docs/CONFIGURATION.md, "In a parameter grid").
///
/// Points are the cartesian product in a stable order: keys sorted, values in the order given,
/// the last key varying fastest. Point `i` of a grid with value counts `c_1 ... c_k` takes value
/// `(i / (c_{j+1} ... c_k)) mod c_j` of key `j`.
public struct ParameterGrid: Sendable, Equatable {
    /// Keys in sorted order, each with its values.
    public let axes: [(key: String, values: [JSONInput])]

    public static func == (lhs: ParameterGrid, rhs: ParameterGrid) -> Bool {
        lhs.axes.map(\.key) == rhs.axes.map(\.key) && lhs.axes.map(\.values) == rhs.axes.map(\.values)
    }

    /// Reads a grid file's JSON.
    /// - Throws: ``ConfigurationError`` when it is not an object of non-empty lists or names a key
    ///   that is not a configuration key.
    public init(json: Data) throws(ConfigurationError) {
        let object: JSONInput
        do {
            object = try JSONDecoder().decode(JSONInput.self, from: json)
        } catch {
            throw ConfigurationError(problems: ["the file is not valid JSON: \(JSONInput.locateSyntaxError(in: json) ?? JSONInput.explain(error))"], subject: "grid")
        }
        guard case .object(let members) = object, !members.isEmpty else {
            throw ConfigurationError(problems: ["the grid must be a JSON object mapping configuration keys to lists of values, e.g. {\"take_profit\": [0.01, 0.02]}"], subject: "grid")
        }
        var problems: [String] = []
        var axes: [(String, [JSONInput])] = []
        for key in members.keys.sorted() {
            if !BotConfiguration.knownKeys.contains(key) {
                problems.append("`\(key)` is not a configuration key\(BotConfiguration.suggestion(forUnknownKey: key))")
            }
            guard case .array(let values) = members[key]!, !values.isEmpty else {
                problems.append("`\(key)` must map to a non-empty list of values")
                continue
            }
            axes.append((key, values))
        }
        if !problems.isEmpty { throw ConfigurationError(problems: problems, subject: "grid") }
        self.axes = axes
    }

    /// The number of points.
    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The values of point `index` (0-based), in key order.
    public func values(at index: Int) -> [(key: String, value: JSONInput)] {
        var rest = index
        var result: [(String, JSONInput)] = Array(repeating: ("", .null), count: axes.count)
        for j in stride(from: axes.count - 1, through: 0, by: -1) {
            let count = axes[j].values.count
            result[j] = (axes[j].key, axes[j].values[rest % count])
            rest /= count
        }
        return result
    }

    /// The base configuration object with point `index`'s values put in.
    public func configurationObject(base: [String: JSONInput], at index: Int) -> [String: JSONInput] {
        var object = base
        for (key, value) in values(at: index) { object[key] = value }
        return object
    }

    /// The grid as canonical JSON (keys sorted), hashed into the sweep id.
    public var canonicalJSON: JSONValue {
        .object(axes.map { ($0.key, .array($0.values.map(\.value))) })
    }
}
