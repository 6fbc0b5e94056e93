/// The merged time line of a multi-pair bot: every distinct open time of its symbols' bars, in
/// order, and at each which symbols have a bar (docs/SEMANTICS.md section 7).
///
/// ``advance()`` moves to the next open time; ``barIndex(of:)`` gives a symbol's bar at that
/// time, or `nil` when the symbol has none then (its bar is not invented). The caller processes
/// the symbols with a bar in two phases, each in the configuration's symbol order. One symbol is
/// the same walk: every bar in order. Allocation-free after `init`; O(symbols) per open time.
public struct MergedBarClock: Sendable {
    @usableFromInline let openTimes: [[Int64]]
    /// Per symbol, the index of its next bar not yet reached.
    @usableFromInline var cursors: ContiguousArray<Int>
    /// Per symbol, its bar at ``time``, or -1.
    @usableFromInline var current: ContiguousArray<Int>
    @usableFromInline var currentTime: Int64 = .min
    @usableFromInline var currentStep = -1
    /// Every symbol has the same open times (the usual case: one exchange's candles of one
    /// period): the clock is the bar index, with no per-symbol work.
    @usableFromInline let aligned: Bool
    @usableFromInline var exhausted = false
    /// The open time reached by the last ``advance()`` (nanoseconds since the epoch, UTC).
    @inlinable public var time: Int64 { currentTime }
    /// The 0-based number of the open time reached (-1 before the first ``advance()``).
    @inlinable public var step: Int { currentStep }

    /// - Parameter openTimes: each symbol's strictly increasing bar open times, in the
    ///   configuration's symbol order.
    public init(openTimes: [[Int64]]) {
        self.openTimes = openTimes
        cursors = ContiguousArray(repeating: 0, count: openTimes.count)
        current = ContiguousArray(repeating: -1, count: openTimes.count)
        aligned = openTimes.dropFirst().allSatisfy { $0 == openTimes.first! }
    }

    /// Whether every symbol has the same open times.
    @inlinable public var isAligned: Bool { aligned }

    @inlinable public var symbolCount: Int { openTimes.count }

    /// Moves to the next distinct open time; `false` when every symbol's bars are used up.
    @inlinable
    public mutating func advance() -> Bool {
        if aligned {
            guard !exhausted, let times = openTimes.first, currentStep + 1 < times.count else {
                exhausted = true
                return false
            }
            currentStep += 1
            currentTime = times[currentStep]
            return true
        }
        var next = Int64.max
        for s in 0..<openTimes.count {
            let c = cursors[s]
            if c < openTimes[s].count, openTimes[s][c] < next { next = openTimes[s][c] }
        }
        guard next != .max else {
            for s in 0..<current.count { current[s] = -1 }
            return false
        }
        for s in 0..<openTimes.count {
            let c = cursors[s]
            if c < openTimes[s].count, openTimes[s][c] == next {
                current[s] = c
                cursors[s] = c + 1
            } else {
                current[s] = -1
            }
        }
        currentTime = next
        currentStep += 1
        return true
    }

    /// The index of `symbol`'s bar at ``time``, or `nil` when it has no bar then.
    @inlinable
    public func barIndex(of symbol: Int) -> Int? {
        if aligned { return exhausted || currentStep < 0 ? nil : currentStep }
        let i = current[symbol]
        return i >= 0 ? i : nil
    }

    /// The index of `symbol`'s latest bar at or before ``time``, or `nil` before its first bar.
    @inlinable
    public func lastBarIndex(of symbol: Int) -> Int? {
        if aligned { return currentStep < 0 ? nil : currentStep }
        let c = cursors[symbol]
        return c > 0 ? c - 1 : nil
    }

    /// The number of distinct open times of the merged series (a pass over the open times).
    public static func distinctTimes(_ openTimes: [[Int64]]) -> Int {
        var clock = MergedBarClock(openTimes: openTimes)
        var n = 0
        while clock.advance() { n += 1 }
        return n
    }
}
