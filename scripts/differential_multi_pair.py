#!/usr/bin/env python3
"""Differential check of the multi-pair loop against an independent model of docs/SEMANTICS.md,
"Multi-pair bots".

Draws random two-symbol bots (BTCUSDT and ETHUSDT in a random order, `max_active_deals` 1 or 2,
a balance small enough for one pair's deal to starve the other's orders, the engine v2 exits of
scripts/differential_engine.py) and runs each over the shared Binance spot files
BTCUSDT-1h-2021-1{0,1} and ETHUSDT-1h-2021-1{0,1} (two files per symbol), once with
`dca-backtest run --data SYMBOL=FILE ...` (stored in a scratch database, read back with
`runs show --json`) and once with the model below: one single-pair model per symbol
(scripts/differential_engine.py's, written from the contract alone) driven through merged open
times in two phases, with one shared free quote balance, slots, per-symbol cooldown and
`max_deals` over the run. Each symbol's fills (role, step, time, price, quantity) and the
headline metrics must agree to a relative 1e-9.

    scripts/differential_multi_pair.py --data DIR [--runs 30] [--seed 1] [--binary .build/debug/dca-backtest]

Prints one line per configuration and a summary; exits 1 when any configuration disagrees.
Not modelled: compound sizing, min_notional, timed stops, signals.
"""
import argparse, json, os, random, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from differential_engine import Model, random_bot, load, iso, agree  # noqa: E402

SYMBOLS = ["BTCUSDT", "ETHUSDT"]


def path_points(m, o, h, l):
    fm = m.c.get("fill_model", "pessimistic")
    if fm == "ohlc": return h, l
    if fm == "olhc": return l, h
    if fm == "adaptive": return (h, l) if (h - o) <= (o - l) else (l, h)
    return (l, h) if m.stop is not None else (h, l)


def run_portfolio(bot, series):
    """`series`: per symbol (in the bot's order) its bars (time, open, high, low, close)."""
    models = [Model(bot, bars) for bars in series]
    index = [{bar[0]: i for i, bar in enumerate(bars)} for bars in series]
    times = sorted(set(t for bars in series for t in (b[0] for b in bars)))
    shared = float(bot["initial_balance"])
    cap, max_deals = bot["max_active_deals"], bot.get("max_deals")
    active = started = 0
    stopped = False
    prev = [None] * len(models)
    last = [None] * len(models)
    equity = []
    realized = 0.0
    cond = bot.get("close_conditions") or []
    minp = bot.get("close_min_profit", 0)

    def settle(s, was_open):
        nonlocal active, stopped, realized
        m = models[s]
        if was_open and m.deal is None:
            active -= 1
            realized += m.deals[-1]["pnl"]
        if m.stopped: stopped = True

    for t in times:
        for s, m in enumerate(models):  # phase 1: every symbol's open
            if t not in index[s]: continue
            bar = index[s][t]; m.bar = bar
            _, o, h, l, cl = series[s][bar]
            m.qf = shared
            was_open = m.deal is not None
            if bar > 0 and o != prev[s] and (m.deal is not None or m.safety): m.walk(prev[s], o, True, bar)
            if m.close_due and m.deal is not None: m.close(None, "close_condition", o * (1 - m.slip), bar)
            settle(s, was_open)
            if m.deal is None and not stopped and bar >= m.next_bar and (max_deals is None or started < max_deals) and active < cap:
                m.start(bar, o)
                if m.deal is not None: active += 1; started += 1
            shared = m.qf
        for s, m in enumerate(models):  # phase 2: every symbol's path and close
            if t not in index[s]: continue
            bar = index[s][t]; m.bar = bar
            _, o, h, l, cl = series[s][bar]
            m.qf = shared
            was_open = m.deal is not None
            if m.deal is not None or m.safety:
                x, y = path_points(m, o, h, l)
                m.walk(o, x, False, bar); m.walk(x, y, False, bar); m.walk(y, cl, False, bar)
            settle(s, was_open)
            if cond and m.deal is not None:
                hold = all((c.get("min") is None or cl >= c["min"]) and (c.get("max") is None or cl <= c["max"]) for c in cond)
                d = m.deal
                marked = d["proceeds"] + m.r.qty(d["held"]) * cl * (1 - m.taker) - d["cost"]
                if hold and (minp is False or minp is None or marked >= minp * d["cost"]): m.close_due = True
            shared = m.qf
            prev[s] = cl; last[s] = cl
        value = shared + sum(m.ql for m in models)
        for s, m in enumerate(models):
            if m.bf + m.bl != 0: value += (m.bf + m.bl) * last[s]
        equity.append(value)
    return models, equity, realized


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder holding BTCUSDT-1h-2021-1{0,1}.csv and ETHUSDT-1h-2021-1{0,1}.csv")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=".build/debug/dca-backtest")
    args = ap.parse_args()
    files = {s: [os.path.join(args.data, f"{s}-1h-2021-{m}.csv") for m in ("10", "11")] for s in SYMBOLS}
    for paths in files.values():
        for p in paths:
            if not os.path.exists(p): sys.exit(f"missing {p}")
    bars = {s: load(files[s][0]) + load(files[s][1]) for s in SYMBOLS}
    rng = random.Random(args.seed)
    failures = fills_checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "runs.sqlite")
        for i in range(args.runs):
            order = SYMBOLS[:] if rng.random() < 0.5 else SYMBOLS[::-1]
            bot = random_bot(rng, order[0])
            del bot["symbol"]
            bot.pop("compound", None)
            bot["symbols"] = order
            bot["max_active_deals"] = rng.choice([1, 2])
            bot["initial_balance"] = rng.choice([2500, 6000, 100000])
            if bot.get("order_size_unit") == "base":  # base units: 0.01 BTC or ETH, a smaller base order
                bot["base_order_size"] = 0.01
            if rng.random() < 0.3: bot["max_deals"] = rng.choice([3, 8])
            cfg = os.path.join(tmp, f"bot{i}.json")
            with open(cfg, "w") as f: json.dump(bot, f)
            data_args = []
            for s in SYMBOLS:
                for p in files[s]: data_args += ["--data", f"{s}={p}"]
            out = subprocess.run([args.binary, "run", "--config", cfg, *data_args, "--db", db, "--report-dir", tmp, "--json"], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{i}: dca-backtest failed: {out.stderr.strip()[:300]}"); failures += 1; continue
            summary = json.loads(out.stdout)
            shown = json.loads(subprocess.run([args.binary, "runs", "show", summary["run_id"], "--db", db, "--json"], capture_output=True, text=True, check=True).stdout)
            models, equity, realized = run_portfolio(bot, [bars[s] for s in order])
            problems = []
            fills = 0
            for s, m in zip(order, models):
                theirs = [(o["role"], o.get("take_profit_step"), o["filled_at"], o["avg_price"], o["filled_qty"]) for o in shown["orders"] if o["status"] == "filled" and o["symbol"] == s]
                ours = sorted([o for o in m.orders if o["status"] == "filled"], key=lambda o: o["seq"])
                mine = [(o["role"], o["step"], iso(m.bars[o["filled_bar"]][0]), o["fill"], o["filled_qty"]) for o in ours]
                if len(theirs) != len(mine): problems.append(f"{s}: {len(theirs)} fills vs {len(mine)} in the model")
                for a, b in zip(theirs, mine):
                    if a[0] != b[0] or a[1] != b[1] or a[2] != b[2] or not agree(a[3], b[3]) or not agree(a[4], b[4]):
                        problems.append(f"{s}: fill {a} vs model {b}"); break
                fills += len(mine)
            rejected_model = sum(1 for m in models for o in m.orders if o["status"] == "rejected")
            peak, mdd = bot["initial_balance"], 0.0
            for e in equity:
                peak = max(peak, e); mdd = max(mdd, (peak - e) / peak)
            closed = sum(1 for m in models for d in m.deals if d["closed"] is not None)
            total = sum(1 for m in models for o in m.orders if o["status"] == "filled")
            for name, value in [("final_equity", equity[-1]), ("realized_pnl", realized), ("max_drawdown", mdd),
                                ("total_trades", total), ("deals_closed", closed), ("rejected_orders", rejected_model)]:
                if not agree(summary[name], value): problems.append(f"{name} {summary[name]} vs model {value}")
            fills_checked += fills
            status = "agrees" if not problems else "DIFFERS: " + "; ".join(problems[:3])
            print(f"{i:3d} {','.join(order)} slots {bot['max_active_deals']} balance {bot['initial_balance']:6d} {bot['fill_model']:11s} fills {fills:4d} rejected {rejected_model:3d}: {status}")
            failures += bool(problems)
    print(f"{args.runs - failures} of {args.runs} configurations agree (fills compared: {fills_checked}, tolerance 1e-9 relative)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
