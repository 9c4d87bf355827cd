#!/usr/bin/env python3
"""Random whole kustomizations exercising `patches:` (strategic merge with
and without target, JSON 6902 with kind/name/label selectors, inline and
from files, with and without a namespace), for comparing the CLI with
kubectl: tools/gen_patch_kustomizations.py SEED COUNT OUTDIR, then
tools/compare_with_kubectl.sh OUTDIR/*.
"""
import random, os, sys, json
seed=int(sys.argv[1]); n=int(sys.argv[2]); out=sys.argv[3]
R=random.Random(seed)
def dep(name, labels):
    return {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":name,"labels":labels},
            "spec":{"template":{"spec":{"containers":[{"name":"app","image":"img","env":[{"name":"A","value":"1"}]}]}}}}
def cm(name):
    return {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":name},"data":{"k":"v"}}
for i in range(n):
    d=os.path.join(out,"k%d_%d"%(seed,i)); os.makedirs(d,exist_ok=True)
    res=[dep("web",{"tier":"front"}), dep("api",{"tier":"back"}), cm("cfg")]
    with open(os.path.join(d,"res.yaml"),"w") as f:
        f.write("\n---\n".join(json.dumps(r) for r in res))
    patches=[]
    for j in range(R.randint(1,3)):
        kind=R.choice(["smp","json","smp-target"])
        if kind=="smp":
            p={"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":R.choice(["web","api"])},
               "spec":{"template":{"spec":{"containers":[{"name":R.choice(["app","side"]),"image":"p%d"%j,"env":[{"name":R.choice(["A","B"]),"value":"x%d"%j}]}]}}}}
            if R.random()<0.1: p={"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"$patch":"delete"}
            entry={}
        elif kind=="smp-target":
            p={"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ignored"},"spec":{"replicas":j+2}}
            entry={"target":R.choice([{"kind":"Deployment"},{"labelSelector":"tier=back"},{"name":"web"},{"kind":"Deployment","name":"a.*"}])}
        else:
            p=[{"op":R.choice(["add","replace"]),"path":R.choice(["/metadata/labels/x","/spec/replicas","/metadata/annotations"]),"value":R.choice([1,"v",{"a":"b"}])}]
            entry={"target":R.choice([{"kind":"Deployment"},{"kind":"ConfigMap","name":"cfg"},{"labelSelector":"tier in (front)"}])}
        if R.random()<0.5:
            fn="p%d.yaml"%j
            open(os.path.join(d,fn),"w").write(json.dumps(p))
            entry["path"]=fn
        else:
            entry["patch"]=json.dumps(p)
        patches.append(entry)
    kust={"resources":["res.yaml"],"patches":patches}
    if R.random()<0.3: kust["namespace"]="ns1"
    open(os.path.join(d,"kustomization.yaml"),"w").write(json.dumps(kust))
