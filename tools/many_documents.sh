#!/usr/bin/env bash
# Generates one file of N documents (default 20,000: ConfigMaps and the
# Deployments that mount them, so name references have work to do), builds it
# with this engine's CLI and with `kubectl kustomize`, prints both times and
# whether the outputs are identical.
#
#   tools/many_documents.sh [N] [KUBECTL_TIMEOUT_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
limit=${2:-1800}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$n" "$dir" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
with open(f"{d}/many.yaml", "w") as f:
    for i in range(n):
        if i % 2 == 0:
            f.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:05d}\ndata:\n  key: value-{i}\n")
        else:
            f.write(f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i:05d}\nspec:\n"
                    f"  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n"
                    f"      volumes:\n      - name: v\n        configMap:\n          name: cm-{i-1:05d}\n")
with open(f"{d}/kustomization.yaml", "w") as f:
    f.write("resources:\n- many.yaml\nnamePrefix: p-\nnamespace: ns\nlabels:\n- pairs:\n    team: x\nimages:\n- name: nginx\n  newTag: '1.27'\n")
PY
cargo build -q --release --bin overlay
echo "$n documents ($(wc -c <"$dir/many.yaml") bytes)"
s=$(date +%s.%N)
target/release/overlay build "$dir" >"$dir/ours.out"
e=$(date +%s.%N)
printf 'overlay build:    %.2f s\n' "$(echo "$e - $s" | bc)"
if command -v kubectl >/dev/null; then
  s=$(date +%s.%N)
  if timeout "$limit" kubectl kustomize "$dir" >"$dir/kubectl.out" 2>"$dir/kubectl.err"; then
    e=$(date +%s.%N)
    printf 'kubectl kustomize: %.2f s\n' "$(echo "$e - $s" | bc)"
    if cmp -s "$dir/ours.out" "$dir/kubectl.out"; then echo "outputs identical"; else echo "OUTPUTS DIFFER"; diff "$dir/kubectl.out" "$dir/ours.out" | head -20; exit 1; fi
  else
    echo "kubectl kustomize: did not finish within ${limit} s (or failed: $(head -c 200 "$dir/kubectl.err"))"
  fi
fi
