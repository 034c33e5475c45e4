"""Independent recomputation of `affinity evaluate`'s figures (Python standard library only).

Usage: python3 audit.py REPORT_DIR EXPORT.csv[.gz] [MORE.csv[.gz] ...] [--consent FILE] [--consent-journal FILE]
                       [--exclude-customers FILE]
       (REPORT_DIR from `affinity evaluate --split time ... --report REPORT_DIR --rankings`, the exports the same
       files in the same order, and the lists evaluate was given: --exclude-customers leaves a customer's rows out,
       an objection to profiling in --consent (a profiling,opted_out row) or --consent-journal, weighed as a server
       weighs them, reads the customer's orders as anonymous baskets, as evaluate does)

From the raw exports (ingest rules as README documents them, not Affinity's code) it rebuilds the time split of
report.json's settings: the test customers (identified, an order in [cutoff, cutoff + testDays)), what each bought
there, what they bought before the cutoff. From rankings.ndjson.gz (the lists the evaluation measured) it recomputes
every model's metrics at 5, 10 and 20 (recall, precision, NDCG, hit rate, MAP, coverage, novelty; the repeat-only,
new-only, cold and warm ones), the per-customer values, the bootstrap intervals (java.util.Random replayed) and the
served model's paired differences with their t-test p-values, and compares them with report.json and
per-customer.csv.gz. It also checks what the evaluation must not do: lists with items of the wrong kind or items
nobody had bought before the cutoff (no model can know them; coverage's catalogue is the items sold before it), and
counts what no model can find (items first sold in the test period, which stay in recall's denominator). Prints what held and every finding; exit code 1 on a finding.
"""
import argparse
import collections
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from affinity_ids import norm_customer, norm_item, normalise_customer_id, strip_blanks  # noqa: E402 (the one copy of the id rules, checked against Java)

NON_PRODUCT = {"POST", "D", "M", "DOT", "BANK CHARGES", "AMAZONFEE", "CRUK", "PADS", "S", "B", "C2", "TEST001",
               "TEST002", "ADJUST", "ADJUST2"}
NON_PRODUCT_PREFIXES = ("GIFT_0001_",)
CUTOFFS = (5, 10, 20)
TOLERANCE = 1e-9

findings = []
held = collections.Counter()


def bad(message):
    findings.append(message)


def ok(what, n=1):
    held[what] += n


# --- ingest ------------------------------------------------------------------------------------------------------
COLUMNS = {"order": ("invoice", "invoiceno"), "item": ("stockcode",), "quantity": ("quantity",),
           "time": ("invoicedate",), "price": ("price", "unitprice"), "customer": ("customer id", "customerid"),
           "country": ("country",)}


def open_text(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    raw = gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def parse_time(s):
    s = s.strip().replace("T", " ")
    for f in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(s, f)
        except ValueError:
            pass
    return None


def number(s):
    try:
        v = float(s.strip())
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def load(paths, excluded=frozenset()):
    """Accepted orders: invoice -> {time (the earliest row's), customer, items}; in order of their first accepted row.
    A row of an excluded customer is rejected where the loader rejects it (excluded_customer, the first of the
    reasons checked after the checks across rows)."""
    orders = {}
    invoice_file = {}
    invoice_customer = {}
    for n, path in enumerate(paths):
        seen = set()
        with open_text(path) as f:
            rows = csv.reader(f)
            header = [h.strip().lower() for h in next(rows)]
            col = {k: next(i for i, h in enumerate(header) if h in names) for k, names in COLUMNS.items()}
            for row in rows:
                if not any(x.strip() for x in row):
                    continue
                if len(row) != len(header):
                    continue  # malformed_column_count
                inv = strip_blanks(row[col["order"]])
                item = norm_item(row[col["item"]])
                if not inv or not item or not all(row[col[k]].strip() for k in ("quantity", "price", "time")):
                    continue  # malformed_blank_field
                invoice_file.setdefault(inv, n)
                qty, price, t = number(row[col["quantity"]]), number(row[col["price"]]), parse_time(row[col["time"]])
                if qty is None or price is None or t is None:
                    continue  # malformed
                cust = norm_customer(row[col["customer"]])
                if cust is not None and invoice_customer.setdefault(inv, cust) != cust:
                    continue  # order_customer_conflict
                if invoice_file[inv] != n:
                    continue  # duplicate_invoice_from_other_file
                key = tuple(row)
                if key in seen:
                    continue  # duplicate_line
                seen.add(key)
                if cust in excluded:
                    continue  # excluded_customer
                if inv.startswith("C") or qty < 0 or inv.startswith("A") or qty == 0 or price <= 0:
                    continue  # cancellation, adjustment, zero_quantity, non_positive_price
                if item in NON_PRODUCT or item.startswith(NON_PRODUCT_PREFIXES):
                    continue  # non_product_code
                o = orders.get(inv)
                if o is None:
                    orders[inv] = {"time": t, "customer": cust, "items": {item}}
                else:
                    if o["customer"] is None and cust is not None:
                        o["customer"] = cust
                    o["time"] = min(o["time"], t)  # placed at its earliest row's time, as Affinity's loader
                    o["items"].add(item)
    return orders


# --- the lists evaluate may be given ------------------------------------------------------------------------------
def open_list(path):
    """A list file: UTF-8 (a byte order mark dropped), plain or gzip, as the loader reads them."""
    with open(path, "rb") as f:
        magic = f.read(2)
    raw = gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def excluded_customers(path):
    """--exclude-customers: the normalised ids of its customer_id column (other columns ignored)."""
    ids = set()
    with open_list(path) as f:
        rows = csv.reader(f)
        header = [h.replace("\ufeff", "").strip().lower() for h in next(rows)]
        column = header.index("customer_id")
        for row in rows:
            if len(row) == len(header):
                ids.add(normalise_customer_id(row[column]))
    return ids


def instant(text):
    """An ISO-8601 time with its offset ('Z' too) as an aware datetime; None for an empty one."""
    text = (text or "").strip()
    if not text:
        return None
    return dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)


def consent_profiling(path):
    """--consent: each customer's profiling row, (state, updated_at or None); a second row of the same state keeps the
    later known time, one of another state wins when it is later (evaluate refuses the list otherwise)."""
    listed = {}
    with open_list(path) as f:
        rows = csv.reader(f)
        next(rows)  # customer_id,channel,state[,updated_at]
        for row in rows:
            if len(row) == 1 and not row[0].strip():
                continue
            if row[1].strip().lower() != "profiling":
                continue
            customer = normalise_customer_id(row[0])
            entry = (row[2].strip().replace("-", "_").lower(), instant(row[3]) if len(row) > 3 else None)
            previous = listed.get(customer)
            if previous is None:
                listed[customer] = entry
            elif previous[0] == entry[0]:
                times = [t for t in (previous[1], entry[1]) if t is not None]
                listed[customer] = (entry[0], max(times) if times else None)
            elif previous[1] is not None and entry[1] is not None and previous[1] != entry[1]:
                listed[customer] = max(previous, entry, key=lambda e: e[1])
            else:
                sys.exit("%s: two profiling states for one customer that cannot be ordered (evaluate refuses it)"
                         % path)
    return listed


def journal_profiling(path):
    """--consent-journal: each customer's latest profiling change, (state, at or None), in the journal's order; a
    last line without its line break is an append in progress, not read."""
    latest = {}
    with open(path, "rb") as f:
        data = f.read()
    for n, line in enumerate(data.split(b"\n")[:-1]):
        change = json.loads(line.decode("utf-8"))
        if n == 0 and "compactedThrough" in change:
            continue
        if change["channel"].strip().lower() == "profiling":
            state = change["state"].strip().replace("-", "_").lower()
            latest[normalise_customer_id(strip_blanks(change["customerId"]))] = (state, instant(change.get("at")))
    return latest


def effective(changed, listed, list_written):
    """Consent.effective for profiling (anything but opted_out permits it): a change later than the list's word wins;
    one that cannot be ordered after it may only restrict."""
    def weighed(change, change_at, state, as_of):
        if change is None:
            return state
        if state is None or (change_at is not None and as_of is not None and change_at > as_of):
            return change
        return change if change == "opted_out" and state != "opted_out" else state
    change, change_at = changed if changed else (None, None)
    if listed is None or listed[1] is None:
        return weighed(change, change_at, listed[0] if listed else None, list_written)
    if change is None or (change_at is not None and change_at < listed[1]):
        return listed[0]
    return weighed(change, change_at, listed[0], listed[1])


def objections(consent, journal):
    """The customers objecting to profiling, with the counts report.json's profilingObjections records."""
    listed = consent_profiling(consent) if consent else {}
    changes = journal_profiling(journal) if journal else {}
    written = (dt.datetime.fromtimestamp(os.stat(consent).st_mtime_ns / 1e9, dt.timezone.utc) if consent else None)
    objecting, by_list, withdrawn = set(), 0, 0
    for customer in set(listed) | set(changes):
        list_objects = customer in listed and listed[customer][0] == "opted_out"
        if effective(changes.get(customer), listed.get(customer), written) == "opted_out":
            objecting.add(customer)
            by_list += 1 if list_objects else 0
        elif list_objects:
            withdrawn += 1
    return objecting, {"customers": len(objecting), "byConsentList": by_list,
                       "byConsentJournal": len(objecting) - by_list, "withdrawnInConsentJournal": withdrawn}


def anonymise(orders, objecting):
    """An objector's orders become anonymous baskets; answers (objectors with orders, their orders)."""
    customers, count = set(), 0
    for o in orders.values():
        if o["customer"] in objecting:
            customers.add(o["customer"])
            count += 1
            o["customer"] = None
    return len(customers), count


# --- the split ---------------------------------------------------------------------------------------------------
class Split:
    def __init__(self, orders, cutoff, days):
        end = cutoff + dt.timedelta(days=days)
        self.truth = collections.defaultdict(set)     # test customer -> items bought in the test period
        self.history = collections.defaultdict(set)   # customer -> items bought before the cutoff
        self.sold_before = set()                       # items of any order before the cutoff, guests' included:
        #                                                what a model can know, the catalogue of coverage
        self.items = set()                             # every accepted item (report.json's facts.items)
        for o in orders.values():
            self.items |= o["items"]
            if o["time"] < cutoff:
                self.sold_before |= o["items"]
                if o["customer"] is not None:
                    self.history[o["customer"]] |= o["items"]
            elif o["time"] < end and o["customer"] is not None:
                self.truth[o["customer"]] |= o["items"]
        self.customers = sorted(self.truth)            # the rows of per-customer.csv.gz (code point order)
        buyers = collections.Counter(i for items in self.history.values() for i in items)
        active = max(1, len(self.history))
        self.info = collections.defaultdict(lambda: -math.log(1 / active) / math.log(2))
        for i, b in buyers.items():
            self.info[i] = -math.log(b / active) / math.log(2)


def fingerprint(ids):
    sha = hashlib.sha256()
    for i in ids:
        sha.update(i.replace("\\", "\\\\").replace("\n", "\\n").encode() + b"\n")
    return sha.hexdigest()


# --- metrics -----------------------------------------------------------------------------------------------------
def discount(rank):
    return 1 / (math.log(rank + 2) / math.log(2))


class Metrics:
    """Sums of the binary-relevance metrics over customers, at each cutoff, as RankingMetrics defines them."""

    def __init__(self, split):
        self.split = split
        self.sums = {k: collections.Counter() for k in CUTOFFS}
        self.covered = {k: set() for k in CUTOFFS}
        self.users = 0

    def add(self, ranked, relevant):
        if not relevant:
            return None
        self.users += 1
        out = {}
        for k in CUTOFFS:
            top = ranked[:k]
            hits, dcg, ap, nov = 0, 0.0, 0.0, 0.0
            for r, item in enumerate(top):
                self.covered[k].add(item)
                nov += self.split.info[item]
                if item in relevant:
                    hits += 1
                    dcg += discount(r)
                    ap += hits / (r + 1)
            ideal = sum(discount(r) for r in range(min(k, len(relevant))))
            values = {"recall": hits / len(relevant), "precision": hits / k, "ndcg": dcg / ideal,
                      "hitrate": 1.0 if hits else 0.0, "map": ap / min(k, len(relevant)),
                      "novelty": nov / len(top) if top else 0.0}
            for name, v in values.items():
                self.sums[k][name] += v
            if k == 10:
                out = {"ndcg@10": values["ndcg"], "recall@10": values["recall"], "hitrate@10": values["hitrate"]}
        return out

    def values(self, prefix):
        out = {}
        for k in CUTOFFS:
            for name in ("recall", "precision", "ndcg", "hitrate", "map", "novelty"):
                out["%s%s@%d" % (prefix, name, k)] = self.sums[k][name] / self.users if self.users else 0.0
            out["%scoverage@%d" % (prefix, k)] = len(self.covered[k]) / max(1, len(self.split.sold_before))
        out[prefix + "users"] = float(self.users)
        return out


def measure(split, lists):
    """lists: row -> {"all", "repeat", "new"}; answers the metrics and the per-customer values, by row."""
    every, repeat, new, cold, warm = (Metrics(split) for _ in range(5))
    per_customer = []
    for row, c in enumerate(split.customers):
        ranked = lists[row]
        truth = split.truth[c]
        hist = split.history.get(c, set())
        per_customer.append(every.add(ranked["all"], truth))
        (warm if hist else cold).add(ranked["all"], truth)
        repeat.add(ranked["repeat"], truth & hist)
        new.add(ranked["new"], truth - hist)
    m = every.values("")
    m.update(repeat.values("repeat."))
    m.update(new.values("new."))
    c, w = cold.values("cold."), warm.values("warm.")
    for key in ("ndcg@10", "hitrate@10", "recall@20", "users"):
        if cold.users:
            m["cold." + key] = c["cold." + key]
        m["warm." + key] = w["warm." + key]
    return m, per_customer


# --- uncertainty -------------------------------------------------------------------------------------------------
class JavaRandom:
    """java.util.Random, whose algorithm its specification fixes: the evaluation's bootstrap draws."""
    MULT, MASK = 0x5DEECE66D, (1 << 48) - 1

    def __init__(self, seed):
        self.seed = (seed ^ self.MULT) & self.MASK

    def next(self, bits):
        self.seed = (self.seed * self.MULT + 0xB) & self.MASK
        return self.seed >> (48 - bits)

    def next_int(self, bound):
        if bound & -bound == bound:
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            if bits - val + (bound - 1) < (1 << 31):
                return val


def percentile_r7(values, p):
    x = sorted(values)
    h = (len(x) - 1) * p / 100
    lo = math.floor(h)
    return x[lo] if lo + 1 >= len(x) else x[lo] + (h - lo) * (x[lo + 1] - x[lo])


def bootstrap(columns, resamples, seed):
    n = len(columns[0])
    rnd = JavaRandom(seed)
    means = [[] for _ in columns]
    for _ in range(resamples):
        rows = [rnd.next_int(n) for _ in range(n)]
        for c, col in enumerate(columns):
            s = 0.0
            for i in rows:
                s += col[i]
            means[c].append(s / n)
    return [(percentile_r7(m, 2.5), percentile_r7(m, 97.5)) for m in means]


def betacf(a, b, x):
    """Continued fraction of the regularised incomplete beta function (Numerical Recipes' betacf)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c if abs(1 + aa / c) > 1e-300 else 1e-300
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c if abs(1 + aa / c) > 1e-300 else 1e-300
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return h


def betainc(a, b, x):
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * betacf(a, b, x) / a
    return 1 - front * betacf(b, a, 1 - x) / b


def paired_t_p(diffs):
    n = len(diffs)
    mean = sum(diffs) / n
    var = sum((d - mean) ** 2 for d in diffs) / (n - 1)
    if var == 0:
        return 1.0 if mean == 0 else 0.0
    t = mean / math.sqrt(var / n)
    df = n - 1
    return betainc(df / 2, 0.5, df / (df + t * t))


# --- the audit ---------------------------------------------------------------------------------------------------
def close(a, b):
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def given(arguments, option):
    return any(a == option or a.startswith(option + "=") for a in arguments)


def main(report_dir, exports, consent=None, journal=None, exclude=None):
    report = json.load(open(os.path.join(report_dir, "report.json")))
    settings = report["settings"]
    if settings["split"] != "time":
        sys.exit("audit.py recomputes the time split only (report split: %s)" % settings["split"])
    if "rankings" not in report:
        sys.exit("report.json lists no rankings: run evaluate with --rankings")
    # the lists evaluate was given, as its invocation records them: without the same ones the audit measures other
    # customers, and every difference would look like the evaluation's
    arguments = report.get("invocation", {}).get("arguments", [])
    for option, path in (("--consent", consent), ("--consent-journal", journal), ("--exclude-customers", exclude)):
        if given(arguments, option) and path is None:
            bad("evaluate ran with %s and the audit without: give the audit the same file" % option)
        elif path is not None and report.get("invocation") and not given(arguments, option):
            bad("the audit was given %s and evaluate was not" % option)
    cutoff = dt.datetime.fromisoformat(settings["cutoff"])
    orders = load(exports, excluded_customers(exclude) if exclude else frozenset())
    if consent or journal:
        objecting, counts = objections(consent, journal)
        counts["inTransactions"], counts["ordersAnonymised"] = anonymise(orders, objecting)
        reported = report.get("profilingObjections")
        if reported == counts:
            ok("objections to profiling: customers, by list and journal, in the export, orders anonymised")
        else:
            bad("profilingObjections: %s recomputed, %s reported" % (counts, reported))
    elif report.get("profilingObjections"):
        bad("report.json records objections to profiling (%s): give the audit the same --consent and "
            "--consent-journal" % report["profilingObjections"])
    split = Split(orders, cutoff, settings["testDays"])
    facts = report["facts"]
    n = len(split.customers)

    # the test customers: the same people (fingerprint), cold ones as counted
    if n == facts["testCustomers"]:
        ok("test customer count")
    else:
        bad("test customers: %d recomputed, %d reported" % (n, facts["testCustomers"]))
    if fingerprint(split.customers) == report["testCustomersFingerprint"]:
        ok("test customers' fingerprint (the same customers, in the per-customer rows' order)")
    else:
        bad("testCustomersFingerprint differs from the SHA-256 of the recomputed test customers")
    cold = sum(1 for c in split.customers if c not in split.history)
    if cold == facts["testCustomersWithoutHistory"]:
        ok("test customers without history")
    else:
        bad("cold test customers: %d recomputed, %d reported" % (cold, facts["testCustomersWithoutHistory"]))
    if len(split.items) == facts["items"]:
        ok("items in the export")
    else:
        bad("items: %d recomputed, %d reported" % (len(split.items), facts["items"]))
    if len(split.sold_before) == facts.get("catalogueItems"):
        ok("catalogue: items sold before the cutoff (coverage's denominator)")
    else:
        bad("catalogue: %d items sold before the cutoff, %s reported" % (len(split.sold_before),
                                                                          facts.get("catalogueItems")))

    # the rankings file is the one report.json describes
    path = os.path.join(report_dir, report["rankings"]["file"])
    text = gzip.open(path, "rb").read()
    if hashlib.sha256(text).hexdigest() != report["rankings"]["sha256"]:
        bad("%s: SHA-256 differs from report.json's" % path)
    lists = collections.defaultdict(dict)   # model -> row -> lists
    for line in text.decode().splitlines():
        r = json.loads(line)
        if r["row"] in lists[r["model"]]:
            bad("%s row %d listed twice" % (r["model"], r["row"]))
        lists[r["model"]][r["row"]] = r
    models = list(report["models"])
    if list(lists) == models:
        ok("rankings cover every model, in report order")
    else:
        bad("rankings' models %s, report's %s" % (list(lists), models))

    per_customer_file = os.path.join(report_dir, report["perCustomer"]["file"])
    pc_rows = list(csv.reader(io.StringIO(gzip.open(per_customer_file, "rt").read())))
    header, pc_rows = pc_rows[0], [[float(v) for v in r] for r in pc_rows[1:]]

    unknowable = collections.Counter()   # model -> list positions holding an item nobody bought before the cutoff
    values = {}
    for model in models:
        rows = lists[model]
        if sorted(rows) != list(range(n)):
            bad("%s: rows %d, expected 0..%d once each" % (model, len(rows), n - 1))
            continue
        for row, c in enumerate(split.customers):
            r = rows[row]
            hist = split.history.get(c, set())
            for kind in ("all", "repeat", "new"):
                if len(r[kind]) > 20 or len(set(r[kind])) != len(r[kind]):
                    bad("%s row %d: %s list of %d items, %d distinct" % (model, row, kind, len(r[kind]),
                                                                         len(set(r[kind]))))
            if any(i not in hist for i in r["repeat"]):
                bad("%s row %d: the repeat-only list holds an item the customer had not bought" % (model, row))
            if any(i in hist for i in r["new"]):
                bad("%s row %d: the new-only list holds an item the customer had bought" % (model, row))
            unknowable[model] += sum(1 for kind in ("all", "repeat", "new") for i in r[kind]
                                     if i not in split.sold_before)
        ok("lists of the right kind, without repeats", len(rows))
        metrics, per_customer = measure(split, [rows[i] for i in range(n)])
        values[model] = per_customer
        reported = report["models"][model]["metrics"]
        if set(metrics) != set(reported):
            bad("%s: metric names differ: %s" % (model, sorted(set(metrics) ^ set(reported))))
        for key in sorted(set(metrics) & set(reported)):
            if close(metrics[key], reported[key]):
                ok("report.json metric recomputed")
            else:
                bad("%s %s: %.12g recomputed, %.12g reported" % (model, key, metrics[key], reported[key]))
        for metric in ("ndcg@10", "recall@10", "hitrate@10"):
            col = header.index(model + "/" + metric)
            wrong = [row for row in range(n) if not close(per_customer[row][metric], pc_rows[row][col])]
            if wrong:
                bad("%s %s: %d per-customer values differ (first row %d)" % (model, metric, len(wrong), wrong[0]))
            else:
                ok("per-customer value recomputed", n)

    # uncertainty: every model's ndcg@10 interval and the served model's paired differences
    boot = report["bootstrap"]
    names = [m for m in models if m in values]
    columns = [[values[m][row]["ndcg@10"] for row in range(n)] for m in names]
    for m, (lo, hi) in zip(names, bootstrap(columns, boot["resamples"], boot["seed"]) if names else []):
        got = report["models"][m]["intervals95"]["ndcg@10"]
        if close(lo, got[0]) and close(hi, got[1]):
            ok("ndcg@10 bootstrap interval recomputed")
        else:
            bad("%s ndcg@10 interval: [%.6f, %.6f] recomputed, %s reported" % (m, lo, hi, got))
    served = report["served"]
    # (none recomputed when the served model's or a rival's lists do not cover the recomputed test customers: said
    # above, row by row)
    versus = [v for v in report["servedDifferences"] if served in values and v["versus"] in values]
    diffs = [[values[served][row]["ndcg@10"] - values[v["versus"]][row]["ndcg@10"] for row in range(n)]
             for v in versus]
    for v, d, (lo, hi) in zip(versus, diffs, bootstrap(diffs, boot["resamples"], boot["seed"]) if diffs else []):
        mean = sum(d) / n
        p = paired_t_p(d)
        checks = [close(mean, v["difference"]), close(lo, v["interval95"][0]), close(hi, v["interval95"][1]),
                  abs(p - v["pValue"]) <= 1e-6 * max(1e-12, v["pValue"]) + 1e-12, v["customers"] == n]
        if all(checks):
            ok("served difference, paired interval and p-value recomputed")
        else:
            bad("%s minus %s: %+.6f [%+.6f, %+.6f] p %.6g recomputed, %+.6f %s p %s reported" % (
                served, v["versus"], mean, lo, hi, p, v["difference"], v["interval95"], v["pValue"]))

    # what no model can find, and whether any model ranked what it could not know
    relevant = sum(len(split.truth[c]) for c in split.customers)
    never = sum(len(split.truth[c] - split.sold_before) for c in split.customers)
    only_never = sum(1 for c in split.customers if not split.truth[c] & split.sold_before)
    ceiling = sum(len(split.truth[c] & split.sold_before) / len(split.truth[c]) for c in split.customers) / n
    print("test period: %d customers, %d bought items (customer x item), %d of them (%.2f%%) first sold after the "
          "cutoff, which no model can rank; %d customers bought only such items; mean recall ceiling %.4f"
          % (n, relevant, never, 100 * never / relevant, only_never, ceiling))
    for model in models:
        if unknowable[model]:
            bad("%s ranks items nobody had bought before the cutoff (%d places in its lists)" % (
                model, unknowable[model]))
        else:
            ok("lists hold only items sold before the cutoff")

    for what, count in sorted(held.items()):
        print("held: %s (%d)" % (what, count))
    for f in findings:
        print("FINDING: " + f)
    print("%d finding(s)" % len(findings))
    return 1 if findings else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("report_dir")
    parser.add_argument("exports", nargs="+")
    parser.add_argument("--consent")
    parser.add_argument("--consent-journal")
    parser.add_argument("--exclude-customers")
    a = parser.parse_args()
    sys.exit(main(a.report_dir, a.exports, a.consent, a.consent_journal, a.exclude_customers))
