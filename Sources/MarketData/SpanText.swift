/// Short text for spans of time in messages.
public enum SpanText {
    /// `90 s`, `15 min`, `1 h`, `1 d` (the largest unit that divides the span), from nanoseconds.
    public static func text(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        guard nanoseconds % 1_000_000_000 == 0, seconds > 0 else { return "\(Double(nanoseconds) / 1e9) s" }
        if seconds % 86_400 == 0 { return "\(seconds / 86_400) d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600) h" }
        if seconds % 60 == 0 { return "\(seconds / 60) min" }
        return "\(seconds) s"
    }
}
