//! One small build per step kind: the chain of the field it touches.

use super::*;
use crate::MemFs;

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.0\n        env:\n        - name: PORT\n          value: $(PORT)\n";

/// A tree with the base deployment at /base and `files` added.
fn tree(files: &[(&str, &str)]) -> MemFs {
    let mut fs = MemFs::new();
    fs.insert("/base/deploy.yaml", DEPLOY);
    fs.insert("/base/kustomization.yaml", "resources:\n- deploy.yaml\n");
    for (path, text) in files {
        fs.insert(path, *text);
    }
    fs
}

/// `file:line:column kind detail` for each step of one field, newest first.
fn chain(fs: &MemFs, dir: &str, resource: &str, field: &str) -> Vec<String> {
    let entries = explain(fs, dir, &BuildOptions::default(), Some(resource), Some(field)).unwrap();
    assert_eq!(entries.len(), 1, "{} {}: {:?}", resource, field, entries);
    entries[0].steps.iter().map(|s| format!("{} {} {}", s.place, s.kind, s.detail)).collect()
}

#[test]
fn an_untouched_field_is_its_origin() {
    let fs = tree(&[]);
    assert_eq!(chain(&fs, "/base", "Deployment/app", "spec.replicas"), ["/base/deploy.yaml:6:13 origin origin: 1"]);
}

#[test]
fn strategic_merge_patch() {
    let fs = tree(&[
        ("/o/kustomization.yaml", "resources:\n- ../base\npatches:\n- path: p.yaml\n"),
        ("/o/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 5\n"),
    ]);
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "spec.replicas"),
        ["/o/p.yaml:6:13 strategic-merge-patch strategic-merge patch sets 5", "/base/deploy.yaml:6:13 origin origin: 1"]
    );
}

#[test]
fn json6902_patch_and_a_field_it_adds() {
    let fs = tree(&[
        (
            "/o/kustomization.yaml",
            "resources:\n- ../base\npatches:\n- target:\n    kind: Deployment\n    name: app\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 3\n    - op: add\n      path: /spec/paused\n      value: true\n",
        ),
    ]);
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "spec.replicas"),
        ["/o/kustomization.yaml:10:14 json6902-patch JSON 6902 patch sets 3", "/base/deploy.yaml:6:13 origin origin: 1"]
    );
    assert_eq!(chain(&fs, "/o", "Deployment/app", "spec.paused"), ["/o/kustomization.yaml:13:14 origin origin: JSON 6902 patch adds true"]);
}

#[test]
fn namespace_prefix_suffix_and_name_reference() {
    let fs = tree(&[
        ("/o/kustomization.yaml", "resources:\n- ../base\n- svc.yaml\nnamespace: prod\nnamePrefix: p-\nnameSuffix: -s\n"),
        ("/o/svc.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"),
    ]);
    assert_eq!(
        chain(&fs, "/o", "Deployment/p-app-s", "metadata.namespace"),
        ["/o/kustomization.yaml:4:12 origin origin: namespace adds prod"]
    );
    assert_eq!(
        chain(&fs, "/o", "Deployment/p-app-s", "metadata.name"),
        [
            "/o/kustomization.yaml:6:13 name-suffix nameSuffix sets p-app-s",
            "/o/kustomization.yaml:5:13 name-prefix namePrefix sets p-app",
            "/base/deploy.yaml:4:9 origin origin: app"
        ]
    );
}

#[test]
fn labels_annotations_images_replicas() {
    let fs = tree(&[(
        "/o/kustomization.yaml",
        "resources:\n- ../base\nlabels:\n- pairs:\n    team: a\ncommonAnnotations:\n  note: x\nimages:\n- name: nginx\n  newTag: \"2.0\"\nreplicas:\n- name: app\n  count: 7\n",
    )]);
    assert_eq!(chain(&fs, "/o", "Deployment/app", "metadata.labels.team"), ["/o/kustomization.yaml:5:11 origin origin: labels adds a"]);
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "metadata.annotations.note"),
        ["/o/kustomization.yaml:7:9 origin origin: commonAnnotations adds x"]
    );
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "spec.template.spec.containers[name=app].image"),
        ["/o/kustomization.yaml:9:3 images images sets nginx:2.0", "/base/deploy.yaml:11:16 origin origin: nginx:1.0"]
    );
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "spec.replicas"),
        ["/o/kustomization.yaml:12:3 replicas replicas sets 7", "/base/deploy.yaml:6:13 origin origin: 1"]
    );
}

#[test]
fn replacement_points_at_its_source_field() {
    let fs = tree(&[
        (
            "/o/kustomization.yaml",
            "resources:\n- ../base\n- cm.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: cfg\n    fieldPath: data.image\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.template.spec.containers.[name=app].image\n",
        ),
        ("/o/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  image: busybox\n"),
    ]);
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "spec.template.spec.containers[name=app].image"),
        ["/o/kustomization.yaml:5:3 replacement replacement sets busybox", "/base/deploy.yaml:11:16 origin origin: nginx:1.0"]
    );
    let entries =
        explain(&fs, "/o", &BuildOptions::default(), Some("Deployment/app"), Some("spec.template.spec.containers[name=app].image"))
            .unwrap();
    assert_eq!(entries[0].steps[0].from.as_ref().map(|f| f.to_string()).as_deref(), Some("/o/cm.yaml:6:10"));
    let text = format::text(&entries, &|p: &str| p.trim_start_matches('/').to_string());
    assert!(text.contains("o/kustomization.yaml:5:3  replacement sets busybox from o/cm.yaml:6:10\n"), "{}", text);
}

#[test]
fn vars_generator_hash_and_name_reference() {
    let fs = tree(&[
        (
            "/o/kustomization.yaml",
            "resources:\n- ../base\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - PORT=80\n  files:\n  - app.conf\nvars:\n- name: PORT\n  objref:\n    kind: ConfigMap\n    name: cfg\n    apiVersion: v1\n  fieldref:\n    fieldpath: data.PORT\npatches:\n- path: p.yaml\n",
        ),
        ("/o/app.conf", "x=1\n"),
        ("/o/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      volumes:\n      - name: c\n        configMap:\n          name: cfg\n"),
    ]);
    let all = build(&fs, "/o", &BuildOptions::default()).unwrap();
    let cm = all.iter().find(|e| e.id.gvk.kind == "ConfigMap").unwrap();
    assert!(cm.generated);
    let name = cm.name.clone();
    assert_eq!(chain(&fs, "/o", &name, "data.PORT"), ["/o/kustomization.yaml:6:5 origin origin: 80"]);
    assert_eq!(chain(&fs, "/o", &name, "data[\"app.conf\"]"), ["/o/app.conf:1:1 origin origin: x=1\\n"]);
    let steps = chain(&fs, "/o", &name, "metadata.name");
    assert!(steps[0].starts_with("/o/kustomization.yaml:4:3 hash-suffix generator hash suffix sets cfg-"), "{:?}", steps);
    let steps = chain(&fs, "/o", "Deployment/app", "spec.template.spec.volumes[name=c].configMap.name");
    assert!(steps[0].starts_with("/o/kustomization.yaml:4:3 name-reference name reference sets cfg-"), "{:?}", steps);
    assert!(steps[1].starts_with("/o/p.yaml:11:17 origin origin: strategic-merge patch adds cfg"), "{:?}", steps);
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "spec.template.spec.containers[name=app].env[name=PORT].value"),
        ["/o/kustomization.yaml:10:3 vars vars sets 80", "/base/deploy.yaml:14:18 origin origin: $(PORT)"]
    );
}

#[test]
fn component_steps_say_so() {
    let fs = tree(&[
        ("/o/kustomization.yaml", "resources:\n- ../base\ncomponents:\n- ../c\n"),
        ("/c/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: p.yaml\n"),
        ("/c/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 2\n"),
    ]);
    assert_eq!(
        chain(&fs, "/o", "Deployment/app", "spec.replicas"),
        ["/c/p.yaml:6:13 strategic-merge-patch strategic-merge patch (component) sets 2", "/base/deploy.yaml:6:13 origin origin: 1"]
    );
}

#[test]
fn a_renamed_list_item_keeps_its_history() {
    let fs = tree(&[
        ("/o/kustomization.yaml", "resources:\n- ../base\n- rb.yaml\nnamePrefix: p-\n"),
        ("/o/rb.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: r\nsubjects:\n- kind: ServiceAccount\n  name: sa\n"),
    ]);
    let steps = chain(&fs, "/o", "RoleBinding/p-rb", "subjects[name=p-sa].name");
    assert_eq!(steps.last().unwrap(), "/o/rb.yaml:16:9 origin origin: sa");
    assert_eq!(steps.len(), 2, "{:?}", steps);
    assert!(steps[0].contains("name-reference name reference sets p-sa"), "{:?}", steps);
}

#[test]
fn from_a_base_line_to_each_environment() {
    let fs = tree(&[
        ("/apps/base/kustomization.yaml", "resources:\n- ../../base\n"),
        ("/apps/dev/kustomization.yaml", "resources:\n- ../base\n"),
        ("/apps/prod/kustomization.yaml", "resources:\n- ../base\npatches:\n- path: p.yaml\nnamePrefix: prod-\n"),
        ("/apps/prod/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 5\n"),
    ]);
    let envs = from(&fs, "/apps", &Default::default(), "/base/deploy.yaml", 6, None, &BuildOptions::default());
    let got: Vec<(String, Vec<(String, Verdict)>)> =
        envs.iter().map(|e| (e.environment.clone(), e.landings.iter().map(|l| (l.path.clone(), l.verdict)).collect())).collect();
    assert_eq!(
        got,
        [
            ("/apps/dev".to_string(), vec![("spec.replicas".to_string(), Verdict::Reaches)]),
            ("/apps/prod".to_string(), vec![("spec.replicas".to_string(), Verdict::Overridden)]),
        ]
    );
    let name = from(&fs, "/apps", &Default::default(), "/base/deploy.yaml", 4, Some(9), &BuildOptions::default());
    assert_eq!(name[1].landings[0].verdict, Verdict::Changed);
    assert_eq!(name[1].landings[0].by[0].kind, "name-prefix");
    let unused = from(&fs, "/apps", &Default::default(), "/apps/prod/p.yaml", 6, None, &BuildOptions::default());
    assert!(unused[0].landings.is_empty());
    assert_eq!(unused[1].landings[0].verdict, Verdict::Reaches);
}

#[test]
fn flux_overrides_substitution_and_common_metadata() {
    let mut fs = MemFs::new();
    fs.insert("/apps/prod/kustomization.yaml", "resources:\n- deploy.yaml\n");
    fs.insert("/apps/prod/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  annotations:\n    env: ${ENV}\n    region: ${REGION}\nspec:\n  replicas: 1\n");
    fs.insert(
        "/clusters/prod/vars.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vars\n  namespace: flux-system\ndata:\n  REGION: eu\n",
    );
    fs.insert(
        "/clusters/prod/app.yaml",
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app\n  namespace: flux-system\nspec:\n  interval: 10m\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./apps/prod\n  prune: true\n  targetNamespace: prod\n  patches:\n  - patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 3\n    target:\n      kind: Deployment\n  postBuild:\n    substitute:\n      ENV: production\n    substituteFrom:\n    - kind: ConfigMap\n      name: vars\n  commonMetadata:\n    labels:\n      team: a\n",
    );
    let all = flux::explain_cluster(&fs, "/clusters/prod", "/", &Default::default()).unwrap();
    let d = all.iter().find(|e| e.id.gvk.kind == "Deployment").unwrap();
    assert_eq!(d.name, "flux-system/app: Deployment/app");
    let field = |p: &str| {
        d.fields
            .iter()
            .find(|(_, e)| e.path == p)
            .map(|(_, e)| e.steps.iter().map(|s| format!("{} {} {}", s.place, s.kind, s.detail)).collect::<Vec<_>>())
            .unwrap()
    };
    assert_eq!(
        field("spec.replicas"),
        [
            "/clusters/prod/app.yaml:15:5 json6902-patch JSON 6902 patch sets 3 (Flux Kustomization app)",
            "/apps/prod/deploy.yaml:9:13 origin origin: 1"
        ]
    );
    assert_eq!(field("metadata.namespace"), ["/clusters/prod/app.yaml:13:20 origin origin: namespace adds prod (Flux Kustomization app)"]);
    assert_eq!(
        field("metadata.annotations.env"),
        [
            "/clusters/prod/app.yaml:22:5 flux-substitute postBuild substitution sets production",
            "/apps/prod/deploy.yaml:6:10 origin origin: ${ENV}"
        ]
    );
    assert_eq!(field("metadata.labels.team"), ["/clusters/prod/app.yaml:28:5 origin origin: commonMetadata adds a"]);
    let env = &d.fields.iter().find(|(_, e)| e.path == "metadata.annotations.env").unwrap().1;
    assert_eq!(env.steps[0].from.as_ref().map(|f| f.to_string()).as_deref(), Some("/clusters/prod/app.yaml:23:12"), "where ENV is defined");
    let region = &d.fields.iter().find(|(_, e)| e.path == "metadata.annotations.region").unwrap().1;
    assert_eq!(region.value, "eu");
    assert_eq!(
        region.steps[0].from.as_ref().map(|f| f.to_string()).as_deref(),
        Some("/clusters/prod/vars.yaml:7:11"),
        "where REGION is defined"
    );
}
