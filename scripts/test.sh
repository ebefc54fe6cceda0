#!/usr/bin/env bash
# The README's test command: installs and starts what the tests need, then runs
# every test of the workspace. Safe to run again; starts nothing that already answers.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "test.sh: need to install $* (apt-get) but am not root and have no sudo" >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if [ "$apt_updated" = 0 ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

port_answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Services this script started, reported at the end (they are left running so
# the next run is quick).
started=()
report_started() {
  for service in "${started[@]}"; do
    echo "test.sh: left running: $service"
  done
}
trap report_started EXIT

# Tools the tests drive as independent peers: curl (HTTP/1.1, h2, h2c, TLS with ALPN).
command -v curl >/dev/null || apt_install curl
# gzip: encodes request bodies and decodes answers in tests/compression.rs.
command -v gzip >/dev/null || apt_install gzip

# The VTL engine's differential test renders against Apache Velocity 1.7: a JDK to
# compile and run its harness, and Debian's velocity jar (which pulls in
# commons-collections3 and commons-lang).
if ! command -v javac >/dev/null || [ ! -f /usr/share/java/velocity.jar ]; then
  apt_install velocity default-jdk-headless
fi

# CORS is tested in a real browser: Debian's headless Chromium, driven by Playwright
# (scripts/requirements-test.txt) with executable_path, never a downloaded build.
[ -x /usr/bin/chromium ] || apt_install chromium

# Redis on 127.0.0.1:6379 (shared limits, quotas and cache tests use it).
if ! port_answers 127.0.0.1 6379; then
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 50); do port_answers 127.0.0.1 6379 && break; sleep 0.1; done
  port_answers 127.0.0.1 6379 || { echo "test.sh: Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
  started+=("redis-server on 127.0.0.1:6379 (stop: redis-cli -p 6379 shutdown)")
fi
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/}"

# Python packages (scripts/requirements-test.txt) in a venv. Tests find the
# interpreter through PORTCULLIS_PYTHON.
venv=target/py-venv
requirements=scripts/requirements-test.txt
venv_matches() {
  [ -x "$venv/bin/python" ] || return 1
  "$venv/bin/python" - "$requirements" <<'PY'
import sys, importlib.metadata as md
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, version = line.split("==")
    name = name.split("[")[0]
    try:
        if md.version(name) != version:
            sys.exit(1)
    except md.PackageNotFoundError:
        sys.exit(1)
PY
}
if ! venv_matches; then
  # Debian's python3 needs python3-venv (ensurepip) to create venvs.
  python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  venv_matches || { echo "test.sh: $venv does not match $requirements after installing" >&2; exit 1; }
fi
export PORTCULLIS_PYTHON="$PWD/$venv/bin/python"

# Node.js functions run through AWS's aws-lambda-ric, built from source into
# target/node-ric (tests/sam_node.rs; about a minute the first time).
bash scripts/install-node-ric.sh

cargo test --locked --workspace --all-targets "$@"
cargo test --locked --workspace --doc
