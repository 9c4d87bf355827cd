#!/bin/sh
# Records the expected output of every golden emitter input with the real
# kustomize: each <name>.yaml is built alone as the only resource of a
# kustomization, and kubectl's output is saved as <name>.expected.yaml.
# Usage: tests/golden/emit/record.sh   (needs kubectl with kustomize v5.5.0)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for input in "$here"/*.yaml; do
    case "$input" in *.expected.yaml) continue ;; esac
    name=$(basename "$input" .yaml)
    rm -rf "$tmp/$name" && mkdir "$tmp/$name"
    cp "$input" "$tmp/$name/resource.yaml"
    printf 'resources:\n- resource.yaml\n' > "$tmp/$name/kustomization.yaml"
    kubectl kustomize "$tmp/$name" > "$here/$name.expected.yaml"
    echo "recorded $name"
done
