"""Independent recomputation of what Affinity's explanations state, from the sample CSV (standard library only).

Ingest rules as README/TransactionLoader document them (not Affinity's code): duplicate line, cancellation,
adjustment, zero quantity, non-positive price, non-product code; orders grouped by invoice, an order's time = its
earliest accepted row's, its customer = its first accepted row naming one; customer ids as ../python/affinity_ids.py
reads them.
"""
import collections
import csv
import datetime as dt
import gzip
import itertools
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from affinity_ids import norm_customer, norm_item, strip_blanks  # noqa: E402 (the one copy of the id rules, checked against Java)

NON_PRODUCT = {"POST", "D", "M", "DOT", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS", "S", "B", "C2", "TEST001",
               "TEST002", "ADJUST", "ADJUST2"}


def non_product(item):
    return item in NON_PRODUCT or item.startswith("GIFT_0001_")


class Data:
    def __init__(self, path):
        self.orders = collections.OrderedDict()   # invoice -> dict(time, customer, lines=[(item, qty, price)])
        self.returns = []                          # (customer, item, qty, price, time) of cancellation rows
        self.desc_votes = collections.defaultdict(collections.Counter)
        seen = set()
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            header = next(r)
            for row in r:
                if not any(x.strip() for x in row):
                    continue
                key = tuple(row)
                if key in seen:
                    continue  # duplicate_line
                seen.add(key)
                inv, code, desc, qty, ts, price, cust, country = row
                inv = strip_blanks(inv)
                item = norm_item(code)
                qty = float(qty)
                price = float(price)
                t = dt.datetime.strptime(ts.strip(), "%Y-%m-%d %H:%M:%S")
                cust = norm_customer(cust)
                if inv.startswith("C") or qty < 0:
                    if cust is not None and item and qty != 0 and price > 0 and not non_product(item):
                        self.returns.append((cust, item, abs(qty), price, t))
                    continue
                if inv.startswith("A"):
                    continue
                if qty == 0 or price <= 0 or non_product(item):
                    continue
                o = self.orders.get(inv)
                if o is None:
                    o = self.orders[inv] = {"time": t, "customer": cust, "lines": [], "country": country.strip()}
                else:
                    if o["customer"] is None and cust is not None:
                        o["customer"] = cust
                    o["time"] = min(o["time"], t)  # placed at its earliest row's time, as Affinity's loader
                o["lines"].append((item, qty, price))
                if desc.strip():
                    self.desc_votes[item][desc.strip()] += 1
        self.description = {i: v.most_common(1)[0][0] for i, v in self.desc_votes.items()}
        self._derive()

    def _derive(self):
        self.baskets = [frozenset(i for i, _, _ in o["lines"]) for o in self.orders.values()]
        self.n_baskets = len(self.baskets)
        self.item_orders = collections.Counter()
        self.item_customers = collections.defaultdict(set)
        prices = collections.defaultdict(list)
        self.by_customer = collections.defaultdict(list)  # customer -> [(invoice, order)]
        for inv, o in self.orders.items():
            for i in {i for i, _, _ in o["lines"]}:
                self.item_orders[i] += 1
                if o["customer"] is not None:
                    self.item_customers[i].add(o["customer"])
            for i, q, p in o["lines"]:
                prices[i].append(p)
            if o["customer"] is not None:
                self.by_customer[o["customer"]].append((inv, o))
        self.customers = set(self.by_customer)
        self.median_price = {}
        for i, ps in prices.items():
            ps.sort()
            n = len(ps)
            m = ps[n // 2] if n % 2 else (ps[n // 2 - 1] + ps[n // 2]) / 2
            self.median_price[i] = float('%.12g' % m)
        self.last_day = max(o["time"] for o in self.orders.values()).date()
        self._net_returns()

    def _net_returns(self):
        """Each customer's kept quantity per purchase line: returns taken off the latest purchases at or before."""
        self.kept = {}  # (invoice, line index) -> kept quantity
        lines_by = collections.defaultdict(list)  # (customer, item) -> [(time, load position, invoice, idx, qty)]
        pos = 0
        for inv, o in self.orders.items():
            for k, (i, q, p) in enumerate(o["lines"]):
                self.kept[(inv, k)] = q
                if o["customer"] is not None:
                    lines_by[(o["customer"], i)].append((o["time"], pos, inv, k))
                pos += 1
        rets = collections.defaultdict(list)
        for n, (c, i, q, p, t) in enumerate(self.returns):
            rets[(c, i)].append((t, n, q))
        self.returned_qty = collections.Counter()
        for key, rs in rets.items():
            ps = sorted(lines_by.get(key, []), key=lambda x: (-x[0].timestamp(), -x[1]))
            for t, n, q in sorted(rs):
                left = q
                for pt, _, inv, k in ps:
                    if left <= 0:
                        break
                    if pt > t or self.kept[(inv, k)] <= 0:
                        continue
                    take = min(self.kept[(inv, k)], left)
                    self.kept[(inv, k)] -= take
                    left -= take
                    self.returned_qty[key] += take

    # --- per customer -------------------------------------------------------------------------------------
    def history(self, customer):
        """item -> dict(orders, quantity, last (date), kept_quantity, kept_orders, kept_last)."""
        h = {}
        for inv, o in self.by_customer.get(customer, []):
            day = o["time"].date()
            items_in_order = set()
            for k, (i, q, p) in enumerate(o["lines"]):
                e = h.setdefault(i, {"orders": 0, "quantity": 0.0, "last": None, "kept_quantity": 0.0,
                                     "kept_orders": set(), "kept_last": None})
                e["quantity"] += q
                kq = self.kept[(inv, k)]
                e["kept_quantity"] += kq
                if kq > 0:
                    e["kept_orders"].add(inv)
                    e["kept_last"] = day if e["kept_last"] is None or day > e["kept_last"] else e["kept_last"]
                if i not in items_in_order:
                    items_in_order.add(i)
                    e["orders"] += 1
                e["last"] = day if e["last"] is None or day > e["last"] else e["last"]
        return h

    def customer_order_count(self, customer):
        return len(self.by_customer.get(customer, []))

    # --- rules --------------------------------------------------------------------------------------------
    def count(self, itemset):
        s = frozenset(itemset)
        return sum(1 for b in self.baskets if s <= b)

    def rule(self, antecedent, consequent):
        n = self.n_baskets
        a = self.count(antecedent)
        c = self.count([consequent])
        ac = self.count(list(antecedent) + [consequent])
        support = ac / n
        conf = ac / a
        pc = c / n
        lift = conf / pc
        leverage = support - (a / n) * pc
        conviction = math.inf if conf == 1 else (1 - pc) / (1 - conf)
        return {"supportCount": ac, "support": support, "confidence": conf, "lift": lift, "leverage": leverage,
                "conviction": conviction}
