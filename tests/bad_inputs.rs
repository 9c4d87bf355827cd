//! Broken and hostile trees, each with its exact outcome: the error's file,
//! line, column and a stable part of its message — or the render, compared
//! with what `kubectl kustomize` (v5.5.0) printed for the same tree, recorded
//! in tests/bad-inputs/NAME.yaml by tools/record_bad_inputs.sh.
//!
//! kubectl's own verdict on every tree is recorded beside it
//! (NAME.kubectl: `ok`, `error: …` or `timeout`); a case we refuse must be
//! one kustomize refuses too (or hangs on), so better messages never turn
//! into different behaviour. `BAD_INPUTS_EXPORT=DIR` writes every tree out
//! for that script.

use overlay::kustomize::{self, BuildOptions, LoadRestrictor};
use overlay::{Error, MemFs};
use std::path::Path;
use std::time::{Duration, Instant};

enum Expect {
    /// The render equals tests/bad-inputs/NAME.yaml.
    Render,
    /// A render too big to record, checked by a function.
    RenderWith(fn(&str)),
    /// An error at `file:line:col` (0 = no position) whose message contains `message`.
    Fail { file: &'static str, line: u32, col: u32, message: &'static str },
}

struct Case {
    name: &'static str,
    files: Vec<(String, Vec<u8>)>,
    dir: &'static str,
    restrictor_none: bool,
    expect: Expect,
    /// A limit of ours (src/limits.rs) that kustomize does not have: it may
    /// build what we refuse.
    beyond_kustomize: bool,
    /// How long the build may take (hostile inputs must be refused fast).
    within: Duration,
}

fn case(name: &'static str, files: &[(&str, &[u8])], expect: Expect) -> Case {
    Case {
        name,
        files: files.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect(),
        dir: ".",
        restrictor_none: false,
        beyond_kustomize: matches!(
            name,
            "deep_block_nesting"
                | "deep_through_aliases"
                | "json_patch_nests_too_deep"
                | "too_many_documents"
                | "kustomizations_nested_too_deep"
        ),
        expect,
        within: Duration::from_secs(20),
    }
}

fn fail(file: &'static str, line: u32, col: u32, message: &'static str) -> Expect {
    Expect::Fail { file, line, col, message }
}

const CM: &[u8] = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: \"1\"\n";
const K_CM: &[u8] = b"resources:\n- cm.yaml\n";

fn alias_bomb() -> Vec<u8> {
    let mut t = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let p = i - 1;
        t.push_str(&format!("  a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"));
    }
    t.into_bytes()
}

fn deep_block(levels: usize) -> Vec<u8> {
    let mut t = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n");
    for i in 0..levels {
        t.push_str(&" ".repeat(2 * (i + 1)));
        t.push_str("a:\n");
    }
    t.push_str(&" ".repeat(2 * (levels + 1)));
    t.push_str("b: c\n");
    t.into_bytes()
}

fn deep_flow(levels: usize) -> Vec<u8> {
    let mut t = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: ");
    t.push_str(&"[".repeat(levels));
    t.push_str(&"]".repeat(levels));
    t.push('\n');
    t.into_bytes()
}

/// Anchors that are each within the depth limit, but an alias that puts
/// one inside the other goes past it.
fn deep_aliases() -> Vec<u8> {
    let nest = |n: usize, inner: &str| format!("{}{}{}", "[".repeat(n), inner, "]".repeat(n));
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: &a {}\n  b: &b {}\n  c: {}\n",
        nest(120, "x"),
        nest(60, "*a"),
        nest(24, "*b")
    )
    .into_bytes()
}

/// A 120-deep value and a JSON patch that copies the value into itself.
fn json_patch_doubling() -> Vec<(&'static str, Vec<u8>)> {
    let nest = (0..120).fold("x".to_string(), |inner, _| format!("{{a: {}}}", inner));
    let cm = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: {}\n", nest);
    let path = "/a".repeat(119);
    let patch = format!("- op: copy\n  from: /data\n  path: /data{}/b\n", path);
    vec![
        ("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n".to_vec()),
        ("cm.yaml", cm.into_bytes()),
        ("p.yaml", patch.into_bytes()),
    ]
}

fn many_documents(n: usize) -> Vec<u8> {
    let mut t = String::new();
    for i in 0..n {
        t.push_str(&format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i:05}\ndata:\n  k: v{i}\n"));
    }
    t.into_bytes()
}

fn cases() -> Vec<Case> {
    let mut v = vec![
        // --- YAML syntax -------------------------------------------------
        case("unclosed_flow_sequence", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: [a, b\n")],
            fail("cm.yaml", 6, 1, "invalid YAML")),
        case("tab_indentation", &[("kustomization.yaml", b"resources:\n\t- cm.yaml\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 2, 2, "YAML indentation must use spaces, not tabs")),
        case("value_with_colon_unquoted", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  cmd: echo a: b\n")],
            fail("cm.yaml", 6, 14, "must be quoted")),
        case("bad_indentation", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n labels: {}\n")],
            fail("cm.yaml", 5, 2, "indentation")),
        case("unknown_alias", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: *nope\n")],
            fail("cm.yaml", 4, 9, "an alias *name must refer to an anchor &name defined earlier")),
        case("merge_key_not_a_mapping", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  <<: 3\n")],
            fail("cm.yaml", 4, 3, "merge key")),
        case("half_typed_resource", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \n")],
            fail("cm.yaml", 1, 1, "missing metadata.name")),
        case("unterminated_quote", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"cm\n")],
            fail("cm.yaml", 4, 9, "a quote opened here is never closed")),
        // --- duplicate keys: kustomize says only "already set in map" ------
        case("duplicate_key_in_resource", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\nmetadata:\n  name: other\n")],
            fail("cm.yaml", 5, 1, "duplicate key \"metadata\": it is already defined at line 3")),
        case("duplicate_key_in_kustomization_last_wins", &[("kustomization.yaml", b"namePrefix: a-\nresources:\n- cm.yaml\nnamePrefix: b-\n"), ("cm.yaml", CM)], Expect::Render),
        // --- wrong types and shapes --------------------------------------
        case("kustomization_is_a_list", &[("kustomization.yaml", b"- cm.yaml\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 1, 1, "expected a mapping of fields (resources:, patches:, …) but found a list")),
        case("kustomization_is_a_scalar", &[("kustomization.yaml", b"resources\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 1, 1, "expected a mapping of fields")),
        case("kustomization_empty_file", &[("kustomization.yaml", b""), ("cm.yaml", CM)],
            fail("kustomization.yaml", 1, 1, "kustomization.yaml is empty")),
        case("resources_is_a_string", &[("kustomization.yaml", b"resources: cm.yaml\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 1, 12, "resources")),
        case("name_prefix_is_a_list", &[("kustomization.yaml", b"namePrefix: [a]\nresources:\n- cm.yaml\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 1, 13, "namePrefix")),
        case("unknown_kustomization_field", &[("kustomization.yaml", b"resourcez:\n- cm.yaml\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 1, 1, "resourcez")),
        case("kustomization_two_documents_first_wins", &[("kustomization.yaml", b"resources:\n- cm.yaml\n---\nnamePrefix: x-\n"), ("cm.yaml", CM)], Expect::Render),
        case("resource_is_a_scalar", &[("kustomization.yaml", K_CM), ("cm.yaml", b"just some text\n")],
            fail("cm.yaml", 1, 1, "expected a Kubernetes object")),
        case("resource_without_kind", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nmetadata:\n  name: cm\n")],
            fail("cm.yaml", 1, 1, "missing kind")),
        case("metadata_is_a_list", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n- name: cm\n")],
            fail("cm.yaml", 4, 3, "metadata must be a mapping, found a list")),
        case("lone_dash_in_list", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  -\n")], Expect::Render),
        // --- missing things ----------------------------------------------
        case("missing_resource_file", &[("kustomization.yaml", b"resources:\n- nope.yaml\n")],
            fail("kustomization.yaml", 2, 3, "'nope.yaml' does not exist")),
        case("missing_patch_file", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- path: nope.yaml\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 4, 9, "'nope.yaml' does not exist")),
        case("directory_without_kustomization", &[("kustomization.yaml", b"resources:\n- base\n"), ("base/cm.yaml", CM)],
            fail("kustomization.yaml", 2, 3, "unable to find one of 'kustomization.yaml'")),
        case("generator_file_missing", &[("kustomization.yaml", b"configMapGenerator:\n- name: g\n  files:\n  - nope.txt\n")],
            fail("kustomization.yaml", 4, 5, "nope.txt")),
        // --- cycles, escapes, nesting --------------------------------------
        case("cycle_two_directories", &[("a/kustomization.yaml", b"resources:\n- ../b\n"), ("b/kustomization.yaml", b"resources:\n- ../a\n")],
            fail("/input/b/kustomization.yaml", 2, 3, "cycle detected: '/input/a' contains '/input/a', which is already being built (chain: /input/a → /input/b → /input/a)")),
        case("cycle_parent_directory", &[("app/kustomization.yaml", K_CM), ("app/cm.yaml", CM), ("app/sub/kustomization.yaml", b"resources:\n- ..\n")],
            fail("/input/app/sub/kustomization.yaml", 2, 3, "cycle detected: '/input/app' contains '/input/app/sub', which is already being built (chain: /input/app/sub → /input/app)")),
        case("dotdot_file_escape", &[("app/kustomization.yaml", b"resources:\n- ../secret.yaml\n"), ("secret.yaml", CM)],
            fail("/input/app/kustomization.yaml", 2, 3, "security; file '/input/secret.yaml' is not in or below '/input/app'")),
        case("dotdot_patch_escape", &[("app/kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- path: ../../../../etc/passwd\n"), ("app/cm.yaml", CM)],
            fail("/input/app/kustomization.yaml", 4, 9, "security; file '/etc/passwd' is not in or below '/input/app'")),
        case("absolute_path_escape", &[("kustomization.yaml", b"resources:\n- /etc/passwd\n")],
            fail("kustomization.yaml", 2, 3, "does not exist")),
        // --- hostile sizes and shapes --------------------------------------
        case("alias_bomb", &[("kustomization.yaml", K_CM), ("cm.yaml", &alias_bomb())],
            fail("cm.yaml", 11, 12, "aliases in this file expand to more than 100000 YAML nodes")),
        case("deep_block_nesting", &[("kustomization.yaml", K_CM), ("cm.yaml", &deep_block(300))],
            fail("cm.yaml", 205, 401, "YAML nested deeper than 200 levels")),
        case("deep_flow_nesting", &[("kustomization.yaml", K_CM), ("cm.yaml", &deep_flow(100_000))],
            fail("cm.yaml", 6, 261, "brackets or collections nest too deeply")),
        case("deep_through_aliases", &[("kustomization.yaml", K_CM), ("cm.yaml", &deep_aliases())],
            fail("cm.yaml", 8, 30, "this alias nests the YAML deeper than 200 levels")),
        case("deep_just_under_the_limit", &[("kustomization.yaml", b"resources:\n- cm.yaml\nnamePrefix: p-\ncommonLabels: {a: b}\npatches:\n- path: cm.yaml\n"), ("cm.yaml", &deep_block(198))],
            Expect::RenderWith(|out| assert!(out.contains("name: p-deep"), "{}", &out[..200]))),
        // 200 levels of mappings (the root, data, 198 more): the deepest we
        // accept, rendered exactly as kubectl does.
        case("two_hundred_levels", &[("kustomization.yaml", K_CM), ("cm.yaml", &deep_block(198))], Expect::Render),
        case("huge_line", &[("kustomization.yaml", K_CM), ("cm.yaml", format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  big: {}\n", "x".repeat(4 << 20)).as_bytes())],
            Expect::RenderWith(|out| {
                assert!(out.starts_with("apiVersion: v1\ndata:\n  big: xxxx"));
                assert!(out.len() > 4 << 20);
            })),
        case("too_many_documents", &[("kustomization.yaml", K_CM), ("cm.yaml", "---\n".repeat(100_001).as_bytes())],
            fail("cm.yaml", 100_001, 1, "more than 100000 YAML documents")),
        case("twenty_thousand_documents", &[("kustomization.yaml", b"resources:\n- cms.yaml\nnamePrefix: p-\ncommonLabels:\n  app: x\n"), ("cms.yaml", &many_documents(20_000))],
            Expect::RenderWith(|out| {
                assert_eq!(out.matches("\n---\n").count(), 19_999);
                assert!(out.contains("  name: p-cm-00000\n") && out.contains("  name: p-cm-19999\n"));
                let first = out.find("p-cm-00000").unwrap_or(usize::MAX);
                assert!(first < out.find("p-cm-00001").unwrap_or(0));
            })),
        // --- content that is not YAML text ----------------------------------
        case("binary_resource", &[("kustomization.yaml", b"resources:\n- logo.png\n"), ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10")],
            fail("logo.png", 0, 0, "this file is not UTF-8 text (invalid byte at offset 0)")),
        case("nul_bytes_in_utf8_resource", &[("kustomization.yaml", K_CM), ("cm.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\x00\n")],
            fail("cm.yaml", 4, 11, "invalid YAML")),
        case("latin1_kustomization", &[("kustomization.yaml", b"# caf\xe9\nresources:\n- cm.yaml\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 0, 0, "not UTF-8 text")),
        case("latin1_patch", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- path: p.yaml\n"), ("cm.yaml", CM), ("p.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: caf\xe9\n")],
            fail("p.yaml", 0, 0, "the patch file is not UTF-8 text")),
        // --- text conventions that must just work ----------------------------
        case("bom_everywhere", &[("kustomization.yaml", b"\xef\xbb\xbfresources:\n- cm.yaml\n"), ("cm.yaml", b"\xef\xbb\xbfapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")], Expect::Render),
        case("crlf_line_endings", &[("kustomization.yaml", b"resources:\r\n- cm.yaml\r\nnamePrefix: w-\r\n"), ("cm.yaml", b"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: cm\r\ndata:\r\n  text: |\r\n    line one\r\n    line two\r\n")], Expect::Render),
        case("empty_patch_file_without_target", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- path: p.yaml\n"), ("cm.yaml", CM), ("p.yaml", b"")],
            fail("p.yaml", 0, 0, "must specify a target for JSON patch")),
        case("comment_only_patch_file", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n"), ("cm.yaml", CM), ("p.yaml", b"# later\n")],
            fail("p.yaml", 0, 0, "illegally qualifies as both")),
        case("empty_resource_file", &[("kustomization.yaml", b"resources:\n- cm.yaml\n- empty.yaml\n"), ("cm.yaml", CM), ("empty.yaml", b"")], Expect::Render),
        case("only_separators_and_comments", &[("kustomization.yaml", b"resources:\n- cm.yaml\n- c.yaml\n"), ("cm.yaml", CM), ("c.yaml", b"---\n# nothing\n---\n---\n")], Expect::Render),
        // --- builds that conflict or miss --------------------------------
        case("conflicting_ids", &[("kustomization.yaml", b"resources:\n- cm.yaml\n- again.yaml\n"), ("cm.yaml", CM), ("again.yaml", CM)],
            fail("again.yaml", 1, 1, "already registered id")),
        case("patch_matches_nothing", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- path: p.yaml\n"), ("cm.yaml", CM), ("p.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  b: \"2\"\n")],
            fail("p.yaml", 1, 1, "no resource matches strategic merge patch")),
        case("patch_target_selects_nothing", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- target:\n    kind: Deployment\n  patch: |\n    - op: add\n      path: /x\n      value: 1\n"), ("cm.yaml", CM)], Expect::Render),
        case("json_patch_missing_path", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n    - op: replace\n      path: /spec/x\n      value: 1\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 8, 13, "replace operation does not apply: doc is missing path: /spec/x")),
        case("json_patch_without_path", &[("kustomization.yaml", b"resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n    - op: remove\n"), ("cm.yaml", CM)],
            fail("kustomization.yaml", 7, 7, "remove operation failed to decode path")),
        case("component_listed_as_resource", &[("kustomization.yaml", b"resources:\n- comp\n"), ("comp/kustomization.yaml", b"apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: c-\n")],
            fail("kustomization.yaml", 2, 3, "expected kind != 'Component'")),
        // --- what the playground cannot run ------------------------------
        case("remote_resource", &[("kustomization.yaml", b"resources:\n- https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0\n")],
            fail("kustomization.yaml", 2, 3, "remote resource")),
        case("helm_chart", &[("kustomization.yaml", b"helmCharts:\n- name: minecraft\n  repo: https://itzg.github.io/minecraft-server-charts\n  version: 3.1.3\n  releaseName: mc\n")],
            fail("kustomization.yaml", 2, 3, "'helmCharts' cannot be inflated here")),
        case("exec_krm_function", &[("kustomization.yaml", b"resources:\n- cm.yaml\ntransformers:\n- fn.yaml\n"), ("cm.yaml", CM), ("fn.yaml", b"apiVersion: example.com/v1\nkind: Mutator\nmetadata:\n  name: m\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./mutate.sh\n")],
            fail("fn.yaml", 1, 1, "external plugin")),
    ];
    let doubling = json_patch_doubling();
    let doubling: Vec<(&str, &[u8])> = doubling.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    v.push(case(
        "json_patch_nests_too_deep",
        &doubling,
        fail("p.yaml", 1, 3, "this JSON patch operation nests the resource deeper than 200 levels"),
    ));
    // A chain of 60 bases, one inside the next.
    let mut chain: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..60 {
        chain.push((format!("b{i}/kustomization.yaml"), format!("resources:\n- ../b{}\n", i + 1).into_bytes()));
    }
    chain.push(("b60/kustomization.yaml".into(), K_CM.to_vec()));
    chain.push(("b60/cm.yaml".into(), CM.to_vec()));
    v.push(Case {
        name: "kustomizations_nested_too_deep",
        files: chain,
        dir: "b0",
        restrictor_none: false,
        expect: fail("/input/b49/kustomization.yaml", 2, 3, "kustomizations nested more than 50 deep"),
        beyond_kustomize: true,
        within: Duration::from_secs(20),
    });
    // kustomize hangs on this one; we refuse it at once.
    let bomb = v.remove(v.iter().position(|c| c.name == "alias_bomb").unwrap_or(0));
    v.push(Case { within: Duration::from_millis(1500), ..bomb });
    v.push(Case {
        restrictor_none: true,
        ..case(
            "dotdot_allowed_without_restrictor",
            &[("app/kustomization.yaml", b"resources:\n- ../cm.yaml\n"), ("cm.yaml", CM)],
            Expect::Render,
        )
    });
    let mut named: Vec<Case> = v
        .into_iter()
        .map(|mut c| {
            if c.dir == "." && c.files.iter().all(|(p, _)| p.starts_with("app/")) {
                c.dir = "app";
            }
            c
        })
        .collect();
    for c in named.iter_mut() {
        if c.name.starts_with("dotdot_") {
            c.dir = "app";
        }
        match c.name {
            "cycle_two_directories" => c.dir = "a",
            "cycle_parent_directory" => c.dir = "app/sub",
            _ => {}
        }
    }
    named
}

fn tree(c: &Case) -> MemFs {
    let mut fs = MemFs::new();
    fs.add_dir("/input");
    for (p, b) in &c.files {
        fs.insert(&format!("/input/{}", p), b.clone());
    }
    fs
}

fn file_matches(e: &Error, want: &str) -> bool {
    let Some(got) = e.file() else { return false };
    if want.starts_with('/') {
        got == want
    } else {
        got == format!("/input/{}", want) || got.ends_with(&format!("/{}", want))
    }
}

fn run(c: &Case) -> (Result<String, Error>, Duration) {
    let fs = tree(c);
    let mut options = BuildOptions::default();
    if c.restrictor_none {
        options.load_restrictor = LoadRestrictor::None;
    }
    let started = Instant::now();
    let dir = overlay::fs::join("/input", c.dir);
    let result = kustomize::render(&fs, &dir, &options);
    (result, started.elapsed())
}

fn recorded(name: &str, ext: &str) -> Option<String> {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs").join(format!("{}.{}", name, ext))).ok()
}

#[test]
fn bad_inputs() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    if let Ok(out) = std::env::var("BAD_INPUTS_EXPORT") {
        for c in &cases {
            for (p, b) in &c.files {
                let path = Path::new(&out).join(c.name).join(p);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, b).unwrap();
            }
            std::fs::write(
                Path::new(&out).join(c.name).join(".build"),
                format!("{} {}\n", c.dir, if c.restrictor_none { "none" } else { "root" }),
            )
            .unwrap();
        }
    }
    let mut problems = Vec::new();
    for c in &cases {
        let (result, took) = run(c);
        let kubectl = recorded(c.name, "kubectl");
        if took > c.within {
            problems.push(format!("{}: took {:?}, more than {:?}", c.name, took, c.within));
        }
        match (&c.expect, &result) {
            (Expect::Render, Ok(out)) => match recorded(c.name, "yaml") {
                Some(want) if &want == out => {}
                Some(want) => problems.push(format!("{}: render differs from kubectl's\n--- want\n{}\n--- got\n{}", c.name, want, out)),
                None => problems.push(format!("{}: no recorded output (run tools/record_bad_inputs.sh)\n{}", c.name, out)),
            },
            (Expect::RenderWith(check), Ok(out)) => check(out),
            (Expect::Fail { file, line, col, message }, Err(e)) => {
                let pos = e.span.as_ref().map(|s| (s.line, s.col)).unwrap_or((0, 0));
                if !file_matches(e, file) || pos != (*line, *col) || !e.message.contains(message) {
                    problems.push(format!("{}: want {}:{}:{}: …{}…\n   got {}", c.name, file, line, col, message, e));
                }
                if let Some(k) = &kubectl {
                    if k.starts_with("ok") && !c.beyond_kustomize {
                        problems.push(format!("{}: we fail but kubectl kustomize builds it", c.name));
                    }
                }
            }
            (_, Ok(out)) => problems.push(format!("{}: expected an error, got a render of {} bytes", c.name, out.len())),
            (_, Err(e)) => problems.push(format!("{}: expected a render, got {}", c.name, e)),
        }
        if matches!(c.expect, Expect::Render | Expect::RenderWith(_)) {
            if let Some(k) = &kubectl {
                // `timeout`: kustomize is too slow on it (20,000 documents);
                // tools/many_documents.sh compares that output with more time.
                if k.starts_with("error") {
                    problems.push(format!("{}: we build it but kubectl kustomize does not: {}", c.name, k.lines().next().unwrap_or("")));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} of {} cases:\n{}", problems.len(), cases.len(), problems.join("\n"));
}

/// The engine's recursion stays far from the bottom of a 1 MiB stack (the
/// wasm default) at the deepest YAML the parser lets through (4 MiB for the
/// larger frames of a debug build).
#[test]
fn deepest_accepted_yaml_fits_a_small_stack() {
    let handle = std::thread::Builder::new()
        // 1 MiB, the wasm default; a debug build's frames are about fifteen
        // times larger (the wasm itself is checked by tests/wasm/api.test.mjs).
        .stack_size(if cfg!(debug_assertions) { 4 << 20 } else { 1 << 20 })
        .spawn(|| {
            let c = cases().into_iter().find(|c| c.name == "deep_just_under_the_limit").map(|c| tree(&c));
            let fs = c.unwrap_or_default();
            let out = kustomize::render(&fs, "/input", &BuildOptions::default()).map(|s| s.len());
            let doc = overlay::yaml::parse_documents("x", &String::from_utf8_lossy(&deep_block(198))).map(|d| d.len());
            (out.is_ok(), doc.is_ok())
        })
        .unwrap();
    assert_eq!(handle.join().ok(), Some((true, true)));
}

/// On disk (the CLI): a directory symlink back up the tree is a cycle, and a
/// file symlink loop reads as a missing file, not a hang.
#[cfg(unix)]
#[test]
fn symlink_loops_on_disk() {
    use std::os::unix::fs::symlink;
    let root = std::env::temp_dir().join(format!("overlay-symlinks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("app/kustomization.yaml"), "resources:\n- loop\n").unwrap();
    symlink(root.join("app"), root.join("app/loop")).unwrap();
    std::fs::create_dir_all(root.join("files")).unwrap();
    std::fs::write(root.join("files/kustomization.yaml"), "resources:\n- a.yaml\n").unwrap();
    symlink(root.join("files/b.yaml"), root.join("files/a.yaml")).unwrap();
    symlink(root.join("files/a.yaml"), root.join("files/b.yaml")).unwrap();
    let dir = |d: &str| root.join(d).to_string_lossy().into_owned();
    let e = kustomize::render(&overlay::DiskFs, &dir("app"), &BuildOptions::default()).unwrap_err();
    assert!(e.message.contains("cycle detected"), "{}", e);
    assert_eq!(e.span.as_ref().map(|s| (s.line, s.col)), Some((2, 3)));
    let e = kustomize::render(&overlay::DiskFs, &dir("files"), &BuildOptions::default()).unwrap_err();
    assert!(e.message.contains("'a.yaml' does not exist"), "{}", e);
    let _ = std::fs::remove_dir_all(&root);
}
