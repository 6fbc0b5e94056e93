import Foundation

/// A parameter grid: configuration keys mapped to lists of values or ranges
/// `{"min": a, "max": b, "step": c}` (``SweepAxisValues``, expanded to their values when read;
/// docs/CONFIGURATION.md, "In a parameter grid").
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
    /// - Parameter maximumPoints: the largest point count accepted (`--max-points`).
    /// - Throws: ``ConfigurationError`` when it is not an object of non-empty lists or ranges, names a key
    ///   that is not a configuration key, or has more points than `maximumPoints` (or than an
    ///   `Int` can count).
    public init(json: Data, maximumPoints: Int = ParameterGrid.defaultMaximumPoints) throws(ConfigurationError) {
        let object: JSONInput
        do {
            object = try JSONInput.decode(json)
        } catch let duplicate as JSONDuplicateKey {
            throw ConfigurationError(problems: ["\(duplicate)"], subject: "grid")
        } catch {
            throw ConfigurationError(problems: ["the file is not valid JSON: \(JSONInput.locateSyntaxError(in: json) ?? JSONInput.explain(error))"], subject: "grid")
        }
        guard case .object(let members) = object, !members.isEmpty else {
            throw ConfigurationError(problems: ["the grid must be a JSON object mapping configuration keys to lists of values, e.g. {\"take_profit\": [0.01, 0.02]}"], subject: "grid")
        }
        var problems: [String] = []
        var axes: [(String, [JSONInput])] = []
        for key in members.keys.sorted() {
            if let path = ConditionPath(key) {
                if !BotConfiguration.knownKeys.contains(path.list) {
                    problems.append("`\(key)` is not a configuration key: only `start_conditions[N].KEY` and `close_conditions[N].KEY` reach into a list")
                }
            } else if !BotConfiguration.knownKeys.contains(key) {
                problems.append("`\(key)` is not a configuration key\(BotConfiguration.suggestion(forUnknownKey: key))")
            }
            // A list as written, or a range {"min", "max", "step"} expanded to its values.
            if case .array(let values) = members[key]!, values.isEmpty {
                problems.append("`\(key)` must map to a non-empty list of values")
                continue
            }
            switch SweepAxisValues.parse(key: key, members[key]!) {
            case .success(let axis): axes.append((key, axis.values))
            case .failure(let problem): problems.append(problem.message)
            }
        }
        // The product, with overflow checks: 20 keys of 10 values (10^20 points) cannot be counted
        // in an Int, let alone run.
        var count = 1
        for axis in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: axis.1.count)
            if overflow {
                problems.insert("the grid has \(Self.exactProduct(axes.map { $0.1.count })) points (\(Self.shape(axes.map { $0.1.count }))), more than can be counted or run: give fewer keys or values", at: 0)
                break
            }
            count = product
        }
        if !problems.isEmpty { throw ConfigurationError(problems: problems, subject: "grid") }
        self.axes = axes
        self.count = count
        if count > maximumPoints {
            throw ConfigurationError(problems: [
                "the grid has \(count) points (\(Self.shape(axes.map { $0.1.count }))), above the limit of \(maximumPoints): pass --max-points \(count) to run them all, or give fewer values",
            ], subject: "grid")
        }
    }

    /// The default largest grid a sweep runs without `--max-points`.
    public static let defaultMaximumPoints = 1_000_000

    /// The number of points (the product of the value counts; checked when the grid was read).
    public let count: Int

    /// Every point, generated when it is reached (memory does not grow with the grid's size).
    public var points: Points { Points(grid: self) }

    /// The points of a grid in index order: point `i` is ``ParameterGrid/values(at:)``.
    public struct Points: RandomAccessCollection, Sendable {
        let grid: ParameterGrid
        public var startIndex: Int { 0 }
        public var endIndex: Int { grid.count }
        public subscript(index: Int) -> [(key: String, value: JSONInput)] { grid.values(at: index) }
    }

    /// `10 x 10 x 10`, or `20 keys of 10 values` when every key has the same count.
    static func shape(_ counts: [Int]) -> String {
        if counts.count > 3, let first = counts.first, counts.allSatisfy({ $0 == first }) {
            return "\(counts.count) keys of \(first) values"
        }
        return counts.map(String.init).joined(separator: " x ")
    }

    /// The exact decimal product of `counts`, however large.
    static func exactProduct(_ counts: [Int]) -> String {
        var digits: [Int] = [1]  // little-endian base 10
        for factor in counts {
            var carry = 0
            for i in digits.indices {
                let value = digits[i] * factor + carry
                digits[i] = value % 10
                carry = value / 10
            }
            while carry > 0 {
                digits.append(carry % 10)
                carry /= 10
            }
        }
        return String(digits.reversed().map { Character(String($0)) })
    }

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

    /// For each key (in key order), the position of point `index`'s value among the key's values.
    public func valueIndices(at index: Int) -> [Int] {
        var rest = index
        var result = Array(repeating: 0, count: axes.count)
        for j in stride(from: axes.count - 1, through: 0, by: -1) {
            result[j] = rest % axes[j].values.count
            rest /= axes[j].values.count
        }
        return result
    }

    /// The base configuration object with point `index`'s values put in.
    public func configurationObject(base: [String: JSONInput], at index: Int) -> [String: JSONInput] {
        var object = base
        for (key, value) in values(at: index) {
            guard let path = ConditionPath(key) else { object[key] = value; continue }
            // `start_conditions[0].below`: the field of one condition of the base configuration.
            // A condition the base does not have keeps the key as written, which decoding refuses.
            guard case .array(var list)? = object[path.list], path.index < list.count, case .object(var condition) = list[path.index] else {
                object[key] = value
                continue
            }
            condition[path.field] = value
            list[path.index] = .object(condition)
            object[path.list] = .array(list)
        }
        return object
    }

    /// A grid key that reaches into a list of conditions: `start_conditions[0].below`.
    struct ConditionPath {
        var list: String
        var index: Int
        var field: String

        init?(_ key: String) {
            guard let open = key.firstIndex(of: "["), let close = key.firstIndex(of: "]"), open < close,
                  let index = Int(key[key.index(after: open)..<close]), index >= 0,
                  key[key.index(after: close)...].first == "."
            else { return nil }
            list = String(key[..<open])
            self.index = index
            field = String(key[key.index(close, offsetBy: 2)...])
            guard list == "start_conditions" || list == "close_conditions", !field.isEmpty else { return nil }
        }
    }

    /// The grid as canonical JSON (keys sorted), hashed into the sweep id.
    public var canonicalJSON: JSONValue {
        .object(axes.map { ($0.key, .array($0.values.map(\.value))) })
    }
}
