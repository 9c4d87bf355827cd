#!/usr/bin/env python3
"""Writes the synthetic overlay used to measure build speed (the setup of
../shared/research/peer-kustomizer.md): a base of N Deployments (two
containers, envFrom and a ConfigMap volume), N Services and N/2 ConfigMaps in
20 files; an overlay with namespace, namePrefix, commonLabels, two images, 50
strategic-merge patches (25 add env vars) and a configMapGenerator that every
Deployment references.

usage: tools/synthetic.py OUT_DIR [N=800]
then:  overlay build OUT_DIR/overlay   (or kubectl kustomize OUT_DIR/overlay)
"""
import os
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 800
files = 20
os.makedirs(f"{out}/base", exist_ok=True)
os.makedirs(f"{out}/overlay", exist_ok=True)

docs = [[] for _ in range(files)]
for i in range(n):
    cm = f"config-{i // 2}"
    docs[i % files].append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  labels:
    app: app-{i}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      containers:
      - name: main
        image: example.com/team/main:1.0.{i % 7}
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: {cm}
        - configMapRef:
            name: shared-settings
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        volumeMounts:
        - name: config
          mountPath: /etc/config
      - name: sidecar
        image: example.com/team/sidecar:2.3
        args: ["--port", "9090"]
      volumes:
      - name: config
        configMap:
          name: {cm}
""")
    docs[(i + 7) % files].append(f"""apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  selector:
    app: app-{i}
  ports:
  - port: 80
    targetPort: 8080
""")
for j in range(n // 2):
    docs[j % files].append(f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: config-{j}
data:
  LEVEL: "{j}"
  MODE: normal
""")

names = []
for f in range(files):
    name = f"resources-{f:02}.yaml"
    names.append(name)
    with open(f"{out}/base/{name}", "w") as fh:
        fh.write("---\n".join(docs[f]))
with open(f"{out}/base/kustomization.yaml", "w") as fh:
    fh.write("resources:\n" + "".join(f"- {x}\n" for x in names))

patches = []
for p in range(50):
    i = p * (n // 50)
    if p % 2 == 0:
        body = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
spec:
  template:
    spec:
      containers:
      - name: main
        env:
        - name: MODE
          value: fast
        - name: EXTRA_{p}
          value: "{p}"
"""
    else:
        body = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
spec:
  replicas: 3
"""
    with open(f"{out}/overlay/patch-{p:02}.yaml", "w") as fh:
        fh.write(body)
    patches.append(f"patch-{p:02}.yaml")

with open(f"{out}/overlay/kustomization.yaml", "w") as fh:
    fh.write("""namespace: prod
namePrefix: prod-
commonLabels:
  env: prod
images:
- name: example.com/team/main
  newTag: 2.0.0
- name: example.com/team/sidecar
  newName: registry.example.com/sidecar
  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
resources:
- ../base
configMapGenerator:
- name: shared-settings
  literals:
  - FEATURE_X=on
  - TIMEOUT=30s
patches:
""" + "".join(f"- path: {x}\n" for x in patches))
