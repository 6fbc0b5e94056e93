/// The values a sweep may give one configuration key: a list written out, or a range
/// `{"min": a, "max": b, "step": c}` that stands for `a, a + c, a + 2c, ...` up to `b`.
///
/// A range's values are computed as `a + k * c` (k = 0, 1, ...) and rounded to 12 decimal places,
/// so `{"min": 0.1, "max": 0.3, "step": 0.1}` gives 0.1, 0.2, 0.3 (not 0.30000000000000004); `b`
/// is included when it lies on the step within 1e-9 of a step. A range is expanded to a list
/// before anything runs, so a grid of ranges is a grid of lists and every point keeps its place
/// (its index) in the cartesian product.
public enum SweepAxisValues: Sendable, Equatable {
    case list([JSONInput])
    case range(min: Double, max: Double, step: Double)

    /// The most values one range may stand for (a typo such as a step of 1e-9 is refused, not expanded).
    public static let maximumRangeValues = 1_000_000

    /// Reads one grid entry: a non-empty list, or a range object.
    /// - Returns: the values, or a problem sentence naming `key`.
    public static func parse(key: String, _ input: JSONInput) -> Result<SweepAxisValues, SweepAxisProblem> {
        switch input {
        case .array(let values):
            return values.isEmpty ? .failure(SweepAxisProblem("`\(key)` must map to a non-empty list of values or a range {\"min\": a, \"max\": b, \"step\": c}")) : .success(.list(values))
        case .object(let members):
            let unknown = members.keys.filter { !["min", "max", "step"].contains($0) }.sorted()
            guard unknown.isEmpty else {
                return .failure(SweepAxisProblem("`\(key)`: a range takes only min, max and step (not \(unknown.map { "`\($0)`" }.joined(separator: ", ")))"))
            }
            guard case .number(let low)? = members["min"], case .number(let high)? = members["max"], case .number(let step)? = members["step"] else {
                return .failure(SweepAxisProblem("`\(key)`: a range needs numbers min, max and step, e.g. {\"min\": 0.01, \"max\": 0.03, \"step\": 0.005}"))
            }
            guard low.isFinite, high.isFinite, step.isFinite, step > 0 else {
                return .failure(SweepAxisProblem("`\(key)`: a range needs finite min and max and a step > 0 (got min \(JSONValue.format(low)), max \(JSONValue.format(high)), step \(JSONValue.format(step)))"))
            }
            guard high >= low else {
                return .failure(SweepAxisProblem("`\(key)`: the range's max (\(JSONValue.format(high))) is below its min (\(JSONValue.format(low)))"))
            }
            let steps = ((high - low) / step + 1e-9).rounded(.down)
            guard steps < Double(maximumRangeValues) else {
                return .failure(SweepAxisProblem("`\(key)`: the range from \(JSONValue.format(low)) to \(JSONValue.format(high)) by \(JSONValue.format(step)) has more than \(maximumRangeValues) values: use a larger step"))
            }
            return .success(.range(min: low, max: high, step: step))
        default:
            return .failure(SweepAxisProblem("`\(key)` must map to a non-empty list of values or a range {\"min\": a, \"max\": b, \"step\": c} (got \(input.summary))"))
        }
    }

    /// The values in order.
    public var values: [JSONInput] {
        switch self {
        case .list(let values):
            return values
        case .range(let low, let high, let step):
            let count = Int(((high - low) / step + 1e-9).rounded(.down)) + 1
            return (0..<count).map { k in .number(Self.roundedToTwelveDecimals(low + Double(k) * step)) }
        }
    }

    static func roundedToTwelveDecimals(_ value: Double) -> Double {
        // Values beyond 1e6 keep their binary value: 12 decimals would exceed a double's precision.
        guard abs(value) < 1e6 else { return value }
        return (value * 1e12).rounded() / 1e12
    }
}

/// One problem with a grid entry, as a sentence that names its key.
public struct SweepAxisProblem: Error, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
