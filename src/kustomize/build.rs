//! The build pipeline, in kustomize's order (api/internal/target): accumulate
//! resources, generators, components, transformers; then, at the top level
//! only, name hashes, back references, vars, and the output order.

use super::accumulator::{merge_config, Accumulator, PatchMatch};
use super::fieldspec::TransformerConfig;
use super::generator_plugins;
use super::generators;
use super::hash;
use super::kustomization::{self, Kustomization, Spanned};
use super::loader::{read_resource_file, Loader};
use super::nameref;
use super::notes::Note;
use super::options::{BuildOptions, LoadRestrictor};
use super::origin;
use super::patch::Schema;
use super::resmap::{ResMap, Resource, ORDER_FIRST, ORDER_LAST};
use super::trace::{Recorder, Stage, StepKind};
use super::transformers;
use super::vars;
use crate::error::{Error, Result};
use crate::fs::{self, Files};
use crate::yaml::{Kind, Node, Value};
use std::cell::RefCell;
use std::sync::Arc;

/// What a build produces besides its resources.
#[derive(Clone, Debug, Default)]
pub struct Output {
    pub resources: ResMap,
    /// Warnings kustomize prints to stderr (deprecated fields).
    pub warnings: Vec<String>,
    /// How many resources each patch matched, every level of the build,
    /// in the order the patches were applied.
    pub patch_matches: Vec<PatchMatch>,
    /// What kustomize does not say but a user wants to know: builds that
    /// succeed and still do not do what was meant. Output is unaffected.
    pub notes: Vec<Note>,
}

pub struct Builder<'a> {
    pub files: &'a dyn Files,
    pub options: &'a BuildOptions,
    /// Directories being built, outermost first: a new root that contains
    /// one of them is a cycle.
    roots: Vec<String>,
    /// The same directories with symlinks resolved (`Files::canonical`), so
    /// that a link back up the tree is seen as the cycle it is.
    real_roots: Vec<String>,
    pub warnings: Vec<String>,
    /// For `buildMetadata` origin tracking: the directory being built,
    /// relative to the top kustomization; `None` when nothing is tracked.
    pub(crate) origin: Option<String>,
    /// Remarks gathered while building (see `Note`).
    notes: Vec<Note>,
    /// The schema of `openapi:`. kustomize keeps one for the whole build:
    /// the top level sets it first, a lower level only when nothing has.
    openapi: OpenApi,
    /// Explain mode's recorder; `None` in a normal build.
    recorder: Option<RefCell<&'a mut dyn Recorder>>,
}

#[derive(Default)]
enum OpenApi {
    #[default]
    Unset,
    Builtin,
    Custom(Box<Schema>),
}

pub fn run(files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<Output> {
    run_traced(files, dir, options, None)
}

pub fn run_traced<'a>(
    files: &'a dyn Files,
    dir: &str,
    options: &'a BuildOptions,
    recorder: Option<&'a mut dyn Recorder>,
) -> Result<Output> {
    let recorder = recorder.map(RefCell::new);
    let mut b = Builder {
        files,
        options,
        roots: Vec::new(),
        real_roots: Vec::new(),
        warnings: Vec::new(),
        origin: None,
        notes: Vec::new(),
        openapi: OpenApi::Unset,
        recorder,
    };
    if !files.is_dir(dir) {
        return Err(Error::in_file(dir, format!("must build at directory: '{}' is not a directory", dir)));
    }
    let k = b.load(dir)?;
    // The top-level steps (name references, vars, sorting) blame the top
    // kustomization when they know no better place.
    let file = crate::yaml::Span::file(&k.file);
    run_loaded(b, k, dir).map_err(|e| e.or_at(&file))
}

fn run_loaded(mut b: Builder<'_>, k: Kustomization, dir: &str) -> Result<Output> {
    // The top kustomization's build metadata applies to the whole build.
    let build_metadata: Vec<String> = k.string_list("buildMetadata").into_iter().map(|e| e.text).collect();
    if !build_metadata.is_empty() {
        b.origin = Some(String::new());
    }
    b.set_openapi(&k, true)?;
    b.real_roots.push(b.files.canonical(dir));
    b.roots.push(dir.to_string());
    let mut acc = b.accumulate_target(&k, Accumulator::empty())?;
    // Top level only: generated names get their hash suffixes, then
    // references to renamed objects are fixed, then vars are resolved.
    hash::hash_names(&mut acc.resources);
    b.note(&k, StepKind::HashSuffix, "", &mut acc.resources);
    nameref::fix_back_references(&mut acc.resources, &acc.config.name_reference)?;
    b.note(&k, StepKind::NameReference, "", &mut acc.resources);
    vars::resolve(&mut acc.resources, &acc.vars, &acc.config, &mut b.warnings)?;
    b.note(&k, StepKind::Vars, "vars", &mut acc.resources);
    b.notes.extend(super::notes::unrewritten_references(&acc.resources, &acc.config.name_reference));
    drop_local_config(&mut acc.resources);
    sort(&k, &mut acc.resources)?;
    if let Some(entry) = k.string_list("buildMetadata").iter().find(|e| e.text == "managedByLabel") {
        transformers::labels::add_managed_by_label(&mut acc.resources, &entry.span)?;
        b.note_at(&k, StepKind::ManagedBy, &entry.span, &mut acc.resources);
    }
    for r in acc.resources.iter_mut() {
        remove_build_annotations(&mut r.node);
    }
    origin::finish(&mut acc.resources, &build_metadata);
    let mut notes = super::notes::unmatched_patches(&acc.patch_matches);
    notes.append(&mut b.notes);
    Ok(Output { resources: acc.resources, warnings: b.warnings, patch_matches: acc.patch_matches, notes })
}

fn sort(k: &Kustomization, resources: &mut ResMap) -> Result<()> {
    let Some(opts) = k.field("sortOptions") else {
        resources.sort_legacy(&ORDER_FIRST, &ORDER_LAST);
        return Ok(());
    };
    let order = opts.get_str("order").unwrap_or("");
    let legacy = opts.get("legacySortOptions").filter(|n| !n.is_null());
    match order {
        "legacy" => {
            let list = |key: &str| -> Vec<String> {
                legacy
                    .and_then(|l| l.get(key))
                    .and_then(|n| n.as_seq())
                    .map(|s| s.iter().filter_map(|i| i.as_str().map(String::from)).collect())
                    .unwrap_or_default()
            };
            if legacy.is_some() {
                let first = list("orderFirst");
                let last = list("orderLast");
                let first: Vec<&str> = first.iter().map(|s| s.as_str()).collect();
                let last: Vec<&str> = last.iter().map(|s| s.as_str()).collect();
                resources.sort_legacy(&first, &last);
            } else {
                resources.sort_legacy(&ORDER_FIRST, &ORDER_LAST);
            }
            Ok(())
        }
        "fifo" => {
            if legacy.is_some() {
                return Err(Error::at(
                    &opts.span,
                    "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
                ));
            }
            Ok(())
        }
        _ => Err(Error::at(&opts.span, "the field 'sortOptions.order' must be one of [fifo, legacy]")),
    }
}

impl<'a> Builder<'a> {
    /// kustomize's openapi.SetSchema: `reset` at the top level.
    fn set_openapi(&mut self, k: &Kustomization, reset: bool) -> Result<()> {
        if !matches!(self.openapi, OpenApi::Unset) && !reset {
            return Ok(());
        }
        let Some(field) = k.field("openapi") else {
            self.openapi = OpenApi::Unset;
            return Ok(());
        };
        let version = field.get_str("version").filter(|v| !v.is_empty());
        if let Some(path) = field.get("path").filter(|p| p.as_str().is_some_and(|s| !s.is_empty())) {
            let (file, bytes) = self.read_file(k, path.as_str().unwrap_or(""), &path.span)?;
            if version.is_some() {
                return Err(Error::at(&field.span, "builtin version and custom schema provided, cannot use both"));
            }
            let text = std::str::from_utf8(&bytes).map_err(|_| Error::in_file(&file, "the OpenAPI schema is not UTF-8 text"))?;
            let doc = crate::yaml::parse_single(&file, text)?.ok_or_else(|| Error::in_file(&file, "the OpenAPI schema file is empty"))?;
            // A custom schema set at the top level stands alone. One set lower
            // down joins the built-in definitions kustomize has parsed by then
            // (it parses them as soon as it meets a kind it must look up).
            let schema = if reset {
                Schema::from_openapi(&doc)?
            } else {
                let mut s = Schema::builtin();
                s.add_openapi(&doc)?;
                s
            };
            self.openapi = OpenApi::Custom(Box::new(schema));
            return Ok(());
        }
        self.openapi = match version {
            None => OpenApi::Unset,
            Some("v1.21.2") => OpenApi::Builtin,
            Some(v) => {
                return Err(Error::at(&field.span, format!("the specified OpenAPI version '{}' is not built in (only v1.21.2 is)", v)))
            }
        };
        Ok(())
    }

    fn load(&mut self, dir: &str) -> Result<Kustomization> {
        let k = kustomization::load(self.files, dir)?;
        for w in &k.warnings {
            let line = kustomization::warning_line(w);
            self.warnings.push(line);
        }
        Ok(k)
    }

    /// Errors from this level that know no better place point at its
    /// kustomization file: the page can always open the file to blame.
    fn accumulate_target(&mut self, k: &Kustomization, acc: Accumulator) -> Result<Accumulator> {
        let file = crate::yaml::Span::file(&k.file);
        self.accumulate_target_steps(k, acc).map_err(|e| e.or_at(&file))
    }

    fn accumulate_target_steps(&mut self, k: &Kustomization, mut acc: Accumulator) -> Result<Accumulator> {
        acc = self.accumulate_resources(k, acc, &k.resources)?;
        self.note(k, StepKind::Resources, "resources", &mut acc.resources);
        let selectors = super::notes::base_selectors(self.files, k, &acc.resources);
        let own = self.load_configurations(k)?;
        merge_config(&mut acc.config, &own)?;
        let from_crds = self.load_crds(k)?;
        merge_config(&mut acc.config, &Arc::new(from_crds))?;
        generators::run(self, k, &mut acc)?;
        generator_plugins::run(self, k, &mut acc)?;
        self.note(k, StepKind::Generated, "configMapGenerator", &mut acc.resources);
        acc = self.accumulate_components(k, acc)?;
        transformers::run(self, k, &mut acc)?;
        self.notes.extend(super::notes::changed_selectors(k, &selectors, &acc.resources));
        vars::merge_vars(k, &mut acc.resources, &mut acc.vars)?;
        Ok(acc)
    }

    fn accumulate_components(&mut self, k: &Kustomization, mut acc: Accumulator) -> Result<Accumulator> {
        for entry in &k.components {
            let path = entry.text.as_str();
            if is_remote(path) {
                return Err(Error::at(&entry.span, format!("remote component '{}' cannot be loaded: the playground has no network", path)));
            }
            let target = fs::join(&k.dir, path);
            if !self.files.is_dir(&target) {
                let what = if self.files.is_file(&target) { "is a file, not a directory" } else { "does not exist" };
                return Err(Error::at(
                    &entry.span,
                    format!("accumulating components: '{}' {}: a component must be a directory with a kustomization.yaml", path, what),
                ));
            }
            acc = self.accumulate_directory(&target, entry, true, acc)?;
        }
        Ok(acc)
    }

    /// Builds a nested kustomization. A component works on the resources
    /// accumulated so far (`acc`); a plain base starts from nothing.
    fn accumulate_directory(&mut self, dir: &str, entry: &Spanned, is_component: bool, acc: Accumulator) -> Result<Accumulator> {
        let real = self.files.canonical(dir);
        let chain = || -> String { self.roots.iter().map(|s| s.as_str()).chain(std::iter::once(dir)).collect::<Vec<_>>().join(" → ") };
        if let Some(at) = self.real_roots.iter().position(|r| fs::is_within(r, &real)) {
            return Err(Error::at(
                &entry.span,
                format!("cycle detected: '{}' contains '{}', which is already being built (chain: {})", dir, self.roots[at], chain()),
            ));
        }
        if self.roots.len() >= crate::limits::MAX_KUSTOMIZATION_DEPTH {
            return Err(Error::at(
                &entry.span,
                format!(
                    "kustomizations nested more than {} deep through resources and components; refusing to build it (chain: {})",
                    crate::limits::MAX_KUSTOMIZATION_DEPTH,
                    chain()
                ),
            ));
        }
        // A directory without a kustomization is an error about the entry
        // that names it, not about the directory.
        let sub = self.load(dir).map_err(|e| match e.file() {
            Some(f) if f == dir => Error::at(&entry.span, e.message),
            _ => e.or_at(&entry.span),
        })?;
        self.set_openapi(&sub, false)?;
        if is_component && !sub.is_component() {
            return Err(Error::at(&entry.span, format!("expected kind 'Component' for path '{}' but got '{}'", dir, sub.kind)));
        }
        if !is_component && sub.is_component() {
            return Err(Error::at(
                &entry.span,
                format!("expected kind != 'Component' for path '{}': list components under 'components:', not 'resources:'", dir),
            ));
        }
        self.roots.push(dir.to_string());
        let outer = self.origin.clone();
        if let Some(o) = &outer {
            self.origin = Some(origin::join(o, &entry.text));
        }
        self.real_roots.push(real);
        let result = self.accumulate_target(&sub, acc);
        self.origin = outer;
        self.roots.pop();
        self.real_roots.pop();
        result
    }

    /// The defaults merged with the transformer configurations that
    /// `configurations:` names (kustomize's MakeTransformerConfig).
    fn load_configurations(&self, k: &Kustomization) -> Result<Arc<TransformerConfig>> {
        let paths = k.string_list("configurations");
        if paths.is_empty() {
            return Ok(TransformerConfig::builtin_shared());
        }
        let mut custom = TransformerConfig::default();
        for entry in paths {
            let (file, bytes) = self.read_file(k, &entry.text, &entry.span)?;
            let text = std::str::from_utf8(&bytes).map_err(|_| Error::at(&entry.span, format!("'{}' is not UTF-8 text", entry.text)))?;
            let loaded = TransformerConfig::parse(&file, text)?;
            custom.merge(&loaded)?;
        }
        let mut config = TransformerConfig::builtin().clone();
        config.merge(&custom)?;
        Ok(Arc::new(config))
    }

    /// Field specs from the OpenAPI definitions `crds:` names.
    fn load_crds(&self, k: &Kustomization) -> Result<TransformerConfig> {
        let mut config = TransformerConfig::default();
        for entry in k.string_list("crds") {
            let (file, bytes) = self.read_file(k, &entry.text, &entry.span)?;
            let text = std::str::from_utf8(&bytes).map_err(|_| Error::at(&entry.span, format!("'{}' is not UTF-8 text", entry.text)))?;
            let defs = crate::yaml::parse_single(&file, text)
                .map_err(|e| Error { message: format!("unable to parse open API definition from '{}': {}", entry.text, e.message), ..e })?;
            if let Some(defs) = defs {
                config.merge(&super::crds::config_from_definitions(&defs)?)?;
            }
        }
        Ok(config)
    }

    fn read_resources(&self, k: &Kustomization, target: &str, entry: &Spanned) -> Result<Vec<Resource>> {
        let (file, bytes) = self.read_file(k, &entry.text, &entry.span)?;
        debug_assert_eq!(file, target);
        let mut resources = read_resource_file(&file, &bytes)?;
        if let Some(dir) = &self.origin {
            let from = origin::Origin::file(origin::join(dir, &entry.text));
            resources.iter_mut().for_each(|r| origin::set(r, &from));
        }
        Ok(resources)
    }
}

impl Loader for Builder<'_> {
    fn files(&self) -> &dyn Files {
        self.files
    }

    fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    fn recording(&self) -> bool {
        self.recorder.is_some()
    }

    fn observe(&self, stage: &Stage, resources: &mut [Resource]) {
        if let Some(r) = &self.recorder {
            r.borrow_mut().stage(stage, resources);
        }
    }

    fn schema(&self) -> &Schema {
        match &self.openapi {
            OpenApi::Custom(s) => s,
            _ => Schema::shared(),
        }
    }

    fn accumulate_resources(&mut self, k: &Kustomization, mut acc: Accumulator, paths: &[Spanned]) -> Result<Accumulator> {
        for entry in paths {
            let path = entry.text.as_str();
            if is_remote(path) {
                return Err(Error::at(
                    &entry.span,
                    format!(
                        "remote resource '{}' cannot be loaded: the playground has no network; copy the files into the repository instead",
                        path
                    ),
                ));
            }
            let target = fs::join(&k.dir, path);
            if self.files.is_file(&target) {
                let resources = self.read_resources(k, &target, entry)?;
                acc.resources.append_many(resources)?;
            } else if self.files.is_dir(&target) {
                let sub = self.accumulate_directory(&target, entry, false, Accumulator::empty())?;
                acc.merge(sub)?;
            } else {
                return Err(Error::at(&entry.span, format!("accumulating resources: '{}' does not exist (looked for {})", path, target)));
            }
        }
        Ok(acc)
    }

    fn build_directory(&mut self, dir: &str, entry: &Spanned) -> Result<Accumulator> {
        self.accumulate_directory(dir, entry, false, Accumulator::empty())
    }

    fn read_file(&self, k: &Kustomization, path: &str, span: &crate::yaml::Span) -> Result<(String, Vec<u8>)> {
        let target = fs::join(&k.dir, path);
        if self.options.load_restrictor == LoadRestrictor::RootOnly && !fs::is_within(&target, &k.dir) {
            return Err(Error::at(
                span,
                format!(
                    "security; file '{}' is not in or below '{}' (build with --load-restrictor LoadRestrictionsNone to allow it)",
                    target, k.dir
                ),
            ));
        }
        match self.files.read(&target) {
            Some(bytes) if bytes.len() > crate::limits::MAX_FILE_BYTES => Err(Error::at(
                span,
                format!("file '{}' is {} bytes, more than the {} bytes a file may have", path, bytes.len(), crate::limits::MAX_FILE_BYTES),
            )),
            Some(bytes) => Ok((target, bytes.into_owned())),
            None => Err(Error::at(span, format!("file '{}' does not exist", path))),
        }
    }
}

fn is_remote(path: &str) -> bool {
    path.contains("://")
        || path.starts_with("github.com/")
        || path.starts_with("git@")
        || path.starts_with("gitlab.com/")
        || path.starts_with("bitbucket.org/")
}

/// Annotations kustomize uses during a build and removes before printing.
const BUILD_ANNOTATIONS: [&str; 8] = [
    "config.kubernetes.io/previousNames",
    "config.kubernetes.io/previousKinds",
    "config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
];

fn remove_build_annotations(node: &mut Node) {
    let Some(meta) = node.get_mut("metadata") else { return };
    let Some(ann) = meta.get_mut("annotations") else { return };
    let before = ann.as_map().map(|m| m.len()).unwrap_or(0);
    for key in BUILD_ANNOTATIONS {
        ann.remove(key);
    }
    // kustomize re-sets the annotations as a map of strings: every value
    // keeps its text, as a string.
    if let Some(entries) = ann.as_map_mut() {
        for (_, v) in entries.iter_mut() {
            if let Value::Scalar(s) = &mut v.value {
                s.kind = Kind::Str;
            }
        }
    }
    let after = ann.as_map().map(|m| m.len()).unwrap_or(0);
    if before > 0 && after == 0 {
        meta.remove("annotations");
    }
}

/// Resources marked `config.kubernetes.io/local-config` are not output.
fn drop_local_config(resources: &mut ResMap) {
    resources.resources.retain(|r| {
        let v = r.node.path(&["metadata", "annotations", "config.kubernetes.io/local-config"]).and_then(|n| n.as_str());
        matches!(v, None | Some("false"))
    });
}
