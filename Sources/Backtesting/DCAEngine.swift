import Analytics
import DCAStrategy
import Indicators
import MarketData

/// The paper-trading engine of one DCA bot over one candle series (docs/SEMANTICS.md).
///
/// Where each part lives:
/// - the per-bar loop: `EngineLoop.swift` (``run(candles:)``); the two phases of a bar (its
///   open, then its path and close): `BarPhases.swift`, which the multi-pair loop
///   (`MultiPair/PortfolioReplay.swift`, one engine per symbol) runs symbol by symbol;
/// - the walk of a bar's price path, leg by leg: `PathWalk.swift` (``traverse(from:to:gap:bar:)``);
/// - placing safety orders and exits: `OrderPlacement.swift`;
/// - opening a deal, its buys, and the one close path: `DealLifecycle.swift`;
/// - the deal's states: `DealState.swift`; the account: `Balances.swift`.
///
/// A bar in which no order can trigger costs a few comparisons and one store into the
/// preallocated equity curve: no allocation, no dynamic dispatch. Orders are appended to the
/// order log only when something happens (placement, fill, cancellation, rejection).
struct DCAEngine: Sendable, EngineOutcome {
    // MARK: Configuration, resolved once.
    let configuration: BotConfiguration
    let rules: ExchangeRules
    let takerFee: Double
    let makerFee: Double
    let feeInBase: Bool
    let slippage: Double
    let takeProfit: Double?
    let trailingDeviation: Double?
    let stopLoss: Double?
    let stopTimeout: Int
    let fillModel: FillModel
    /// The finer candles of the `detail` fill model (nil: every bar walks its own OHLC path).
    var detail: DetailPath?
    /// `D_k` for k = 1...n (index k - 1).
    let deviations: [Double]
    /// `Q_k` for k = 1...n (index k - 1).
    let safetySizes: [Double]
    let maxActiveSafety: Int
    let recurringSchedule: RecurringSchedule?
    let takeProfitSteps: [TakeProfitStep]
    let trailingStopLoss: Bool
    /// `order_size_unit = base`: base and safety sizes are base quantities.
    let sizesInBase: Bool

    // MARK: State.
    var balances: Balances
    /// The deal in progress; `nil` between deals.
    var deal: OpenDeal? = nil
    var takeProfitSide = TakeProfitSide.none
    var stopSide = StopSide.none
    /// Resting safety orders in ladder order, so the first is the highest.
    var restingSafety: [RestingOrder] = []
    /// Resting take-profit steps (``TakeProfitSide/steps(filled:lastTrails:)``), ascending price.
    var restingSteps: [RestingOrder] = []
    /// The close conditions' indicators, fed every close (nil: none; built when the run knows
    /// the bar interval).
    var closeConditions: ConditionSet? = nil
    /// The close conditions held at the last close: the deal is sold at this open.
    var closeDue = false
    /// `stop_loss_action = stop_bot` after a stop-loss exit: no new deal starts.
    var botStopped = false
    /// Deals opened so far.
    var dealsOpened = 0
    /// Bar index from which a new deal may start.
    var nextDealBar = 0
    /// Serial number of the path leg being walked (each ``traverse(from:to:gap:bar:)`` call is
    /// one): what is placed in a gap leg is known by it.
    var legSerial = 0

    // MARK: Levels that let a quiet bar skip the path walk (see refreshTriggerLevels()).
    var buyTriggerLevel = -Double.infinity
    var sellTriggerLevel = Double.infinity
    /// ``sellTriggerLevel`` without a trailing stop's running high: the lowest take-profit level.
    var takeProfitTriggerLevel = Double.infinity
    var walkEveryBar = false

    // MARK: Output.
    var orders: [OrderRecord] = []
    var deals: [DealRecord] = []
    var equity: [Double] = []
    /// Whether ``equity`` keeps the curve (reports need it; sweeps only need its statistics).
    var recordsEquity = true
    /// Sharpe, Sortino, drawdown and daily statistics, gathered bar by bar.
    var curve: EquityCurveAccumulator
    /// Bars per year used to annualise (configured, or from the bar interval); `nil` without an interval.
    var periodsPerYear: Double? = nil
    var barsInPosition = 0
    var maxCapitalInUse = 0.0
    var maxSafetyUsed = 0
    var feesPaid = 0.0
    var realizedPnL = 0.0
    var realizedPeak: Double
    var realizedMaxDrawdown = 0.0

    // MARK: A symbol of a multi-pair bot (MultiPair/PortfolioReplay.swift); 0 for a one-pair run.
    /// The cost of the deals open on the bot's other symbols, quote currency.
    var openCostElsewhere = 0.0
    /// The highest cost of the deals open at once over all symbols, seen at this engine's buys.
    var portfolioCapitalPeak = 0.0
    /// The value of what the bot holds outside this engine (other symbols' locked quote and base
    /// at their last closes), for `compound` sizing.
    var equityElsewhere = 0.0

    init(configuration c: BotConfiguration) {
        configuration = c
        rules = ExchangeRules(tickSize: c.tickSize, stepSize: c.stepSize, minNotional: c.minNotional, minQty: c.minQty)
        takerFee = c.feeRate
        makerFee = c.limitFeeRate
        feeInBase = c.feeCurrency == .base
        slippage = c.slippageBasisPoints / 10_000
        takeProfit = c.takeProfit
        trailingDeviation = c.trailingDeviation
        stopLoss = c.stopLoss
        stopTimeout = c.stopLossTimeoutBars
        fillModel = c.fillModel
        let n = c.mode == .safetyOrders ? c.maxSafetyOrders : 0
        deviations = n > 0 ? (1...n).map { Ladder.cumulativeDeviation(k: $0, priceDeviation: c.priceDeviation, stepScale: c.safetyOrderStepScale) } : []
        safetySizes = n > 0 ? (1...n).map { Ladder.quoteSize(k: $0, safetyOrderSize: c.safetyOrderSize, volumeScale: c.safetyOrderVolumeScale) } : []
        maxActiveSafety = n > 0 ? min(c.maxActiveSafetyOrders, n) : 0
        recurringSchedule = c.mode == .recurring ? c.schedule.flatMap { RecurringSchedule(text: $0) } : nil
        takeProfitSteps = c.takeProfitSteps
        trailingStopLoss = c.trailingStopLoss
        sizesInBase = c.orderSizeUnit == .base
        restingSteps.reserveCapacity(4)
        balances = Balances(quote: c.initialBalance)
        realizedPeak = c.initialBalance
        curve = EquityCurveAccumulator(initialBalance: c.initialBalance)
        restingSafety.reserveCapacity(max(maxActiveSafety, 1))
    }

    /// True when any order rests or a deal is open, so the bar's path must be walked.
    @inline(__always) var hasExposure: Bool {
        deal != nil || !restingSafety.isEmpty
    }
}

/// What ``Backtester`` reads from an engine after a run to compute the metrics.
protocol EngineOutcome {
    var configuration: BotConfiguration { get }
    var curve: EquityCurveAccumulator { get }
    var periodsPerYear: Double? { get }
    var orders: [OrderRecord] { get }
    var deals: [DealRecord] { get }
    var realizedPnL: Double { get }
    var realizedMaxDrawdown: Double { get }
    var feesPaid: Double { get }
    var dealsOpened: Int { get }
    var maxSafetyUsed: Int { get }
    var maxCapitalInUse: Double { get }
    var barsInPosition: Int { get }
}
