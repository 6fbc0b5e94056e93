/// Trimming of ASCII blanks on a string's UTF-8 bytes, for the inference code that runs on every
/// sampled field (Foundation's `trimmingCharacters(in:)` goes through `NSString` and a
/// `CharacterSet` each call, which made inference the cost of loading a small file).
extension String {
    /// The string without leading and trailing spaces (U+0020 only, like
    /// `trimmingCharacters(in: [" "])`).
    func trimmingSpaces() -> String {
        let bytes = utf8
        guard bytes.first == 32 || bytes.last == 32 else { return self }
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end && bytes[start] == 32 { start = bytes.index(after: start) }
        while end > start && bytes[bytes.index(before: end)] == 32 { end = bytes.index(before: end) }
        return String(self[start..<end])
    }
}
