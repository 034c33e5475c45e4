"""Explanations under filter, boost, pin, maxPerCategory and excludeBoughtWithinDays (usage as audit.py)."""
import datetime as dtm
import random
import sys
import audit as A
from audit import get, post, bad, ok, d, strip_note

MATCH = {}


def matching(q):
    if q not in MATCH:
        out, off = set(), 0
        while True:
            r = get("/v1/items", q=q, limit=100, offset=off)
            out |= {h["itemId"] for h in r["items"]}
            off += 100
            if off >= r["matched"] or off >= 10000:
                break
        MATCH[q] = out
    return MATCH[q]


def check_marks(where, items, boost=None, pin=None, pin_limit=3, source_key="source", expl_key=None):
    """Order pinned, boosted, rest; each note true; no note on others."""
    phase = 0
    pinned = 0
    for it in items:
        i = it["itemId"]
        s = it["explanation"] if expl_key is None else it[expl_key]
        s = s["summary"] if isinstance(s, dict) else s
        note, rest = strip_note(s)
        if note.startswith("pinned"):
            pinned += 1
            if phase > 0:
                bad("order", f"{where}: pinned {i} after boosted/rest")
            if pin is None or i not in matching(pin):
                bad("pin-note", f"{where}: {i} says pinned but does not match pin {pin}")
            elif it[source_key] != "pinned":
                bad("pin-source", f"{where}: {i} pinned note, source {it[source_key]}")
            elif f"matches pin '{pin}'" not in note:
                bad("pin-note", f"{where}: {i} note {note!r}")
            else:
                ok("pinned note true")
        elif note.startswith("boosted"):
            if phase > 1:
                bad("order", f"{where}: boosted {i} after rest")
            phase = 1
            if boost is None or i not in matching(boost):
                bad("boost-note", f"{where}: {i} says boosted but does not match {boost}")
            else:
                ok("boosted note true")
        else:
            phase = 2
            if it[source_key] == "pinned":
                bad("pin-source", f"{where}: {i} source pinned without note")
            if boost is not None and i in matching(boost):
                bad("boost-missing", f"{where}: {i} matches boost {boost} but is not marked / ordered after rest")
            else:
                ok("unmarked item does not match boost")
        if pin is not None and not note.startswith("pinned") and i in matching(pin) and pinned < pin_limit:
            bad("pin-missing", f"{where}: {i} matches pin {pin} but not pinned while only {pinned} pinned")
    if pinned > pin_limit:
        bad("pin-limit", f"{where}: {pinned} pinned > {pin_limit}")


def category(i):
    return A.item_facts(i)["category"]


def main():
    rnd = random.Random(A.SEED + 1)
    A.TU = A.trade_ups()
    customers = sorted(d.customers)
    sample_c = rnd.sample(customers, 30) + ["12748", "99999999"]
    items = rnd.sample(sorted(i for i in d.item_orders if d.item_orders[i] >= 30), 30)
    variants = [
        {"boost": "category:bag"},
        {"pin": "category:lantern", "pinLimit": "2"},
        {"pin": "category:holder", "boost": "category:bag", "maxPerCategory": "2"},
        {"maxPerCategory": "1"},
        {"filter": "price:[0 TO 3]"},
        {"excludeBoughtWithinDays": "30", "asOf": "2011-06-30"},
        {"excludeBoughtWithinDays": "30", "asOf": "2011-06-30", "pin": "description:bunting", "boost": "category:bag"},
        {"pin": "id:47566 OR id:85099B OR id:22423", "pinLimit": "3"},
    ]
    for c in sample_c:
        hist = d.history(c)
        for k, v in enumerate(variants):
            where = f"{c} recs v{k}"
            r = A.check_customer_recs(c, where, limit=10, **v)
            if "_status" in r:
                continue
            check_marks(where, r["items"], v.get("boost"), v.get("pin"), int(v.get("pinLimit", 3)))
            check_rules_hold(where, r["items"], v, hist)
            o = A.check_offers(c, f"{c} nbo v{k}", limit=5, **v)
            if "_status" not in o:
                check_marks(f"{c} nbo v{k}", o["offers"], v.get("boost"), v.get("pin"), int(v.get("pinLimit", 3)),
                            expl_key="explanation")
                check_rules_hold(f"{c} nbo v{k}", o["offers"], v, hist)
    for i in items:
        for k, v in enumerate(variants):
            v2 = {x: y for x, y in v.items() if x not in ("excludeBoughtWithinDays", "asOf")}
            where = f"{i} bt v{k}"
            r = A.check_bought_together(i, where, limit=10, **v2)
            if "_status" not in r:
                check_marks(where, r["items"], v2.get("boost"), v2.get("pin"), int(v2.get("pinLimit", 3)))
                check_rules_hold(where, r["items"], v2, {})
            c = rnd.choice(sample_c[:-2])
            r = A.check_basket([i], f"{i} basket v{k}", customer=c, limit=10, **v)
            if "_status" not in r:
                check_marks(f"{i} basket v{k}", r["items"], v.get("boost"), v.get("pin"), int(v.get("pinLimit", 3)))
                check_rules_hold(f"{i} basket v{k}", r["items"], v, d.history(c))
            r = A.check_upsell(i, c, f"{i} upsell v{k}", limit=5, **v)
            if "_status" not in r:
                check_marks(f"{i} upsell v{k}", r["offers"], v.get("boost"), v.get("pin"), int(v.get("pinLimit", 3)),
                            expl_key="explanation")
                check_rules_hold(f"{i} upsell v{k}", r["offers"], v, d.history(c))
    A.report()


def check_rules_hold(where, items, v, hist):
    if "filter" in v:
        m = matching(v["filter"])
        for it in items:
            if it["itemId"] not in m:
                bad("filter", f"{where}: {it['itemId']} fails filter")
            else:
                ok("item passes filter")
    if "maxPerCategory" in v:
        cnt = {}
        for it in items:
            c = category(it["itemId"])
            cnt[c] = cnt.get(c, 0) + 1
        if any(n > int(v["maxPerCategory"]) for n in cnt.values()):
            bad("cap", f"{where}: {cnt}")
        else:
            ok("category cap holds")
    if "excludeBoughtWithinDays" in v:
        since = dtm.date.fromisoformat(v["asOf"]) - dtm.timedelta(days=int(v["excludeBoughtWithinDays"]))
        for it in items:
            h = hist.get(it["itemId"])
            if h and h["last"] >= since and h["orders"] < 2:
                bad("recent", f"{where}: {it['itemId']} bought {h['last']} in 1 order, shown")
            else:
                ok("excludeBoughtWithinDays holds")


if __name__ == "__main__":
    main()
