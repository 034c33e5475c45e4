"""Audit of Affinity's explanations against an independent recomputation (data.py) on the bundled sample.

Usage: python3 audit.py PORT [STORE]   (a server on localhost:PORT serving a model trained on the bundled sample;
STORE, the model store it serves, lets the blend's weights be checked against the explanations' "mostly X").
Seeded: the same customers, items and baskets every run. Prints what held (with counts) and every finding.
"""
import collections
import json
import math
import random
import re
import sys
import urllib.parse
import urllib.request

import data as D

import os

BASE = "http://localhost:%s" % (sys.argv[1] if len(sys.argv) > 1 else "8080")
STORE = sys.argv[2] if len(sys.argv) > 2 else None
SEED = 20261125
d = D.Data(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "sample",
                        "online-retail-2011-05-06.csv.gz"))

findings = collections.defaultdict(list)   # kind -> [message]
checked = collections.Counter()            # what was checked and held


TOKEN = re.compile(r"(?<![\w.])(\d{5,})(?![\w.])")


def scan_ids(path, text):
    """An answer must name no customer: any 5+-digit token that is a customer id and no item id."""
    if "/profile" in path:
        return
    for t in TOKEN.findall(text):
        if t in d.customers and t not in d.item_orders:
            bad("customer-id-in-answer", f"{path}: {t}")
            return
    ok("answer names no customer id")


def get(path, **params):
    q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    url = BASE + path + ("?" + q if q else "")
    try:
        with urllib.request.urlopen(url) as r:
            text = r.read().decode()
            scan_ids(path, text)
            return json.loads(text)
    except urllib.error.HTTPError as e:
        return {"_status": e.code, "_body": e.read().decode()}


def post(path, body, **params):
    q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    req = urllib.request.Request(BASE + path + ("?" + q if q else ""), data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            text = r.read().decode()
            scan_ids(path, text)
            return json.loads(text)
    except urllib.error.HTTPError as e:
        return {"_status": e.code, "_body": e.read().decode()}


def ok(kind):
    checked[kind] += 1


def bad(kind, msg):
    findings[kind].append(msg)


def close(a, b, tol=1e-9):
    if a is None or b is None:
        return a is b or (a is None and isinstance(b, float) and math.isinf(b))
    if not isinstance(b, (int, float)) or not isinstance(a, (int, float)):
        return a == b
    if math.isinf(b):
        return a is None or math.isinf(a)
    return abs(a - b) <= tol * max(1, abs(b))


MODEL = get("/v1/model")
SERVED = MODEL["servedModel"]["name"]
N_CUSTOMERS_MODEL = MODEL["counts"]["customers"]
RULE_CACHE = {}
try:
    import glob
    WEIGHTS = json.load(open(glob.glob(STORE + "/" + MODEL["version"] + "/manifest.json")[0]))["sections"][
        "servedModel"]["weights"] if STORE else None
except Exception:
    WEIGHTS = None


def rules_of(item):
    """GET /v1/rules?item= over all pages: (antecedent tuple, consequent) -> rule."""
    if item not in RULE_CACHE:
        out, offset = {}, 0
        while True:
            r = get("/v1/rules", item=item, limit=100, offset=offset)
            for x in r["rules"]:
                out[(tuple(x["antecedent"]), x["consequent"])] = x
            offset += 100
            if offset >= r["matched"]:
                break
        RULE_CACHE[item] = out
    return RULE_CACHE[item]


STRIP = re.compile(r"^(pinned: matches pin '.*?' \([^)]*\); |boosted: matches boost '.*?'; )")


def strip_note(summary):
    m = STRIP.match(summary)
    return (m.group(1), summary[m.end():]) if m else ("", summary)


def check_rule_expl(where, it, context_items=None):
    e = it["explanation"]
    rule = e.get("rule")
    if rule is None:
        bad("rule-missing", f"{where} {it['itemId']}: source rules without rule")
        return
    if rule["consequent"] != it["itemId"]:
        bad("rule-consequent", f"{where}: rule consequent {rule['consequent']} != item {it['itemId']}")
    ant = rule["antecedent"]
    exp = d.rule(ant, rule["consequent"])
    for k in ("supportCount", "support", "confidence", "lift", "leverage"):
        if not close(rule[k], exp[k]):
            bad("rule-number", f"{where} {ant}=>{it['itemId']} {k}: served {rule[k]} vs recomputed {exp[k]}")
        else:
            ok("rule number " + k)
    if not close(rule["conviction"], exp["conviction"]):
        bad("rule-number", f"{where} {ant}=>{it['itemId']} conviction served {rule['conviction']} vs {exp['conviction']}")
    else:
        ok("rule number conviction")
    _, s = strip_note(e["summary"])
    # the antecedent by the descriptions GET /v1/items/{id} gives (its id where it has none): words for people
    names = [item_facts(a).get("description") or a for a in ant]
    want = "in %s%% of baskets with %s (lift %s)" % (fmt(100 * exp["confidence"], 1), " + ".join(names), fmt(exp["lift"], 1))
    if s != want:
        bad("rule-summary", f"{where}: summary {s!r} vs {want!r}")
    else:
        ok("rule summary text")
    if context_items is not None:
        if not set(ant) <= set(context_items):
            bad("rule-context", f"{where}: antecedent {ant} not within the basket/history")
        else:
            ok("rule antecedent within basket/history")
    listed = rules_of(ant[0]).get((tuple(ant), rule["consequent"]))
    if listed is None:
        bad("rule-vs-rules-endpoint", f"{where}: rule {ant}=>{rule['consequent']} not in GET /v1/rules?item={ant[0]}")
    else:
        diffs = [k for k in rule if not close(listed.get(k), rule[k])]
        if diffs:
            bad("rule-vs-rules-endpoint", f"{where}: rule differs from GET /v1/rules in {diffs}")
        else:
            ok("rule == GET /v1/rules")
    if it.get("score") is not None and it["source"] == "rules" and not close(it["score"], exp["confidence"]):
        bad("rule-score", f"{where}: score {it['score']} != confidence {exp['confidence']}")


def check_popularity(where, it):
    e = it["explanation"]
    p = e.get("popularity")
    i = it["itemId"]
    if p is None:
        bad("popular-missing", f"{where} {i}: popular without popularity evidence: {e}")
        return
    want_o, want_c = d.item_orders[i], len(d.item_customers[i])
    if (p["orderCount"], p["customerCount"]) != (want_o, want_c):
        bad("popular-number", f"{where} {i}: served {p} vs orders {want_o} customers {want_c}")
    else:
        ok("popularity counts")
    _, s = strip_note(e["summary"])
    want = f"popular: bought by {want_c} customers in {want_o} orders" if want_c else f"popular: in {want_o} orders"
    if s != want:
        bad("popular-summary", f"{where} {i}: {s!r} vs {want!r}")
    else:
        ok("popularity summary text")


PURCHASE_RE = re.compile(r"^bought before in (\d+) order\(s\), last on (\d{4}-\d\d-\d\d)(?P<ret>, (?:all \S+ units|the 1 unit|\S+ of \S+ units) returned)?(; proposed again by the (?P<by>.*))?$")


def units(q):
    from decimal import Decimal
    t = format(Decimal(repr(float(q))).normalize(), "f")
    return t


def returns_note(h):
    r = h["quantity"] - h["kept_quantity"]
    if r <= 1e-9:
        return None
    if h["kept_quantity"] <= 0:
        return ", the 1 unit returned" if h["quantity"] == 1 else f", all {units(h['quantity'])} units returned"
    return f", {units(r)} of {units(h['quantity'])} units returned"


def check_purchase(where, it, customer):
    e = it["explanation"]
    i = it["itemId"]
    h = d.history(customer).get(i)
    if h is None:
        bad("repeat-not-bought", f"{where} {i}: says bought before, customer never bought it")
        return
    p = e.get("purchase")
    if p is None:
        bad("repeat-no-purchase", f"{where} {i}: repeat without purchase evidence: {e['summary']}")
        return
    if p["orderCount"] != h["orders"] or not close(p["quantity"], h["quantity"]) or p["lastPurchased"] != str(h["last"]):
        bad("repeat-number", f"{where} {i}: served {p} vs orders {h['orders']} qty {h['quantity']} last {h['last']}")
    else:
        ok("purchase evidence (orders, units, last day)")
    if h["last"] > d.last_day:
        bad("repeat-after-end", f"{where} {i}: last purchase after the data's end")
    _, s = strip_note(e["summary"])
    m = PURCHASE_RE.match(s)
    if not m or int(m.group(1)) != h["orders"] or m.group(2) != str(h["last"]):
        bad("repeat-summary", f"{where} {i}: summary {s!r}")
    else:
        ok("purchase summary text")
    want = returns_note(h)
    if m and m.group("ret") != want:
        kind = "repeat-returned-all" if h["kept_quantity"] <= 0 else "repeat-returned-part"
        bad(kind, f"{where} {i}: '{s}' states returns {m.group('ret')!r}, recomputed {want!r}")
    elif want:
        ok("returns stated (" + ("all" if h["kept_quantity"] <= 0 else "part") + ")")
    rq = p.get("returnedQuantity")
    exp_rq = h["quantity"] - h["kept_quantity"]
    if (rq is None and exp_rq > 1e-9) or (rq is not None and not close(rq, exp_rq, 1e-9)):
        bad("repeat-returned-field", f"{where} {i}: returnedQuantity {rq} vs {exp_rq}")
    elif rq is not None:
        ok("purchase.returnedQuantity")
    return m


def check_model(where, it, customer):
    e = it["explanation"]
    m = e.get("model")
    i = it["itemId"]
    if m is None:
        return False
    if m["name"] != SERVED:
        bad("model-name", f"{where} {i}: explanation model {m['name']} vs /v1/model {SERVED}")
    else:
        ok("model name == /v1/model servedModel.name")
    if WEIGHTS is not None and m["name"] == "blend":
        w = WEIGHTS.get(f"{m['kind']}.{m['source']}", 0)
        if w <= 0:
            bad("model-source-weight", f"{where} {i}: 'mostly {m['source']}' but the blend weighs {m['kind']}."
                                       f"{m['source']} {w}")
        else:
            ok("blend source has a positive weight for its kind")
    bought = i in d.history(customer)
    if (m["kind"] == "repeat") != bought:
        bad("model-kind", f"{where} {i}: kind {m['kind']} but bought={bought}")
    else:
        ok("model kind repeat iff bought")
    if (it["source"] == "repeat") != (m["kind"] == "repeat") and it["source"] != "pinned":
        bad("model-source", f"{where} {i}: source {it['source']} kind {m['kind']}")
    by = m["name"] + " model" if m["source"] == m["name"] else (
        m["source"] + " model and ranked by the learned re-ranker" if m["name"] == "reranker"
        else m["name"] + " model, mostly " + m["source"])
    _, s = strip_note(e["summary"])
    if m["kind"] == "new":
        if s != "new to you; proposed by the " + by:
            bad("model-summary", f"{where} {i}: {s!r}")
        else:
            ok("model summary text (new)")
    else:
        mm = check_purchase(where, it, customer)
        if mm and mm.group("by") != by:
            bad("model-summary", f"{where} {i}: {s!r} vs by {by!r}")
    return True


def check_customer_recs(c, label, limit=20, **rules):
    r = get(f"/v1/customers/{c}/recommendations", limit=limit, **rules)
    if "_status" in r:
        bad("http", f"{label} recs {r}")
        return r
    known = c in d.customers
    if r["fallback"] == known:
        bad("fallback", f"{label}: fallback {r['fallback']} for known={known}")
    else:
        ok("fallback flag iff unknown")
    hist = d.history(c)
    seen = set()
    for it in r["items"]:
        i = it["itemId"]
        where = f"{label} recs"
        if i in seen:
            bad("duplicate", f"{where}: {i} twice")
        seen.add(i)
        src = it["source"]
        e = it["explanation"]
        if e.get("model") is not None:
            check_model(where, it, c)
        elif src == "repeat" or (src == "pinned" and e.get("purchase") is not None):
            check_purchase(where, it, c)
        elif e.get("rule") is not None:
            check_rule_expl(where, it, list(hist))
            if i in hist:
                bad("rules-bought", f"{where} {i}: rule proposal the customer bought already")
        elif e.get("popularity") is not None:
            check_popularity(where, it)
            if known and i in hist and src != "pinned":
                bad("popular-bought", f"{where} {i}: popular fill-in the customer already bought "
                                      f"({hist[i]['orders']} orders)")
            elif known:
                ok("popular fill-in new to the customer")
        else:
            _, s = strip_note(e["summary"])
            if s != "in the catalogue, never ordered in the training data" or d.item_orders[i]:
                bad("no-evidence", f"{where} {i}: no evidence object, summary {e['summary']!r}")
    return r


def profile(c):
    p = get(f"/v1/customers/{c}/profile")
    return None if "_status" in p else p


OFFER_RE = re.compile(
    r"^(?P<note>(?:pinned: matches pin '.*?' \([^)]*\); |boosted: matches boost '.*?'; )?)(?P<src>.*?); "
    r"P\(purchase\) (?P<p>[\d.]+) \((?P<kind>\w+|model score relative to the customer's best) (?P<base>[\d.]+) x activity (?P<act>[\d.]+)\) x margin "
    r"(?P<margin>[\d.]+) \(default margin rate: 30% of (?P<price>[\d.]+)\)"
    r"(?:; strategy (?P<strategy>\w+) x(?P<sw>[\d.]+))?(?P<pricenote>; (?:price-sensitive|premium)[^;]*)?"
    r"(?P<noprofile>; no customer profile: activity 1 \(not estimated\), no strategy or price shaping)?$")


def fmt(x, places):
    from decimal import Decimal, ROUND_HALF_UP
    return str(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def amount(x):
    from decimal import Decimal, ROUND_HALF_UP, ROUND_HALF_EVEN
    return str(Decimal(x).quantize(Decimal("0.000000001"), ROUND_HALF_EVEN).quantize(Decimal("0.01"), ROUND_HALF_UP))


def usual_price(c):
    ps = sorted(d.median_price[i] for i in d.history(c))
    n = len(ps)
    if not n:
        return 0
    return ps[n // 2] if n % 2 else (ps[n // 2 - 1] + ps[n // 2]) / 2


STRATEGY_WEIGHT = {"enhance": {"rules": 1.2}, "protect": {"rules": 1.2}, "initiate": {"popular": 1.2},
                   "win_back": {"repeat": 1.3}}


def check_offers(c, label, limit=5, **rules):
    r = get(f"/v1/customers/{c}/next-best-offers", limit=limit, **rules)
    if "_status" in r:
        bad("http", f"{label} nbo {r}")
        return r
    prof = profile(c)
    act = 1 - math.exp(-prof["value"]["expectedTransactions90d"]) if prof else 1.0
    strategy = prof["strategy"] if prof else None
    if (r.get("strategy") or None) != strategy:
        bad("offer-strategy", f"{label}: answer strategy {r.get('strategy')} vs profile {strategy}")
    hist = d.history(c)
    # the candidate list the offers were ranked from: recommendations at limit x 8 (at most 200; the API caps 100)
    cand_n = min(limit * 8, 200)
    cands = get(f"/v1/customers/{c}/recommendations", limit=min(cand_n, 100),
                **{k: v for k, v in rules.items() if k in ("filter", "excludeBoughtWithinDays", "asOf")})
    best_model = max([x["score"] for x in cands.get("items", []) if x["explanation"].get("model")] or [0])
    usual = usual_price(c)
    for o in r["offers"]:
        where = f"{label} nbo {o['itemId']}"
        m = OFFER_RE.match(o["explanation"])
        if not m:
            bad("offer-format", f"{where}: unparsed {o['explanation']!r}")
            continue
        i = o["itemId"]
        price = d.median_price[i]
        if m["price"] != amount(price):
            bad("offer-price", f"{where}: price {m['price']} vs median {price}")
        margin = 0.3 * price
        if not close(o["margin"], margin, 1e-12) or m["margin"] != amount(margin):
            bad("offer-margin", f"{where}: margin {o['margin']} / {m['margin']} vs {margin}")
        else:
            ok("offer margin = 30% x median price")
        if m["act"] != fmt(act, 3):
            bad("offer-activity", f"{where}: activity {m['act']} vs 1-exp(-E90)={act:.3f}")
        else:
            ok("offer activity = 1-exp(-E[tx 90d]) of the profile")
        kind = m["kind"]
        src_note = m["src"]
        # the base, independently where possible
        base = None
        if kind == "popular" and not src_note.startswith("model"):
            base = min(1, len(d.item_customers[i]) / N_CUSTOMERS_MODEL)
            if i in hist and o["source"] != "pinned":
                bad("offer-popular-bought", f"{where}: popular offer the customer bought")
        elif src_note.startswith("rule "):
            mm = re.match(r"rule \[(.*)\] => (\S+)$", src_note)
            ant = [x.strip() for x in mm.group(1).split(",")]
            base = d.rule(ant, i)["confidence"]
        elif src_note.startswith("bought before"):
            ret = returns_note(hist[i]) if i in hist else None
            if ret and ret not in src_note:
                bad("offer-returns", f"{where}: {src_note!r} does not say {ret!r}")
            elif ret:
                ok("offer states returns")
            if kind == "repeat" and "proposed again by model" in src_note:
                bad("offer-repeat-base-is-model-score", f"{where}: {o['explanation']}")
            if i not in hist:
                bad("offer-not-bought", f"{where}: 'bought before' but never bought")
            cand = next((x for x in cands.get("items", []) if x["itemId"] == i), None)
            if cand is not None and cand["explanation"].get("model"):
                base = cand["score"] / best_model
                if not kind.startswith("model score"):
                    bad("offer-repeat-base-is-model-score", f"{where}: {o['explanation']}")
            elif cand is not None:
                base = hist[i]["orders"] / d.customer_order_count(c)
        elif src_note.startswith("model"):
            cand = next((x for x in cands.get("items", []) if x["itemId"] == i), None)
            if cand is not None:
                base = cand["score"] / best_model
        if (prof is None) != (m["noprofile"] is not None):
            bad("offer-noprofile-note", f"{where}: profile {prof is not None}, note {m['noprofile']!r}")
        else:
            ok("no-profile note iff no profile")
        if base is not None:
            if m["base"] != fmt(base, 3):
                bad("offer-base", f"{where}: base {m['base']} vs {base:.3f} ({src_note})")
            else:
                ok("offer base (" + kind + ")")
        p = float(m["base"]) * act
        if abs(o["purchaseProbability"] - (base if base is not None else o["purchaseProbability"] / act) * act) > 1e-6:
            bad("offer-p", f"{where}: P {o['purchaseProbability']} vs base x activity")
        if m["p"] != fmt(o["purchaseProbability"], 3):
            bad("offer-p-text", f"{where}: text P {m['p']} vs field {o['purchaseProbability']}")
        src = o["source"] if o["source"] != "pinned" else None
        sw = STRATEGY_WEIGHT.get(strategy, {}).get(src or kind, 1.0) if strategy else 1.0
        if strategy and (m["strategy"] != strategy or float(m["sw"]) != sw):
            bad("offer-strategy-weight", f"{where}: {m['strategy']} x{m['sw']} vs {strategy} x{sw}")
        fit = 1.0
        if prof and usual > 0 and price > usual:
            lvl = prof["priceSensitivity"]["level"]
            fit = usual / price if lvl == "high" else 1.25 if lvl == "low" else 1.0
        ev = o["purchaseProbability"] * o["margin"] * sw * fit
        if not close(o["expectedValue"], ev, 1e-6):
            bad("offer-ev", f"{where}: EV {o['expectedValue']} vs P x margin x {sw} x {fit} = {ev} "
                            f"({o['explanation']})")
        else:
            ok("offer EV = P x margin x strategy x price fit")
        if fit != 1.0 and not m["pricenote"]:
            bad("offer-pricefit-note", f"{where}: price fit {fit} not stated")
    return r


# ---------------- upsell -----------------------------------------------------------------------------------------
ITEM_FACTS = {}


def item_facts(i):
    if i not in ITEM_FACTS:
        ITEM_FACTS[i] = get(f"/v1/items/{urllib.parse.quote(i)}")
    return ITEM_FACTS[i]


PROFILES = {}


def trade_ups():
    """Independent trade-up counts: (segment, a, b) -> movers; (segment, a) -> buyers; segment -> customers."""
    for c in d.customers:
        PROFILES[c] = profile(c)
    for i in d.item_orders:
        item_facts(i)
    buyers = collections.Counter()
    seg_customers = collections.Counter()
    movers = collections.Counter()
    for c in d.customers:
        first, last = {}, {}
        for inv, o in d.by_customer[c]:
            t = o["time"]
            for i, _, _ in o["lines"]:
                first[i] = min(first.get(i, t), t)
                last[i] = max(last.get(i, t), t)
        segs = ["all"]
        p = PROFILES[c]
        if p:
            segs += ["tier:" + p["tier"], "price:" + p["priceSensitivity"]["level"]]
        for s in segs:
            seg_customers[s] += 1
            for i in first:
                buyers[(s, i)] += 1
        items = list(first)
        for a in items:
            fa = ITEM_FACTS[a]
            for b in items:
                if a == b:
                    continue
                fb = ITEM_FACTS[b]
                same_family = fa["family"] == fb["family"]
                same_cat = fa["category"] == fb["category"] and fa["category"] != "other"
                if not (same_family or same_cat):
                    continue
                pa, pb = d.median_price[a], d.median_price[b]
                if pa > 0 and pb >= pa * 1.1 and last[b] > first[a]:
                    for s in segs:
                        movers[(s, a, b)] += 1
    return movers, buyers, seg_customers


TU = None
UPSELL_RE = re.compile(r"^(?P<note>(?:pinned: matches pin '.*?' \([^)]*\); |boosted: matches boost '.*?'; )?)"
                       r"(?P<m>\d+) of (?P<n>\d+) customers who bought (?P<from>.*) later moved up to (?P<to>.*) "
                       r"\((?P<seg>all customers|similar customers)\); (?P<same>same family|same category), "
                       r"(?P<pa>[\d.]+) -> (?P<pb>[\d.]+); P\(purchase\) (?P<p>[\d.]+) \(rate (?P<rate>[\d.]+) "
                       r"\((?P<share>[\d.]+)% of all customers bought it\) x activity (?P<act>[\d.]+)\) x margin "
                       r"(?P<margin>[\d.]+) \(default margin rate: 30% of (?P<pb2>[\d.]+)\)$")


def seg_key(label, prof, a, b):
    """The segment whose counts an explanation gives: "similar customers" names neither the customer's tier nor their
    price band (an explanation may be shown to the shopper), so it is the first of the two with a keepable move."""
    if label == "all customers":
        return "all"
    own = ["tier:" + prof["tier"], "price:" + prof["priceSensitivity"]["level"]] if prof else []
    return next((s for s in own if kept(s, a, b)), own[0] if own else None)


def kept(s, a, b):
    mv = TU[0][(s, a, b)]
    by = TU[1][(s, a)]
    return mv >= 3 and mv / by > TU[1][(s, b)] / TU[2][s]


def check_upsell(item, customer, label, limit=5, **rules):
    r = get(f"/v1/items/{item}/upsell", customerId=customer, limit=limit, **rules)
    if "_status" in r:
        bad("http", f"{label} upsell {r}")
        return r
    prof = PROFILES.get(customer) if customer else None
    act = 1 - math.exp(-prof["value"]["expectedTransactions90d"]) if prof else 1.0
    prefs = (["tier:" + prof["tier"], "price:" + prof["priceSensitivity"]["level"]] if prof else []) + ["all"]
    for o in r["offers"]:
        where = f"{label} upsell {item}->{o['itemId']}"
        if "customers who bought" not in o["explanation"]:
            check_heuristic(item, o, act, where)
            continue
        m = UPSELL_RE.match(o["explanation"])
        if not m:
            bad("upsell-format", f"{where}: {o['explanation']!r}")
            continue
        b = o["itemId"]
        s = seg_key(m["seg"], prof, item, b)
        if s is None:
            bad("upsell-segment", f"{where}: 'similar customers' for a request without a profiled customer")
            continue
        mv, by = TU[0][(s, item, b)], TU[1][(s, item)]
        if (int(m["m"]), int(m["n"])) != (mv, by):
            bad("upsell-count", f"{where}: '{m['m']} of {m['n']}' ({s}) vs recomputed {mv} of {by}")
        else:
            ok("upsell N of M customers")
        if not kept(s, item, b):
            bad("upsell-kept", f"{where}: segment {s} move not keepable ({mv} of {by})")
        best = next((x for x in prefs if kept(x, item, b)), None)
        if best != s:
            bad("upsell-segment", f"{where}: shown for {s}, most specific kept segment is {best}")
        else:
            ok("upsell most specific segment")
        fa, fb = item_facts(item), item_facts(b)
        same = "same family" if fa["family"] == fb["family"] else "same category"
        if m["same"] != same:
            bad("upsell-same", f"{where}: {m['same']} vs {same}")
        if m["pa"] != amount(d.median_price[item]) or m["pb"] != amount(d.median_price[b]):
            bad("upsell-price", f"{where}: {m['pa']} -> {m['pb']} vs {d.median_price[item]} -> {d.median_price[b]}")
        else:
            ok("upsell prices")
        share = 100 * len(d.item_customers[b]) / N_CUSTOMERS_MODEL
        if m["share"] != fmt(share, 1):
            bad("upsell-share", f"{where}: {m['share']}% vs {share:.1f}%")
        else:
            ok("upsell share of all customers")
        if m["rate"] != fmt(mv / by, 3) or m["act"] != fmt(act, 3) or m["p"] != fmt(mv / by * act, 3):
            bad("upsell-p", f"{where}: rate {m['rate']} act {m['act']} p {m['p']} vs {mv / by:.3f} {act:.3f}")
        else:
            ok("upsell P = rate x activity")
        margin = 0.3 * d.median_price[b]
        if not close(o["expectedValue"], mv / by * act * margin, 1e-6):
            bad("upsell-ev", f"{where}: EV {o['expectedValue']} vs {mv / by * act * margin}")
        else:
            ok("upsell EV")
    return r


HEUR_RE = re.compile(r"^(?P<note>(?:pinned: matches pin '.*?' \([^)]*\); |boosted: matches boost '.*?'; )?)"
                     r"heuristic fallback \(no observed trade-up\): (?P<same>same family '(?P<fam>[^']*)'|same category), "
                     r"(?P<pa>[\d.]+) -> (?P<pb>[\d.]+); P\(purchase\) (?P<p>[\d.]+) x margin (?P<margin>[\d.]+) "
                     r"\(default margin rate: 30% of (?P<pb2>[\d.]+)\)$")


def check_heuristic(item, o, act, where):
    e = o["explanation"]
    if "injected from the catalogue" in e:
        return
    m = HEUR_RE.match(e)
    if not m:
        bad("upsell-heuristic-format", f"{where}: {e!r}")
        return
    b = o["itemId"]
    fa, fb = item_facts(item), item_facts(b)
    if m["fam"] is not None:
        if fa["family"] != fb["family"] or m["fam"].lower() != fa["family"]:
            bad("upsell-heuristic-family", f"{where}: {m['fam']} vs {fa['family']} / {fb['family']}")
        else:
            ok("heuristic same family")
    elif fa["category"] != fb["category"]:
        bad("upsell-heuristic-category", f"{where}: says same category: {fa['category']} vs {fb['category']}")
    else:
        ok("heuristic same category")
    share = len(d.item_customers[b]) / N_CUSTOMERS_MODEL
    conf = d.rule([item], b)["confidence"] if d.count([item, b]) else None
    base = conf if o["source"] == "rules" else share
    if o["source"] == "pinned" and conf is not None and close(o["purchaseProbability"], conf * act, 1e-9):
        base = conf
    if m["p"] != fmt(base * act, 3) or not close(o["purchaseProbability"], base * act, 1e-9):
        bad("upsell-heuristic-p", f"{where}: P {m['p']} vs {base:.4f} x {act:.3f} ({o['source']})")
    else:
        ok("heuristic P")
    if m["pa"] != amount(d.median_price[item]) or m["pb"] != amount(d.median_price[b]) or \
            d.median_price[b] <= d.median_price[item]:
        bad("upsell-heuristic-price", f"{where}: {m['pa']} -> {m['pb']}")
    else:
        ok("heuristic prices (pricier)")


# ---------------- bought-together and baskets ------------------------------------------------------------------
def check_bought_together(item, label, limit=10, **rules):
    r = get(f"/v1/items/{item}/bought-together", limit=limit, **rules)
    if "_status" in r:
        bad("http", f"{label} bt {r}")
        return r
    for it in r["items"]:
        where = f"{label} bt {item}"
        if it["source"] == "rules" or it["explanation"].get("rule"):
            check_rule_expl(where, it, [item])
            if it["explanation"]["rule"]["antecedent"] != [item]:
                bad("bt-antecedent", f"{where}: antecedent {it['explanation']['rule']['antecedent']}")
        elif it["explanation"].get("popularity"):
            check_popularity(where, it)
            # only a pin may inject an item without a rule (README: bought-together is never filled)
            if not it["explanation"]["summary"].startswith("pinned: ") or it["source"] != "pinned":
                bad("bt-popular", f"{where}: bought-together item {it['itemId']} without a rule: "
                                  f"{it['explanation']['summary']!r}")
            else:
                ok("bought-together item without a rule only when a pin injected it")
        else:
            bad("bt-other", f"{where}: {it}")
        if it["itemId"] == item:
            bad("bt-self", f"{where}: the item itself")
    return r


def check_basket(items, label, customer=None, limit=10, **rules):
    body = {"items": items, "limit": limit}
    if customer:
        body["customerId"] = customer
    r = post("/v1/baskets/recommendations", body, **rules)
    if "_status" in r:
        bad("http", f"{label} basket {r}")
        return r
    hist = d.history(customer) if customer else {}
    for it in r["items"]:
        where = f"{label} basket {items}"
        i = it["itemId"]
        if i in items:
            bad("basket-in-basket", f"{where}: {i} is in the basket")
        e = it["explanation"]
        if e.get("rule"):
            check_rule_expl(where, it, items)
        elif e.get("popularity"):
            check_popularity(where, it)
        elif e.get("purchase"):
            check_purchase(where, it, customer)
        if customer is not None:
            if it.get("previouslyBought") != (i in hist):
                bad("previously-bought", f"{where}: previouslyBought {it.get('previouslyBought')} vs {i in hist}")
            else:
                ok("previouslyBought flag")
        elif "previouslyBought" in it:
            bad("previously-bought", f"{where}: flag without customer")
    return r


def main():
    global TU
    rnd = random.Random(SEED)
    customers = sorted(d.customers)
    sample_c = rnd.sample(customers, 40)
    one_order = sorted(c for c in customers if d.customer_order_count(c) == 1)
    returners = sorted({c for (c, i) in d.returned_qty if d.returned_qty[(c, i)] > 0})
    full_returners = sorted({c for c in returners if any(h["kept_quantity"] <= 0 for h in d.history(c).values())})
    edge = [("one-order", rnd.choice(one_order)), ("returns", rnd.choice(returners)),
            ("returned-all-of-an-item", rnd.choice(full_returners)), ("unknown", "99999999"),
            ("doc", "12748")]
    print("customers sampled", len(sample_c), "one-order", len(one_order), "with returns", len(returners),
          "with an item returned in full", len(full_returners))
    TU = trade_ups()
    for label, c in [("c%02d" % k, c) for k, c in enumerate(sample_c)] + edge:
        check_customer_recs(c, label)
        check_offers(c, label)
    # every customer who returned an item in full: does any recommendation call it "bought before"?
    for c in full_returners:
        check_customer_recs(c, "full-returner")
        check_offers(c, "full-returner")
    for c in [c for c in customers if all(h["kept_quantity"] <= 0 for h in d.history(c).values())]:
        check_customer_recs(c, "returned-everything")
        check_offers(c, "returned-everything")
    items_with_rules = sorted(i for i in d.item_orders if d.item_orders[i] >= 16)
    sample_i = rnd.sample(items_with_rules, 40)
    for k, i in enumerate(sample_i):
        check_bought_together(i, "i%02d" % k)
    upsell_items = sorted({a for (s, a, b) in TU[0] if kept("all", a, b)})
    for k, i in enumerate(rnd.sample(sorted(d.item_orders), 40)):
        check_upsell(i, None, "h%02d" % k)
        check_upsell(i, rnd.choice(sample_c), "h%02d+c" % k)
    for k, i in enumerate(rnd.sample(upsell_items, min(35, len(upsell_items)))):
        check_upsell(i, None, "u%02d" % k)
        check_upsell(i, rnd.choice(sample_c), "u%02d+c" % k)
    orders = [o for o in d.orders.values()]
    for k in range(40):
        o = rnd.choice(orders)
        its = sorted({i for i, _, _ in o["lines"]})
        basket = rnd.sample(its, min(len(its), rnd.randint(1, 3)))
        check_basket(basket, "guest%02d" % k)
        check_basket(basket, "basket%02d+c" % k, customer=rnd.choice(sample_c))
    check_basket(["NOSUCHITEM"], "guest-unknown")
    report()


def report():
    print("\nCHECKED (held):")
    for k, n in sorted(checked.items()):
        print(f"  {n:6d}  {k}")
    print("\nFINDINGS:")
    for k, ms in sorted(findings.items()):
        print(f"  [{k}] {len(ms)}")
        for m in ms[:6]:
            print("     ", m)


if __name__ == "__main__":
    main()
