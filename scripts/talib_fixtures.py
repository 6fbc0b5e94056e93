#!/usr/bin/env python3
"""Reference indicator values from TA-Lib, for Tests/IndicatorsTests/Fixtures.

Reads real closes of Binance spot BTCUSDT 1h candles, computes SMA, EMA, RSI (Wilder) and
Bollinger %B with TA-Lib, and writes the values (not the candles) as JSON fixtures. The tests
read the same candle files, feed the incremental indicators of Sources/Indicators and require
agreement to 1e-9. CI does not need TA-Lib: the fixtures are committed.

    pip install ta-lib numpy      # the wheels bundle the TA-Lib C library
    python3 scripts/talib_fixtures.py DATASETS_DIR [OUT_DIR]

DATASETS_DIR is the folder holding binance-spot/BTCUSDT-1h-2021-*.csv (Binance kline CSV
without a header: open time in milliseconds, open, high, low, close, volume, ...).

Two fixtures:
- talib-btcusdt-1h.json: the 1h closes of 2021-10 .. 2021-12 (2208 bars, no gaps).
- talib-btcusdt-4h.json: the 1h bars of 2021-01 .. 2021-03 (two missing hours) resampled to
  UTC-aligned 4h buckets (open of the first bar, highest high, lowest low, close of the last
  bar, summed volume; a bucket with a missing bar is made of the bars it has), then the same
  indicators on the bucket closes.
"""
import csv
import json
import os
import sys

import numpy as np
import talib

MONTHS_1H = ["2021-10", "2021-11", "2021-12"]
MONTHS_4H = ["2021-01", "2021-02", "2021-03"]
HOUR_MS = 3_600_000


def read_bars(datasets, months):
    bars = []
    files = []
    for month in months:
        name = f"binance-spot/BTCUSDT-1h-{month}.csv"
        files.append(name)
        with open(os.path.join(datasets, name), newline="") as f:
            for row in csv.reader(f):
                bars.append((int(row[0]), float(row[1]), float(row[2]), float(row[3]), float(row[4]), float(row[5])))
    return files, bars


def resample(bars, length_ms):
    buckets = []
    for t, o, h, l, c, v in bars:
        start = t // length_ms * length_ms
        if buckets and buckets[-1][0] == start:
            b = buckets[-1]
            buckets[-1] = (start, b[1], max(b[2], h), min(b[3], l), c, b[5] + v)
        else:
            buckets.append((start, o, h, l, c, v))
    return buckets


def values(array):
    return [None if np.isnan(x) else float(x) for x in array]


def percent_b(close, period, deviations):
    upper, middle, lower = talib.BBANDS(close, timeperiod=period, nbdevup=deviations, nbdevdn=deviations, matype=talib.MA_Type.SMA)
    with np.errstate(invalid="ignore", divide="ignore"):
        return values((close - lower) / (upper - lower))


def indicators(close):
    out = {}
    for n in (3, 20, 50):
        out[f"sma_{n}"] = values(talib.SMA(close, timeperiod=n))
    for n in (3, 12, 26):
        out[f"ema_{n}"] = values(talib.EMA(close, timeperiod=n))
    for n in (3, 14):
        out[f"rsi_{n}"] = values(talib.RSI(close, timeperiod=n))
    out["percent_b_20_2"] = percent_b(close, 20, 2.0)
    out["percent_b_10_1.5"] = percent_b(close, 10, 1.5)
    return out


def write(path, document):
    """One key per line, each list on one line (numbers in shortest round-trip form)."""
    def dump(value, indent):
        if isinstance(value, dict):
            inner = ",\n".join(" " * (indent + 1) + json.dumps(k) + ": " + dump(v, indent + 1) for k, v in value.items())
            return "{\n" + inner + "\n" + " " * indent + "}"
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    with open(path, "w") as f:
        f.write(dump(document, 0) + "\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    datasets = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "Tests", "IndicatorsTests", "Fixtures")
    c_version = talib.__ta_version__.decode() if isinstance(talib.__ta_version__, bytes) else str(talib.__ta_version__)
    common = {"generator": "scripts/talib_fixtures.py", "talib": f"ta-lib {talib.__version__} (TA-Lib C {c_version.split()[0]})"}

    files, bars = read_bars(datasets, MONTHS_1H)
    close = np.array([b[4] for b in bars], dtype=np.float64)
    write(os.path.join(out_dir, "talib-btcusdt-1h.json"), {
        **common, "files": files, "timeframe": "1h", "bars": len(bars),
        "first_open_ms": bars[0][0], "last_open_ms": bars[-1][0], "close_sum": sum(b[4] for b in bars),  # summed in file order
        "indicators": indicators(close),
    })

    files, bars = read_bars(datasets, MONTHS_4H)
    buckets = resample(bars, 4 * HOUR_MS)
    close = np.array([b[4] for b in buckets], dtype=np.float64)
    write(os.path.join(out_dir, "talib-btcusdt-4h.json"), {
        **common, "files": files, "timeframe": "4h", "bars": len(bars),
        "bucket_open_ms": [b[0] for b in buckets],
        "bucket_ohlcv": [list(b[1:]) for b in buckets],
        "indicators": indicators(close),
    })


if __name__ == "__main__":
    main()
