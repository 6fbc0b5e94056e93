/// A fixed-capacity window of the last values pushed, oldest first.
///
/// Storage is allocated once, at ``init(capacity:)``; ``push(_:)`` never allocates. When full, a
/// push overwrites the oldest value.
public struct RingBuffer: Sendable {
    @usableFromInline var storage: ContiguousArray<Double>
    /// Index of the oldest value.
    @usableFromInline var head: Int = 0
    @usableFromInline var stored: Int = 0
    @inlinable public var count: Int { stored }

    public init(capacity: Int) {
        precondition(capacity >= 0, "a ring buffer's capacity is >= 0")
        storage = ContiguousArray(repeating: 0, count: capacity)
    }

    @inlinable public var capacity: Int { storage.count }
    @inlinable public var isFull: Bool { count == storage.count }

    /// The oldest value held; only valid when `count > 0`.
    @inlinable public var oldest: Double { storage[head] }

    /// The value `k` places before the newest (`0`: the newest); requires `k < count`.
    @inlinable
    public func value(back k: Int) -> Double {
        var index = head + count - 1 - k
        if index >= storage.count { index -= storage.count }
        return storage[index]
    }

    /// Appends `value`, dropping the oldest when full.
    @inlinable
    public mutating func push(_ value: Double) {
        let n = storage.count
        if stored < n {
            var index = head + stored
            if index >= n { index -= n }
            storage[index] = value
            stored += 1
        } else {
            storage[head] = value
            head += 1
            if head == n { head = 0 }
        }
    }
}
