"""The typical DCA ladder in vectorbt's order-function engine, as a side-by-side speed reference.

Run on demand, not by CI (vectorbt, pandas and numba come from PyPI):

    python3 -m venv /tmp/vbt && /tmp/vbt/bin/pip install vectorbt
    /tmp/vbt/bin/python Benchmarks/peers/vectorbt_dca.py path/to/FILUSDT-1m-2023-02_to_2026-06-21months.csv.gz

The bot is the one of the engine benchmark: base order 100, safety order 200, 1% deviation,
step scale 1.5, volume scale 2, 5 safety orders, 1.5% take profit on the average entry, fee 0.1%.
Per bar, like dca-backtest's default path for a bot without a stop (open -> high -> low ->
close): a new deal's base order at the open, the take profit if the high reaches it, then every
safety order whose limit the low reaches (a flexible order function issues several orders per
bar). It prints candles per second of the simulation alone (numba compiled and warmed up first),
and the order count and final equity so the two engines can be compared.
"""
import sys
import time

import numpy as np
import pandas as pd
import vectorbt as vbt
from numba import njit
from vectorbt.portfolio import nb
from vectorbt.portfolio.enums import SizeType, Direction, NoOrder

BASE, SAFETY, DEVIATION, STEP, VOLUME, COUNT, TAKE_PROFIT, FEE = 100.0, 200.0, 0.01, 1.5, 2.0, 5, 0.015, 0.001


@njit
def flex_order_func_nb(c, open_, high, low, state, deviations, sizes):
    # state: [in_deal, base_price, next_safety, cost_notional, quantity, stage]
    i = c.i
    if c.call_idx == 0:
        state[5] = 0.0
    stage = state[5]
    if stage == 0.0:
        state[5] = 1.0
        if state[0] == 0.0:
            price = open_[i, 0]
            state[0] = 1.0
            state[1] = price
            state[2] = 0.0
            state[3] = BASE
            state[4] = BASE / price
            return 0, nb.order_nb(size=BASE / price, price=price, fees=FEE, direction=Direction.LongOnly)
    if state[5] == 1.0:
        state[5] = 2.0
        if state[0] == 1.0:
            target = state[3] / state[4] * (1.0 + TAKE_PROFIT)
            if high[i, 0] >= target:
                quantity = state[4]
                state[0] = 0.0
                return 0, nb.order_nb(size=-quantity, price=target, fees=FEE, direction=Direction.LongOnly)
    if state[5] == 2.0 and state[0] == 1.0:
        k = int(state[2])
        if k < COUNT:
            limit = state[1] * (1.0 - deviations[k])
            if low[i, 0] <= limit:
                quantity = sizes[k] / limit
                state[2] = k + 1
                state[3] += sizes[k]
                state[4] += quantity
                return 0, nb.order_nb(size=quantity, price=limit, fees=FEE, direction=Direction.LongOnly)
    return -1, NoOrder


def run(frame):
    deviations = np.array([DEVIATION * (STEP ** k - 1) / (STEP - 1) for k in range(1, COUNT + 1)])
    sizes = np.array([SAFETY * VOLUME ** (k - 1) for k in range(1, COUNT + 1)])
    state = np.zeros(6)
    open_ = frame[["open"]].to_numpy()
    high = frame[["high"]].to_numpy()
    low = frame[["low"]].to_numpy()
    return vbt.Portfolio.from_order_func(
        frame["close"], flex_order_func_nb, open_, high, low, state, deviations, sizes,
        flexible=True, init_cash=100_000.0, max_orders=len(frame) * 3,
    )


def main(path):
    names = ["open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "count",
             "taker_buy_volume", "taker_buy_quote_volume", "ignore"]
    frame = pd.read_csv(path, header=None, names=names, comment=None)
    frame = frame[pd.to_numeric(frame["open"], errors="coerce").notna()].astype({"open": float, "high": float, "low": float, "close": float})
    run(frame.iloc[:1000])  # compile and warm up numba
    start = time.perf_counter()
    portfolio = run(frame)
    elapsed = time.perf_counter() - start
    print(f"vectorbt {vbt.__version__}: {len(frame)} candles in {elapsed:.3f} s = {len(frame) / elapsed / 1e6:.2f} million candles/s")
    print(f"orders {portfolio.orders.count()}, final equity {portfolio.final_value():.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
