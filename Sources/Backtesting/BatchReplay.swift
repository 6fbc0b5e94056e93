import Analytics
import CBatchKernel
import DCAStrategy
import Indicators
import MarketData

/// Several one-pair bots over the same candles, stepped together (docs/SWEEPS.md, "Batched
/// backtests"): each block of candles is read from memory once for the whole batch.
///
/// The bots share nothing but the candles, so each bot's bars must only stay in order among
/// themselves. The loop takes the candles in blocks of ``blockBars`` (small enough to stay in
/// the first-level cache) and, within a block, the bots in groups: four through the AVX2 kernel
/// `dca_quiet_run4` (Sources/CBatchKernel) where the CPU has AVX2, else two (one
/// ``EquityCurveLanes`` vector) through ``quietRun(_:from:to:floor:ceiling:quote:base:lowest:highest:closes:)``.
/// A group's quiet bars (``QuietBars``: nothing due at the open, neither the range nor the gap
/// leg reaching a trigger level, for every bot of the group) only add each bot's equity to its
/// curve, whose statistics stay in registers for the whole run. At any other bar (one that
/// begins a UTC day, too), a bot with something to do takes the same calls the one-bot loop
/// (``DCAEngine/walkBars(_:startGate:newEquity:)``) makes and refreshes its snapshot, then every
/// bot of the group adds its equity. Each bot's orders, deals, balances and metrics are the bits
/// its own ``Backtester/run(configuration:candles:detail:recordEquity:)`` gives without the
/// curve: the same operations in the same order (no fused multiply-add in either kernel).
///
/// Only bots ``Backtester/batches(_:detail:)`` accepts: without start or close conditions (the
/// one-bot loop hands their indicators runs of quiet bars) and without finer candles.
struct BatchReplay {
    typealias Vector = EquityCurveLanes.Vector
    /// Bars per block: the block's lowest and highest prices with their gap legs and its closes
    /// take 24 bytes a bar (12 KiB), well inside a 32 KiB first-level data cache.
    static let blockBars = 512

    var replays: [PreparedReplay]
    /// Groups of four bots through `dca_quiet_run4` (AVX2); false: pairs through
    /// ``quietRun(_:from:to:floor:ceiling:quote:base:lowest:highest:closes:)``. Both give the
    /// same bits; tests run both.
    var wideKernel = BatchReplay.cpuHasAVX2

    /// Whether this CPU runs the AVX2 kernel.
    static let cpuHasAVX2 = dca_has_avx2() != 0

    init(configurations: [BotConfiguration]) {
        replays = configurations.map { configuration in
            var replay = PreparedReplay(configuration: configuration, candles: 0)
            replay.engine.recordsEquity = false
            return replay
        }
    }

    /// Walks every candle once for all bots.
    mutating func replay(_ candles: CandleSeries) {
        let lanes = replays.count
        guard lanes > 0 else { return }
        for k in 0..<lanes {
            replays[k].engine.prepare(for: candles)
            replays[k].engine.refreshTriggerLevels()
        }
        // Groups of four lanes through the AVX2 kernel where the CPU has it, else pairs.
        let wide = wideKernel
        let pairWidth = Vector.scalarCount
        let width = wide ? 2 * pairWidth : pairWidth
        let padded = (lanes + width - 1) / width * width
        var curves = replays.map(\.engine.curve)
        var pairs = stride(from: 0, to: padded, by: pairWidth).map { EquityCurveLanes(curves[min(lanes, $0)..<min(lanes, $0 + pairWidth)]) }
        var kernelState = dca_curve_lanes4()
        // The snapshots, and their hot fields as struct-of-arrays; the padding lanes never leave
        // their quiet run (end Int.max, infinite bounds) and hold equity 1.
        var snapshots = [QuietBars](repeating: .none, count: lanes)
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: padded)
        let runStarts = UnsafeMutablePointer<Int>.allocate(capacity: padded)
        let floors = UnsafeMutablePointer<Double>.allocate(capacity: padded)
        let ceilings = UnsafeMutablePointer<Double>.allocate(capacity: padded)
        let quoteTotals = UnsafeMutablePointer<Double>.allocate(capacity: padded)
        let baseTotals = UnsafeMutablePointer<Double>.allocate(capacity: padded)
        // Per bar of a block: the range widened by the gap leg from the previous close; and the
        // bars of the block that begin a new UTC day (EquityCurveAccumulator.endOfDay), in order.
        let lowest = UnsafeMutablePointer<Double>.allocate(capacity: Self.blockBars)
        let highest = UnsafeMutablePointer<Double>.allocate(capacity: Self.blockBars)
        let newDays = UnsafeMutablePointer<Int>.allocate(capacity: Self.blockBars)
        defer {
            for pointer in [ends, runStarts] { pointer.deallocate() }
            for pointer in [floors, ceilings, quoteTotals, baseTotals, lowest, highest] { pointer.deallocate() }
            newDays.deallocate()
        }
        for k in 0..<padded {
            // Lanes of bots start with QuietBars.none (bar 0 is eventful).
            ends[k] = k < lanes ? 0 : Int.max
            floors[k] = -.infinity
            ceilings[k] = .infinity
            runStarts[k] = 0
            quoteTotals[k] = 1
            baseTotals[k] = 0
        }
        // No conditions in a batch: the empty set the one-bot loop would make.
        var gate = ConditionSet(conditions: [], interval: candles.intervalNanoseconds ?? 1)
        let count = candles.count
        var dayEnd = Int64.min
        CandleColumns.of(candles) { columns in
        replays.withUnsafeMutableBufferPointer { replays in
        snapshots.withUnsafeMutableBufferPointer { snapshots in
            let (times, opens, highs, lows, closes) = (columns.times, columns.opens, columns.highs, columns.lows, columns.closes)
            /// Bar `bar` of lane `k`, which is not quiet: as the one-bot loop takes it.
            func eventful(_ k: Int, bar: Int) {
                let previousClose = bar > 0 ? closes[bar - 1] : 0
                let quiet = snapshots[k]
                if quiet.inPosition { replays[k].engine.barsInPosition += bar - runStarts[k] }
                runStarts[k] = bar + 1
                var next: QuietBars
                if quiet.mayOnlyFollowTrailingStop(bar: bar)
                    && replays[k].engine.followTrailingStop(
                        bar: bar, open: opens[bar], high: highs[bar], low: lows[bar], close: closes[bar], previousClose: previousClose) {
                    next = quiet.withTriggerLevels(buy: replays[k].engine.buyTriggerLevel, sell: replays[k].engine.sellTriggerLevel)
                } else {
                    replays[k].engine.eventfulBar(bar, columns, previousClose: previousClose, startGate: &gate)
                    next = replays[k].engine.quietBars(after: bar, times: times, startGate: &gate, hasConditions: false)
                }
                snapshots[k] = next
                ends[k] = next.end
                floors[k] = next.floor
                ceilings[k] = next.ceiling
                quoteTotals[k] = next.quoteTotal
                baseTotals[k] = next.baseTotal
            }
            func load(_ pointer: UnsafeMutablePointer<Double>, _ k: Int) -> Vector {
                UnsafeRawPointer(pointer + k).loadUnaligned(as: Vector.self)
            }
            /// The first bar that may not be quiet for some lane of the group starting at lane `first`.
            func groupEnd(_ first: Int) -> Int {
                (first..<first + width).reduce(Int.max) { min($0, ends[$1]) }
            }
            var blockStart = 0
            while blockStart < count {
                let blockEnd = min(count, blockStart + Self.blockBars)
                var dayStarts = 0
                for bar in blockStart..<blockEnd {
                    // QuietBars.pricesQuiet, shared by every lane.
                    let open = opens[bar], previousClose = bar > 0 ? closes[bar - 1] : 0
                    var low = lows[bar], high = highs[bar]
                    if open != previousClose {
                        low = min(low, min(open, previousClose))
                        high = max(high, max(open, previousClose))
                    }
                    lowest[bar - blockStart] = low
                    highest[bar - blockStart] = high
                    if times[bar] >= dayEnd {
                        if bar > 0 {
                            newDays[dayStarts] = bar
                            dayStarts += 1
                        }
                        dayEnd = EquityCurveAccumulator.endOfDay(containing: times[bar])
                    }
                }
                for first in stride(from: 0, to: padded, by: width) {
                    let members = first..<min(lanes, first + width)
                    let groupPairs = first / pairWidth..<(first + width) / pairWidth
                    var end = groupEnd(first)
                    var day = 0
                    var bar = blockStart
                    while bar < blockEnd {
                        // Quiet bars up to the group's next possible event or the next day.
                        while day < dayStarts && newDays[day] < bar { day += 1 }
                        let limit = min(blockEnd, end, day < dayStarts ? newDays[day] : blockEnd)
                        if bar < limit {
                            if wide {
                                withUnsafeMutableBytes(of: &kernelState) { raw in
                                    let state = raw.baseAddress!.assumingMemoryBound(to: Double.self)
                                    for (i, pair) in groupPairs.enumerated() { pairs[pair].copy(to: state + i * pairWidth, stride: width) }
                                    bar = blockStart + Int(dca_quiet_run4(
                                        raw.baseAddress!.assumingMemoryBound(to: dca_curve_lanes4.self), Int64(bar - blockStart), Int64(limit - blockStart),
                                        floors + first, ceilings + first, quoteTotals + first, baseTotals + first, lowest, highest, closes.baseAddress! + blockStart))
                                    for (i, pair) in groupPairs.enumerated() { pairs[pair].copy(from: state + i * pairWidth, stride: width) }
                                }
                            } else {
                                bar = blockStart + Self.quietRun(
                                    &pairs[groupPairs.lowerBound], from: bar - blockStart, to: limit - blockStart,
                                    floor: load(floors, first), ceiling: load(ceilings, first), quote: load(quoteTotals, first), base: load(baseTotals, first),
                                    lowest: lowest, highest: highest, closes: closes.baseAddress! + blockStart)
                            }
                        }
                        guard bar < blockEnd else { break }
                        // A bar where a lane of the group may act, or that begins a day: in full.
                        let low = lowest[bar - blockStart], high = highest[bar - blockStart]
                        if bar >= end {
                            for k in members where !(bar < ends[k] && low > floors[k] && high < ceilings[k]) { eventful(k, bar: bar) }
                        } else {
                            for k in members where !(low > floors[k] && high < ceilings[k]) { eventful(k, bar: bar) }
                        }
                        end = groupEnd(first)
                        for pair in groupPairs {
                            let lane = pair * pairWidth
                            if day < dayStarts && newDays[day] == bar { pairs[pair].closeDay(&curves, lanes: min(lanes, lane)..<min(lanes, lane + pairWidth)) }
                            pairs[pair].add(load(quoteTotals, lane) + load(baseTotals, lane) * closes[bar], first: bar == 0)
                        }
                        bar += 1
                    }
                }
                blockStart = blockEnd
            }
        }}}
        for k in 0..<lanes where snapshots[k].inPosition { replays[k].engine.barsInPosition += count - runStarts[k] }
        for (pair, curve) in pairs.enumerated() {
            let first = pair * pairWidth
            curve.write(into: &curves, lanes: min(lanes, first)..<min(lanes, first + pairWidth), bars: count, dayEnd: dayEnd)
        }
        for k in 0..<lanes { replays[k].engine.curve = curves[k] }
    }

    /// The quiet bars of a pair of lanes from `start` up to `limit` (at most; bars counted from the
    /// block's first): the bars whose range, widened by the gap leg (`lowest`, `highest`), stays strictly between
    /// both lanes' floor and ceiling only add each lane's equity `quote + base * close`. Returns
    /// the first bar that is not quiet, or `limit`.
    /// - Precondition: every bar before `limit` is before both lanes' ``QuietBars/end``, begins no
    ///   new day and is not bar 0.
    @inline(never)  // a leaf: the curves' statistics stay in registers for the whole run
    static func quietRun(
        _ curve: inout EquityCurveLanes, from start: Int, to limit: Int, floor: Vector, ceiling: Vector, quote: Vector, base: Vector,
        lowest: UnsafePointer<Double>, highest: UnsafePointer<Double>, closes: UnsafePointer<Double>
    ) -> Int {
        var lanes = curve
        defer { curve = lanes }
        var bar = start
        while bar < limit {
            guard all((floor .< Vector(repeating: lowest[bar])) .& (ceiling .> Vector(repeating: highest[bar]))) else { break }
            lanes.add(quote + base * closes[bar], first: false)
            bar += 1
        }
        return bar
    }
}

extension Backtester {
    /// Whether `configuration` may run in a batch (``run(batch:candles:detail:)``): no start
    /// conditions in `safety_orders` mode and no close conditions (their indicators take runs of
    /// quiet bars from the one-bot loop), and no finer candles to walk (`fill_model = detail`
    /// with `detail` given).
    public static func batches(_ configuration: BotConfiguration, detail: DetailPath?) -> Bool {
        configuration.closeConditions.isEmpty
            && (configuration.mode != .safetyOrders || configuration.startConditions.isEmpty)
            && !(configuration.fillModel == .detail && detail != nil)
    }

    /// Backtests every configuration over the same candles, without their equity curves: result
    /// `k` is, bit for bit, what ``run(configuration:candles:detail:recordEquity:)`` with
    /// `recordEquity: false` gives for `configurations[k]`. The configurations ``batches(_:detail:)``
    /// accepts walk the candles together (``BatchReplay``: each candle read once for all of
    /// them); any other runs on its own.
    /// - Complexity: O(bars × configurations + orders), one pass over the candles.
    public static func run(batch configurations: [BotConfiguration], candles: CandleSeries, detail: DetailPath? = nil) -> [BacktestResult] {
        let together = configurations.indices.filter { batches(configurations[$0], detail: detail) }
        var results = [BacktestResult?](repeating: nil, count: configurations.count)
        if !together.isEmpty {
            var replay = BatchReplay(configurations: together.map { configurations[$0] })
            replay.replay(candles)
            for (lane, index) in together.enumerated() { results[index] = replay.replays[lane].result(candles: candles) }
        }
        for index in configurations.indices where results[index] == nil {
            results[index] = run(configuration: configurations[index], candles: candles, detail: detail, recordEquity: false)
        }
        return results.map { $0! }
    }
}
