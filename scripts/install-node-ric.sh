#!/usr/bin/env bash
# Installs AWS's Node.js runtime interface client, aws-lambda-ric (pinned
# below), into target/node-ric for tests/sam_node.rs. It has no prebuilt
# binary: npm builds curl, aws-lambda-cpp and a native addon from source
# (about 40 s on two cores), which needs cmake, make, g++, python3 and xz.
#
# The layout is npm's global one under that prefix:
#   target/node-ric/bin/aws-lambda-ric                   (the command)
#   target/node-ric/lib/node_modules/aws-lambda-ric/     (the package)
# so a function runs either with
#   --runtime-command nodejs=target/node-ric/bin/aws-lambda-ric
# or with Portcullis's default `npx --no-install aws-lambda-ric`, given
#   NPM_CONFIG_PREFIX=target/node-ric
# in Portcullis's environment (npx finds the prefix's global packages).
#
# Safe to run again: does nothing when that version is installed and loads.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.0.2
prefix="$PWD/target/node-ric"
package="$prefix/lib/node_modules/aws-lambda-ric"
log="$PWD/target/node-ric-install.log"

say() { echo "install-node-ric: $*"; }
fail() {
  echo "install-node-ric: error: $*" >&2
  exit 1
}

# Node.js and npm come from the machine (aws-lambda-ric $version declares
# node >= 22 but runs on 20, which nodejs20.x functions want anyway).
command -v node >/dev/null || fail "node is not on PATH: install Node.js 20 or newer (and npm)"
command -v npm >/dev/null || fail "npm is not on PATH: install it with Node.js"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old: aws-lambda-ric $version needs Node.js 20 or newer"

installed_ok() {
  [ -f "$package/package.json" ] && [ -f "$package/rapid-client.node" ] && [ -x "$prefix/bin/aws-lambda-ric" ] || return 1
  [ "$(node -p 'require(process.argv[1]).version' "$package/package.json")" = "$version" ] || return 1
  # The addon loads in this node (it is N-API, so a node upgrade keeps it).
  # Loading it without AWS_LAMBDA_RUNTIME_API aborts the process (it reads
  # the variable in a static initialiser); nothing is contacted at load.
  AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 node -e 'require(process.argv[1])' "$package/rapid-client.node" 2>/dev/null
}

if installed_ok; then
  say "aws-lambda-ric $version is installed in ${prefix#"$PWD/"}; nothing to do"
  exit 0
fi

# Build tools, installed with apt-get only when missing.
missing=()
need() { command -v "$1" >/dev/null || missing+=("$2"); }
command -v cmake >/dev/null || command -v cmake3 >/dev/null || missing+=(cmake)
need make make
need gcc gcc # curl's configure
need g++ g++
need python3 python3 # node-gyp
need xz xz-utils     # the package's sources are .tar.xz
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || fail "missing ${missing[*]} and there is no apt-get: install them, then run this again"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || fail "need to install ${missing[*]} (apt-get) but am not root and have no sudo"
    sudo=sudo
  fi
  say "installing ${missing[*]} with apt-get"
  $sudo apt-get update -qq || fail "apt-get update failed"
  if ! out=$(DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1); then
    echo "$out" >&2
    fail "apt-get install ${missing[*]} failed"
  fi
fi

# Into a fresh directory, moved into place once it works, so an interrupted
# or failed build never looks installed.
staging="$prefix.partial"
rm -rf "$staging"
mkdir -p "$staging" "$(dirname "$log")"
say "installing aws-lambda-ric@$version into ${prefix#"$PWD/"} (builds curl, aws-lambda-cpp and its addon; log: ${log#"$PWD/"})"
started=$SECONDS
# --allow-scripts: newer npm runs a dependency's install scripts only when
# allowed, and this package is nothing without its build.
if ! npm install --global --prefix "$staging" "aws-lambda-ric@$version" \
  --allow-scripts=aws-lambda-ric --foreground-scripts \
  --no-audit --no-fund --no-update-notifier >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  rm -rf "$staging"
  fail "npm install aws-lambda-ric@$version failed (above: the end of ${log#"$PWD/"})"
fi
rm -rf "$prefix"
mv "$staging" "$prefix"
installed_ok || fail "aws-lambda-ric@$version was installed but its native addon is missing or does not load; see ${log#"$PWD/"}"
say "aws-lambda-ric $version installed in $((SECONDS - started)) s"
