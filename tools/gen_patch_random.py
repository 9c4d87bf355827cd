#!/usr/bin/env python3
"""Random patch cases for a differential run against kubectl.

Usage:
    tools/gen_patch_random.py smp|json SEED COUNT OUTDIR
    PATCH_GOLDEN_DIR=OUTDIR tools/record_patch_golden.sh
    PATCH_GOLDEN_DIR=OUTDIR cargo test --test patch_golden patch_golden_cases

"smp" makes Deployments and strategic merge patches drawn from a small
vocabulary (containers, env, ports, volumes, finalizers, nulls, $patch);
"json" makes JSON 6902 operation lists (every op, odd paths and indexes).
Cases are written in the layout of tests/golden/patch/.
"""
import json
import os
import random
import sys

mode, seed, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
R = random.Random(seed)
NAMES = ["a", "b", "c", "d"]


def env():
    return [{"name": R.choice(["E1", "E2", "E3", "E4"]), "value": R.choice(["1", "x", None, "y"])}
            for _ in range(R.randint(0, 3))]


def ports():
    ps = []
    for _ in range(R.randint(0, 3)):
        p = {"containerPort": R.choice([80, 81, 443])}
        if R.random() < 0.5:
            p["protocol"] = R.choice(["TCP", "UDP"])
        if R.random() < 0.3:
            p["name"] = R.choice(["http", "x"])
        ps.append(p)
    return ps


def container(patch):
    c = {"name": R.choice(NAMES)}
    if R.random() < 0.6:
        c["image"] = R.choice(["img:1", "img:2", None] if patch else ["img:1", "img:2"])
    if R.random() < 0.5:
        c["env"] = env()
    if R.random() < 0.4:
        c["ports"] = ports()
    if R.random() < 0.3:
        c["args"] = [R.choice(["-a", "-b"]) for _ in range(R.randint(0, 2))]
    if R.random() < 0.3:
        c["volumeMounts"] = [{"name": R.choice(["v1", "v2"]), "mountPath": R.choice(["/a", "/b"])}
                             for _ in range(R.randint(0, 2))]
    if patch and R.random() < 0.15:
        c["$patch"] = R.choice(["delete", "replace", "merge"])
    if patch and c.get("env") and R.random() < 0.2:
        c["env"].insert(R.randint(0, len(c["env"])), {"$patch": R.choice(["replace", "delete", "merge"])})
    return c


def deployment(patch):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"}}
    if R.random() < 0.5:
        d["metadata"]["labels"] = {R.choice(["a", "b"]): R.choice(["1", "2", None] if patch else ["1", "2"])}
    if R.random() < 0.4:
        d["metadata"]["finalizers"] = [R.choice(["f1", "f2", "f3"]) for _ in range(R.randint(0, 2))]
    spec = {}
    if R.random() < 0.4:
        spec["replicas"] = R.choice([1, 2, None] if patch else [1, 2])
    pod = {}
    if R.random() < 0.9:
        pod["containers"] = [container(patch) for _ in range(R.randint(0, 3))]
    if R.random() < 0.3:
        pod["initContainers"] = [container(patch) for _ in range(R.randint(0, 2))]
    if R.random() < 0.4:
        pod["volumes"] = [{"name": R.choice(["v1", "v2", "v3"]),
                           R.choice(["emptyDir", "configMap"]): ({} if R.random() < 0.5 else {"name": "cm"})}
                          for _ in range(R.randint(0, 2))]
    if R.random() < 0.3:
        pod["tolerations"] = [{"key": R.choice(["k1", "k2"])}]
    if patch and R.random() < 0.1:
        pod["containers"] = None
    spec["template"] = {"spec": pod}
    d["spec"] = spec
    return d


JSON_DOC = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": {"a": "1", "b/c": "2"}},
            "data": {"x": "1", "y": "2", "t~n": "3"}, "list": ["p", "q", "r"],
            "nested": {"l": [{"k": 1}, {"k": 2}], "m": {"z": None}}}
JSON_PATHS = ["/data/x", "/data/new", "/data/t~0n", "/metadata/labels/b~1c", "/list/0", "/list/1", "/list/3",
              "/list/-", "/list/-1", "/list/-3", "/list/x", "/nested/l/0/k", "/nested/l/1", "/nested/l/-",
              "/nested/m/z", "/nested/m", "/missing/a", "/data", "/nested/l/5", "/list/01"]
JSON_VALUES = ["s", 1, 2.5, True, None, {"o": 1}, [1, "a"], "yes", "007"]


def json_ops():
    ops = []
    for _ in range(R.randint(1, 4)):
        op = R.choice(["add", "remove", "replace", "move", "copy", "test"])
        o = {"op": op, "path": R.choice(JSON_PATHS)}
        if op in ("add", "replace", "test"):
            o["value"] = R.choice(JSON_VALUES)
        if op in ("move", "copy"):
            o["from"] = R.choice(JSON_PATHS)
        ops.append(o)
    return ops


for i in range(count):
    case = os.path.join(out, "%s%d_%d" % (mode, seed, i))
    os.makedirs(case, exist_ok=True)
    with open(os.path.join(case, "resource.yaml"), "w") as f:
        json.dump(deployment(False) if mode == "smp" else JSON_DOC, f)
    with open(os.path.join(case, "patch.yaml"), "w") as f:
        if mode == "smp":
            json.dump(deployment(True), f)
        elif R.random() < 0.5:
            json.dump(json_ops(), f)
        else:
            for o in json_ops():
                f.write("- " + "\n  ".join("%s: %s" % (k, json.dumps(v)) for k, v in o.items()) + "\n")
    if mode == "json":
        with open(os.path.join(case, "target"), "w") as f:
            f.write("{kind: ConfigMap}\n")
