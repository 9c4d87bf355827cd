//! `buildMetadata: [originAnnotations, transformerAnnotations]` through the
//! whole build, on trees checked with `kubectl kustomize` (v5.5.0).

use overlay::kustomize::{render, BuildOptions};
use overlay::MemFs;

fn build(files: &[(&str, &str)], dir: &str) -> String {
    let mut fs = MemFs::new();
    for (path, text) in files {
        fs.insert(path, text.as_bytes().to_vec());
    }
    render(&fs, dir, &BuildOptions::default()).unwrap()
}

const CM: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    config.kubernetes.io/origin: |\n      path: made-up.yaml\n";

#[test]
fn only_the_top_kustomization_asks() {
    let base =
        ("/b/kustomization.yaml", "resources: [a.yaml]\nnamePrefix: p-\nbuildMetadata: [originAnnotations, transformerAnnotations]\n");
    // The overlay asks for nothing: nothing is tracked, and an origin
    // written in the input goes too.
    let files = [base, ("/b/a.yaml", CM), ("/o/kustomization.yaml", "resources: [../b]\n")];
    assert_eq!(build(&files, "/o"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-a\n");
    let files = [base, ("/b/a.yaml", CM), ("/o/kustomization.yaml", "resources: [../b]\nbuildMetadata: [originAnnotations]\n")];
    let out = build(&files, "/o");
    assert!(out.contains("config.kubernetes.io/origin: |\n      path: ../b/a.yaml\n"), "{}", out);
    assert!(!out.contains("transformations"), "{}", out);
}

#[test]
fn generators_and_components() {
    let files = [
        ("/b/kustomization.yaml", "configMapGenerator:\n- name: g\n  literals: [a=1]\n"),
        (
            "/c/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n- name: g\n  behavior: merge\n  literals: [b=2]\n- name: h\n  literals: [c=3]\n",
        ),
        ("/o/Kustomization", "resources: [../b]\ncomponents: [../c]\nnameSuffix: -s\nbuildMetadata: [originAnnotations, transformerAnnotations]\n"),
    ];
    let out = build(&files, "/o");
    // A merge keeps the base's origin; a new object has the component's.
    assert!(out.contains("      configuredIn: ../b/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n  name: g-s-"), "{}", out);
    assert!(out.contains("      configuredIn: ../c/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n  name: h-s-"), "{}", out);
    assert!(out.contains("      - configuredIn: Kustomization\n        configuredBy:\n          apiVersion: builtin\n          kind: SuffixTransformer\n"), "{}", out);
}

#[test]
fn plugin_configs_and_quoted_paths() {
    let files = [
        ("/k/kustomization.yaml", "resources: [\"on\"]\ntransformers: [t.yaml]\nbuildMetadata: [originAnnotations, transformerAnnotations]\n"),
        ("/k/on", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"),
        ("/k/t.yaml", "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: ps\n  namespace: nsx\nprefix: pre-\nfieldSpecs:\n- path: metadata/name\n"),
    ];
    let out = build(&files, "/k");
    assert!(out.contains("config.kubernetes.io/origin: |\n      path: \"on\"\n"), "{}", out);
    assert!(
        out.contains("      - configuredIn: t.yaml\n        configuredBy:\n          apiVersion: builtin\n          kind: PrefixSuffixTransformer\n          name: ps\n          namespace: nsx\n"),
        "{}",
        out
    );
}
