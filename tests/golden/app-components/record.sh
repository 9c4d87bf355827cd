#!/usr/bin/env bash
# Records what `kubectl kustomize` prints for each app-components overlay.
# Run from the repository root: tests/golden/app-components/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)/www/presets/app-components
for d in overlays/dev overlays/staging overlays/production; do
  kubectl kustomize "$root/$d" > "$here/$(echo "$d" | tr / -).yaml"
done
