#!/usr/bin/env bash
# Records what `kubectl kustomize` prints for each fleet-infra overlay.
# Run from the repository root: tests/golden/fleet-infra/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)/www/presets/fleet-infra
for d in apps/staging apps/production infrastructure/staging infrastructure/production; do
  kubectl kustomize "$root/$d" > "$here/$(echo "$d" | tr / -).yaml"
done
