#!/usr/bin/env python3
"""Checks that a Grafana dashboard parses and that every gatehouse_* metric its queries
name exists in real /metrics scrapes.

    scripts/check-dashboard.py docker/grafana/dashboards/gatehouse.json SCRAPE [SCRAPE...]

SCRAPE is a file holding a /metrics answer, or an http(s) URL to fetch one from.
Histogram queries name `<name>_bucket`/`_count`, which the scrape has as such.
"""
import json
import re
import sys
import urllib.request


def exprs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "expr" and isinstance(v, str):
                yield v
            else:
                yield from exprs(v)
    elif isinstance(node, list):
        for v in node:
            yield from exprs(v)


def scrape(source):
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as r:
            return r.read().decode()
    with open(source) as f:
        return f.read()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        dashboard = json.load(f)
    queried = set()
    for e in exprs(dashboard):
        queried.update(re.findall(r"\bgatehouse_[a-z0-9_]+", e))
    if not queried:
        sys.exit("the dashboard queries no gatehouse_* metric")
    present = set()
    for source in sys.argv[2:]:
        for line in scrape(source).splitlines():
            m = re.match(r"(gatehouse_[a-z0-9_]+)[{ ]", line)
            if m:
                present.add(m.group(1))
    missing = sorted(queried - present)
    if missing:
        sys.exit(f"the dashboard queries metrics no scrape has: {', '.join(missing)}")
    print(f"dashboard OK: {len(queried)} metrics queried, all present ({', '.join(sorted(queried))})")


if __name__ == "__main__":
    main()
