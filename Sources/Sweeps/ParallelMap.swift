import Dispatch

/// The points' preparation before a sweep runs them (configurations decoded from the grid, run
/// identities), spread over the cores: each element is computed on its own, so the result is the
/// same, in input order, whatever the thread count.
public enum ParallelMap {
    /// `transform` of every element of `items`, in order, computed by up to `workers` threads.
    /// - Parameter transform: called once per element, from several threads at once.
    public static func map<Element, Result>(_ items: [Element], workers: Int, _ transform: @Sendable (Element) -> Result) -> [Result] {
        let chunks = min(max(workers, 1) * 4, items.count)
        guard chunks > 1 else { return items.map(transform) }
        let slots = Slots<Result>(count: items.count)
        items.withUnsafeBufferPointer { buffer in
            let input = UnsafeSendableBuffer(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for k in stride(from: chunk, to: input.buffer.count, by: chunks) {
                    slots.store(transform(input.buffer[k]), at: k)
                }
            }
        }
        return slots.values()
    }

    /// The input, read by every thread (never written while they run).
    private struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<Element>
    }

    /// Slots written by distinct threads at distinct indices, read after they all finished.
    private final class Slots<Value>: @unchecked Sendable {
        private let base: UnsafeMutablePointer<Value?>
        private let count: Int
        init(count: Int) {
            base = .allocate(capacity: count)
            base.initialize(repeating: nil, count: count)
            self.count = count
        }
        func store(_ value: Value, at index: Int) { base[index] = value }
        func values() -> [Value] { (0..<count).map { base[$0]! } }
        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }
}
