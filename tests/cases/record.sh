#!/bin/sh
# Re-records what `kubectl kustomize` prints for every case here
# (tests/cases/<group>/<case>):
# expected.yaml on success, expected_error.txt (kustomize's message) on failure.
set -u
cd "$(dirname "$0")"
for case in */*/; do
  case=${case%/}
  dir=$(sed -n 's/.*"build_dir": *"\([^"]*\)".*/\1/p' "$case/case.json")
  rm -f "$case/expected.yaml" "$case/expected_error.txt"
  if kubectl kustomize "$case/input/${dir:-.}" > "$case/expected.yaml" 2> "$case/stderr.txt"; then
    :
  else
    rm -f "$case/expected.yaml"
    sed -e 's/^E[0-9]* [0-9:.]* *[0-9]* run.go:[0-9]*\] //' "$case/stderr.txt" | grep -v '^# Warning' > "$case/expected_error.txt"
  fi
  rm -f "$case/stderr.txt"
done
