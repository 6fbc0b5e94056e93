// Runs one engine benchmark's workload a given number of times in a plain process, for profilers
// that cannot follow package-benchmark's runner (valgrind --tool=callgrind, perf record):
//
//   swift build -c release --product EngineProfile   (in Benchmarks/)
//   strip -g -o /tmp/ep .build/release/EngineProfile  (valgrind 3.19 cannot read the debug info)
//   valgrind --tool=callgrind --toggle-collect='$s11Backtesting14PreparedReplayV6replayyy10MarketData12CandleSeriesVF' \
//       /tmp/ep steps 3
//
// Workloads (the loop alone, as the `Engine_loop_*`-style benchmarks measure it): `typical`
// (typical ladder, 1M one-minute candles), `steps` (take-profit steps with a trailing stop),
// `rsi-start` (RSI(14) on 1h start condition), `portfolio` (ten symbols, 3 deals,
// PortfolioReplay.replay()). Prints the candles per run and the runs' order count.
import Backtesting
import Foundation
import BenchmarkSupport
import DCAStrategy
import MarketData

let arguments = CommandLine.arguments.dropFirst()
guard let workload = arguments.first, ["typical", "steps", "rsi-start", "portfolio"].contains(workload) else {
    print("usage: EngineProfile typical|steps|rsi-start|portfolio [RUNS]")
    exit(2)
}
let runs = arguments.dropFirst().first.flatMap { Int($0) } ?? 1

/// The one-pair loop over `candles`, `runs` times; the orders of the last run.
func replayOnePair(_ configuration: BotConfiguration, _ candles: CandleSeries) -> Int {
    var orders = 0
    for _ in 0..<runs {
        var replay = PreparedReplay(configuration: configuration, candles: candles.count, orderCapacity: 1 << 16)
        replay.replay(candles)
        orders = replay.orderCount
    }
    return orders
}

var minutes = SyntheticCandles.oneMinute(count: 1_000_000)
minutes.cacheInterval()
switch workload {
case "typical": print(minutes.count, replayOnePair(BenchmarkBots.ladder(), minutes))
case "steps": print(minutes.count, replayOnePair(BenchmarkBots.takeProfitSteps, minutes))
case "rsi-start": print(minutes.count, replayOnePair(BenchmarkBots.rsiStart, minutes))
default:
    let series = BenchmarkBots.portfolioCandles()
    var orders = 0
    for _ in 0..<runs {
        var replay = PortfolioReplay(configuration: BenchmarkBots.portfolio, candles: series, recordEquity: false)
        replay.replay()
        orders = replay.result().orders.count
    }
    print(series.reduce(0) { $0 + $1.count }, orders)
}
