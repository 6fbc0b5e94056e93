import MarketData

/// Why a signal was not used (docs/SEMANTICS.md section 8): signals are never queued.
public enum SignalDropReason: String, Sendable, CaseIterable {
    /// A start signal at a bar when `max_active_deals` deals were open.
    case noFreeSlot = "no_free_slot"
    /// A start signal while the symbol's deal was open (or had closed at that same open).
    case dealAlreadyOpen = "deal_already_open"
    /// A start signal within the symbol's cooldown.
    case cooldown
    /// A start signal when the start conditions did not hold at the previous close.
    case startConditions = "start_conditions"
    /// A start signal after `max_deals` deals, or after a stop-loss stopped the bot.
    case noMoreDeals = "no_more_deals"
    /// A start signal the balance could not pay the base order of.
    case insufficientFunds = "insufficient_funds"
    /// A close signal when the symbol had no open deal.
    case noOpenDeal = "no_open_deal"
    /// A signal after the symbol's last bar.
    case noLaterBar = "no_later_bar"

    /// The position in `allCases`, without building the array.
    @inlinable
    public var index: Int {
        switch self {
        case .noFreeSlot: 0
        case .dealAlreadyOpen: 1
        case .cooldown: 2
        case .startConditions: 3
        case .noMoreDeals: 4
        case .insufficientFunds: 5
        case .noOpenDeal: 6
        case .noLaterBar: 7
        }
    }
}

/// The signals of a run, handed out per symbol at the open of the first bar at or after each
/// signal's time, and their tally: read, used, dropped by reason.
///
/// At a symbol's open the engine takes its close signals (``takeCloses(symbol:at:)``) with the
/// other exits, then its start signals (``takeStarts(symbol:at:)``) with the start decision, and
/// says what became of each (``use()``, ``drop(_:count:)``); ``finish()`` drops what no bar
/// reached. Allocation-free after `init`.
public struct SignalSchedule: Sendable {
    @usableFromInline var startTimes: [[Int64]]
    @usableFromInline var closeTimes: [[Int64]]
    @usableFromInline var startCursor: ContiguousArray<Int>
    @usableFromInline var closeCursor: ContiguousArray<Int>
    /// Signals in the file.
    public let read: Int
    /// Whether any start signal was given: then deals start only on them.
    public let hasStartSignals: Bool
    @usableFromInline var usedCount = 0
    /// Signals acted on.
    public var used: Int { usedCount }
    @usableFromInline var droppedCounts: ContiguousArray<Int>

    /// - Parameters:
    ///   - signals: as read by ``SignalFile``, in time order.
    ///   - symbolCount: the bot's number of symbols.
    public init(signals: [Signal], symbolCount: Int) {
        var starts = Array(repeating: [Int64](), count: symbolCount)
        var closes = Array(repeating: [Int64](), count: symbolCount)
        for signal in signals {
            switch signal.action {
            case .start: starts[signal.symbolIndex].append(signal.time)
            case .close: closes[signal.symbolIndex].append(signal.time)
            }
        }
        startTimes = starts.map { $0.sorted() }
        closeTimes = closes.map { $0.sorted() }
        startCursor = ContiguousArray(repeating: 0, count: symbolCount)
        closeCursor = ContiguousArray(repeating: 0, count: symbolCount)
        read = signals.count
        hasStartSignals = signals.contains { $0.action == .start }
        droppedCounts = ContiguousArray(repeating: 0, count: SignalDropReason.allCases.count)
    }

    /// No signals at all: starts as soon as the other limits allow.
    @inlinable public var isEmpty: Bool { read == 0 }

    /// The number of `symbol`'s start signals with a time at or before `openTime` not yet taken.
    @inlinable
    public mutating func takeStarts(symbol: Int, at openTime: Int64) -> Int {
        let begin = startCursor[symbol]
        var c = begin
        while c < startTimes[symbol].count && startTimes[symbol][c] <= openTime { c += 1 }
        startCursor[symbol] = c
        return c - begin
    }

    /// The number of `symbol`'s close signals with a time at or before `openTime` not yet taken.
    @inlinable
    public mutating func takeCloses(symbol: Int, at openTime: Int64) -> Int {
        let begin = closeCursor[symbol]
        var c = begin
        while c < closeTimes[symbol].count && closeTimes[symbol][c] <= openTime { c += 1 }
        closeCursor[symbol] = c
        return c - begin
    }

    /// One signal acted on.
    @inlinable public mutating func use() { usedCount += 1 }

    @inlinable
    public mutating func drop(_ reason: SignalDropReason, count: Int = 1) {
        guard count > 0 else { return }
        droppedCounts[reason.index] += count
    }

    /// Drops every signal no bar reached (after the symbol's last bar).
    public mutating func finish() {
        for s in startCursor.indices {
            drop(.noLaterBar, count: startTimes[s].count - startCursor[s] + closeTimes[s].count - closeCursor[s])
            startCursor[s] = startTimes[s].count
            closeCursor[s] = closeTimes[s].count
        }
    }

    /// Signals dropped, in total.
    public var dropped: Int { droppedCounts.reduce(0, +) }

    /// Dropped signals by reason, reasons in declaration order, zero counts left out.
    public var droppedByReason: [(reason: SignalDropReason, count: Int)] {
        zip(SignalDropReason.allCases, droppedCounts).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
    }
}
