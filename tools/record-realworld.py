#!/usr/bin/env python3
"""Records what `kubectl kustomize DIR` does for every kustomization directory
of the real-world corpus (../shared/realworld beside the project), into
tests/realworld/expected.tsv, which tests/realworld.rs checks the engine
against.

One line per build, tab-separated:
    ok    REPO/DIR  SHA256  BYTES
    fail  REPO/DIR  FIRST LINE OF KUBECTL'S ERROR
The hash and length pin kubectl's output exactly without committing it (the
argo-cd installs alone are megabytes). Builds that need the network, helm or
exec plugins fail here and are recorded as failures; the engine must fail on
them too.

Usage: tools/record-realworld.py [--corpus DIR] [--out FILE] [--timeout SECONDS] [--jobs N]
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
import time

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)


def find_dirs(corpus):
    """Every directory holding a kustomization file, repo-relative, sorted."""
    found = []
    for repo in sorted(os.listdir(corpus)):
        root = os.path.join(corpus, repo)
        if not os.path.isdir(root):
            continue
        # Symlinked directories are not followed: kubectl would build them
        # under their own path, which find_dirs reaches anyway.
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            if any(n in filenames for n in NAMES):
                rel = os.path.relpath(dirpath, corpus)
                found.append(rel.replace(os.sep, "/"))
    return sorted(found)


def first_error_line(stderr, corpus):
    """The first line of kubectl's message, without klog's framing, warnings
    or machine paths; a long one keeps its start and its end (the cause)."""
    lines = [l for l in stderr.splitlines() if l.strip() and not l.startswith("# Warning")]
    msg = "(no message)"
    for i, line in enumerate(lines):
        m = re.match(r'^E[0-9]+ [0-9:.]+ +[0-9]+ [a-z_]+\.go:[0-9]+\] "command failed" err=(.*)$', line)
        if m is None:
            if line.startswith("error: "):
                msg = line[len("error: "):]
                break
            continue
        rest = m.group(1)
        if rest == "<":
            msg = lines[i + 1].strip() if i + 1 < len(lines) else msg
        elif rest.startswith('"'):
            msg = json.loads(rest)
        else:
            msg = rest
        break
    msg = msg.replace(corpus.rstrip("/") + "/", "").replace("\t", " ").splitlines()[0] if msg else msg
    msg = re.sub(r"/\S*/bin/git ", "git ", msg)
    msg = re.sub(r"lookup (\S+) on [0-9.:]+: ", r"lookup \1: ", msg)
    if len(msg) > 240:
        msg = msg[:110] + " … " + msg[-110:]
    return msg


def record(corpus, rel, timeout):
    start = time.monotonic()
    try:
        p = subprocess.run(["kubectl", "kustomize", rel], cwd=corpus, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return rel, ("fail", "timed out after %ds" % timeout), time.monotonic() - start
    took = time.monotonic() - start
    if p.returncode == 0:
        return rel, ("ok", hashlib.sha256(p.stdout).hexdigest(), str(len(p.stdout))), took
    return rel, ("fail", first_error_line(p.stderr.decode("utf-8", "replace"), corpus)), took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.normpath(os.path.join(PROJECT, "..", "shared", "realworld")))
    ap.add_argument("--out", default=os.path.join(PROJECT, "tests", "realworld", "expected.tsv"))
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(corpus):
        sys.exit("no corpus at %s" % corpus)
    version = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True).stdout
    kversion = re.search(r"Kustomize Version: (\S+)", version)
    dirs = find_dirs(corpus)
    start = time.monotonic()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for rel, result, took in pool.map(lambda d: record(corpus, d, args.timeout), dirs):
            results[rel] = result
            print("%6.2fs %-4s %s" % (took, result[0], rel), file=sys.stderr)
    elapsed = time.monotonic() - start
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("# kubectl kustomize DIR for every kustomization directory of ../shared/realworld\n")
        f.write("# (kustomize %s; tools/record-realworld.py). ok: sha256 and byte length of stdout;\n" % (kversion.group(1) if kversion else "?"))
        f.write("# fail: the first line of kubectl's error.\n")
        for rel in dirs:
            r = results[rel]
            f.write("\t".join((r[0], rel) + r[1:]) + "\n")
    ok = sum(1 for r in results.values() if r[0] == "ok")
    print("%d builds: %d ok, %d fail; kubectl took %.1fs in all (%d job(s))" % (len(dirs), ok, len(dirs) - ok, elapsed, args.jobs), file=sys.stderr)


if __name__ == "__main__":
    main()
