"""Collects criterion's estimates into the headline table of docs/benchmarks.md.

Usage: collect.py CRITERION_DIR BENCHMARKS_MD [--no-write] [--since EPOCH_SECONDS]
Only estimates written since EPOCH_SECONDS count (stale benches stay out).
"""
import datetime
import json
import os
import sys

root, doc = sys.argv[1], sys.argv[2]
write = "--no-write" not in sys.argv[3:]
since = 0.0
if "--since" in sys.argv:
    since = float(sys.argv[sys.argv.index("--since") + 1])
START = "<!-- micro-benchmarks:start -->"
END = "<!-- micro-benchmarks:end -->"

rows = []
for dirpath, _, files in os.walk(root):
    if os.path.basename(dirpath) == "new" and "estimates.json" in files:
        if os.path.getmtime(os.path.join(dirpath, "estimates.json")) < since:
            continue
        bench = os.path.relpath(os.path.dirname(dirpath), root)
        with open(os.path.join(dirpath, "estimates.json")) as f:
            median = json.load(f)["median"]["point_estimate"]
        rows.append((bench, median))
rows.sort()


def human(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.1f} ns"


lines = [START, "", "## Headline figures (`benches/micro.sh`)", ""]
lines.append(
    f"Every criterion benchmark of the workspace, median per iteration, collected "
    f"{datetime.date.today().isoformat()} on {os.cpu_count()} cores. Anchors run in the same "
    "benchmark as the code they compare with (router vs `matchit`); each crate's own section "
    "below explains its figures. Router groups time a batch of 64 lookups per iteration."
)
lines.append("")
lines.append("| benchmark | median |")
lines.append("|---|---:|")
for bench, median in rows:
    lines.append(f"| `{bench}` | {human(median)} |")
lines.append("")
lines.append(END)
section = "\n".join(lines)
print(section)
if write:
    text = open(doc).read()
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        head, sep, tail = text.partition("\n## ")
        text = head.rstrip("\n") + "\n\n" + section + "\n\n" + sep.lstrip("\n") + tail if sep else text + "\n" + section + "\n"
    open(doc, "w").write(text)
