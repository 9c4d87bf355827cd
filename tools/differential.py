#!/usr/bin/env python3
"""Differential fuzzing against `kubectl kustomize`: random kustomizations
for one feature, built by kubectl and by the overlay CLI; prints every seed
where they disagree (exit status, or output byte for byte).

usage: tools/differential.py {generators,behaviors,replacements,vars} [SEEDS=100] [FIRST=1]
needs: kubectl on PATH, `cargo build` done (uses target/debug/overlay)
DIFF_KEEP=DIR keeps the cases (DIR/c<seed>) to look at.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVERLAY = os.path.join(ROOT, "target/debug/overlay")


def write(d, name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(d, name), mode) as f:
        f.write(data)


def generators(d, rnd):
    """ConfigMaps and Secrets from files (text and binary) and literals."""
    alphabet = ["a", "Z", "0", " ", "\t", "\n", "\r", "<", ">", "&", "\"", "'", "\\", "é", "\u2028", "\u00a0", "😀", "$", "#", ":", "-", "=", "{", "}"]
    files = []
    for i in range(rnd.randint(1, 4)):
        name = f"f{i}.txt"
        if rnd.random() < 0.2:
            data = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 100)))
        else:
            data = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 120))).encode()
        write(d, name, data)
        files.append(name)
    # Literals stay on one line: line separators inside the kustomization
    # test the YAML parser, not the generators.
    plain = [c for c in alphabet if c not in "\n\r\t\u2028"]
    lits = [f"k{i}=" + "".join(rnd.choice(plain) for _ in range(rnd.randint(0, 20))) for i in range(rnd.randint(0, 3))]
    env = []
    for i in range(rnd.randint(0, 5)):
        line = rnd.choice(["", "  ", "# note", " #x=1", f"E{i}", f"E{i}=", f"E{i}=v w", f" E{i}=\"q\"", f"E{i}=a=b", f"E{i} =x", f"E{i}=é😀"])
        env.append(line + rnd.choice(["\n", "\r\n"]))
    write(d, "app.env", (rnd.choice(["", "\ufeff"]) + "".join(env)).encode())
    envs = ["app.env"] if rnd.random() < 0.7 else []
    k = {"configMapGenerator": [{"name": "cm", "files": files, "literals": lits, "envs": envs}],
         "secretGenerator": [{"name": "s", "files": files, "literals": lits, "envs": envs, "type": rnd.choice(["Opaque", "x/y"])}]}
    write(d, "kustomization.yaml", json.dumps(k, ensure_ascii=False))


def behaviors(d, rnd):
    """Generators in a base and an overlay: create, merge and replace, with
    namespaces, options and generatorOptions on either side."""
    def gens(kind_names, behaviors_):
        out = []
        for _ in range(rnd.randint(1, 3)):
            g = {"name": rnd.choice(["a", "b", "c"])}
            if rnd.random() < 0.3:
                g["namespace"] = rnd.choice(["ns1", "default"])
            if behaviors_ and rnd.random() < 0.8:
                g["behavior"] = rnd.choice(behaviors_)
            g["literals"] = [f"{rnd.choice(['x', 'y', 'z'])}={rnd.randint(0, 9)}" for _ in range(rnd.randint(0, 2))]
            g["literals"] = list({l.split("=")[0]: l for l in g["literals"]}.values())
            if rnd.random() < 0.4:
                opts = {}
                if rnd.random() < 0.5:
                    opts["labels"] = {rnd.choice(["l1", "l2"]): rnd.choice(["u", "v"])}
                if rnd.random() < 0.3:
                    opts["annotations"] = {"an": rnd.choice(["1", "2"])}
                if rnd.random() < 0.3:
                    opts["disableNameSuffixHash"] = True
                if rnd.random() < 0.2:
                    opts["immutable"] = True
                g["options"] = opts
            out.append(g)
        return out

    def kustomization(behaviors_):
        k = {}
        for field in ["configMapGenerator", "secretGenerator"]:
            if rnd.random() < 0.7:
                k[field] = gens(field, behaviors_)
        if rnd.random() < 0.3:
            k["generatorOptions"] = {"labels": {"g": "1"}, "disableNameSuffixHash": rnd.random() < 0.5}
        if rnd.random() < 0.2:
            k["namespace"] = "ns1"
        return k

    os.makedirs(os.path.join(d, "base"))
    base = kustomization([])
    if not base:
        base = {"configMapGenerator": [{"name": "a", "literals": ["x=1"]}]}
    if rnd.random() < 0.3:
        base["namePrefix"] = "b-"
    write(os.path.join(d, "base"), "kustomization.yaml", json.dumps(base))
    overlay = kustomization(["merge", "replace", "create"])
    overlay["resources"] = ["base"]
    if rnd.random() < 0.3:
        overlay["buildMetadata"] = rnd.choice([["originAnnotations"], ["originAnnotations", "transformerAnnotations"]])
    write(d, "kustomization.yaml", json.dumps(overlay))


REPLACEMENT_RESOURCES = """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  labels: {app: web}
data:
  host: db.example.com
  port: "5432"
  list: a,b,c
  flag: "true"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.0
        args: [--a, --b]
        env:
        - {name: HOST, value: x}
        - {name: PORT, value: "1"}
      - name: sidecar
        image: envoy
      volumes:
      - name: v
        configMap: {name: cm}
"""


def replacements(d, rnd):
    """One replacement: random source field and options, random targets."""
    sources = ["data.host", "data.port", "data.list", "data.flag", "metadata.name", "metadata.labels",
               "spec.replicas", "spec.template.spec.containers.0.image", "spec.template.spec.containers.[name=sidecar].image",
               "spec.selector.matchLabels", "spec.template.spec.containers.0.args",
               "spec.template.spec.containers.[name=app].env.[name=PORT].value", "data.missing"]
    targets = ["spec.replicas", "spec.template.spec.containers.[name=app].image", "spec.template.spec.containers.*.image",
               "spec.template.spec.containers.1.args", "spec.template.spec.containers.0.args.1", "spec.template.spec.containers.0.args.2",
               "spec.template.spec.containers.[name=app].env.[name=HOST].value", "spec.template.spec.containers.[name=app].env.[name=NEW].value",
               "spec.template.metadata.labels", "spec.template.metadata.annotations.x", "metadata.labels.app", "spec.new.deep.field",
               "spec.template.spec.volumes.[name=v].configMap.name", "spec.template.spec.containers.[name=ap].image",
               "data.host", "data.port", "spec.template.spec.containers.0.env.5.value"]
    src = rnd.choice(sources)
    kind = "ConfigMap" if src.startswith("data") or (rnd.random() < 0.5 and src.startswith("metadata")) else "Deployment"
    source = {"kind": kind, "fieldPath": src}
    if rnd.random() < 0.3:
        source["options"] = {"delimiter": rnd.choice([".", ",", ":"]), "index": rnd.choice([0, 1, 2, 5, -1])}
    tgts = []
    for _ in range(rnd.randint(1, 2)):
        fps = rnd.sample(targets, rnd.randint(1, 2))
        t = {"select": {"kind": "ConfigMap" if any(f.startswith("data") for f in fps) else "Deployment"}, "fieldPaths": fps}
        options = {}
        if rnd.random() < 0.5:
            options["create"] = True
        if rnd.random() < 0.3:
            options["delimiter"] = rnd.choice([":", ".", "-"])
            options["index"] = rnd.choice([0, 1, 3, -1])
        if options:
            t["options"] = options
        tgts.append(t)
    write(d, "res.yaml", REPLACEMENT_RESOURCES)
    write(d, "kustomization.yaml", json.dumps({"resources": ["res.yaml"], "replacements": [{"source": source, "targets": tgts}]}, indent=1))


def vars_(d, rnd):
    """Vars of every value type, referenced in random varReference fields."""
    fields = {"S": ("ConfigMap", "cm", "data.s"), "I": ("Deployment", "web", "spec.replicas"), "B": ("Thing", "t", "spec.b"),
              "F": ("Thing", "t", "spec.f"), "M": ("Thing", "t", "spec.m"), "L": ("Thing", "t", "spec.l"), "N": ("Thing", "t", "spec.n"),
              "NAME": ("Service", "svc", "metadata.name"), "P": ("Service", "svc", "spec.ports[0].port"),
              "Q": ("Service", "svc", "spec.ports.[name=b].name"), "E": ("ConfigMap", "cm", "data.e"), "T": ("Thing", "t", "spec.ts")}
    api = {"ConfigMap": "v1", "Deployment": "apps/v1", "Thing": "ex.com/v1", "Service": "v1"}
    names = rnd.sample(sorted(fields), rnd.randint(1, 6))
    declared = [{"name": n, "objref": {"kind": fields[n][0], "name": fields[n][1], "apiVersion": api[fields[n][0]]},
                 "fieldref": {"fieldpath": fields[n][2]}} for n in names]
    every = sorted(fields) + ["UNDEF"]

    def text():
        if rnd.random() < 0.4:
            return "$(%s)" % rnd.choice(every)
        parts = []
        for _ in range(rnd.randint(1, 3)):
            r = rnd.random()
            parts.append("$(%s)" % rnd.choice(every) if r < 0.5 else "$$" if r < 0.6 else "$" if r < 0.7 else "$(" if r < 0.75 else rnd.choice(["x", "-", "a b", "/"]))
        return "".join(parts)

    resources = f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: cm}}
data: {{s: hello, e: ""}}
---
apiVersion: ex.com/v1
kind: Thing
metadata: {{name: t}}
spec: {{b: true, f: 2.5, m: {{k: v}}, l: [1, 2], n: null, ts: 2020-01-01}}
---
apiVersion: v1
kind: Service
metadata: {{name: svc}}
spec:
  ports:
  - {{name: a, port: 80}}
  - {{name: b, port: 81}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {json.dumps({"a" + str(i): text() for i in range(2)})}
spec:
  replicas: 3
  template:
    metadata:
      annotations: {json.dumps({"t": text()})}
    spec:
      containers:
      - name: c
        image: nginx
        args: {json.dumps([text() for _ in range(3)])}
        command: {json.dumps([text()])}
        env:
        - {{name: X, value: {json.dumps(text())}}}
        volumeMounts:
        - {{name: v, mountPath: {json.dumps(text())}}}
"""
    write(d, "r.yaml", resources)
    write(d, "kustomization.yaml", json.dumps({"resources": ["r.yaml"], "vars": declared}, indent=1))


def layered(make):
    """The same case, sometimes moved into a base under an overlay that
    renames (namePrefix) and moves (namespace) everything, with the vars or
    replacements declared at either level."""
    def wrapped(d, rnd):
        make(d, rnd)
        if rnd.random() < 0.5:
            return
        base = os.path.join(d, "base")
        os.makedirs(base)
        for name in os.listdir(d):
            if name != "base":
                os.rename(os.path.join(d, name), os.path.join(base, name))
        with open(os.path.join(base, "kustomization.yaml")) as f:
            k = json.load(f)
        overlay = {"resources": ["base"]}
        if rnd.random() < 0.7:
            overlay["namePrefix"] = "p-"
        if rnd.random() < 0.5:
            overlay["namespace"] = "ns"
        for field in ["vars", "replacements"]:
            if field in k and rnd.random() < 0.6:
                overlay[field] = k.pop(field)
        write(base, "kustomization.yaml", json.dumps(k, indent=1))
        write(d, "kustomization.yaml", json.dumps(overlay, indent=1))
    wrapped.__doc__ = make.__doc__
    return wrapped


def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    return p.returncode == 0, p.stdout


def compare_seeds(make_case, seeds, first):
    """Builds make_case(dir, rng) for each seed with kubectl and overlay, prints
    the seeds where they disagree, and exits 1 if any did."""
    bad = 0
    keep = os.environ.get("DIFF_KEEP")  # a directory to keep the cases in
    with tempfile.TemporaryDirectory() as scratch:
        tmp = keep or scratch
        for seed in range(first, first + seeds):
            d = os.path.join(tmp, f"c{seed}")
            os.makedirs(d, exist_ok=keep is not None)
            make_case(d, random.Random(seed))
            k_ok, k_out = run(["kubectl", "kustomize", d])
            o_ok, o_out = run([OVERLAY, "build", d])
            if k_ok != o_ok or (k_ok and k_out != o_out):
                bad += 1
                print(f"seed {seed}: kubectl {'ok' if k_ok else 'error'}, overlay {'ok' if o_ok else 'error'}"
                      + ("" if k_ok != o_ok else ", outputs differ"))
    print(f"{seeds - bad} agree, {bad} differ")
    sys.exit(1 if bad else 0)


def main():
    kinds = {"generators": generators, "behaviors": behaviors, "replacements": layered(replacements), "vars": layered(vars_)}
    if len(sys.argv) < 2 or sys.argv[1] not in kinds:
        sys.exit(__doc__)
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    compare_seeds(kinds[sys.argv[1]], seeds, first)

if __name__ == "__main__":
    main()
