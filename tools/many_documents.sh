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
# Wall and CPU time: on a shared machine the CPU time is the fair figure.
/usr/bin/time -f 'overlay build:     %e s wall, %U s user' target/release/overlay build "$dir" >"$dir/ours.out"
if command -v kubectl >/dev/null; then
  if timeout "$limit" /usr/bin/time -o "$dir/kubectl.time" -f 'kubectl kustomize: %e s wall, %U s user' \
      kubectl kustomize "$dir" >"$dir/kubectl.out" 2>"$dir/kubectl.err"; then
    cat "$dir/kubectl.time"
    if cmp -s "$dir/ours.out" "$dir/kubectl.out"; then echo "outputs identical"; else echo "OUTPUTS DIFFER"; diff "$dir/kubectl.out" "$dir/ours.out" | head -20; exit 1; fi
  else
    echo "kubectl kustomize: did not finish within ${limit} s (or failed: $(head -c 200 "$dir/kubectl.err"))"
  fi
fi
