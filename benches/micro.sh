#!/usr/bin/env bash
# Runs every criterion benchmark of the workspace (each crate's benches/ and the
# root's cross-crate ones) and writes their headline figures, each beside its
# anchor, into the marked section of docs/benchmarks.md.
#
#   bash benches/micro.sh [--no-write]
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
cargo bench --workspace --benches
python3 benches/collect.py target/criterion docs/benchmarks.md ${1:-} --since "$started"
