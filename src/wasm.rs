//! The page's face on the engine: a `Workspace` holding the edited files,
//! with serde values in and out. No logic of its own beyond shaping results
//! for JavaScript. Nothing here may panic on input from the page.

use crate::diff::format::{json as diff_json, Labels};
use crate::diff::{self, DiffOptions, IgnoreRule};
use crate::env::{self, Environment};
use crate::error::ErrorInfo;
use crate::flux::cluster;
use crate::flux::{lint, prune};
use crate::promote::{self, report, History, PromoteOptions, Selection};
use crate::{BuildOptions, Error, MemFs};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// `{ok: true, output}` or `{ok: false, errors: [...]}`, optionally with the
/// environment it belongs to.
#[derive(Serialize)]
struct Rendered {
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    environment: Option<Environment>,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ErrorInfo>,
}

impl Rendered {
    fn new(environment: Option<Environment>, result: crate::Result<String>) -> Rendered {
        match result {
            Ok(output) => Rendered { environment, ok: true, output: Some(output), errors: Vec::new() },
            Err(e) => Rendered { environment, ok: false, output: None, errors: vec![ErrorInfo::from(&e)] },
        }
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // json_compatible: `None` becomes `null` and maps become plain objects.
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    value.serialize(&serializer).unwrap_or_else(|e| JsValue::from_str(&format!("serialisation failed: {e}")))
}

/// The answer of every call that can fail: `{ok: true, ...value}` or
/// `{ok: false, errors: [{file, line, column, message}]}`.
fn reply<T: Serialize>(result: crate::Result<T>) -> JsValue {
    #[derive(Serialize)]
    struct Reply<T> {
        ok: bool,
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        value: Option<T>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        errors: Vec<ErrorInfo>,
    }
    match result {
        Ok(value) => to_js(&Reply { ok: true, value: Some(value), errors: Vec::new() }),
        Err(e) => to_js(&Reply::<T> { ok: false, value: None, errors: vec![ErrorInfo::from(&e)] }),
    }
}

/// Options from JavaScript: `undefined` or `null` means the defaults;
/// unknown keys and wrong types are errors (a typo must not pass silently).
fn parse_options<T: DeserializeOwned + Default>(value: JsValue) -> crate::Result<T> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    from_js(value, "options")
}

/// A value from JavaScript, strictly: errors start with `what`.
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> crate::Result<T> {
    // Through a JSON value: serde-wasm-bindgen reads only the fields a
    // struct names, so it would never see an unknown key.
    let json: Value = serde_wasm_bindgen::from_value(value).map_err(|e| Error::new(format!("{}: {}", what, e)))?;
    serde_json::from_value(json).map_err(|e| Error::new(format!("{}: {}", what, e)))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TypeError)]
    type JsTypeError;
    #[wasm_bindgen(constructor, js_class = "TypeError")]
    fn new(message: &str) -> JsTypeError;
}

/// A string argument from JavaScript, or a `TypeError` naming the parameter.
/// wasm-bindgen's glue for `&str` copies whatever it is given as if it were
/// a string, and a number or an object ends in "memory access out of bounds".
fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        let got = if value.is_null() { "null".to_string() } else { value.js_typeof().as_string().unwrap_or_default() };
        JsTypeError::new(&format!("{} must be a string, not {}", name, got)).into()
    })
}

/// `{ignore, strictNamespaces, context}`, shared by `diff` and `promote`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct DiffArgs {
    ignore: Vec<String>,
    strict_namespaces: bool,
    context: Option<u32>,
}

impl DiffArgs {
    fn options(&self) -> crate::Result<DiffOptions> {
        let mut o = DiffOptions { across_namespaces: !self.strict_namespaces, ..DiffOptions::default() };
        if let Some(c) = self.context {
            o.context = c as usize;
        }
        for rule in &self.ignore {
            o.ignore.push(IgnoreRule::parse(rule).map_err(|m| Error::new(format!("ignore '{}': {}", rule, m)))?);
        }
        Ok(o)
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct PromoteArgs {
    images: bool,
    files: Vec<String>,
    all: bool,
    ignore: Vec<String>,
    strict_namespaces: bool,
    context: Option<u32>,
    prune: bool,
    /// What B keeps of its own (`--keep`).
    keep: Vec<String>,
    /// Confirms environment-specific changes (`--force`, the second click).
    force: bool,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
struct FluxArgs {
    root: Option<String>,
    self_sources: Option<Vec<String>>,
    strict_substitute: Option<bool>,
}

impl FluxArgs {
    fn options(&self) -> cluster::Options {
        let mut o = cluster::Options::default();
        if let Some(s) = &self.self_sources {
            o.self_sources = s.clone();
        }
        if let Some(s) = self.strict_substitute {
            o.strict_substitute = s;
        }
        o
    }
    /// The repository root for `dir`: given, or guessed as the CLI does.
    fn root(&self, files: &dyn crate::Files, dir: &str) -> String {
        match &self.root {
            Some(r) => crate::fs::normalize(r),
            None => cluster::guess_root(files, dir),
        }
    }
}

/// A label for a directory in diff headings: its path without the leading `/`.
fn label(dir: &str) -> String {
    let l = dir.trim_start_matches('/');
    if l.is_empty() {
        "/".to_string()
    } else {
        l.to_string()
    }
}

impl Workspace {
    fn env_options(&self) -> env::Options {
        env::Options { pinned: self.pinned.clone(), ..Default::default() }
    }

    /// The promotion `promote` shows and `applyPromotion` applies.
    fn promotion(&self, from: &str, to: &str, args: &PromoteArgs) -> crate::Result<promote::Promotion> {
        let selection = Selection { images: args.images, files: args.files.clone(), everything: args.all };
        let diff = DiffArgs { ignore: args.ignore.clone(), strict_namespaces: args.strict_namespaces, context: args.context }.options()?;
        let options =
            PromoteOptions { build: self.options.clone(), diff, root: "/".to_string(), keep: args.keep.clone(), force: args.force };
        promote::promote(&self.fs, &crate::fs::normalize(from), &crate::fs::normalize(to), &selection, &options)
    }
}

#[wasm_bindgen]
pub struct Workspace {
    fs: MemFs,
    options: BuildOptions,
    history: History,
    /// `renderAll`'s renders, reused while the files they read are unchanged.
    renders: std::cell::RefCell<crate::memo::RenderCache>,
    /// Directories the user made environments (`setPinned`).
    pinned: Vec<String>,
}

#[wasm_bindgen]
impl Workspace {
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Workspace {
        console_error_panic_hook::set_once();
        Workspace {
            fs: MemFs::new(),
            options: BuildOptions::default(),
            history: History::new(),
            renders: Default::default(),
            pinned: Vec::new(),
        }
    }

    /// Adds or replaces a file; `path` may be relative to the root
    /// (`apps/base/x.yaml`) or absolute.
    #[wasm_bindgen(js_name = setFile)]
    pub fn set_file(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<(), JsValue> {
        let (path, text) = (string_arg(&path, "path")?, string_arg(&text, "text")?);
        self.fs.insert(&path, text);
        Ok(())
    }

    /// Adds or replaces a file with raw bytes (a binary file, or text in any
    /// encoding): generators put non-UTF-8 `files:` into `binaryData`, as
    /// kustomize does.
    #[wasm_bindgen(js_name = setFileBytes)]
    pub fn set_file_bytes(&mut self, path: &str, bytes: &[u8]) {
        self.fs.insert(path, bytes);
    }

    /// Removes a file; returns whether there was one.
    #[wasm_bindgen(js_name = removeFile)]
    pub fn remove_file(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue) -> Result<bool, JsValue> {
        Ok(self.fs.remove(&string_arg(&path, "path")?))
    }

    /// A file's text (`undefined` when there is none), e.g. after
    /// `applyPromotion` or `revert` changed it.
    #[wasm_bindgen(js_name = getFile)]
    pub fn get_file(&self, #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue) -> Result<Option<String>, JsValue> {
        let path = string_arg(&path, "path")?;
        Ok(self.fs.get(&crate::fs::normalize(&path)).map(|b| String::from_utf8_lossy(b).into_owned()))
    }

    /// The normalised paths of all files, sorted: `["/apps/base/…", …]`.
    pub fn files(&self) -> Vec<String> {
        self.fs.paths().map(str::to_string).collect()
    }

    /// `[{path, name, group}]`, in the order the page shows them; the
    /// pinned directories (`setPinned`) included.
    pub fn environments(&self) -> JsValue {
        to_js(&env::environments_with(&self.fs, "/", &self.env_options()))
    }

    /// Every kustomization directory with its role and why:
    /// `[{path, name, group, role, reason}]`, `role` one of `environment`,
    /// `base`, `component`, `fixture`; the environments first, in the
    /// order `environments()` gives them.
    pub fn kustomizations(&self) -> JsValue {
        to_js(&env::kustomizations(&self.fs, "/", &self.env_options()))
    }

    /// Makes these kustomization directories environments (for
    /// `environments()`, `kustomizations()` and `renderAll()`), in place of
    /// the ones pinned before; `[]` unpins all. Paths as for `setFile`.
    /// Returns `{ok: true}` or `{ok: false, errors}` when `paths` is not an
    /// array of strings.
    #[wasm_bindgen(js_name = setPinned)]
    pub fn set_pinned(&mut self, paths: JsValue) -> JsValue {
        reply(from_js::<Vec<String>>(paths, "pinned").map(|paths| {
            self.pinned = paths.iter().map(|p| crate::fs::normalize(p)).collect();
            json!({})
        }))
    }

    /// Builds the kustomization in `dir`:
    /// `{ok: true, output}` or `{ok: false, errors: [{file, line, column, message}]}`.
    pub fn render(&self, #[wasm_bindgen(unchecked_param_type = "string")] dir: JsValue) -> Result<JsValue, JsValue> {
        let dir = crate::fs::normalize(&string_arg(&dir, "dir")?);
        Ok(to_js(&Rendered::new(None, crate::render(&self.fs, &dir, &self.options))))
    }

    /// Builds every environment, the pinned ones included:
    /// `[{path, name, group, ok, output | errors}]`.
    #[wasm_bindgen(js_name = renderAll)]
    pub fn render_all(&self) -> JsValue {
        let all: Vec<Rendered> = self
            .renders
            .borrow_mut()
            .render_all(&self.fs, &self.options, &self.pinned)
            .into_iter()
            .map(|(env, result)| Rendered::new(Some(env), result))
            .collect();
        to_js(&all)
    }

    /// Compares the renders of two kustomization directories.
    /// `options`: `{ignore: ["spec.replicas", …], strictNamespaces: false, context: 3}`.
    /// Returns `{ok: true, …}` with the fields of `overlay diff --format json`
    /// (`version, from, to, equal, summary, resources`; see
    /// src/diff/format/json.rs), each resource with its own `unified` diff,
    /// plus `unified`: both renders as one unified diff. Or `{ok: false, errors}`.
    pub fn diff(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] dir_a: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] dir_b: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (dir_a, dir_b) = (&string_arg(&dir_a, "dirA")?, &string_arg(&dir_b, "dirB")?);
        Ok(reply((|| {
            let o = parse_options::<DiffArgs>(options)?.options()?;
            let (a, b) = (crate::fs::normalize(dir_a), crate::fs::normalize(dir_b));
            let c = diff::compare_builds(&self.fs, &a, &b, &self.options, &o)?;
            let labels = Labels { from: label(&a), to: label(&b) };
            let unified = diff::unified_render(&c.before, &c.after, &format!("a/{}", labels.from), &format!("b/{}", labels.to), o.context);
            let mut v = diff_json::with_unified(diff_json::to_value(&c.diff, &labels), &c.diff, o.context);
            v["unified"] = Value::String(unified);
            Ok(v)
        })()))
    }

    /// Proposes promoting overlay `fromDir` into `toDir`, changing nothing.
    /// `options`: `{images, files: ["configmap.yaml"], all, ignore, strictNamespaces,
    /// context, prune, keep: ["replicas.yml", "components", "spec.replicas"], force}`;
    /// with none of `images`, `files`, `all`, images are promoted.
    /// Returns `{ok: true, …}` with the fields of `overlay promote --format json`:
    /// `version, from, to, noop, message, files: [{path, before, after}]` (paths
    /// relative to the root), `patch` (for `git apply`), `images: [{name, before,
    /// after}]`, `rendered` (the diff of `toDir` before → after, as `diff()` gives
    /// it), `remaining` (with `all`: how the two still differ, else `null`),
    /// `notes` (a no-op says "nothing to promote" here), `imageDifferences`
    /// (images that differ outside `images:` overrides, with `file:line`
    /// sources), `specific` (`[{check, at, change}]`: what an `all`
    /// promotion changes that looks environment-specific) and `confirmed`
    /// (false until `force: true` confirms those). With `prune: true`, also
    /// `prune: [{cluster, ok, entries | errors}]`: what Flux would prune in each
    /// cluster directory once the promotion lands (entries as in `prune()`).
    pub fn promote(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] from_dir: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] to_dir: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (from_dir, to_dir) = (&string_arg(&from_dir, "fromDir")?, &string_arg(&to_dir, "toDir")?);
        Ok(reply((|| {
            let args: PromoteArgs = parse_options(options)?;
            let p = self.promotion(from_dir, to_dir, &args)?;
            let context = args.context.map(|c| c as usize).unwrap_or(DiffOptions::default().context);
            Ok(report::detailed(&p, &self.fs, context, args.prune))
        })()))
    }

    /// Applies the promotion `promote(fromDir, toDir, options)` proposes to
    /// the workspace's files and records it in the history.
    /// `{ok: true, index, message, files, patch}` (the new history entry), or
    /// `{ok: false, errors}` when it fails, there is nothing to promote, or
    /// environment-specific changes are not confirmed with `force: true`
    /// (the message lists them).
    #[wasm_bindgen(js_name = applyPromotion)]
    pub fn apply_promotion(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] from_dir: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] to_dir: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (from_dir, to_dir) = (&string_arg(&from_dir, "fromDir")?, &string_arg(&to_dir, "toDir")?);
        let result = parse_options::<PromoteArgs>(options).and_then(|args| self.promotion(from_dir, to_dir, &args));
        Ok(reply(result.and_then(|p| {
            let change = p.writable()?.clone();
            self.history.apply(&mut self.fs, change)?;
            Ok(self.history.info(self.history.entries.len() - 1))
        })))
    }

    /// Reverts history entry `index` like `git revert`: its files get their
    /// previous text back and the revert is a new entry. Fails, changing
    /// nothing, when those files were edited since.
    /// `{ok: true, index, message, files, patch}` or `{ok: false, errors}`.
    pub fn revert(&mut self, index: u32) -> JsValue {
        let result = self.history.revert(&mut self.fs, index as usize).map(|_| ());
        reply(result.map(|_| self.history.info(self.history.entries.len() - 1)))
    }

    /// The changes applied to the workspace, oldest first:
    /// `[{index, message, files: ["/apps/production/kustomization.yaml"], patch}]`.
    pub fn history(&self) -> JsValue {
        let entries: Vec<_> = (0..self.history.entries.len()).filter_map(|i| self.history.info(i)).collect();
        to_js(&entries)
    }

    /// The whole history with each file's text before and after, for the
    /// page to keep across reloads: `[{message, files: [{path, before, after}]}]`
    /// (`before`/`after` are `null` for a file that did not or does not exist).
    #[wasm_bindgen(js_name = historyState)]
    pub fn history_state(&self) -> JsValue {
        to_js(&self.history.entries)
    }

    /// Puts back a history `historyState()` gave, without touching the files
    /// (they were saved with it). `{ok: true}`, or `{ok: false, errors}` when
    /// the value is not such a history; the history is then left as it was.
    #[wasm_bindgen(js_name = restoreHistory)]
    pub fn restore_history(&mut self, entries: JsValue) -> JsValue {
        reply((|| {
            let mut entries: Vec<promote::Change> = from_js(entries, "history")?;
            for change in &mut entries {
                for f in &mut change.files {
                    f.path = crate::fs::normalize(&f.path);
                }
            }
            self.history.entries = entries;
            #[derive(Serialize)]
            struct Nothing {}
            Ok(Nothing {})
        })())
    }

    /// History entry `index` (the last one when omitted) as a patch file for
    /// `git apply`, paths relative to the root:
    /// `{ok: true, index, message, files, patch}` or `{ok: false, errors}`.
    #[wasm_bindgen(js_name = exportPatch)]
    pub fn export_patch(&self, index: Option<u32>) -> JsValue {
        let index = match index {
            Some(i) => i as usize,
            None => self.history.entries.len().saturating_sub(1),
        };
        reply(self.history.info(index).ok_or_else(|| Error::new(format!("no history entry {}", index))))
    }

    /// The Flux clusters, where reconciliation starts (as `overlay clusters`
    /// finds them: a bootstrap Kustomization's or a FluxInstance's path, or
    /// Flux Kustomizations nothing else applies):
    /// `[{path: "/clusters/production", name: "production"}]`, sorted.
    pub fn clusters(&self) -> JsValue {
        #[derive(Serialize)]
        struct Dir<'a> {
            path: &'a str,
            name: &'a str,
        }
        let found = crate::flux::discover::discover(&self.fs, "/");
        to_js(&found.clusters.iter().map(|f| Dir { path: &f.dir, name: crate::fs::file_name(&f.dir) }).collect::<Vec<_>>())
    }

    /// The cluster directory `clusterDir` as Flux's kustomize-controller
    /// sees it. `options`: `{root, selfSources: ["flux-system" | "Kind/name"], strictSubstitute: true}`
    /// (`root` is guessed as `overlay flux` guesses it; `selfSources`, the
    /// sources that are this repository, are detected when not given). Returns `{ok: true, dir, root,
    /// rootKustomization, output, objects, skipped, order, orderError, kustomizations,
    /// edges, findings}`:
    /// - `output`/`objects`/`skipped`: the cluster directory's own objects;
    /// - `errors`: failures outside one Kustomization (the cluster directory's
    ///   own build, an unreadable Kustomization), each `{file, line, column, message}`;
    /// - `warnings`: notes on the cluster directory's objects (masked Secrets);
    /// - `order`: Kustomization keys (`namespace/name`) in reconcile order;
    ///   `orderError` (`null` or an error) when `dependsOn` has a cycle or an
    ///   unknown name (then `kustomizations` keep declaration order);
    /// - `kustomizations`, in that order: `{key, namespace, name, path, dir,
    ///   declaredAt, sourceRef, dependsOn: [key], parent, prune, wait, suspend,
    ///   healthChecks, status: "rendered" | "suspended" | "external" | "failed",
    ///   reason, errors, output (the YAML applied, with the owner labels),
    ///   objects: [{stage: "definitions" | "classes" | "rest", apiVersion, kind,
    ///   namespace, name}] (the staged apply order), skipped, warnings,
    ///   blockedBy: [key] (dependencies that fail or are blocked), blocked
    ///   (the controller's "dependency '…' is not ready", or null)}`;
    /// - `edges`: `[{from, to, kind: "dependsOn" | "applies"}]`;
    /// - `findings`: the lint findings of this cluster (as `lint()`), among
    ///   them the `health-checks` ones.
    pub fn flux(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] cluster_dir: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let cluster_dir = &string_arg(&cluster_dir, "clusterDir")?;
        let loaded = parse_options::<FluxArgs>(options).and_then(|args| {
            let dir = crate::fs::normalize(cluster_dir);
            let root = args.root(&self.fs, &dir);
            crate::flux::discover::load(&self.fs, &dir, &root, &args.options())
        });
        let c = match loaded {
            Ok(c) => c,
            Err(e) => return Ok(reply::<()>(Err(e))),
        };
        let findings = lint::lint_cluster(&self.fs, &c);
        Ok(reply(Ok(crate::flux::report::json(&c, &findings))))
    }

    /// What Flux would prune in `clusterDir` when the repository changes from
    /// `previous` (a file set `{path: text}`) to the workspace as it is.
    /// `options` as for `flux()`. `{ok: true, entries: [{owner, apiVersion, kind,
    /// namespace, name, action: "delete" | "orphan" | "keep" | "move", detail,
    /// message}]}` (`detail`: why it is kept, or the Kustomization it moves to),
    /// or `{ok: false, errors}`.
    pub fn prune(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] cluster_dir: JsValue,
        previous: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let cluster_dir = &string_arg(&cluster_dir, "clusterDir")?;
        Ok(reply((|| {
            let previous: BTreeMap<String, String> = serde_wasm_bindgen::from_value(previous)
                .map_err(|e| Error::new(format!("previous files: {} (expected {{path: text}})", e)))?;
            let mut before = MemFs::new();
            for (path, text) in previous {
                before.insert(&path, text);
            }
            let args: FluxArgs = parse_options(options)?;
            let dir = crate::fs::normalize(cluster_dir);
            let root = args.root(&self.fs, &dir);
            let entries = prune::between(&before, &self.fs, &dir, &root, &args.options())?;
            #[derive(Serialize)]
            struct Entries {
                entries: Vec<prune::EntryInfo>,
            }
            Ok(Entries { entries: entries.iter().map(prune::Entry::info).collect() })
        })()))
    }

    /// Lints the whole workspace as `overlay lint` does:
    /// `[{file, line, column, message, rule, fix}]`, sorted by file and line
    /// (`column` is `null` for findings about a whole file).
    pub fn lint(&self) -> JsValue {
        let findings = lint::lint_repository(&self.fs, "/");
        to_js(&findings.iter().map(lint::Finding::info).collect::<Vec<_>>())
    }
}

/// The explain and lesson calls. The page does not use them yet, so they
/// stay out of its module and its first load (600 KB gzip): `./build.sh test`
/// builds them with the feature `studio` into www/pkg/full/, which the Node
/// tests load and a page view that needs them can load when it opens.
#[cfg(feature = "studio")]
#[wasm_bindgen]
impl Workspace {
    /// Where each value of `dir`'s render comes from: `{ok: true, fields:
    /// [{resource, path, value, steps: [{file, line, column, kind, detail}]}]}`
    /// (steps newest first, the origin last; the shape of `overlay explain
    /// --format json`, see src/explain/mod.rs), for every field of the
    /// render, of one `resource` (`Kind/name` or
    /// `group/version/Kind/namespace/name`), or at and under one `field`
    /// (`spec.template.spec.containers[name=app].image`). Files are
    /// absolute (`/apps/base/…`). Or `{ok: false, errors}`.
    pub fn explain(&self, dir: &str, resource: Option<String>, field: Option<String>) -> JsValue {
        let dir = crate::fs::normalize(dir);
        let entries = crate::explain::explain(&self.fs, &dir, &self.options, resource.as_deref(), field.as_deref());
        reply(entries.map(|e| json!({ "fields": crate::explain::format::json(&e, &|p: &str| p.to_string()) })))
    }

    /// Where the text at `file:line[:column]` goes in each environment:
    /// `{ok: true, environments: [{environment, error?, landings: [{resource,
    /// path, value, verdict, by: [{file, line, column, kind, detail}]}]}]}`;
    /// `verdict` is `reaches`, `overridden` (by `by[0]`) or `changed` (by
    /// each of `by`); no landings: not used there.
    #[wasm_bindgen(js_name = explainFrom)]
    pub fn explain_from(&self, file: &str, line: u32, column: Option<u32>) -> JsValue {
        let file = crate::fs::normalize(file);
        let envs = crate::explain::from(&self.fs, "/", &self.env_options(), &file, line, column, &self.options);
        reply(Ok(json!({ "environments": crate::explain::format::from_json(&envs, &|p: &str| p.to_string()) })))
    }

    /// Checks the workspace against a lesson (the lesson file's text):
    /// `{ok: true, passed, outcomes: [{label, ok, message, variant}]}`, or
    /// `{ok: false, errors}` when the lesson file cannot be read.
    #[wasm_bindgen(js_name = checkLesson)]
    pub fn check_lesson(&self, lesson: &str) -> JsValue {
        #[derive(Serialize)]
        struct Checked {
            passed: bool,
            outcomes: Vec<crate::lesson::Outcome>,
        }
        reply(crate::lesson::check_text("lesson.yaml", lesson, &self.fs).map(|r| Checked { passed: r.passed(), outcomes: r.outcomes }))
    }

    /// A lesson file read for the page: `{ok, id, title, intro, mode,
    /// editable, hints, files}` where `files` is the start tree, or the
    /// solution applied over it with `solution` (`{path: text}`).
    #[wasm_bindgen(js_name = readLesson)]
    pub fn read_lesson(&self, lesson: &str, solution: bool) -> JsValue {
        #[derive(Serialize)]
        struct Read {
            id: String,
            title: String,
            intro: String,
            mode: &'static str,
            editable: Vec<String>,
            hints: Vec<String>,
            files: std::collections::BTreeMap<String, String>,
        }
        reply(crate::lesson::parse("lesson.yaml", lesson).map(|l| {
            let tree = crate::lesson::tree(&l, solution);
            let files = tree
                .paths()
                .map(|p| (p.trim_start_matches('/').to_string(), String::from_utf8_lossy(tree.get(p).unwrap_or_default()).into_owned()))
                .collect();
            let mode = match l.mode {
                crate::lesson::Mode::Kustomize => "kustomize",
                crate::lesson::Mode::Flux => "flux",
            };
            Read { id: l.id, title: l.title, intro: l.intro, mode, editable: l.editable, hints: l.hints, files }
        }))
    }

    /// "Make a lesson from this workspace": the files as a lesson file to
    /// fill in (start tree, a build_ok check per environment, TODOs).
    #[wasm_bindgen(js_name = lessonFromWorkspace)]
    pub fn lesson_from_workspace(&self, id: &str) -> String {
        crate::lesson::skeleton(&self.fs, id)
    }
}
