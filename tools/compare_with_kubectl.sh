#!/bin/sh
# Builds each kustomization directory given with the CLI (target/debug/overlay)
# and with `kubectl kustomize`, and reports those whose outputs differ (or
# where only one of them fails). Usage: tools/compare_with_kubectl.sh DIR...
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/debug/overlay"
tmp=$(mktemp -d)
fail=0; total=0
for d in "$@"; do
  total=$((total+1))
  kubectl kustomize "$d" > "$tmp/k" 2>/dev/null; k=$?
  "$bin" build "$d" > "$tmp/o" 2>/dev/null; o=$?
  if [ $k -ne 0 ] && [ $o -ne 0 ]; then continue; fi
  if [ $k -eq 0 ] && [ $o -eq 0 ] && cmp -s "$tmp/k" "$tmp/o"; then continue; fi
  fail=$((fail+1)); echo "DIFFERS $d (kubectl exit $k, overlay exit $o)"
done
rm -rf "$tmp"
echo "$((total-fail)) of $total agree"
