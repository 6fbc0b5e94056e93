import MarketData
import Testing

@testable import Backtesting

/// The parts of a multi-pair run the engine loop calls: the merged clock, the slots, equity
/// with last closes and the signal schedule, each driven by hand through the cases' sequences.
@Suite struct MultiPairSchedulingTests {
    static let hour: Int64 = 3_600_000_000_000

    @Test func aSymbolMissingABarIsSkippedAtThatTimeNeverInvented() {
        // A has bars at 0, 1, 2, 3 h; B at 0, 2, 3, 4 h (no bar at 1 h).
        let a: [Int64] = [0, Self.hour, 2 * Self.hour, 3 * Self.hour]
        let b: [Int64] = [0, 2 * Self.hour, 3 * Self.hour, 4 * Self.hour]
        var clock = MergedBarClock(openTimes: [a, b])
        var hours: [Int64] = []
        var barsOfA: [Int?] = []
        var barsOfB: [Int?] = []
        while clock.advance() {
            hours.append(clock.time / Self.hour)
            barsOfA.append(clock.barIndex(of: 0))
            barsOfB.append(clock.barIndex(of: 1))
        }
        let expectedHours: [Int64] = [0, 1, 2, 3, 4]
        let expectedA: [Int?] = [0, 1, 2, 3, nil]
        let expectedB: [Int?] = [0, nil, 1, 2, 3]
        #expect(hours == expectedHours)
        #expect(barsOfA == expectedA)
        #expect(barsOfB == expectedB)
        #expect(MergedBarClock.distinctTimes([a, b]) == 5)
    }

    @Test func equityValuesEachSymbolAtItsLastClose() {
        // At 1 h B has no bar: its 2 units count at its 0 h close 50; A's 1 unit at 1 h's 110.
        var clock = MergedBarClock(openTimes: [[0, Self.hour], [0]])
        let closes: [[Double]] = [[100, 110], [50]]
        var equity: [Double] = []
        var last: [Double] = [.nan, .nan]
        let base: [Double] = [1, 2]
        while clock.advance() {
            for s in 0..<2 { if let i = clock.barIndex(of: s) { last[s] = closes[s][i] } }
            equity.append(Self.equity(quote: 800, base: base, last: last))
        }
        let expected: [Double] = [1000, 1010]  // 800 + 1 x 100 + 2 x 50, then 800 + 1 x 110 + 2 x 50
        #expect(equity == expected)
        // A symbol with no base before its first bar adds nothing (its close is not known yet).
        let alone = Self.equity(quote: 1000, base: [0], last: [.nan])
        #expect(alone == 1000)
    }

    static func equity(quote: Double, base: [Double], last: [Double]) -> Double {
        base.withUnsafeBufferPointer { b in
            last.withUnsafeBufferPointer { l in PortfolioEquity.value(quoteTotal: quote, baseTotals: b, lastCloses: l) }
        }
    }

    @Test func case36SlotsGoInSymbolOrderAndSlotsFreedInsideABarWaitForTheNextOpen() {
        // Symbols [ETHUSDT, BTCUSDT], max_active_deals 1, max_deals 3, cooldown 0 (case 36's sequence).
        var slots = DealSlots(symbolCount: 2, maxActiveDeals: 1, maxDeals: 3, cooldownBars: 0)
        let eth = 0, btc = 1
        // 00:00 opens: ETH takes the slot; BTC finds none.
        #expect(slots.blocker(symbol: eth, bar: 0) == nil)
        slots.open(symbol: eth)
        #expect(slots.blocker(symbol: btc, bar: 0) == .noFreeSlot)
        // 01:00 opens: still ETH's deal; ETH's take profit fills on its path (after every open).
        #expect(slots.blocker(symbol: eth, bar: 1) == .dealAlreadyOpen)
        #expect(slots.blocker(symbol: btc, bar: 1) == .noFreeSlot)
        slots.close(symbol: eth, bar: 1)
        // 02:00 opens: ETH comes first and takes the freed slot.
        #expect(slots.blocker(symbol: eth, bar: 2) == nil)
        slots.open(symbol: eth)
        #expect(slots.blocker(symbol: btc, bar: 2) == .noFreeSlot)
        // 03:00 opens: ETH's take profit fills on the gap at its open: ETH cannot restart there, BTC may.
        slots.close(symbol: eth, bar: 3)
        #expect(slots.blocker(symbol: eth, bar: 3) == .dealAlreadyOpen)
        #expect(slots.blocker(symbol: btc, bar: 3) == nil)
        slots.open(symbol: btc)
        slots.close(symbol: btc, bar: 3)
        // 04:00: max_deals 3 reached.
        #expect(slots.started == 3 && slots.active == 0)
        #expect(slots.blocker(symbol: eth, bar: 4) == .noMoreDeals)
        #expect(slots.blocker(symbol: btc, bar: 4) == .noMoreDeals)
    }

    @Test func cooldownCountsEachSymbolsOwnBars() {
        var slots = DealSlots(symbolCount: 2, maxActiveDeals: 2, maxDeals: nil, cooldownBars: 2)
        slots.open(symbol: 0)
        slots.close(symbol: 0, bar: 5)
        #expect([6, 7, 8].map { slots.blocker(symbol: 0, bar: $0) } == [.cooldown, .cooldown, nil])
        #expect(slots.blocker(symbol: 1, bar: 6) == nil)
        slots.stop()
        #expect(slots.blocker(symbol: 1, bar: 9) == .noMoreDeals)
    }

    /// Drives the schedule as the open phase does, for one symbol whose deals never reach their take profit.
    static func replay(_ schedule: inout SignalSchedule, slots: inout DealSlots, bars: Int, start: Int64) -> (opened: [Int], closed: [Int]) {
        var opened: [Int] = [], closed: [Int] = []
        for bar in 0..<bars {
            let t = start + Int64(bar) * hour
            let closes = schedule.takeCloses(symbol: 0, at: t)
            if closes > 0 {
                if slots.isDealOpen(symbol: 0) {
                    slots.close(symbol: 0, bar: bar)
                    closed.append(bar)
                    schedule.use()
                    schedule.drop(.noOpenDeal, count: closes - 1)
                } else {
                    schedule.drop(.noOpenDeal, count: closes)
                }
            }
            let starts = schedule.takeStarts(symbol: 0, at: t)
            guard starts > 0 || !schedule.hasStartSignals else { continue }
            if let blocker = slots.blocker(symbol: 0, bar: bar) {
                schedule.drop(blocker, count: starts)
            } else {
                slots.open(symbol: 0)
                opened.append(bar)
                if starts > 0 { schedule.use(); schedule.drop(.dealAlreadyOpen, count: starts - 1) }
            }
        }
        schedule.finish()
        return (opened, closed)
    }

    @Test func case38StartAndCloseSignalsAreUsedOrDroppedNeverQueued() throws {
        let signals = try SignalFile.parse(bytes: Array("""
            time,symbol,action
            2025-03-15T01:30:00Z,TESTUSDT,start
            2025-03-15T03:00:00Z,TESTUSDT,start
            2025-03-15 04:00,TESTUSDT,close
            2025-03-15T06:15:00Z,TESTUSDT,start
            2025-03-15T20:00:00Z,TESTUSDT,start
            """.utf8), file: "signals.csv", symbols: ["TESTUSDT"])
        var schedule = SignalSchedule(signals: signals, symbolCount: 1)
        var slots = DealSlots(symbolCount: 1, maxActiveDeals: 1, maxDeals: nil, cooldownBars: 0)
        let (opened, closed) = Self.replay(&schedule, slots: &slots, bars: 9, start: UTCTime.parse("2025-03-15T00:00:00Z")!)
        // Deals at 02:00 and 07:00, the signal's market sell at 04:00; 5 read, 3 used, 2 dropped.
        #expect(opened == [2, 7] && closed == [4])
        #expect(schedule.read == 5 && schedule.used == 3 && schedule.dropped == 2)
        #expect(schedule.droppedByReason.map(\.reason) == [.dealAlreadyOpen, .noLaterBar])
    }

    @Test func aStartSignalFindingNoFreeSlotIsDropped() {
        // Both symbols signal at 00:00; one slot: the first in symbol order starts, the other's signal is dropped.
        let signals = [Signal(time: 0, symbolIndex: 1, action: .start, line: 2), Signal(time: 0, symbolIndex: 0, action: .start, line: 3)]
        var schedule = SignalSchedule(signals: signals, symbolCount: 2)
        var slots = DealSlots(symbolCount: 2, maxActiveDeals: 1, maxDeals: nil, cooldownBars: 0)
        for s in 0..<2 {
            let starts = schedule.takeStarts(symbol: s, at: 0)
            if let blocker = slots.blocker(symbol: s, bar: 0) { schedule.drop(blocker, count: starts) } else { slots.open(symbol: s); schedule.use() }
        }
        schedule.finish()
        #expect(slots.isDealOpen(symbol: 0) && !slots.isDealOpen(symbol: 1))
        #expect(schedule.used == 1 && schedule.droppedByReason.map(\.reason) == [.noFreeSlot])
    }
}
