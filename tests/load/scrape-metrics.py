#!/usr/bin/env python3
"""Scrapes a Wams Broker's Prometheus endpoint once a second during a load run.

usage: scrape-metrics.py PORT OUT.tsv   (runs until SIGTERM or SIGINT)

Each line of OUT.tsv is one scrape: seconds since the first, the scrape's own
time in ms, and per-second rates (or means over the second) derived from the
counters and histograms (README.md, "Metrics"). tests/load/plot-metrics.sh
plots it. Standard library only.
"""
import re
import signal
import sys
import time
import urllib.request

SERIES = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')
COLUMNS = ["t_s", "scrape_ms", "calls_ok_per_s", "calls_refused_per_s", "receipts_per_s",
           "receipts_per_commit", "commit_ms", "append_ms", "provider_ms", "open_connections",
           "tree_size"]


def scrape(port):
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    elapsed_ms = (time.monotonic() - start) * 1000
    values = {}
    for line in text.splitlines():
        m = SERIES.match(line)
        if m:
            values[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return elapsed_ms, values


def total(values, name, *labels):
    return sum(v for k, v in values.items()
               if (k == name or k.startswith(name + "{")) and all(l in k for l in labels))


def row(t, scrape_ms, now, before, dt):
    def rate(name, *labels):
        return (total(now, name, *labels) - total(before, name, *labels)) / dt

    def mean_ms(name):  # mean of a histogram over the interval, in ms
        count = rate(name + "_count")
        return 1000 * rate(name + "_sum") / count if count > 0 else 0.0

    commits = rate("wams_ledger_commit_receipts_count")
    return [t, scrape_ms,
            rate("wams_grpc_server_handled_total", 'grpc_method="RequestData"', 'grpc_code="OK"'),
            rate("wams_receipts_total", 'outcome="refused"'),
            rate("wams_receipts_total"),
            rate("wams_ledger_commit_receipts_sum") / commits if commits > 0 else 0.0,
            mean_ms("wams_ledger_commit_seconds"), mean_ms("wams_ledger_append_seconds"),
            mean_ms("wams_provider_call_seconds"),
            total(now, "wams_open_connections"), total(now, "wams_ledger_tree_size")]


def main():
    port, out_path = int(sys.argv[1]), sys.argv[2]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    with open(out_path, "w") as out:
        out.write("\t".join(COLUMNS) + "\n")
        first = time.monotonic()
        before, before_t = None, None
        while not stop:
            try:
                scrape_ms, now = scrape(port)
            except OSError:
                break  # the broker is gone
            t = time.monotonic()
            if before is not None:
                fields = row(t - first, scrape_ms, now, before, t - before_t)
                out.write("\t".join(f"{v:.3f}" for v in fields) + "\n")
                out.flush()
            before, before_t = now, t
            time.sleep(max(0.0, 1.0 - (time.monotonic() - t)))


if __name__ == "__main__":
    main()
