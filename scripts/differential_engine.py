#!/usr/bin/env python3
"""Differential check of the engine against an independent re-implementation of docs/SEMANTICS.md.

Draws random bots that use the engine v2 options (take-profit steps, trailing take profit and stop
loss, break-even, stop_bot, a price close condition, sizes in base units, compounding) and runs
each over real Binance spot candles, once with `dca-backtest run` (stored in a scratch database,
read back with `runs show --json`) and once with the model below. Every fill (role, step, bar,
price, quantity) and the headline metrics must agree to a relative 1e-9.

    scripts/differential_engine.py --data DIR [--runs 40] [--seed 1] [--binary .build/debug/dca-backtest]

Prints one line per configuration and a summary; exits 1 when any configuration disagrees.
Only the safety_orders mode, fee in quote, no min_notional (rejections are not modelled).
"""
import argparse, csv, glob, json, math, os, random, subprocess, sys, tempfile

SLACK = 1e-9


def decimal(increment):
    scale = 1.0
    for _ in range(15):
        m = increment * scale
        if m == round(m):
            return m, scale
        scale *= 10
    return increment, 1.0


class Rules:
    def __init__(self, tick, step):
        self.tick, self.step = tick, step
        self.t = decimal(tick) if tick else None
        self.s = decimal(step) if step else None

    def buy(self, p):
        if not self.tick: return p
        return math.floor(p / self.tick + SLACK) * self.t[0] / self.t[1]

    def sell(self, p):
        if not self.tick: return p
        return math.ceil(p / self.tick - SLACK) * self.t[0] / self.t[1]

    def qty(self, q):
        if not self.step: return q
        return math.floor(q / self.step + SLACK) * self.s[0] / self.s[1]


class Model:
    """One bot over one candle series, written from the contract alone."""

    def __init__(self, c, bars):
        self.c, self.bars = c, bars
        self.r = Rules(c.get("tick_size"), c.get("step_size"))
        self.taker = c.get("fee_rate", 0.001)
        self.maker = c.get("maker_fee_rate") if c.get("maker_fee_rate") is not None else self.taker
        self.slip = c.get("slippage_bps", 0) / 10000
        self.qf, self.ql, self.bf, self.bl = float(c["initial_balance"]), 0.0, 0.0, 0.0
        self.orders, self.deals = [], []
        self.deal = None
        self.safety = []  # resting safety orders, ladder order
        self.tp = None  # resting single take profit
        self.steps = []  # resting steps
        self.trail = None  # dict(act, armed, high, leg)
        self.stop = None  # resting stop order (dict) ; trailing: self.stop_high
        self.stop_high = None
        self.close_due = False
        self.stopped = False
        self.next_bar = 0
        self.leg = 0
        self.equity = []
        n = c.get("max_safety_orders", 5)
        d, s, v = c.get("price_deviation", 0.01), c.get("safety_order_step_scale", 1.5), c.get("safety_order_volume_scale", 2.0)
        so = c.get("safety_order_size", 200)
        self.dev = [d * k if s == 1 else d * (s ** k - 1) / (s - 1) for k in range(1, n + 1)]
        self.size = [so * v ** (k - 1) for k in range(1, n + 1)]
        self.active = min(c.get("max_active_safety_orders", n), n) if n else 0
        self.in_base = c.get("order_size_unit") == "base"

    # --- orders
    def new(self, **kw):
        o = dict(seq=len(self.orders), status="new", fill=None, filled_qty=0.0, fee=0.0, filled_bar=None, step=None, leg=self.leg)
        o.update(kw)
        self.orders.append(o)
        return o

    def can_pay(self, amount):
        return math.isfinite(amount) and amount <= self.qf + 1e-9 * max(1, amount)

    # --- deal
    def start(self, bar, open_):
        price = open_ * (1 + self.slip)
        scale = (self.qf + self.ql + (self.bf + self.bl) * open_) / self.c["initial_balance"] if self.c.get("compound") else 1.0
        size = self.c["base_order_size"] * scale if scale != 1 else self.c["base_order_size"]
        q = self.r.qty(size if self.in_base else size / price)
        cost = q * price * (1 + self.taker)
        if not (q > 0) or not self.can_pay(cost):
            self.new(role="base", side="buy", type="market", price=None, qty=q, bar=bar, status="rejected")
            return
        self.deal = dict(n=len(self.deals) + 1, p0=price, notional=0.0, held=0.0, cost=0.0, proceeds=0.0, stopped_avg=False,
                         scale=scale, next=1, base_notional=q * price)
        self.deals.append(dict(n=self.deal["n"], opened=bar, closed=None, pnl=0.0, reason=None))
        o = self.new(role="base", side="buy", type="market", price=None, qty=q, bar=bar)
        self.qf = max(0.0, self.qf - cost)
        self.bf += q
        o.update(status="filled", fill=price, filled_qty=q, fee=q * price * self.taker, filled_bar=bar)
        self.buy(price, q, cost)
        self.place_safety(bar)

    def buy(self, price, q, cost):
        d = self.deal
        d["notional"] += price * q
        d["held"] += q
        d["cost"] += cost
        self.place_exits(self.bar, price)

    def place_safety(self, bar):
        d = self.deal
        if d is None or d["stopped_avg"]: return
        while len(self.safety) < self.active and d["next"] <= len(self.dev):
            k = d["next"]; d["next"] += 1
            price = self.r.buy(d["p0"] * (1 - self.dev[k - 1]))
            size = self.size[k - 1] * d["scale"] if d["scale"] != 1 else self.size[k - 1]
            q = self.r.qty(size if self.in_base else size / price) if price > 0 else 0
            lock = q * price * (1 + self.maker)
            if not (q > 0 and price > 0) or not self.can_pay(lock):
                self.new(role="safety", side="buy", type="limit", price=price, qty=q, bar=bar, status="rejected", k=k)
                continue
            self.qf = max(0.0, self.qf - lock); self.ql += lock
            o = self.new(role="safety", side="buy", type="limit", price=price, qty=q, bar=bar, k=k)
            o["lock"] = lock
            self.safety.append(o)

    def target(self, p):
        d = self.deal
        if self.c.get("take_profit_type", "total") == "base":
            b = d["base_notional"] if self.in_base else self.c["base_order_size"] * d["scale"]
            return (d["notional"] + p * b) / d["held"]
        return d["notional"] / d["held"] * (1 + p)

    def cancel_exits(self):
        for o in ([self.tp] if self.tp else []) + self.steps:
            o["status"] = "cancelled"
            self.bl -= o["qty"]; self.bf += o["qty"]
            if self.bl < 0: self.bl = 0.0
        self.tp, self.steps, self.trail = None, [], None
        if self.stop is not None:
            self.stop["status"] = "cancelled"; self.stop = None

    def lock_sell(self, role, price, q, bar, step=None):
        self.bf = max(0.0, self.bf - q); self.bl += q
        return self.new(role=role, side="sell", type="limit", price=price, qty=q, bar=bar, step=step)

    def place_exits(self, bar, fill_price):
        d = self.deal
        self.cancel_exits()
        sell_q = self.r.qty(d["held"])
        avg = d["notional"] / d["held"]
        steps = self.c.get("take_profit_steps")
        td = self.c.get("trailing_deviation")
        if steps:
            placed = 0.0
            for i, s in enumerate(steps):
                price = self.r.sell(self.target(s["profit"]))
                last = i == len(steps) - 1
                q = self.r.qty(sell_q - placed) if last else self.r.qty(s["fraction"] * d["held"])
                placed += q
                if last and td is not None:
                    self.trail = dict(act=price, armed=False, high=0.0, leg=self.leg)
                else:
                    self.steps.append(self.lock_sell("take_profit", price, q, bar, step=i + 1))
        elif self.c.get("take_profit") is not None:
            price = self.r.sell(self.target(self.c["take_profit"]))
            if td is not None:
                self.trail = dict(act=price, armed=False, high=0.0, leg=self.leg)
            else:
                self.tp = self.lock_sell("take_profit", price, sell_q, bar)
        sl = self.c.get("stop_loss")
        if sl is not None:
            level = self.r.sell(avg * (1 - sl))
            if self.c.get("trailing_stop_loss"):
                level = max(level, self.r.sell(fill_price * (1 - sl)))
                self.stop_high = fill_price
            self.stop = self.new(role="stop_loss", side="sell", type="stop_market", price=level, qty=sell_q, bar=bar)

    def fill_safety(self, price, bar):
        o = self.safety.pop(0)
        cost = o["qty"] * price * (1 + self.maker)
        self.ql -= o["lock"]; self.qf += o["lock"]
        if not self.safety or self.ql < 0: self.ql = 0.0
        self.qf = max(0.0, self.qf - cost)
        self.bf += o["qty"]
        o.update(status="filled", fill=price, filled_qty=o["qty"], fee=o["qty"] * price * self.maker, filled_bar=bar)
        self.buy(price, o["qty"], cost)
        self.place_safety(bar)

    def fill_step(self, price, bar):
        o = self.steps[0]
        if len(self.steps) == 1 and self.trail is None:
            self.close(o, "take_profit", price, bar); return
        self.steps.pop(0)
        d = self.deal
        q = o["qty"]
        self.bl -= q; self.bf += q
        if self.bl < 0: self.bl = 0.0
        self.bf = max(0.0, self.bf - q)
        self.qf += q * price * (1 - self.maker)
        d["proceeds"] += q * price * (1 - self.maker)
        d["held"] = max(0.0, d["held"] - q)
        o.update(status="filled", fill=price, filled_qty=q, fee=q * price * self.maker, filled_bar=bar)
        first = not d["stopped_avg"]
        d["stopped_avg"] = True
        if first:
            for s in self.safety:
                s["status"] = "cancelled"; self.qf += s["lock"]
            self.safety, self.ql = [], 0.0
        if self.stop is not None:
            rem = self.r.qty(d["held"])
            level = self.stop["price"]
            if first and self.c.get("stop_loss_to_breakeven") and rem > 0:
                be = self.r.sell((d["cost"] - d["proceeds"]) / (rem * (1 - self.taker)))
                level = max(be, level) if self.c.get("trailing_stop_loss") else be
            self.stop["status"] = "cancelled"
            self.stop = self.new(role="stop_loss", side="sell", type="stop_market", price=level, qty=rem, bar=bar)

    def close(self, order, role, price, bar):
        d = self.deal
        q = self.r.qty(d["held"])
        if order is None:
            order = self.new(role=role, side="sell", type="market", price=None, qty=q, bar=bar)
        for o in ([self.tp] if self.tp else []) + self.steps:
            if o is not order: o["status"] = "cancelled"
            self.bf += o["qty"]
        if self.stop is not None and self.stop is not order: self.stop["status"] = "cancelled"
        self.tp, self.steps, self.trail, self.stop, self.bl = None, [], None, None, 0.0
        fee = self.maker if role == "take_profit" else self.taker
        self.bf = max(0.0, self.bf - q)
        self.qf += q * price * (1 - fee)
        order.update(status="filled", fill=price, filled_qty=q, fee=q * price * fee, filled_bar=bar)
        for s in self.safety:
            s["status"] = "cancelled"; self.qf += s["lock"]
        self.safety, self.ql = [], 0.0
        rec = self.deals[-1]
        rec.update(closed=bar, pnl=d["proceeds"] + q * price * (1 - fee) - d["cost"], reason=role)
        self.deal, self.close_due = None, False
        self.next_bar = bar + 1 + self.c.get("cooldown_bars", 0)
        if role == "stop_loss" and self.c.get("stop_loss_action") == "stop_bot": self.stopped = True

    # --- the path
    def walk(self, a, b, gap, bar):
        self.leg += 1
        leg = self.leg
        down, up = b < a, b > a
        p = a
        while True:
            cands = []

            def below(level, placed):
                if gap and placed: return b if level >= b else None
                if level >= p: return p
                if down and level >= b: return level
                return None

            def above(level, placed):
                if gap and placed: return b if level <= b else None
                if level <= p: return p
                if up and level <= b: return level
                return None

            if self.safety:
                x = below(self.safety[0]["price"], self.safety[0]["leg"] == leg)
                if x is not None: cands.append((abs(x - p), self.safety[0]["seq"], "safety", x))
            if self.stop is not None:
                x = below(self.stop["price"], self.stop["leg"] == leg)
                if x is not None: cands.append((abs(x - p), self.stop["seq"], "stop", x))
            if self.tp is not None:
                x = above(self.tp["price"], self.tp["leg"] == leg)
                if x is not None: cands.append((abs(x - p), self.tp["seq"], "tp", x))
            if self.steps:
                x = above(self.steps[0]["price"], self.steps[0]["leg"] == leg)
                if x is not None: cands.append((abs(x - p), self.steps[0]["seq"], "step", x))
            t = self.trail
            if t is not None:
                if not t["armed"]:
                    x = above(t["act"], t["leg"] == leg)
                    if x is not None: cands.append((abs(x - p), 1 << 62, "arm", x))
                elif down:
                    x = below(max(t["high"] * (1 - self.c["trailing_deviation"]), t["act"]), t["leg"] == leg)
                    if x is not None: cands.append((abs(x - p), 1 << 62, "trail", x))
            if not cands: break
            _, _, kind, x = min(cands, key=lambda z: (z[0], z[1]))
            p = x
            fp = b if gap else x
            if kind == "safety": self.fill_safety(fp, bar)
            elif kind == "tp": self.close(self.tp, "take_profit", fp, bar)
            elif kind == "step": self.fill_step(fp, bar)
            elif kind == "stop": self.close(self.stop, "stop_loss", fp * (1 - self.slip), bar)
            elif kind == "arm": t.update(armed=True, high=fp, leg=leg)
            elif kind == "trail": self.close(None, "trailing_take_profit", fp * (1 - self.slip), bar)
        if up:
            if self.trail is not None and self.trail["armed"]: self.trail["high"] = max(self.trail["high"], b)
            if self.stop is not None and self.c.get("trailing_stop_loss"):
                self.stop_high = max(self.stop_high, b)
                level = self.r.sell(self.stop_high * (1 - self.c["stop_loss"]))
                if level > self.stop["price"]: self.stop["price"] = level

    def run(self):
        prev = None
        cond = self.c.get("close_conditions") or []
        minp = self.c.get("close_min_profit", 0)
        for bar, (t, o, h, l, cl) in enumerate(self.bars):
            self.bar = bar
            exposed = lambda: self.deal is not None or self.safety
            if bar > 0 and o != prev and exposed():
                self.walk(prev, o, True, bar)
            if self.close_due and self.deal is not None:
                self.close(None, "close_condition", o * (1 - self.slip), bar)
            if self.deal is None and not self.stopped and bar >= self.next_bar and (self.c.get("max_deals") is None or len(self.deals) < self.c["max_deals"]):
                self.start(bar, o)
            if exposed():
                fm = self.c.get("fill_model", "pessimistic")
                if fm == "ohlc": x, y = h, l
                elif fm == "olhc": x, y = l, h
                elif fm == "adaptive": x, y = (h, l) if (h - o) <= (o - l) else (l, h)
                else: x, y = (l, h) if self.stop is not None else (h, l)
                self.walk(o, x, False, bar); self.walk(x, y, False, bar); self.walk(y, cl, False, bar)
            if cond:
                hold = all((cc.get("min") is None or cl >= cc["min"]) and (cc.get("max") is None or cl <= cc["max"]) for cc in cond)
                if hold and self.deal is not None:
                    d = self.deal
                    marked = d["proceeds"] + self.r.qty(d["held"]) * cl * (1 - self.taker) - d["cost"]
                    if minp is False or minp is None or marked >= minp * d["cost"]: self.close_due = True
            self.equity.append(self.qf + self.ql + (self.bf + self.bl) * cl)
            prev = cl
        return self


def random_bot(rng, symbol):
    steps = rng.choice([
        [{"profit": 0.01, "fraction": 0.5}, {"profit": 0.02, "fraction": 0.5}],
        [{"profit": 0.005, "fraction": 0.25}, {"profit": 0.01, "fraction": 0.25}, {"profit": 0.015, "fraction": 0.3}, {"profit": 0.03, "fraction": 0.2}],
        None,
    ])
    base = rng.random() < 0.3
    bot = {"symbol": symbol, "initial_balance": 100000, "max_safety_orders": rng.choice([0, 2, 4]),
           "price_deviation": rng.choice([0.01, 0.02]), "safety_order_step_scale": rng.choice([1, 1.4]),
           "safety_order_volume_scale": rng.choice([1, 1.5]), "fee_rate": rng.choice([0, 0.001]),
           "maker_fee_rate": rng.choice([None, 0.0002]), "slippage_bps": rng.choice([0, 5]),
           "tick_size": 0.01, "step_size": 0.00001, "fill_model": rng.choice(["pessimistic", "ohlc", "olhc", "adaptive"]),
           "cooldown_bars": rng.choice([0, 3])}
    bot["base_order_size"] = 0.01 if base else 500
    bot["safety_order_size"] = rng.choice([0.01, 0.02]) if base else rng.choice([500, 1000])
    if base: bot["order_size_unit"] = "base"
    if steps: bot["take_profit_steps"] = steps
    else: bot["take_profit"] = rng.choice([0.01, 0.02])
    if rng.random() < 0.4: bot["trailing_deviation"] = 0.004
    if rng.random() < 0.7:
        bot["stop_loss"] = rng.choice([0.02, 0.05])
        if rng.random() < 0.6: bot["trailing_stop_loss"] = True
        if steps and rng.random() < 0.5: bot["stop_loss_to_breakeven"] = True
        if rng.random() < 0.3: bot["stop_loss_action"] = "stop_bot"
    if rng.random() < 0.3:
        bot["close_conditions"] = [{"indicator": "price", "min": 1, "max": 1e9}]
        bot["close_min_profit"] = rng.choice([0, 0.003, False])
    if rng.random() < 0.4: bot["compound"] = True
    return {k: v for k, v in bot.items() if v is not None}


def load(path):
    bars = []
    with open(path) as f:
        for row in csv.reader(f):
            t = int(row[0])
            bars.append((t, float(row[1]), float(row[2]), float(row[3]), float(row[4])))
    return bars


def iso(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def agree(a, b, tol=1e-9):
    if a is None or b is None: return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder of Binance spot kline CSV files (*USDT-1h-*.csv)")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=".build/debug/dca-backtest")
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(args.data, "*USDT-1h-2021-*.csv")))
    if not files: sys.exit(f"no *USDT-1h-2021-*.csv files in {args.data}")
    rng = random.Random(args.seed)
    failures = 0
    fills_checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "runs.sqlite")
        for i in range(args.runs):
            path = rng.choice(files)
            symbol = os.path.basename(path).split("-")[0]
            bot = random_bot(rng, symbol)
            cfg = os.path.join(tmp, f"bot{i}.json")
            with open(cfg, "w") as f: json.dump(bot, f)
            out = subprocess.run([args.binary, "run", "--config", cfg, "--data", path, "--db", db, "--report-dir", tmp, "--json"], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{i}: dca-backtest failed: {out.stderr.strip()[:300]}"); failures += 1; continue
            summary = json.loads(out.stdout)
            run_id = summary["run_id"]
            shown = json.loads(subprocess.run([args.binary, "runs", "show", run_id, "--db", db, "--json"], capture_output=True, text=True, check=True).stdout)
            model = Model(bot, load(path)).run()
            bars = model.bars
            theirs = [(o["role"], o.get("take_profit_step"), o["filled_at"], o["avg_price"], o["filled_qty"]) for o in shown["orders"] if o["status"] == "filled"]
            ours = sorted([o for o in model.orders if o["status"] == "filled"], key=lambda o: o["seq"])
            mine = [(o["role"], o["step"], iso(bars[o["filled_bar"]][0]), o["fill"], o["filled_qty"]) for o in ours]
            problems = []
            if len(theirs) != len(mine): problems.append(f"{len(theirs)} fills vs {len(mine)} in the model")
            for a, b in zip(theirs, mine):
                if a[0] != b[0] or a[1] != b[1] or a[2] != b[2] or not agree(a[3], b[3]) or not agree(a[4], b[4]):
                    problems.append(f"fill {a} vs model {b}"); break
            metrics = summary
            final = model.equity[-1]
            realized = sum(d["pnl"] for d in model.deals if d["closed"] is not None)
            peak, mdd = bot["initial_balance"], 0.0
            for e in model.equity:
                peak = max(peak, e); mdd = max(mdd, (peak - e) / peak)
            for name, value in [("final_equity", final), ("realized_pnl", realized), ("max_drawdown", mdd),
                                ("total_trades", len(ours)), ("deals_closed", sum(1 for d in model.deals if d["closed"] is not None))]:
                if not agree(metrics[name], value): problems.append(f"{name} {metrics[name]} vs model {value}")
            fills_checked += len(mine)
            options = sorted(k for k in bot if k in ("take_profit_steps", "trailing_deviation", "trailing_stop_loss", "stop_loss_to_breakeven", "stop_loss_action", "close_conditions", "order_size_unit", "compound"))
            status = "agrees" if not problems else "DIFFERS: " + "; ".join(problems[:3])
            print(f"{i:3d} {os.path.basename(path)} {bot['fill_model']:11s} fills {len(mine):4d} {','.join(options)}: {status}")
            failures += bool(problems)
    print(f"{args.runs - failures} of {args.runs} configurations agree (fills compared: {fills_checked}, tolerance 1e-9 relative)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
