#!/usr/bin/env python3
"""Generates src/kustomize/patch/merge_keys.txt: the list merge keys and patch
strategies of the Kubernetes OpenAPI schema that kustomize embeds.

Usage:
    tools/gen_merge_keys.py /work/ksrc > src/kustomize/patch/merge_keys.txt

/work/ksrc is a checkout of github.com/kubernetes-sigs/kustomize at tag
kustomize/v5.5.0. The schema read is the one kyaml uses by default:
kyaml/openapi/kubernetesapi/<DefaultOpenAPI>/swagger.pb (v1.21.2), a gnostic
OpenAPI v2 Document in protobuf form. The decoder below knows just the few
protobuf fields it needs, so the script needs nothing beyond Python 3.

Only what a strategic merge needs is kept (the table ships in wasm):
  * every definition that, directly or through references, holds a list with
    an x-kubernetes-patch-strategy (kyaml merges a list by key only then);
  * for such lists, the strategy and the merge keys (x-kubernetes-list-map-keys
    when present, else x-kubernetes-patch-merge-key), as kyaml's
    PatchStrategyAndKeyList reads them;
  * the GVK -> definition map from x-kubernetes-group-version-kind.

Output format, one record a line:
  G <apiVersion> <kind> <definition>
  D <definition>
  F <field> <type>          (a field of the preceding D)
where <type> is one of
  R:<definition>                       an object of that definition
  L:<strategy>:<key,key|->:<type|->    a list, its strategy and keys, its items
  M:<type>                             a map (additionalProperties) of <type>
Fields and definitions with nothing to merge by key are left out, and the
prefixes io.k8s.api., io.k8s.apimachinery.pkg.apis. and io.k8s. are dropped
from definition names.
"""
import os
import re
import sys

# Field numbers of gnostic's openapi_v2 messages (OpenAPIv2.proto).
DOC_DEFINITIONS = 9
NAMED_NAME, NAMED_VALUE = 1, 2
SCHEMA_REF, SCHEMA_ADDPROPS, SCHEMA_TYPE, SCHEMA_ITEMS = 1, 21, 22, 23
SCHEMA_PROPERTIES, SCHEMA_VENDOR_EXT = 25, 31
ADDPROPS_SCHEMA = 1
ANY_YAML = 2


def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def fields(b):
    """Decodes one protobuf message into [(field number, value)]."""
    i, out = 0, []
    while i < len(b):
        k, i = varint(b, i)
        f, w = k >> 3, k & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 1:
            v, i = b[i:i + 8], i + 8
        elif w == 5:
            v, i = b[i:i + 4], i + 4
        elif w == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        else:
            raise ValueError("unsupported wire type %d" % w)
        out.append((f, v))
    return out


def first(msg, num):
    for f, v in msg:
        if f == num:
            return v
    return None


def named(b):
    m = fields(b)
    return first(m, NAMED_NAME).decode(), first(m, NAMED_VALUE)


def extensions(schema):
    """x-* extensions of a schema as {name: yaml text}."""
    out = {}
    for f, v in schema:
        if f == SCHEMA_VENDOR_EXT:
            name, anyb = named(v)
            out[name] = (first(fields(anyb), ANY_YAML) or b"").decode()
    return out


def yaml_list(text):
    """The plain scalars of a simple YAML block list ("- a\\n- b\\n")."""
    return [l[2:].strip() for l in text.splitlines() if l.startswith("- ")]


def gvks(text):
    """Parses the x-kubernetes-group-version-kind list of maps."""
    out, cur = [], None
    for line in text.splitlines():
        m = re.match(r"^(- |  )(\w+): ?(.*)$", line)
        if not m:
            continue
        if m.group(1) == "- ":
            cur = {}
            out.append(cur)
        cur[m.group(2)] = m.group(3).strip().strip('"')
    return out


DEF_PREFIX = "#/definitions/"

# Definition names are only keys inside the table, so the common prefixes
# are dropped to keep it small.
SHORTEN = ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.")


def short(name):
    for prefix in SHORTEN:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def describe(schema):
    """The merge-relevant shape of a schema: ('R', def) | ('L', strat, keys, item)
    | ('M', value) | None (a leaf: nothing to merge by key below it)."""
    ref = first(schema, SCHEMA_REF)
    if ref:
        return ("R", ref.decode()[len(DEF_PREFIX):])
    types = [v.decode() for f, v in fields(first(schema, SCHEMA_TYPE) or b"") if f == 1]
    if types == ["array"]:
        ext = extensions(schema)
        strategy = ext.get("x-kubernetes-patch-strategy", "").strip()
        keys = yaml_list(ext.get("x-kubernetes-list-map-keys", ""))
        if not keys and "x-kubernetes-patch-merge-key" in ext:
            keys = [ext["x-kubernetes-patch-merge-key"].strip()]
        items = first(schema, SCHEMA_ITEMS)
        item = None
        if items:
            item_schemas = [v for f, v in fields(items) if f == 1]
            if item_schemas:
                item = describe(fields(item_schemas[0]))
        return ("L", strategy, keys, item)
    addprops = first(schema, SCHEMA_ADDPROPS)
    if addprops:
        inner = first(fields(addprops), ADDPROPS_SCHEMA)
        if inner is not None:
            return ("M", describe(fields(inner)))
    return None


def main():
    root = sys.argv[1]
    info = open(os.path.join(root, "kyaml/openapi/kubernetesapi/openapiinfo.go")).read()
    version = re.search(r'DefaultOpenAPI = "([^"]+)"', info).group(1)
    rel = "kyaml/openapi/kubernetesapi/%s/swagger.pb" % version.replace(".", "_")
    doc = fields(open(os.path.join(root, rel), "rb").read())

    defs, gvk_rows = {}, []
    for f, v in fields(first(doc, DOC_DEFINITIONS)):
        name, sb = named(v)
        schema = fields(sb)
        props = {}
        pb = first(schema, SCHEMA_PROPERTIES)
        for pf, pv in fields(pb or b""):
            pname, psb = named(pv)
            props[pname] = describe(fields(psb))
        defs[name] = props
        ext = extensions(schema)
        for g in gvks(ext.get("x-kubernetes-group-version-kind", "")):
            api = g["version"] if not g.get("group") else g["group"] + "/" + g["version"]
            gvk_rows.append((api, g["kind"], name))

    # Which definitions hold, somewhere below, a list merged by key.
    matters = set()

    def type_matters(t):
        if t is None:
            return False
        if t[0] == "R":
            return t[1] in matters
        if t[0] == "L":
            return "merge" in t[1].split(",")
        return type_matters(t[1])

    changed = True
    while changed:
        changed = False
        for name, props in defs.items():
            if name not in matters and any(type_matters(t) for t in props.values()):
                matters.add(name)
                changed = True

    def render(t):
        if t is None:
            return "-"
        if t[0] == "R":
            return "R:" + short(t[1])
        if t[0] == "L":
            return "L:%s:%s:%s" % (t[1] or "-", ",".join(t[2]) or "-", render(t[3]))
        return "M:" + render(t[1])

    print("# Generated by tools/gen_merge_keys.py from github.com/kubernetes-sigs/kustomize")
    print("# tag kustomize/v5.5.0, file %s (Kubernetes %s)." % (rel, version))
    print("# Regenerate: tools/gen_merge_keys.py <kustomize checkout> > src/kustomize/patch/merge_keys.txt")
    for api, kind, name in sorted(set(gvk_rows)):
        print("G %s %s %s" % (api, kind, short(name)))
    for name in sorted(matters):
        print("D " + short(name))
        for pname in sorted(defs[name]):
            t = defs[name][pname]
            if type_matters(t):
                print("F %s %s" % (pname, render(t)))


if __name__ == "__main__":
    main()
