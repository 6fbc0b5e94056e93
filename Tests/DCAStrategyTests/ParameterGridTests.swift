import Foundation
import Testing

@testable import DCAStrategy

struct ParameterGridTests {
    func grid(keys: [String], values: Int) -> Data {
        let list = "[" + (1...values).map { "\(Double($0) / 100)" }.joined(separator: ", ") + "]"
        return Data(("{" + keys.map { "\"\($0)\": \(list)" }.joined(separator: ", ") + "}").utf8)
    }

    static let keys = ["take_profit", "price_deviation", "safety_order_volume_scale", "safety_order_step_scale", "base_order_size", "safety_order_size", "max_safety_orders", "max_active_safety_orders", "cooldown_bars", "fee_rate", "slippage_bps", "initial_balance", "min_notional", "stop_loss_timeout_bars", "tick_size", "step_size", "risk_free_rate", "take_profit_type", "fill_model", "fee_currency"]

    @Test func aPointCountPastIntIsRefusedWithTheExactCount() {
        // 10^20: 20 keys of 10 values each.
        #expect {
            _ = try ParameterGrid(json: grid(keys: Self.keys, values: 10))
        } throws: { error in
            "\(error)".contains("the grid has 100000000000000000000 points (20 keys of 10 values), more than can be counted or run")
        }
    }

    @Test func aGridAboveTheCapAsksForMaxPoints() throws {
        // 10^7 points against the default cap of 10^6.
        let data = grid(keys: Array(Self.keys.prefix(7)), values: 10)
        #expect {
            _ = try ParameterGrid(json: data)
        } throws: { error in
            "\(error)".contains("the grid has 10000000 points (7 keys of 10 values), above the limit of 1000000: pass --max-points 10000000")
        }
        let raised = try ParameterGrid(json: data, maximumPoints: 10_000_000)
        #expect(raised.count == 10_000_000)
        // Lazily generated: the last point is every key's last value (0.1), without building the others.
        #expect(raised.points.count == 10_000_000)
        #expect(raised.points[9_999_999].allSatisfy { $0.value == .number(0.1) })
    }

    @Test func pointsFollowTheDocumentedOrder() throws {
        // Keys sorted (price_deviation, take_profit); the last varies fastest: point 1 is (0.01, 0.02).
        let grid = try ParameterGrid(json: Data(#"{"take_profit": [0.01, 0.02], "price_deviation": [0.01, 0.03]}"#.utf8))
        #expect(grid.count == 4)
        #expect(grid.points[1].map(\.key) == ["price_deviation", "take_profit"])
        #expect(grid.points[1].map(\.value) == [.number(0.01), .number(0.02)])
        #expect(grid.points[2].map(\.value) == [.number(0.03), .number(0.01)])
    }

    @Test func exactProductMultipliesPastInt64() {
        // 99^10 = 90438207500880449001 (by hand: 99^5 = 9509900499, squared).
        #expect(ParameterGrid.exactProduct(Array(repeating: 99, count: 10)) == "90438207500880449001")
    }
}
