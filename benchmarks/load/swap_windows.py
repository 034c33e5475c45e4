#!/usr/bin/env python3
"""Latency per time window around model swaps, for benchmarks/swap.sh (which runs it; not meant to be run alone).

    swap_windows.py LATENCY_LOG EVENTS_FILE WINDOW_MS BEFORE AFTER LABEL

LATENCY_LOG: paced.lua's WRK_LOG, one "start_us latency_us" line per request (the start is the
request's due time when it was sent late, so the latency is corrected for coordinated omission; microseconds since
the epoch). EVENTS_FILE: one "posted_us answered_us http_status" line per admin call (same clock).

Each request is counted in the window its start falls in. Per call: BEFORE windows ending when it is posted
([-1], ...), the call itself from posting to answer ([call]: the version is opened and verified meanwhile, the old
one answering), and AFTER windows from its answer ([+0], [+1], ...: a swap is installed just before the answer).
Every other whole window of the run (a grid from the first request; none overlapping those spans, nor the first or
last) is "steady": the control of the same run. Prints one line per call (its duration and each window's count, p50, p99, max in ms) and one for the
steady windows (the median and the largest of their p99s, the largest max).
"""
import sys


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    i = max(0, min(len(sorted_values) - 1, -(-p * len(sorted_values) // 100) - 1))
    return sorted_values[int(i)]


def stats(values):
    values.sort()
    return len(values), pct(values, 50) / 1000, pct(values, 99) / 1000, (values[-1] / 1000 if values else float("nan"))


def main():
    log, events_file, window_ms, before, after, label = sys.argv[1:7]
    window_us = int(window_ms) * 1000
    before, after = int(before), int(after)
    requests = []
    with open(log) as f:
        for line in f:
            s, l = line.split()
            requests.append((float(s), float(l)))
    events = []
    with open(events_file) as f:
        for line in f:
            posted, answered, status = line.split()
            events.append((float(posted), float(answered), status))
    if not requests:
        print(f"{label}: no requests logged")
        return
    first = min(s for s, _ in requests)
    last = max(s for s, _ in requests)

    for k, (posted, answered, status) in enumerate(events, 1):
        cells = []
        spans = [(f"{w:+d}", posted + w * window_us, posted + (w + 1) * window_us) for w in range(-before, 0)]
        spans.append(("call", posted, answered))
        spans += [(f"+{w}", answered + w * window_us, answered + (w + 1) * window_us) for w in range(after)]
        for name, lo, hi in spans:
            n, p50, p99, mx = stats([l for s, l in requests if lo <= s < hi])
            cells.append(f"[{name}] n={n} p50={p50:.2f} p99={p99:.2f} max={mx:.2f}")
        print(f"{label} call {k}: HTTP {status}, {(answered - posted) / 1000:.0f} ms; " + "; ".join(cells))

    # steady windows: a grid from the run's start, skipping the first and last and those near any call
    steady = {}
    for s, l in requests:
        w = int((s - first) // window_us)
        steady.setdefault(w, []).append(l)
    last_w = int((last - first) // window_us)
    p99s, maxes, p50s, counts = [], [], [], []
    for w, values in steady.items():
        if w == 0 or w >= last_w:
            continue
        lo = first + w * window_us
        hi = lo + window_us
        if any(lo < answered + after * window_us and hi > posted - before * window_us
               for posted, answered, _ in events):
            continue
        n, p50, p99, mx = stats(values)
        p99s.append(p99); maxes.append(mx); p50s.append(p50); counts.append(n)
    if not p99s:
        print(f"{label} steady: no window away from the calls")
        return
    p99s_sorted = sorted(p99s)
    print(f"{label} steady: {len(p99s)} windows of {window_ms} ms, median n={sorted(counts)[len(counts) // 2]}, "
          f"median p50={sorted(p50s)[len(p50s) // 2]:.2f}, p99 median={p99s_sorted[len(p99s) // 2]:.2f} "
          f"90th-percentile window={pct(p99s_sorted, 90):.2f} largest={p99s_sorted[-1]:.2f}, largest max={max(maxes):.2f}")


if __name__ == "__main__":
    main()
