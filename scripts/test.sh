#!/usr/bin/env bash
# The README's test command: installs and starts what the tests need, then runs
# every test of the workspace. Safe to run again; starts nothing that already answers.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Redis on 127.0.0.1:6379 (shared limits, quotas and cache tests use it).
if ! port_answers 127.0.0.1 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 50); do port_answers 127.0.0.1 6379 && break; sleep 0.1; done
  port_answers 127.0.0.1 6379 || { echo "test.sh: Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
fi
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/}"

# Real clients for Lambda tests: the official Python runtime client and botocore
# (an independent SigV4 signer). Tests find the interpreter through PORTCULLIS_PYTHON.
venv=target/py-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import awslambdaric, botocore' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check awslambdaric==4.2.2 botocore==1.44.8
fi
export PORTCULLIS_PYTHON="$PWD/$venv/bin/python"

cargo test --workspace --all-targets "$@"
cargo test --workspace --doc
