//! The kustomization file: found in a directory, read with the YAML 1.1
//! rules kustomize applies to it (it goes through sigs.k8s.io/yaml into a
//! strict, case-insensitive JSON decode), checked field by field.

use crate::error::{Error, Result};
use crate::fs::{self, Files};
use crate::yaml::parse::{parse_with, resolve_yaml11, Limits};
use crate::yaml::{Kind, Node, Span, Style, Value};

/// The names kustomize recognises, in the order it tries them.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A string from the kustomization file with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Kustomization {
    /// Path of the kustomization file itself.
    pub file: String,
    /// The directory it lives in: paths in it are relative to this.
    pub dir: String,
    pub kind: String,
    /// The whole file after YAML 1.1 resolution; transformers read their
    /// fields from here.
    pub node: Node,
    /// `resources` followed by the deprecated `bases`, as kustomize merges them.
    pub resources: Vec<Spanned>,
    pub components: Vec<Spanned>,
    pub warnings: Vec<String>,
}

impl Kustomization {
    pub fn is_component(&self) -> bool {
        self.kind == "Component"
    }
    pub fn field(&self, name: &str) -> Option<&Node> {
        self.node.get(name).filter(|n| !n.is_null())
    }
    pub fn string(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(|n| n.as_str()).filter(|s| !s.is_empty())
    }
    pub fn string_list(&self, name: &str) -> Vec<Spanned> {
        strings(self.field(name))
    }
}

fn strings(node: Option<&Node>) -> Vec<Spanned> {
    node.and_then(|n| n.as_seq())
        .map(|items| items.iter().filter_map(|i| i.as_str().map(|t| Spanned { text: t.to_string(), span: i.span.clone() })).collect())
        .unwrap_or_default()
}

/// Finds the kustomization file of `dir`. `None` when there is none.
pub fn find_file(files: &dyn Files, dir: &str) -> Result<Option<String>> {
    let found: Vec<String> = FILE_NAMES.iter().map(|n| fs::join(dir, n)).filter(|p| files.is_file(p)).collect();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => Err(Error::in_file(
            dir,
            format!(
                "found multiple kustomization files under {}: {}; keep only one",
                dir,
                found.iter().map(|p| fs::file_name(p)).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// Reads and checks the kustomization file in `dir`.
pub fn load(files: &dyn Files, dir: &str) -> Result<Kustomization> {
    let file = find_file(files, dir)?.ok_or_else(|| {
        Error::in_file(
            dir,
            format!("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'", dir),
        )
    })?;
    let bytes = files.read(&file).unwrap_or_default();
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::in_file(&file, "invalid Kustomization: the file is not UTF-8 text"))?;
    parse(&file, text)
}

/// Parses kustomization text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Kustomization> {
    let limits = Limits { allow_duplicate_keys: true, ..Limits::default() };
    let mut extra_documents = None;
    let mut docs = parse_with(file, text, limits).map_err(|e| Error { message: format!("invalid Kustomization: {}", e.message), ..e })?;
    let mut node = match docs.len() {
        0 => Node::map(Span::new(&file.into(), 1, 1)),
        1 => docs.pop().unwrap_or_else(|| Node::map(Span::file(file))),
        // kustomize reads the first document and ignores the rest; so do
        // we, with a warning, since the rest is almost surely a mistake.
        n => {
            extra_documents = Some(n);
            docs.truncate(1);
            docs.pop().unwrap_or_else(|| Node::map(Span::file(file)))
        }
    };
    if !node.is_map() {
        return Err(Error::at(
            &node.span,
            format!("invalid Kustomization: expected a mapping of fields (resources:, patches:, …) but found {}", node.shape()),
        ));
    }
    to_yaml11(&mut node);
    canonical_keys(&mut node)?;
    check(&node, KUSTOMIZATION, "Kustomization")?;

    let kind = node.get_str("kind").unwrap_or("").to_string();
    let api_version = node.get_str("apiVersion").unwrap_or("").to_string();
    let mut errs = Vec::new();
    if !kind.is_empty() && kind != "Kustomization" && kind != "Component" {
        errs.push("kind should be Kustomization or Component".to_string());
    }
    let required = if kind == "Component" { "kustomize.config.k8s.io/v1alpha1" } else { "kustomize.config.k8s.io/v1beta1" };
    if !api_version.is_empty() && api_version != required {
        errs.push(format!("apiVersion for {} should be {}", kind, required));
    }
    if !errs.is_empty() {
        let span = node.get("kind").or(node.get("apiVersion")).map(|n| n.span.clone()).unwrap_or_else(|| Span::file(file));
        return Err(Error::at(&span, format!("failed to read kustomization file: {}", errs.join("; "))));
    }

    let meaningful = node.as_map().map(|m| m.iter().any(|(k, v)| !matches!(k.as_str(), Some("kind" | "apiVersion")) && is_set(v)));
    if meaningful != Some(true) {
        return Err(Error::at(&node.span, "kustomization.yaml is empty"));
    }

    let mut warnings = Vec::new();
    if let Some(n) = extra_documents {
        warnings.push(format!("# Warning: {} holds {} YAML documents: only the first is read, as kustomize does", file, n));
    }
    for (field, message) in DEPRECATIONS {
        if node.get(field).is_some_and(is_set) {
            warnings.push(message.to_string());
        }
    }

    let mut resources = strings(node.get("resources"));
    resources.extend(strings(node.get("bases")));
    let components = strings(node.get("components"));
    Ok(Kustomization {
        file: file.to_string(),
        dir: fs::parent(file).to_string(),
        kind: if kind.is_empty() { "Kustomization".to_string() } else { kind },
        node,
        resources,
        components,
        warnings,
    })
}

const FIX: &str = "Run 'kustomize edit fix' to update your Kustomization automatically.";
const FIX_EXPERIMENTAL: &str = "[EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.";

/// Deprecated fields and the warnings kustomize prints for them, in its order.
const DEPRECATIONS: [(&str, &str); 6] = [
    ("bases", "# Warning: 'bases' is deprecated. Please use 'resources' instead."),
    ("commonLabels", "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead."),
    ("imageTags", "# Warning: 'imageTags' is deprecated. Please use 'images' instead."),
    ("patchesJson6902", "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead."),
    ("patchesStrategicMerge", "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead."),
    ("vars", "# Warning: 'vars' is deprecated. Please use 'replacements' instead."),
];

/// The full warning line kustomize prints for a deprecated field.
pub fn warning_line(message: &str) -> String {
    if !message.contains("deprecated") {
        return message.to_string();
    }
    let fix = if message.contains("'vars'") { FIX_EXPERIMENTAL } else { FIX };
    format!("{} {}", message, fix)
}

/// Whether a field counts for kustomize's emptiness check, which compares the
/// decoded Kustomization with a zero one (Go's reflect.DeepEqual): an empty
/// list or map is set (non-nil), while null, "" and other zero scalars are not.
fn is_set(n: &Node) -> bool {
    match &n.value {
        Value::Scalar(s) => {
            !(s.kind == Kind::Null || (s.kind == Kind::Str && s.text.is_empty()) || (s.kind == Kind::Bool && !resolves_true(&s.text)))
        }
        Value::Seq(_) | Value::Map(_) => true,
    }
}

fn resolves_true(text: &str) -> bool {
    matches!(text, "true" | "True" | "TRUE" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON")
}

/// Re-reads plain scalars with YAML 1.1 rules (`yes`, `on`, `n` are booleans).
fn to_yaml11(node: &mut Node) {
    match &mut node.value {
        Value::Scalar(s) => {
            if s.style == Style::Plain && s.kind == Kind::Str || s.kind == Kind::Timestamp {
                s.kind = resolve_yaml11(&s.text);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(to_yaml11),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| to_yaml11(v)),
    }
}

/// The shape of a field, as the Go struct it decodes into expects it.
#[derive(Clone, Copy)]
enum Shape {
    Str,
    Int,
    Bool,
    Strs,
    StrMap,
    BoolMap,
    Any,
    Obj(&'static [(&'static str, Shape)]),
    List(&'static Shape),
}

const STR_LIST: Shape = Shape::Strs;
const GVK_FIELDS: [(&str, Shape); 7] = [
    ("group", Shape::Str),
    ("version", Shape::Str),
    ("kind", Shape::Str),
    ("name", Shape::Str),
    ("namespace", Shape::Str),
    ("labelSelector", Shape::Str),
    ("annotationSelector", Shape::Str),
];
const SELECTOR: Shape = Shape::Obj(&GVK_FIELDS);
const PATCH: Shape = Shape::Obj(&[("path", Shape::Str), ("patch", Shape::Str), ("target", SELECTOR), ("options", Shape::BoolMap)]);
const PATCH_JSON6902: Shape = Shape::Obj(&[("path", Shape::Str), ("patch", Shape::Str), ("target", SELECTOR), ("options", Shape::BoolMap)]);
const IMAGE: Shape =
    Shape::Obj(&[("name", Shape::Str), ("newName", Shape::Str), ("tagSuffix", Shape::Str), ("newTag", Shape::Str), ("digest", Shape::Str)]);
const REPLICA: Shape = Shape::Obj(&[("name", Shape::Str), ("count", Shape::Int)]);
const GEN_OPTIONS: Shape = Shape::Obj(&[
    ("labels", Shape::StrMap),
    ("annotations", Shape::StrMap),
    ("disableNameSuffixHash", Shape::Bool),
    ("immutable", Shape::Bool),
]);
const GENERATOR: Shape = Shape::Obj(&[
    ("name", Shape::Str),
    ("namespace", Shape::Str),
    ("behavior", Shape::Str),
    ("literals", STR_LIST),
    ("files", STR_LIST),
    ("envs", STR_LIST),
    ("env", Shape::Str),
    ("options", GEN_OPTIONS),
    ("type", Shape::Str),
]);
const FIELD_SPEC: Shape =
    Shape::Obj(&[("group", Shape::Str), ("version", Shape::Str), ("kind", Shape::Str), ("path", Shape::Str), ("create", Shape::Bool)]);
const LABEL: Shape = Shape::Obj(&[
    ("pairs", Shape::StrMap),
    ("includeSelectors", Shape::Bool),
    ("includeTemplates", Shape::Bool),
    ("fields", Shape::List(&FIELD_SPEC)),
]);
const SORT: Shape =
    Shape::Obj(&[("order", Shape::Str), ("legacySortOptions", Shape::Obj(&[("orderFirst", STR_LIST), ("orderLast", STR_LIST)]))]);

const KUSTOMIZATION: Shape = Shape::Obj(&[
    ("apiVersion", Shape::Str),
    ("kind", Shape::Str),
    ("metadata", Shape::Any),
    ("openapi", Shape::StrMap),
    ("namePrefix", Shape::Str),
    ("nameSuffix", Shape::Str),
    ("namespace", Shape::Str),
    ("commonLabels", Shape::StrMap),
    ("labels", Shape::List(&LABEL)),
    ("commonAnnotations", Shape::StrMap),
    ("patchesStrategicMerge", STR_LIST),
    ("patchesJson6902", Shape::List(&PATCH_JSON6902)),
    ("patches", Shape::List(&PATCH)),
    ("images", Shape::List(&IMAGE)),
    ("imageTags", Shape::List(&IMAGE)),
    ("replacements", Shape::Any),
    ("replicas", Shape::List(&REPLICA)),
    ("vars", Shape::Any),
    ("sortOptions", SORT),
    ("resources", STR_LIST),
    ("components", STR_LIST),
    ("crds", STR_LIST),
    ("bases", STR_LIST),
    ("configMapGenerator", Shape::List(&GENERATOR)),
    ("secretGenerator", Shape::List(&GENERATOR)),
    ("helmGlobals", Shape::Any),
    ("helmCharts", Shape::Any),
    ("helmChartInflationGenerator", Shape::Any),
    ("generatorOptions", GEN_OPTIONS),
    ("configurations", STR_LIST),
    ("generators", STR_LIST),
    ("transformers", STR_LIST),
    ("validators", STR_LIST),
    ("buildMetadata", STR_LIST),
]);

/// Go's JSON decoder matches field names case-insensitively (`nameprefix`
/// sets `namePrefix`); rename keys to their canonical spelling so the rest
/// of the engine can look them up exactly.
fn canonical_keys(node: &mut Node) -> Result<()> {
    let Shape::Obj(fields) = KUSTOMIZATION else { return Ok(()) };
    if let Some(entries) = node.as_map_mut() {
        for (k, _) in entries.iter_mut() {
            let Some(name) = k.as_str() else { continue };
            if fields.iter().any(|(f, _)| *f == name) {
                continue;
            }
            if let Some((canon, _)) = fields.iter().find(|(f, _)| f.eq_ignore_ascii_case(name)) {
                *k = Node::string(*canon, k.span.clone());
            }
        }
        // When both spellings appear, the later one wins, as in Go.
        let mut seen: Vec<String> = Vec::new();
        let mut i = entries.len();
        while i > 0 {
            i -= 1;
            let name = entries[i].0.as_str().unwrap_or("").to_string();
            if seen.contains(&name) {
                entries.remove(i);
            } else {
                seen.push(name);
            }
        }
    }
    Ok(())
}

fn go_type(shape: Shape) -> &'static str {
    match shape {
        Shape::Str => "string",
        Shape::Int => "int64",
        Shape::Bool => "bool",
        Shape::Strs => "[]string",
        Shape::StrMap => "map[string]string",
        Shape::BoolMap => "map[string]bool",
        Shape::Any => "any",
        Shape::Obj(_) => "object",
        Shape::List(_) => "list",
    }
}

fn mismatch(node: &Node, shape: Shape, field: &str) -> Error {
    let found = node.json_type();
    let hint = if found == "bool" && matches!(shape, Shape::Str | Shape::StrMap | Shape::Strs) {
        format!(" (YAML 1.1 reads the unquoted value '{}' as a boolean: quote it)", node.as_str().unwrap_or(""))
    } else if found == "number" && matches!(shape, Shape::Str | Shape::StrMap | Shape::Strs) {
        format!(" (quote '{}' to make it a string)", node.as_str().unwrap_or(""))
    } else {
        String::new()
    };
    Error::at(
        &node.span,
        format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go struct field {} of type {}{}",
            found,
            field,
            go_type(shape),
            hint
        ),
    )
}

fn check(node: &Node, shape: Shape, field: &str) -> Result<()> {
    if node.is_null() {
        return Ok(());
    }
    let scalar_kind = node.as_scalar().map(|s| s.kind);
    match shape {
        Shape::Any => Ok(()),
        Shape::Str => match scalar_kind {
            Some(Kind::Str) | Some(Kind::Timestamp) => Ok(()),
            _ => Err(mismatch(node, shape, field)),
        },
        Shape::Int => match scalar_kind {
            Some(Kind::Int) => Ok(()),
            _ => Err(mismatch(node, shape, field)),
        },
        Shape::Bool => match scalar_kind {
            Some(Kind::Bool) => Ok(()),
            _ => Err(mismatch(node, shape, field)),
        },
        Shape::Strs => match node.as_seq() {
            Some(items) => items.iter().try_for_each(|i| check(i, Shape::Str, field)),
            None => Err(mismatch(node, shape, field)),
        },
        Shape::StrMap | Shape::BoolMap => match node.as_map() {
            Some(entries) => {
                let inner = if matches!(shape, Shape::StrMap) { Shape::Str } else { Shape::Bool };
                entries.iter().try_for_each(|(_, v)| check(v, inner, field))
            }
            None => Err(mismatch(node, shape, field)),
        },
        Shape::List(inner) => match node.as_seq() {
            Some(items) => items.iter().try_for_each(|i| check(i, *inner, field)),
            None => Err(mismatch(node, shape, field)),
        },
        Shape::Obj(fields) => {
            let Some(entries) = node.as_map() else { return Err(mismatch(node, shape, field)) };
            for (k, v) in entries {
                let name = k.as_str().unwrap_or("");
                let found = fields.iter().find(|(f, _)| *f == name).or_else(|| fields.iter().find(|(f, _)| f.eq_ignore_ascii_case(name)));
                match found {
                    Some((f, s)) => check(v, *s, &format!("{}.{}", field, f))?,
                    None => {
                        return Err(Error::at(
                            &k.span,
                            format!("invalid Kustomization: json: unknown field \"{}\"{}", name, suggest(name, fields)),
                        ))
                    }
                }
            }
            Ok(())
        }
    }
}

/// "did you mean" for a misspelt field.
fn suggest(name: &str, fields: &[(&str, Shape)]) -> String {
    let lower = name.to_ascii_lowercase();
    let best = fields.iter().map(|(f, _)| (edit_distance(&lower, &f.to_ascii_lowercase()), *f)).min_by_key(|(d, _)| *d);
    match best {
        Some((d, f)) if d <= 3 => format!(" (did you mean '{}'?)", f),
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = if ca == *cb { 0 } else { 1 };
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A field of an object nested in the kustomization (or in a file it names
/// that kustomize decodes the same way). Go's JSON decoder matches field
/// names case-insensitively when no exact match exists (`fieldpath` sets
/// `fieldPath`), so lookups here do too.
pub fn field<'a>(node: &'a Node, name: &str) -> Option<&'a Node> {
    let entries = node.as_map()?;
    entries
        .iter()
        .rev()
        .find(|(k, _)| k.as_str() == Some(name))
        .or_else(|| entries.iter().rev().find(|(k, _)| k.as_str().is_some_and(|s| s.eq_ignore_ascii_case(name))))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

/// The text of a scalar field, looked up as `field` does.
pub fn field_str<'a>(node: &'a Node, name: &str) -> Option<&'a str> {
    field(node, name).and_then(|n| n.as_str())
}

/// Whether a field holds YAML 1.1 `true` (`true`, `yes`, `on`, `y`, in any
/// of the cases go-yaml v2 accepts).
pub fn is_true(node: Option<&Node>) -> bool {
    node.and_then(|n| n.as_scalar()).is_some_and(|s| {
        s.kind == Kind::Bool && matches!(s.text.as_str(), "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_booleans_are_rejected_for_strings() {
        let e = parse("/k/kustomization.yaml", "namespace: n\nresources: [a.yaml]\n").unwrap_err();
        assert!(e.message.contains("cannot unmarshal bool"), "{}", e.message);
        assert_eq!(e.span.unwrap().line, 1);
    }

    #[test]
    fn unknown_fields_are_errors_with_a_suggestion() {
        let e = parse("/k/kustomization.yaml", "resources: [a.yaml]\npatchs: []\n").unwrap_err();
        assert!(e.message.contains("unknown field \"patchs\""), "{}", e.message);
        assert!(e.message.contains("did you mean 'patches'"), "{}", e.message);
    }

    #[test]
    fn field_names_match_case_insensitively() {
        let k = parse("/k/kustomization.yaml", "nameprefix: p-\nresources: [a.yaml]\n").unwrap();
        assert_eq!(k.string("namePrefix"), Some("p-"));
    }

    #[test]
    fn bases_follow_resources_and_warn() {
        let k = parse("/k/kustomization.yaml", "bases: [../b]\nresources: [a.yaml]\n").unwrap();
        let names: Vec<_> = k.resources.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(names, vec!["a.yaml", "../b"]);
        assert_eq!(k.warnings.len(), 1);
    }

    #[test]
    fn empty_is_an_error() {
        assert!(parse("/k/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n").is_err());
        assert!(parse("/k/kustomization.yaml", "resources:\nnamePrefix: \"\"\n").is_err(), "null and \"\" are unset");
    }

    #[test]
    fn an_empty_list_or_map_is_content() {
        for text in ["resources: []\n", "kind: Kustomization\ncommonLabels: {}\n", "resources:\nimages: []\n"] {
            assert!(parse("/k/kustomization.yaml", text).is_ok(), "{text}");
        }
    }
}
