#!/bin/sh
# Records the expected output of each patch golden case with the oracle,
# `kubectl kustomize` (Kustomize v5.5.0).
#
# A case is a directory tests/golden/patch/<case>/ holding
#   resource.yaml   the resource(s) to patch
#   patch.yaml      a strategic merge patch or a JSON 6902 patch
#   target          (optional) the `target:` selector of the patch, as YAML
#                   flow text, e.g. {kind: Deployment, name: app}
#   openapi.json    (optional) a custom OpenAPI schema (kustomize's `openapi:`)
# This script writes expected.yaml (kubectl's output), or expected.err (its
# error message) when kustomize refuses the patch.
#
# Usage: tools/record_patch_golden.sh [case...]   (default: every case)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cases_dir="${PATCH_GOLDEN_DIR:-$root/tests/golden/patch}"
[ $# -gt 0 ] || set -- $(ls "$cases_dir")
for name in "$@"; do
  dir="$cases_dir/$name"
  work=$(mktemp -d)
  cp "$dir/resource.yaml" "$dir/patch.yaml" "$work/"
  {
    echo "resources: [resource.yaml]"
    echo "patches:"
    echo "- path: patch.yaml"
    if [ -f "$dir/target" ]; then echo "  target: $(cat "$dir/target")"; fi
    if [ -f "$dir/openapi.json" ]; then
      cp "$dir/openapi.json" "$work/"
      printf 'openapi:\n  path: openapi.json\n'
    fi
  } > "$work/kustomization.yaml"
  rm -f "$dir/expected.yaml" "$dir/expected.err"
  if kubectl kustomize "$work" > "$work/out" 2> "$work/err"; then
    cp "$work/out" "$dir/expected.yaml"
  else
    cp "$work/err" "$dir/expected.err"
  fi
  rm -rf "$work"
  echo "recorded $name"
done
