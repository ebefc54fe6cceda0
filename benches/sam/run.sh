#!/usr/bin/env bash
# `serve --template`: how soon a SAM project answers after start, and what a
# warm request through it costs, on tests/sam/hello (one Python function
# behind the implicit REST API, run by awslambdaric).
#
#   bash benches/sam/run.sh [RUNS]
#
# Needs the release binary (built if missing) and a Python with awslambdaric
# (PORTCULLIS_PYTHON, as scripts/test.sh sets up). Loopback only; every
# server is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-7}"
python="${PORTCULLIS_PYTHON:-target/py-venv/bin/python}"
[ -x target/release/portcullis ] || cargo build --release --quiet
exec "$python" benches/sam/measure.py target/release/portcullis "$python" "$runs"
