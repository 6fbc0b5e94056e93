import DCAStrategy
import Foundation
import Persistence
import Sweeps
import Testing

/// A sweep prepares its points (configurations, run identities) on every core: the same values,
/// in the same order, as one at a time, whatever the thread count.
@Suite struct ParallelMapTests {
    @Test(arguments: [1, 2, 8])
    func identitiesMadeAtOnceEqualThoseMadeOneByOneInInputOrder(workers: Int) throws {
        let inputs = try (0..<37).map { k in
            (configuration: try BotConfiguration.decode(json: Data("""
                {"symbol": "BTCUSDT", "initial_balance": 1000, "base_order_size": 10, "safety_order_size": 10, "max_safety_orders": 3,
                 "price_deviation": 0.01, "take_profit": \(0.001 * Double(k + 1))}
                """.utf8)), dataFingerprint: k % 2 == 0 ? "even" : "odd")
        }
        let derived = ParallelMap.map(inputs, workers: workers) { RunIdentity(configuration: $0.configuration, dataFingerprint: $0.dataFingerprint) }
        #expect(derived == inputs.map { RunIdentity(configuration: $0.configuration, dataFingerprint: $0.dataFingerprint) })
        // 37 distinct configurations: 37 distinct runs.
        #expect(Set(derived.map(\.runID)).count == 37)
    }

    @Test(arguments: [1, 2, 3, 8])
    func everyElementIsTransformedOnceInOrder(workers: Int) {
        // 10,001 squares: not a multiple of any chunk count.
        let squares: [Int] = ParallelMap.map(Array(0...10_000), workers: workers) { (k: Int) -> Int in k * k }
        let expected: [Int] = (0...10_000).map { (k: Int) -> Int in k * k }
        #expect(squares == expected)
        let none: [Int] = ParallelMap.map([Int](), workers: workers) { (k: Int) -> Int in k }
        let one: [Int] = ParallelMap.map([5], workers: workers) { (k: Int) -> Int in k + 1 }
        #expect(none.isEmpty && one == [6])
    }
}
