/// Who may start a deal at an open: one deal per symbol, at most `max_active_deals` at once,
/// a per-symbol cooldown in that symbol's bars, `max_deals` over the whole run, and a bot
/// stopped by a stop loss (docs/SEMANTICS.md section 7).
///
/// The engine asks ``blocker(symbol:bar:)`` in the open phase, in the configuration's symbol
/// order, and reports starts and closes as they happen, so a slot freed by an earlier symbol's
/// open-phase exit counts for later symbols at the same time and a slot freed inside a bar
/// counts only from the next open time on (the paths come after every open). A deal that closed
/// at a symbol's open cannot restart at that open. Allocation-free after `init`.
public struct DealSlots: Sendable {
    public let maxActiveDeals: Int
    public let maxDeals: Int?
    public let cooldownBars: Int
    @usableFromInline var isOpen: ContiguousArray<Bool>
    /// Per symbol, the first of its bars at which a new deal may start.
    @usableFromInline var nextDealBar: ContiguousArray<Int>
    /// Per symbol, the bar its last deal closed in, or -1.
    @usableFromInline var closedBar: ContiguousArray<Int>
    @usableFromInline var activeCount = 0
    @usableFromInline var startedCount = 0
    @usableFromInline var isStopped = false

    public init(symbolCount: Int, maxActiveDeals: Int, maxDeals: Int?, cooldownBars: Int) {
        self.maxActiveDeals = maxActiveDeals
        self.maxDeals = maxDeals
        self.cooldownBars = cooldownBars
        isOpen = ContiguousArray(repeating: false, count: symbolCount)
        nextDealBar = ContiguousArray(repeating: 0, count: symbolCount)
        closedBar = ContiguousArray(repeating: -1, count: symbolCount)
    }

    /// Deals open now.
    @inlinable public var active: Int { activeCount }
    /// Deals started so far.
    @inlinable public var started: Int { startedCount }
    @inlinable public func isDealOpen(symbol: Int) -> Bool { isOpen[symbol] }

    /// Why `symbol` may not start a deal at the open of its bar `bar` (its own bar index), or
    /// `nil` when it may (start conditions and funds are the engine's to check).
    @inlinable
    public func blocker(symbol: Int, bar: Int) -> SignalDropReason? {
        if isOpen[symbol] || closedBar[symbol] == bar { return .dealAlreadyOpen }
        if isStopped { return .noMoreDeals }
        if let maxDeals, startedCount >= maxDeals { return .noMoreDeals }
        if bar < nextDealBar[symbol] { return .cooldown }
        if activeCount >= maxActiveDeals { return .noFreeSlot }
        return nil
    }

    /// A deal started on `symbol`.
    @inlinable
    public mutating func open(symbol: Int) {
        assert(!isOpen[symbol], "one deal per symbol")
        isOpen[symbol] = true
        activeCount += 1
        startedCount += 1
    }

    /// `symbol`'s deal closed in its bar `bar` (at the open or on the path).
    @inlinable
    public mutating func close(symbol: Int, bar: Int) {
        assert(isOpen[symbol], "closing a deal that is not open")
        isOpen[symbol] = false
        activeCount -= 1
        closedBar[symbol] = bar
        nextDealBar[symbol] = bar + 1 + cooldownBars
    }

    /// A stop loss with `stop_loss_action: stop_bot`: no deal starts any more.
    @inlinable public mutating func stop() { isStopped = true }
}
