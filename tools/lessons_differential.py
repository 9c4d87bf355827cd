#!/usr/bin/env python3
"""The kustomize facts the lessons teach, checked against `kubectl kustomize`:
for every `mode: kustomize` lesson, its start tree and its solution (and each
hidden variant laid over both) are written out, and every kustomization
directory in them is built by kubectl and by the overlay CLI. Prints each
build; exit 1 when exit status or output differ anywhere.

usage: tools/lessons_differential.py [LESSONS_DIR=lessons]
needs: kubectl on PATH, PyYAML, `cargo build` done (uses $CARGO_TARGET_DIR
or target/, debug/overlay)
"""
import glob
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
OVERLAY = os.path.join(TARGET, "debug/overlay")


def trees(lesson):
    start = dict(lesson["start"])
    solved = dict(start)
    solved.update(lesson.get("solution") or {})
    solved = {p: t for p, t in solved.items() if t is not None}
    out = {"start": start, "solution": solved}
    for v in lesson.get("variants") or []:
        for name, base in (("start", start), ("solution", solved)):
            t = dict(base)
            t.update(v.get("files") or {})
            out[v["name"] + "-" + name] = {p: c for p, c in t.items() if c is not None}
    return out


def main():
    lessons = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "lessons")
    bad = 0
    for f in sorted(glob.glob(os.path.join(lessons, "*.yaml"))):
        lesson = yaml.safe_load(open(f))
        if lesson.get("mode", "kustomize") != "kustomize":
            continue
        for tree_name, tree in trees(lesson).items():
            with tempfile.TemporaryDirectory() as d:
                for p, c in tree.items():
                    os.makedirs(os.path.dirname(os.path.join(d, p)), exist_ok=True)
                    with open(os.path.join(d, p), "w") as out:
                        out.write(c)
                dirs = sorted({os.path.dirname(p) for p in tree if os.path.basename(p) == "kustomization.yaml"})
                for k in dirs:
                    a = subprocess.run(["kubectl", "kustomize", os.path.join(d, k)], capture_output=True, text=True)
                    b = subprocess.run([OVERLAY, "build", os.path.join(d, k)], capture_output=True, text=True)
                    same = a.returncode == b.returncode and a.stdout == b.stdout
                    bad += not same
                    print("%s %s %s %s (exit %d/%d)" % ("ok  " if same else "DIFF", os.path.basename(f), tree_name, k, a.returncode, b.returncode))
    print("%d differences" % bad)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
