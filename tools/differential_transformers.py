#!/usr/bin/env python3
"""Differential fuzzing of the field-spec transformers and name references
against `kubectl kustomize`: random overlays of one to three bases, each with
ConfigMaps, Secrets, ServiceAccounts, Services, Deployments, RoleBindings,
HPAs and Ingresses that refer to each other, under random namePrefix,
nameSuffix, namespace, commonLabels, labels, commonAnnotations, images,
replicas, generators (merge and replace) and label patches. Prints every seed
where kubectl and the overlay CLI disagree (exit status, or output byte for
byte).

usage: tools/differential_transformers.py [SEEDS=100] [FIRST=1]
needs: kubectl on PATH, `cargo build` done (uses target/debug/overlay)
DIFF_KEEP=DIR keeps the cases (DIR/c<seed>) to look at.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from differential import compare_seeds  # noqa: E402


def resources(rnd, names, ns):
    """A base's objects, referring to each other by name."""
    cm, sec, sa, svc = names
    docs = []
    nsl = f"\n  namespace: {ns}" if ns else ""
    docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {cm}{nsl}\ndata:\n  k: v\n")
    docs.append(f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {sec}{nsl}\n")
    docs.append(f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {sa}{nsl}\n")
    docs.append(f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {svc}{nsl}\nspec:\n  selector:\n    app: a\n")
    img = rnd.choice(["nginx", "nginx:1.2", "reg:5000/app:v1", "busybox@sha256:abc", "app"])
    docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep-{cm}{nsl}
  labels:
    app: a
spec:
  replicas: 1
  selector:
    matchLabels:
      app: a
  template:
    metadata:
      labels:
        app: a
    spec:
      serviceAccountName: {sa}
      containers:
      - name: c
        image: {img}
        envFrom:
        - configMapRef:
            name: {cm}
        - secretRef:
            name: {sec}
        - configMapRef:
            name: gcm
        - secretRef:
            name: gsec
      volumes:
      - name: v
        configMap:
          name: {cm}
""")
    subns = ("\n  namespace: " + ns) if ns and rnd.random() < 0.5 else ""
    docs.append(f"""apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb-{sa}{nsl}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {rnd.choice(['Role', 'ClusterRole'])}
  name: role-{cm}
subjects:
- kind: ServiceAccount
  name: {sa}{subns}
""")
    docs.append(f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-{cm}{nsl}\n")
    if rnd.random() < 0.5:
        docs.append(f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: hpa-{cm}{nsl}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: dep-{cm}\n")
    if rnd.random() < 0.5:
        docs.append(f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ing-{svc}{nsl}\nspec:\n  tls:\n  - secretName: {sec}\n  defaultBackend:\n    service:\n      name: {svc}\n")
    return "---\n".join(docs)

def fields(rnd, level):
    """Random transformer and generator fields for a kustomization (level 9 is
    the overlay, whose generators merge into or replace the bases' ones)."""
    out = []
    if level < 9 and rnd.random() < 0.7:
        opts = rnd.choice(['', '', '\n  options:\n    disableNameSuffixHash: true'])
        out.append(f"configMapGenerator:\n- name: gcm{opts}\n  literals:\n  - K{level}=v{level}")
    if level < 9 and rnd.random() < 0.4:
        out.append(f"secretGenerator:\n- name: gsec\n  literals:\n  - S{level}=x")
    if level == 9 and rnd.random() < 0.5:
        gname = rnd.choice(['gcm', 'cm', 'cm0'])
        beh = rnd.choice(['merge', 'replace'])
        out.append(f"configMapGenerator:\n- name: {gname}\n  behavior: {beh}\n  literals:\n  - K9=v9")
    if rnd.random() < 0.6: out.append(f"namePrefix: {rnd.choice(['p-', 'a-', 'b-', 'x'])}")
    if rnd.random() < 0.4: out.append(f"nameSuffix: {rnd.choice(['-s', '-t', '-v2'])}")
    if rnd.random() < 0.4: out.append(f"namespace: {rnd.choice(['ns1', 'ns2', 'default'])}")
    if rnd.random() < 0.4: out.append("commonLabels:\n  " + rnd.choice(['tier', 'app']) + ": " + rnd.choice(['web', '"1"', 'db']))
    if rnd.random() < 0.3:
        out.append(f"labels:\n- pairs:\n    {rnd.choice(['team', 'app', 'tier'])}: t{level}\n  includeSelectors: {rnd.choice(['true','false'])}\n  includeTemplates: {rnd.choice(['true','false'])}")
    if rnd.random() < 0.3:
        key = rnd.choice(['app', 'tier', 'team'])
        where = rnd.choice(['metadata:\n      name: NAME\n      labels:\n        K: patched', 'metadata:\n      name: NAME\n    spec:\n      selector:\n        matchLabels:\n          K: patched'])
        out.append("patches:\n- target:\n    kind: Deployment\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    " + where.replace('K', key).replace('NAME', 'ignored'))
    if rnd.random() < 0.2:
        out.append("patchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: " + rnd.choice(['dep-cm', 'dep-cm0', 'p-dep-cm0']) + "\n  patch: |-\n    - op: add\n      path: /spec/paused\n      value: true")
    if rnd.random() < 0.3: out.append("commonAnnotations:\n  note: n" + str(level))
    if rnd.random() < 0.3:
        out.append("images:\n- name: " + rnd.choice(['nginx', 'reg:5000/app', 'busybox', 'app']) + "\n  " + rnd.choice(['newTag: v9', 'newName: my/img', 'digest: sha256:fff', 'tagSuffix: -x']))
    return out


def case(d, rnd):
    """One overlay (at d) over one to three bases, maybe sharing names."""
    bases = []
    shared = rnd.random() < 0.3
    for j in range(rnd.randint(1, 3)):
        b = os.path.join(d, f"b{j}")
        os.makedirs(b, exist_ok=True)
        names = ("cm", "sec", "sa", "svc") if shared else (f"cm{j}", f"sec{j}", f"sa{j}", f"svc{j}")
        ns = rnd.choice([None, None, f"bns{j}"])
        with open(os.path.join(b, "r.yaml"), "w") as f:
            f.write(resources(rnd, names, ns))
        fl = fields(rnd, j)
        if shared and not any(x.startswith(("namePrefix", "nameSuffix", "namespace")) for x in fl):
            fl.append(f"namePrefix: u{j}-")
        with open(os.path.join(b, "kustomization.yaml"), "w") as f:
            f.write("resources: [r.yaml]\n" + "\n".join(fl) + "\n")
        bases.append(f"b{j}")
    top = ["resources: [" + ", ".join(bases) + "]"] + fields(rnd, 9)
    if rnd.random() < 0.3:
        top.append("replicas:\n- name: dep-" + rnd.choice(["cm", "cm0", "cm1"]) + "\n  count: 4")
    with open(os.path.join(d, "kustomization.yaml"), "w") as f:
        f.write("\n".join(top) + "\n")


def main():
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    first = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    compare_seeds(case, seeds, first)

if __name__ == "__main__":
    main()
