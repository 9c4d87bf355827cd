//! The page's face on the engine: a `Workspace` holding the edited files,
//! with serde values in and out. No logic of its own beyond shaping results
//! for JavaScript. Nothing here may panic on input from the page.

use crate::diff::format::{json as diff_json, Labels};
use crate::diff::{self, DiffOptions, IgnoreRule};
use crate::env::{self, Environment};
use crate::flux::cluster::{self, Status};
use crate::flux::{lint, order::Stage, prune};
use crate::kustomize::ResId;
use crate::promote::{self, report, History, PromoteOptions, Selection};
use crate::yaml::{Node, Span};
use crate::{BuildOptions, Error, MemFs};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// An engine error as the page shows it: `file:line:column: message`.
/// `file`, `line` and `column` are `null` where the engine knows no place.
#[derive(Serialize)]
struct ErrorInfo {
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    message: String,
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> ErrorInfo {
        let span = e.span.as_ref();
        let position = span.filter(|s| s.has_position());
        ErrorInfo {
            file: span.map(|s| s.file.to_string()),
            line: position.map(|s| s.line),
            column: position.map(|s| s.col),
            message: e.message.clone(),
        }
    }
}

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


impl From<&Span> for ErrorInfo {
    fn from(span: &Span) -> ErrorInfo {
        ErrorInfo::from(&Error::at(span, String::new()))
    }
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
    if l.is_empty() { "/".to_string() } else { l.to_string() }
}

/// A lint finding: `{file, line, column, message, rule, fix}`; `line` is
/// at least 1, `column` is `null` for findings about a whole file.
#[derive(Serialize)]
struct FindingOut<'a> {
    file: &'a str,
    line: u32,
    column: Option<u32>,
    message: &'a str,
    rule: &'a str,
    fix: &'a str,
}

fn finding(f: &lint::Finding) -> FindingOut<'_> {
    let column = if f.span.has_position() { Some(f.span.col) } else { None };
    FindingOut { file: &f.span.file, line: f.span.line.max(1), column, message: &f.message, rule: f.rule, fix: &f.fix }
}

/// What a change prunes: `{owner, apiVersion, kind, namespace, name, action, detail, message}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PruneOut {
    owner: String,
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    /// `delete`, `orphan` (prune is off), `keep` (the object opts out), `move`
    /// (another Kustomization renders it now).
    action: &'static str,
    /// Why it is kept, or the Kustomization it moves to.
    detail: Option<String>,
    message: String,
}

fn prune_entry(e: &prune::Entry) -> PruneOut {
    let (action, detail) = match &e.action {
        prune::Action::Delete => ("delete", None),
        prune::Action::Orphan => ("orphan", None),
        prune::Action::Keep(why) => ("keep", Some(why.clone())),
        prune::Action::Moved(to) => ("move", Some(to.to_string())),
    };
    PruneOut {
        owner: e.owner.to_string(),
        api_version: api_version(&e.id),
        kind: e.id.gvk.kind.clone(),
        namespace: e.id.namespace.clone(),
        name: e.id.name.clone(),
        action,
        detail,
        message: e.to_string(),
    }
}

fn api_version(id: &ResId) -> String {
    if id.gvk.group.is_empty() { id.gvk.version.clone() } else { format!("{}/{}", id.gvk.group, id.gvk.version) }
}

/// One object of an apply, in apply order: `{stage, apiVersion, kind,
/// namespace, name}`, with `reason` when the apply skips it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectOut {
    stage: &'static str,
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn object_ref(n: &Node) -> ObjectOut {
    let id = ResId::of(n);
    let stage = match Stage::of(n) {
        Stage::Definitions => "definitions",
        Stage::Classes => "classes",
        Stage::Rest => "rest",
    };
    ObjectOut { stage, api_version: api_version(&id), kind: id.gvk.kind, namespace: id.namespace, name: id.name, reason: cluster::skipped(n) }
}

/// Objects as the apply sees them: the YAML applied, those objects, and
/// the ones it skips.
fn applied(objects: &[Node]) -> (String, Vec<ObjectOut>, Vec<ObjectOut>) {
    let (skipped, applied): (Vec<&Node>, Vec<&Node>) = objects.iter().partition(|n| cluster::skipped(n).is_some());
    let output = crate::yaml::emit_documents(&applied.iter().map(|n| (*n).clone()).collect::<Vec<_>>());
    (output, applied.into_iter().map(object_ref).collect(), skipped.into_iter().map(object_ref).collect())
}

/// A history entry: `{index, message, files: [path], patch}`.
#[derive(Serialize)]
struct HistoryOut<'a> {
    index: usize,
    message: &'a str,
    files: Vec<&'a str>,
    patch: String,
}

fn history_entry(index: usize, change: &promote::Change) -> HistoryOut<'_> {
    HistoryOut { index, message: &change.message, files: change.files.iter().map(|f| f.path.as_str()).collect(), patch: change.patch("/") }
}

/// Adds each changed resource's own unified diff (`unified`) to the
/// resources of a diff in the JSON format.
fn with_unified(mut value: Value, d: &diff::Diff, context: usize) -> Value {
    if let Some(items) = value.get_mut("resources").and_then(Value::as_array_mut) {
        for (item, r) in items.iter_mut().zip(&d.resources) {
            item["unified"] = Value::String(r.unified(context));
        }
    }
    value
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FluxOut<'a> {
    dir: &'a str,
    root: &'a str,
    root_kustomization: Option<String>,
    output: String,
    objects: Vec<ObjectOut>,
    skipped: Vec<ObjectOut>,
    order: Vec<String>,
    order_error: Option<ErrorInfo>,
    errors: Vec<ErrorInfo>,
    warnings: &'a [String],
    kustomizations: Vec<UnitOut<'a>>,
    edges: Vec<EdgeOut>,
    findings: Vec<FindingOut<'a>>,
}

#[derive(Serialize)]
struct EdgeOut {
    from: String,
    to: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct RefOut<'a> {
    #[serde(rename = "apiVersion", skip_serializing_if = "Option::is_none")]
    api_version: Option<&'a str>,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

/// A Flux Kustomization of a cluster as `flux()` returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnitOut<'a> {
    key: String,
    namespace: &'a str,
    name: &'a str,
    path: &'a str,
    dir: Option<&'a str>,
    declared_at: ErrorInfo,
    source_ref: RefOut<'a>,
    depends_on: Vec<String>,
    parent: Option<String>,
    prune: Option<bool>,
    wait: bool,
    suspend: bool,
    health_checks: Vec<RefOut<'a>>,
    status: &'static str,
    reason: Option<&'a str>,
    errors: Vec<ErrorInfo>,
    output: String,
    objects: Vec<ObjectOut>,
    skipped: Vec<ObjectOut>,
    warnings: &'a [String],
    blocked_by: Vec<String>,
    blocked: Option<String>,
}

fn unit_json(u: &cluster::Unit) -> UnitOut<'_> {
    let (status, reason, errors) = match &u.status {
        Status::Rendered if u.ks.suspend => ("suspended", None, Vec::new()),
        Status::Rendered => ("rendered", None, Vec::new()),
        Status::External(why) => ("external", Some(why.as_str()), Vec::new()),
        Status::Failed(e) => ("failed", None, vec![ErrorInfo::from(e)]),
    };
    let (output, objects, skipped) = applied(&u.objects);
    let ks = &u.ks;
    UnitOut {
        key: ks.key.to_string(),
        namespace: &ks.key.namespace,
        name: &ks.key.name,
        path: &ks.path,
        dir: u.dir.as_deref(),
        declared_at: ErrorInfo::from(&ks.span),
        source_ref: RefOut { api_version: None, kind: &ks.source.kind, namespace: &ks.source.namespace, name: &ks.source.name },
        depends_on: ks.depends_on.iter().map(|d| d.key.to_string()).collect(),
        parent: u.parent.as_ref().map(|p| p.to_string()),
        prune: ks.prune,
        wait: ks.wait,
        suspend: ks.suspend,
        health_checks: ks.health_checks.iter().map(|h| RefOut { api_version: Some(&h.api_version), kind: &h.kind, namespace: &h.namespace, name: &h.name }).collect(),
        status,
        reason,
        errors,
        output,
        objects,
        skipped,
        warnings: &u.warnings,
        blocked_by: u.blocked_by.iter().map(|k| k.to_string()).collect(),
        blocked: u.blocked_message(),
    }
}

impl Workspace {
    fn env_options(&self) -> env::Options {
        env::Options { pinned: self.pinned.clone(), ..Default::default() }
    }

    /// The promotion `promote` shows and `applyPromotion` applies.
    fn promotion(&self, from: &str, to: &str, args: &PromoteArgs) -> crate::Result<promote::Promotion> {
        let mut selection = Selection { images: args.images, files: args.files.clone(), everything: args.all };
        if !selection.images && !selection.everything && selection.files.is_empty() {
            // As on the command line: the common promotion, what runs.
            selection.images = true;
        }
        let diff = DiffArgs { ignore: args.ignore.clone(), strict_namespaces: args.strict_namespaces, context: args.context }.options()?;
        let options = PromoteOptions { build: self.options.clone(), diff, root: "/".to_string() };
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
        Workspace { fs: MemFs::new(), options: BuildOptions::default(), history: History::new(), renders: Default::default(), pinned: Vec::new() }
    }

    /// Adds or replaces a file; `path` may be relative to the root
    /// (`apps/base/x.yaml`) or absolute.
    #[wasm_bindgen(js_name = setFile)]
    pub fn set_file(&mut self, path: &str, text: &str) {
        self.fs.insert(path, text);
    }

    /// Removes a file; returns whether there was one.
    #[wasm_bindgen(js_name = removeFile)]
    pub fn remove_file(&mut self, path: &str) -> bool {
        self.fs.remove(path)
    }

    /// A file's text (`undefined` when there is none), e.g. after
    /// `applyPromotion` or `revert` changed it.
    #[wasm_bindgen(js_name = getFile)]
    pub fn get_file(&self, path: &str) -> Option<String> {
        self.fs.get(&crate::fs::normalize(path)).map(|b| String::from_utf8_lossy(b).into_owned())
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
    pub fn render(&self, dir: &str) -> JsValue {
        let dir = crate::fs::normalize(dir);
        to_js(&Rendered::new(None, crate::render(&self.fs, &dir, &self.options)))
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

    /// Compares the renders of two kustomization directories.
    /// `options`: `{ignore: ["spec.replicas", …], strictNamespaces: false, context: 3}`.
    /// Returns `{ok: true, …}` with the fields of `overlay diff --format json`
    /// (`version, from, to, equal, summary, resources`; see
    /// src/diff/format/json.rs), each resource with its own `unified` diff,
    /// plus `unified`: both renders as one unified diff. Or `{ok: false, errors}`.
    pub fn diff(&self, dir_a: &str, dir_b: &str, options: JsValue) -> JsValue {
        reply((|| {
            let o = parse_options::<DiffArgs>(options)?.options()?;
            let (a, b) = (crate::fs::normalize(dir_a), crate::fs::normalize(dir_b));
            let c = diff::compare_builds(&self.fs, &a, &b, &self.options, &o)?;
            let labels = Labels { from: label(&a), to: label(&b) };
            let unified = diff::unified_render(&c.before, &c.after, &format!("a/{}", labels.from), &format!("b/{}", labels.to), o.context);
            let mut v = with_unified(diff_json::to_value(&c.diff, &labels), &c.diff, o.context);
            v["unified"] = Value::String(unified);
            Ok(v)
        })())
    }

    /// Proposes promoting overlay `fromDir` into `toDir`, changing nothing.
    /// `options`: `{images, files: ["configmap.yaml"], all, ignore, strictNamespaces,
    /// context, prune}`; with none of `images`, `files`, `all`, images are promoted.
    /// Returns `{ok: true, …}` with the fields of `overlay promote --format json`:
    /// `version, from, to, noop, message, files: [{path, before, after}]` (paths
    /// relative to the root), `patch` (for `git apply`), `images: [{name, before,
    /// after}]`, `rendered` (the diff of `toDir` before → after, as `diff()` gives
    /// it), `remaining` (with `all`: how the two still differ, else `null`),
    /// `notes` (a no-op says "nothing to promote" here). With `prune: true`, also
    /// `prune: [{cluster, ok, entries | errors}]`: what Flux would prune in each
    /// cluster directory once the promotion lands (entries as in `prune()`).
    pub fn promote(&self, from_dir: &str, to_dir: &str, options: JsValue) -> JsValue {
        reply((|| {
            let args: PromoteArgs = parse_options(options)?;
            let p = self.promotion(from_dir, to_dir, &args)?;
            let context = args.context.map(|c| c as usize).unwrap_or(DiffOptions::default().context);
            let mut v = report::json(&p);
            v["rendered"] = with_unified(v["rendered"].take(), &p.rendered, context);
            if let Some(rest) = &p.remaining {
                v["remaining"] = with_unified(v["remaining"].take(), rest, context);
            }
            if args.prune {
                let after = promote::files_after(&self.fs, &p.change.files);
                let clusters: Vec<Value> = prune::between_all(&self.fs, &after, "/", &cluster::Options::default())
                    .into_iter()
                    .map(|(dir, result)| match result {
                        Ok(entries) => json!({"cluster": dir, "ok": true, "entries": serde_json::to_value(entries.iter().map(prune_entry).collect::<Vec<_>>()).unwrap_or_default()}),
                        Err(e) => json!({"cluster": dir, "ok": false, "errors": [ErrorInfo::from(&e)]}),
                    })
                    .collect();
                v["prune"] = Value::Array(clusters);
            }
            Ok(v)
        })())
    }

    /// Applies the promotion `promote(fromDir, toDir, options)` proposes to
    /// the workspace's files and records it in the history.
    /// `{ok: true, index, message, files, patch}` (the new history entry), or
    /// `{ok: false, errors}` when it fails or there is nothing to promote.
    #[wasm_bindgen(js_name = applyPromotion)]
    pub fn apply_promotion(&mut self, from_dir: &str, to_dir: &str, options: JsValue) -> JsValue {
        let result = parse_options::<PromoteArgs>(options).and_then(|args| self.promotion(from_dir, to_dir, &args));
        reply(result.and_then(|p| {
            if p.is_noop() {
                let note = p.notes.iter().find(|n| n.contains("nothing to promote")).cloned();
                return Err(Error::new(note.unwrap_or_else(|| "nothing to promote".to_string())));
            }
            self.history.apply(&mut self.fs, p.change)?;
            let index = self.history.entries.len() - 1;
            Ok(history_entry(index, &self.history.entries[index]))
        }))
    }

    /// Reverts history entry `index` like `git revert`: its files get their
    /// previous text back and the revert is a new entry. Fails, changing
    /// nothing, when those files were edited since.
    /// `{ok: true, index, message, files, patch}` or `{ok: false, errors}`.
    pub fn revert(&mut self, index: u32) -> JsValue {
        let result = self.history.revert(&mut self.fs, index as usize).map(|_| ());
        reply(result.map(|_| {
            let i = self.history.entries.len() - 1;
            history_entry(i, &self.history.entries[i])
        }))
    }

    /// The changes applied to the workspace, oldest first:
    /// `[{index, message, files: ["/apps/production/kustomization.yaml"], patch}]`.
    pub fn history(&self) -> JsValue {
        let entries: Vec<HistoryOut> = self.history.entries.iter().enumerate().map(|(i, c)| history_entry(i, c)).collect();
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
        reply(match self.history.entries.get(index) {
            Some(c) => Ok(history_entry(index, c)),
            None => Err(Error::new(format!("no history entry {}", index))),
        })
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
    pub fn flux(&self, cluster_dir: &str, options: JsValue) -> JsValue {
        let loaded = parse_options::<FluxArgs>(options).and_then(|args| {
            let dir = crate::fs::normalize(cluster_dir);
            let root = args.root(&self.fs, &dir);
            crate::flux::discover::load(&self.fs, &dir, &root, &args.options())
        });
        let c = match loaded {
            Ok(c) => c,
            Err(e) => return reply::<()>(Err(e)),
        };
        let (order, order_error) = match &c.order {
            Ok(o) => (o.clone(), None),
            Err(e) => ((0..c.units.len()).collect(), Some(ErrorInfo::from(e))),
        };
        let mut edges = Vec::new();
        for &i in &order {
            let u = &c.units[i];
            let to = u.ks.key.to_string();
            if let Some(p) = &u.parent {
                edges.push(EdgeOut { from: p.to_string(), to: to.clone(), kind: "applies" });
            }
            for d in &u.ks.depends_on {
                edges.push(EdgeOut { from: d.key.to_string(), to: to.clone(), kind: "dependsOn" });
            }
        }
        let (output, objects, skipped) = applied(&c.dir_objects);
        let findings = lint::lint_cluster(&self.fs, &c);
        let out = FluxOut {
            dir: &c.dir,
            root: &c.root,
            root_kustomization: c.root_ks.as_ref().map(|k| k.to_string()),
            output,
            objects,
            skipped,
            order: order.iter().map(|&i| c.units[i].ks.key.to_string()).collect(),
            order_error,
            errors: c.errors.iter().map(ErrorInfo::from).collect(),
            warnings: &c.warnings,
            kustomizations: order.iter().map(|&i| unit_json(&c.units[i])).collect(),
            edges,
            findings: findings.iter().map(finding).collect(),
        };
        reply(Ok(out))
    }

    /// What Flux would prune in `clusterDir` when the repository changes from
    /// `previous` (a file set `{path: text}`) to the workspace as it is.
    /// `options` as for `flux()`. `{ok: true, entries: [{owner, apiVersion, kind,
    /// namespace, name, action: "delete" | "orphan" | "keep" | "move", detail,
    /// message}]}` (`detail`: why it is kept, or the Kustomization it moves to),
    /// or `{ok: false, errors}`.
    pub fn prune(&self, cluster_dir: &str, previous: JsValue, options: JsValue) -> JsValue {
        reply((|| {
            let previous: BTreeMap<String, String> =
                serde_wasm_bindgen::from_value(previous).map_err(|e| Error::new(format!("previous files: {} (expected {{path: text}})", e)))?;
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
                entries: Vec<PruneOut>,
            }
            Ok(Entries { entries: entries.iter().map(prune_entry).collect() })
        })())
    }

    /// Lints the whole workspace as `overlay lint` does:
    /// `[{file, line, column, message, rule, fix}]`, sorted by file and line
    /// (`column` is `null` for findings about a whole file).
    pub fn lint(&self) -> JsValue {
        let findings = lint::lint_repository(&self.fs, "/");
        to_js(&findings.iter().map(finding).collect::<Vec<_>>())
    }
}
