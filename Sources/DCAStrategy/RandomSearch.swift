/// Random search over a sweep's points: `samples` distinct points of the cartesian product drawn
/// with a seeded generator, so the same grid, count and seed always give the same points on every
/// machine and Swift version.
///
/// Each draw takes a point index uniformly from `0 ..< pointCount` (equivalently, each key's value
/// uniformly and independently); a point already drawn is drawn again, so the result has no
/// duplicates. When `samples >= pointCount` every point is taken. The generator is SplitMix64
/// (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014) seeded
/// with `seed`; a bounded integer is drawn by rejection (no modulo bias), all written out here
/// rather than taken from the standard library, whose algorithms may change between releases.
public enum RandomSearch {
    /// The chosen point indices, ascending (the order in which a sweep runs, shards and resumes them).
    /// - Precondition: `pointCount >= 1`, `samples >= 1`.
    public static func pointIndices(pointCount: Int, samples: Int, seed: UInt64) -> [Int] {
        precondition(pointCount >= 1 && samples >= 1, "a random search draws at least one point from at least one")
        if samples >= pointCount { return Array(0..<pointCount) }
        var generator = SplitMix64(seed: seed)
        var chosen = Set<Int>(minimumCapacity: samples)
        while chosen.count < samples {
            chosen.insert(Int(generator.next(below: UInt64(pointCount))))
        }
        return chosen.sorted()
    }
}

/// SplitMix64: a 64-bit state advanced by the golden-ratio increment, output through a mixing
/// function. Public so tests and scripts can reproduce a search's draws.
public struct SplitMix64: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0 ..< bound` by rejection: draws at or above the largest multiple of
    /// `bound` that fits in 2^64 are thrown away.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        let limit = UInt64.max - (UInt64.max % bound)   // values < limit are bound-divisible in count
        while true {
            let draw = next()
            if draw < limit { return draw % bound }
        }
    }
}
