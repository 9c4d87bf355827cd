#!/usr/bin/env bash
# Coverage-guided fuzzing of the whole build (fuzz/fuzz_targets/tree.rs) with
# cargo-fuzz and libFuzzer, on the machine's stable toolchain
# (RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags). One core.
#
#   tools/fuzz.sh [SECONDS]       default 60; seeds from the conformance cases
#   tools/fuzz.sh merge           minimise the corpus into tests/fuzz-regressions/corpus
#                                 (inputs cut at 8 KiB: the replay stays a few seconds)
#
# Crashes land in fuzz/artifacts/tree/: fix them, then copy each input into
# tests/fuzz-regressions/ under a name that says what it caught.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
corpus=fuzz/corpus/tree
mkdir -p "$corpus" fuzz/artifacts/tree
if [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
  python3 tools/fuzz_seeds.py ../shared/conformance/kustomize "$corpus" || true
  cp tests/fuzz-regressions/corpus/* "$corpus"/ 2>/dev/null || true
fi
# -s none: the engine is safe Rust, so no sanitizer is needed to see its bugs
# (panics, overflows with -a, hangs, memory blow-ups); -a keeps debug
# assertions (integer overflow) on.
cargo fuzz build tree -O -a -s none
bin=fuzz/target/x86_64-unknown-linux-gnu/release/tree
if [ "${1:-}" = merge ]; then
  out=tests/fuzz-regressions/corpus
  rm -rf "$out.new" && mkdir -p "$out.new"
  "$bin" -merge=1 -max_len=8192 "$out.new" "$corpus" "$out" 2>&1 | tail -n 2
  rm -rf "$out" && mv "$out.new" "$out"
  echo "$(ls "$out" | wc -l) inputs in $out"
  exit 0
fi
"$bin" "$corpus" -max_total_time="${1:-60}" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 -artifact_prefix=fuzz/artifacts/tree/
