#!/usr/bin/env bash
# Builds every fuzz package (cargo fuzz layout, outside the workspace) as
# libFuzzer binaries and runs each target for a bounded time from its committed
# seed corpus. The log of each run is kept in target/fuzz/logs; the summary
# (target/fuzz/summary.txt) is what docs/fuzzing.md quotes.
#
#   scripts/fuzz.sh            # 20 s per target
#   FUZZ_SECONDS=300 scripts/fuzz.sh router   # longer, one package
#
# No nightly toolchain and no cargo-fuzz are needed: sanitizer coverage is
# requested with stable `-C` flags (what `cargo fuzz build --sanitizer none`
# does); Rust's own checks (debug assertions, overflow checks) stay on.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
all_packages="router mapping lambda gateway auth cache"
packages=("${@:-$all_packages}")
packages=(${packages[*]})
export CARGO_TARGET_DIR="$PWD/target/fuzz"
triple="$(rustc -vV | sed -n 's/^host: //p')"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"

# libfuzzer-sys compiles libFuzzer (C++).
command -v c++ >/dev/null || { echo "fuzz.sh: a C++ compiler is needed (apt-get install g++)" >&2; exit 1; }

logs="$CARGO_TARGET_DIR/logs"
mkdir -p "$logs"
summary="$CARGO_TARGET_DIR/summary.txt"
: > "$summary"
failed=0
for package in "${packages[@]}"; do
  dir="crates/portcullis-$package/fuzz"
  # --target keeps the coverage flags off build scripts and proc macros.
  cargo build --quiet --release --manifest-path "$dir/Cargo.toml" --target "$triple" --bins
  for source in "$dir"/fuzz_targets/*.rs; do
    target="$(basename "$source" .rs)"
    seeds="$dir/corpus/$target"
    [ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ] || { echo "fuzz.sh: no seed corpus in $seeds" >&2; exit 1; }
    work="$CARGO_TARGET_DIR/corpus/$package-$target"
    artifacts="$CARGO_TARGET_DIR/artifacts/$package-$target/"
    mkdir -p "$work" "$artifacts"
    log="$logs/$package-$target.log"
    # New inputs go to the scratch corpus; the committed seeds are read only.
    if "$CARGO_TARGET_DIR/$triple/release/$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
        "$work" "$seeds" >"$log" 2>&1; then
      runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
      echo "$package/$target: ${runs:-?} runs in ${seconds} s, no failure ($(ls "$seeds" | wc -l) seeds)" | tee -a "$summary"
    else
      echo "$package/$target: FAILED, see $log and $artifacts" | tee -a "$summary"
      tail -n 30 "$log" >&2
      failed=1
    fi
  done
done
echo "fuzz.sh: $(date -u +%Y-%m-%d) ${seconds} s per target; summary in $summary"

# docs/fuzzing.md quotes the last full, successful run (every package).
if [ "$failed" = 0 ] && [ "${packages[*]}" = "$all_packages" ]; then
  block="$CARGO_TARGET_DIR/summary.md"
  {
    echo "$(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), \`scripts/fuzz.sh\` (${seconds} s per target, $(nproc) cores):"
    echo
    sed 's/^/- /' "$summary"
  } > "$block"
  python3 - "$block" docs/fuzzing.md <<'PY'
import sys
block, doc = open(sys.argv[1]).read(), sys.argv[2]
text = open(doc).read()
start, end = "<!-- fuzz-summary:start -->\n", "<!-- fuzz-summary:end -->"
head, rest = text.split(start, 1)
tail = rest.split(end, 1)[1]
open(doc, "w").write(head + start + block + end + tail)
PY
fi
exit "$failed"
