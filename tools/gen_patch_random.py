#!/usr/bin/env python3
"""Random patch cases for a differential run against kubectl.

Usage:
    tools/gen_patch_random.py smp|json|yaml SEED COUNT OUTDIR
    PATCH_GOLDEN_DIR=OUTDIR tools/record_patch_golden.sh
    PATCH_GOLDEN_DIR=OUTDIR cargo test --test patch_golden patch_golden_cases

"smp" makes Deployments and strategic merge patches drawn from a small
vocabulary (containers, env, ports, volumes, finalizers, nulls, $patch);
"json" makes JSON 6902 operation lists (every op, odd paths and indexes);
"yaml" writes Services and CronJobs as YAML text with scalars spelled at
random (quoted, plain, null as ~ or nothing), for the style quirks.
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


def spell(v):
    """A random YAML spelling of a scalar."""
    if isinstance(v, str):
        plain_ok = not v.isdigit() and v not in ("true", "yes", "on")
        return R.choice(['"%s"' % v, "'%s'" % v, v if plain_ok else '"%s"' % v])
    if v is None:
        return R.choice(["null", "~", ""])
    if v is True:
        return "true"
    return str(v)


def service_text(patch):
    lines = ["apiVersion: v1", "kind: Service", "metadata:", "  name: s", "spec:"]
    if R.random() < 0.7:
        lines.append("  ports:")
        for _ in range(R.randint(0, 3)):
            lines.append("  - port: %s" % R.choice(["80", "443", '"80"']))
            if R.random() < 0.5:
                lines.append("    protocol: %s" % R.choice(["TCP", "UDP"]))
            if R.random() < 0.5:
                lines.append("    targetPort: %s" % spell(R.choice(["8080", "http", 8080])))
            if R.random() < 0.3:
                lines.append("    name: %s" % R.choice(["a", "b"]))
            if patch and R.random() < 0.15:
                lines.append("    $patch: %s" % R.choice(["delete", "replace"]))
    if R.random() < 0.5:
        lines.append("  type: %s" % spell(R.choice(["ClusterIP", "NodePort", None] if patch else ["ClusterIP", "NodePort"])))
    if R.random() < 0.5:
        lines.append("  selector:")
        lines.append("    app: %s" % spell(R.choice(["x", "1", True, None] if patch else ["x", "1", True])))
    return "\n".join(lines) + "\n"


def cronjob_text(patch):
    lines = ["apiVersion: batch/v1", "kind: CronJob", "metadata:", "  name: c", "spec:",
             '  schedule: "*/5 * * * *"', "  jobTemplate:", "    spec:"]
    if R.random() < 0.5:
        lines.append("      backoffLimit: %s" % spell(R.choice([1, "2", None] if patch else [1, "2"])))
    lines += ["      template:", "        spec:", "          containers:"]
    for _ in range(R.randint(1, 3)):
        lines.append("          - name: %s" % R.choice(["a", "b", "c"]))
        if R.random() < 0.6:
            lines.append("            image: %s" % spell(R.choice(["img", "1.0", "true"])))
        if R.random() < 0.5:
            lines.append("            env:")
            for _ in range(R.randint(0, 2)):
                lines.append("            - name: %s" % R.choice(["X", "Y"]))
                lines.append("              value: %s" % spell(R.choice(["1", "on", None, 5] if patch else ["1", "on", 5])))
        if patch and R.random() < 0.1:
            lines.append("            $patch: delete")
    if R.random() < 0.4:
        lines.append("          volumes:")
        for _ in range(R.randint(0, 2)):
            lines.append("          - name: %s" % R.choice(["v", "w"]))
            lines.append("            %s" % R.choice(["emptyDir: {}", "secret: {secretName: s}", "configMap: {name: c}"]))
    return "\n".join(lines) + "\n"


for i in range(count):
    case = os.path.join(out, "%s%d_%d" % (mode, seed, i))
    os.makedirs(case, exist_ok=True)
    if mode == "yaml":
        make = R.choice([service_text, cronjob_text])
        with open(os.path.join(case, "resource.yaml"), "w") as f:
            f.write(make(False))
        with open(os.path.join(case, "patch.yaml"), "w") as f:
            f.write(make(True))
        continue
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
