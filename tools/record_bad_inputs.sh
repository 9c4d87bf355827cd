#!/usr/bin/env bash
# Records what `kubectl kustomize` (the oracle, v5.5.0) does with every tree of
# tests/bad_inputs.rs: NAME.kubectl holds `ok`, `error: <first line>` or
# `timeout`, and NAME.yaml the output of the cases that build.
#
#   tools/record_bad_inputs.sh            (needs kubectl on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
BAD_INPUTS_EXPORT="$out" cargo test -q --test bad_inputs bad_inputs >/dev/null 2>&1 || true
dest=tests/bad-inputs
mkdir -p "$dest"
for dir in "$out"/*/; do
  name=$(basename "$dir")
  read -r build restrictor <"$dir/.build"
  args=()
  [ "$restrictor" = none ] && args=(--load-restrictor=LoadRestrictionsNone)
  if timeout 120 kubectl kustomize "${args[@]}" "$dir/$build" >"$out/$name.out" 2>"$out/$name.err"; then
    echo ok >"$dest/$name.kubectl"
    cp "$out/$name.out" "$dest/$name.yaml"
  elif [ $? = 124 ]; then
    echo timeout >"$dest/$name.kubectl"
  else
    printf 'error: %s\n' "$(sed -e "s#$out/##g" -e 's/^E[0-9]* [0-9:.]* *[0-9]* [a-z_.]*:[0-9]*\] //' "$out/$name.err" | head -c 300 | head -n 1)" >"$dest/$name.kubectl"
  fi
done
# Outputs too big to keep (the checks in the test stand in for them), and those
# of trees kustomize builds but our limits refuse (only the verdict matters).
for big in huge_line twenty_thousand_documents deep_just_under_the_limit deep_block_nesting deep_through_aliases \
    json_patch_nests_too_deep kustomizations_nested_too_deep too_many_documents; do rm -f "$dest/$big.yaml"; done
echo "recorded $(ls "$dest"/*.kubectl | wc -l) verdicts in $dest"
