#!/usr/bin/env python3
"""Random kustomization trees for `buildMetadata` (origin and transformer
annotations), for a differential run against kubectl.

Usage:
    tools/gen_origin_random.py SEED COUNT OUTDIR
    tools/compare_with_kubectl.sh OUTDIR/*/top

Each case is an overlay `top` over one or two bases and maybe a component,
with generators (merge/replace across levels), builtin transformers from
kustomization fields, plugin configs in `transformers:`/`generators:`
(inline, from a file, from a directory), and a random `buildMetadata` at the
top (sometimes also in a base, where kustomize ignores it).
"""
import json
import os
import random
import sys

seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
R = random.Random(seed)


def dump(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def resources(prefix):
    docs = []
    kinds = R.sample(["Deployment", "Service", "ConfigMap"], R.randint(1, 3))
    for i, kind in enumerate(kinds):
        api = "apps/v1" if kind == "Deployment" else "v1"
        meta = {"name": f"{prefix}{kind.lower()}{i}"}
        if R.random() < 0.2:
            meta["annotations"] = {"config.kubernetes.io/origin": "path: bogus", "keep": "me"}
        doc = {"apiVersion": api, "kind": kind, "metadata": meta}
        if kind == "Deployment":
            doc["spec"] = {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
        docs.append(doc)
    return docs


def yaml_docs(docs):
    return "---\n".join(json.dumps(d) + "\n" for d in docs)


def fields(k, names, where):
    """Random transformer fields of a kustomization."""
    if R.random() < 0.4:
        k["namePrefix"] = R.choice(["p-", "q-"])
    if R.random() < 0.3:
        k["nameSuffix"] = R.choice(["-s", "-t"])
    if R.random() < 0.3:
        k["namespace"] = R.choice(["ns1", "ns2"])
    if R.random() < 0.3:
        k["commonLabels"] = {"app": "x"}
    if R.random() < 0.3:
        k["labels"] = [{"pairs": {"team": "t"}}] * R.randint(1, 2)
    if R.random() < 0.3:
        k["commonAnnotations"] = {"owner": "me"}
    if R.random() < 0.3:
        k["images"] = [{"name": "nginx", "newTag": "1"}] * R.randint(1, 2)
    deployments = [n for n in names if "deployment" in n]
    if R.random() < 0.2 and deployments:
        k["replicas"] = [{"name": R.choice(deployments), "count": 2}]
    if R.random() < 0.3 and names:
        n = R.choice(names)
        op = R.choice([
            [{"op": "add", "path": "/metadata/annotations/x", "value": "1"}],
            [{"op": "add", "path": "/metadata/labels", "value": {"l": "v"}}],
        ])
        k["patches"] = [{"target": {"name": n}, "patch": json.dumps(op)}]
    if R.random() < 0.2 and deployments:
        k["patchesStrategicMerge"] = [json.dumps({"apiVersion": "apps/v1", "kind": "Deployment",
                                                  "metadata": {"name": R.choice(deployments), "annotations": {"smp": "1"}}})]
    if R.random() < 0.2 and names:
        k["patchesJson6902"] = [{"target": {"version": "v1", "kind": "Service", "name": n}, "patch": json.dumps(
            [{"op": "add", "path": "/metadata/annotations/j", "value": "1"}])} for n in names if "service" in n]
    if R.random() < 0.2:
        k["replacements"] = [{"source": {"kind": "Deployment", "fieldPath": "spec.template.spec.containers.0.image"},
                              "targets": [{"select": {"kind": "Service"}, "fieldPaths": ["metadata.annotations.src"],
                                           "options": {"create": True}}]}]


def plugin_configs(case, d, k):
    """`transformers:` and `generators:` plugin configs, inline or in files."""
    entries = []
    if R.random() < 0.4:
        cfg = {"apiVersion": "builtin", "kind": "AnnotationsTransformer", "metadata": {"name": "at"},
               "annotations": {"pl": "1"}, "fieldSpecs": [{"path": "metadata/annotations", "create": True}]}
        how = R.choice(["inline", "file", "dir"])
        if how == "inline":
            entries.append(json.dumps(cfg, indent=1))
        elif how == "file":
            dump(f"{case}/{d}/t.yaml", json.dumps(cfg) + "\n")
            entries.append("t.yaml")
        else:
            dump(f"{case}/{d}/tdir/t.yaml", json.dumps(cfg) + "\n")
            dump(f"{case}/{d}/tdir/kustomization.yaml", json.dumps({"resources": ["t.yaml"]}) + "\n")
            entries.append("tdir")
    if entries:
        k["transformers"] = entries
    if R.random() < 0.3:
        cfg = {"apiVersion": "builtin", "kind": "ConfigMapGenerator", "metadata": {"name": "pg"},
               "name": f"plug-{d}", "literals": ["a=b"]}
        if R.random() < 0.5:
            k["generators"] = [json.dumps(cfg, indent=1)]
        else:
            dump(f"{case}/{d}/g.yaml", json.dumps(cfg) + "\n")
            k["generators"] = ["g.yaml"]


BM = [[], ["originAnnotations"], ["transformerAnnotations"], ["originAnnotations", "transformerAnnotations"],
      ["managedByLabel"], ["transformerAnnotations", "managedByLabel"]]

for n in range(count):
    case = f"{out}/{n:04d}"
    bases = ["base"] + (["base2"] if R.random() < 0.4 else [])
    all_names = []
    for b in bases:
        docs = resources(b[-1] if b != "base" else "")
        dump(f"{case}/{b}/res.yaml", yaml_docs(docs))
        names = [d["metadata"]["name"] for d in docs]
        all_names += names
        k = {"resources": ["res.yaml"]}
        if b == "base":
            k["configMapGenerator"] = [{"name": "gen", "literals": ["a=1"]}]
        fields(k, names, b)
        plugin_configs(case, b, k)
        if R.random() < 0.2:
            k["buildMetadata"] = R.choice(BM[1:])
        dump(f"{case}/{b}/kustomization.yaml", json.dumps(k, indent=1) + "\n")
    top = {"resources": ["../" + b for b in bases]}
    if R.random() < 0.5:
        docs = resources("t")
        dump(f"{case}/top/more.yaml", yaml_docs(docs))
        top["resources"].append("./more.yaml")
    if R.random() < 0.4:
        comp = {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component"}
        fields(comp, [], "comp")
        if R.random() < 0.5:
            comp["configMapGenerator"] = [{"name": "gen", "behavior": R.choice(["merge", "replace"]), "literals": ["c=3"]}]
        dump(f"{case}/comp/kustomization.yaml", json.dumps(comp, indent=1) + "\n")
        top["components"] = ["../comp"]
    if R.random() < 0.4:
        top.setdefault("configMapGenerator", []).append({"name": "gen", "behavior": R.choice(["merge", "replace"]), "literals": ["b=2"]})
    fields(top, all_names, "top")
    plugin_configs(case, "top", top)
    top["buildMetadata"] = R.choice(BM)
    name = R.choice(["kustomization.yaml", "kustomization.yml", "Kustomization"])
    dump(f"{case}/top/{name}", json.dumps(top, indent=1) + "\n")
