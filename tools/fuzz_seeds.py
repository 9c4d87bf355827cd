#!/usr/bin/env python3
"""Turns kustomize's conformance cases into fuzz seeds, one file per case, in
the tree format of src/fuzzing.rs (`@ DIR [none]`, then `=== path` + body).

    tools/fuzz_seeds.py [CASES_DIR] [OUT_DIR]

Defaults: ../shared/conformance/kustomize → fuzz/corpus/tree. Cases whose
inputs exceed 64 KiB are skipped (the fuzzer's -max_len keeps inputs small).
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
cases = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "..", "shared", "conformance", "kustomize")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, "fuzz", "corpus", "tree")
os.makedirs(out, exist_ok=True)

written = 0
for group in sorted(os.listdir(cases)):
    gdir = os.path.join(cases, group)
    if not os.path.isdir(gdir):
        continue
    for case in sorted(os.listdir(gdir)):
        cdir = os.path.join(gdir, case)
        meta_path = os.path.join(cdir, "case.json")
        if not os.path.exists(meta_path):
            continue
        meta = json.load(open(meta_path))
        inp = os.path.join(cdir, "input")
        files = []
        for root, dirs, names in os.walk(inp):
            dirs.sort()
            for n in sorted(names):
                p = os.path.join(root, n)
                files.append((os.path.relpath(p, inp), open(p, "rb").read()))
        for d in meta.get("empty_dirs", []):
            files.append((d.rstrip("/") + "/", b""))
        none = "--load-restrictor=LoadRestrictionsNone" in meta.get("args", [])
        build_dir = meta.get("build_dir", ".") or "."
        data = b""
        if build_dir != "." or none:
            data += ("@ %s%s\n" % (build_dir, " none" if none else "")).encode()
        for path, body in files:
            data += ("=== %s\n" % path).encode() + body
            if body and not body.endswith(b"\n"):
                data += b"\n"
        if len(data) > 65536:
            continue
        name = "%s__%s" % (group, case)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        written += 1
print("wrote %d seeds to %s" % (written, out))
