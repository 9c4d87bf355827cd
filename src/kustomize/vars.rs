//! `vars:` — the deprecated `$(NAME)` substitution (api/internal/accumulator
//! and api/filters/refvar).
//!
//! Each level of the build declares vars after its transformers ran; a var
//! is tied then to the one resource its objref names (by current or earlier
//! id). At the top level, after name hashes and name references, each var's
//! value is read from its resource and written into the `varReference`
//! fields of every resource.

use super::fieldpath::{lookup, split_path};
use super::kustomization::{field, field_str, Kustomization};
use super::resmap::{Gvk, ResId, ResMap, Resource};
use crate::error::{Error, Result};
use crate::kustomize::fieldspec::{self, Create, SpecList, TransformerConfig};
use crate::yaml::{Kind, Node, Span, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Var {
    pub name: String,
    /// The objref as an id; an empty namespace means "any namespace".
    pub target: ResId,
    pub field_path: String,
    pub span: Span,
}

impl std::fmt::Display for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (objref {}, fieldPath {})", self.name, self.target, self.field_path)
    }
}

/// The vars of one kustomization file.
pub fn parse_vars(k: &Kustomization) -> Result<Vec<Var>> {
    let Some(list) = k.field("vars") else { return Ok(Vec::new()) };
    let Some(items) = list.as_seq() else {
        return Err(Error::at(&list.span, format!("vars must be a list, found {}", list.shape())));
    };
    items.iter().map(parse_var).collect()
}

fn parse_var(item: &Node) -> Result<Var> {
    let name = field_str(item, "name").unwrap_or("").to_string();
    if name.is_empty() {
        return Err(Error::at(&item.span, "a var needs a name"));
    }
    let objref = field(item, "objref");
    let s = |k: &str| objref.and_then(|o| field_str(o, k)).unwrap_or("").to_string();
    let api_version = s("apiVersion");
    let gvk = if api_version.is_empty() {
        Gvk { group: s("group"), version: s("version"), kind: s("kind") }
    } else {
        Gvk::from_api_version(&api_version, &s("kind"))
    };
    let field_path =
        field(item, "fieldref").and_then(|f| field_str(f, "fieldPath")).filter(|p| !p.is_empty()).unwrap_or("metadata.name").to_string();
    Ok(Var { name, target: ResId { gvk, name: s("name"), namespace: s("namespace") }, field_path, span: item.span.clone() })
}

/// Adds vars from a base; a name may be declared only once in a build.
pub fn add_all(vars: &mut Vec<Var>, incoming: Vec<Var>) -> Result<()> {
    for v in incoming {
        if vars.iter().any(|e| e.name == v.name) {
            return Err(Error::at(&v.span, format!("var '{}' already encountered", v.name)));
        }
        vars.push(v);
    }
    Ok(())
}

/// Declares this kustomization's vars and ties each to its resource
/// (kustomize's MergeVars). Without a namespace the objref matches in any
/// namespace, so two candidates are an error.
pub fn merge_vars(k: &Kustomization, resources: &mut ResMap, vars: &mut Vec<Var>) -> Result<()> {
    let incoming = parse_vars(k)?;
    for v in &incoming {
        let any_namespace = v.target.namespace.is_empty() && !v.target.gvk.is_cluster_scoped();
        let matches = |id: &ResId| id.name == v.target.name && id.gvk == v.target.gvk && (any_namespace || id.same_as(&v.target));
        let hits: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.previous.iter().chain(std::iter::once(&r.id())).any(matches))
            .map(|(i, _)| i)
            .collect();
        if hits.len() > 1 {
            return Err(Error::at(&v.span, format!("found {} resId matches for var {} (unable to disambiguate)", hits.len(), v)));
        }
        if let Some(&i) = hits.first() {
            resources.resources[i].ref_vars.push(v.name.clone());
        }
    }
    add_all(vars, incoming)
}

/// A var's value, typed as kyaml's GetFieldValue types it.
#[derive(Clone, Debug, PartialEq)]
enum VarValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Maps and lists cannot be substituted: `$(NAME)` stays as written.
    Other,
}

impl VarValue {
    /// How it reads inside a longer string (Go's `%v`).
    fn to_text(&self) -> String {
        match self {
            VarValue::Str(s) => s.clone(),
            VarValue::Int(i) => i.to_string(),
            VarValue::Float(f) => go_float_v(*f),
            VarValue::Bool(b) => b.to_string(),
            VarValue::Other => String::new(),
        }
    }
}

/// Go's `%v` for a float64 (`%g` with the shortest digits): exponent form
/// outside 1e-4 ≤ |f| < 1e6.
fn go_float_v(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return format!("{}", f);
    }
    let sci = format!("{:e}", f);
    let exp: i32 = sci.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    if (-4..6).contains(&exp) {
        return format!("{}", f);
    }
    let mantissa = sci.split_once('e').map(|(m, _)| m).unwrap_or(&sci);
    format!("{}e{}{:02}", mantissa, if exp < 0 { '-' } else { '+' }, exp.abs())
}

fn field_value(r: &Resource, v: &Var) -> Result<VarValue> {
    let not_found = || Error::at(&v.span, format!("field specified in var '{}' not found in corresponding resource {}", v, r.id()));
    let path = convert_slice_index(split_path(&v.field_path));
    let node = lookup(&r.node, &path).ok().flatten().ok_or_else(not_found)?;
    Ok(match &node.value {
        Value::Scalar(s) => match s.kind {
            Kind::Str | Kind::Null | Kind::Timestamp => VarValue::Str(s.text.clone()),
            Kind::Int => VarValue::Int(s.text.parse().map_err(|_| not_found())?),
            Kind::Float => VarValue::Float(s.text.parse().map_err(|_| not_found())?),
            Kind::Bool => VarValue::Bool(s.text.eq_ignore_ascii_case("true")),
        },
        _ => VarValue::Other,
    })
}

/// `ports[0]` → `ports`, `0` (kyaml's convertSliceIndex).
fn convert_slice_index(parts: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for p in parts {
        let split = p.strip_suffix(']').and_then(|s| s.rfind('[').map(|i| (s[..i].to_string(), s[i + 1..].to_string())));
        match split {
            Some((head, idx)) if !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()) => {
                if !head.is_empty() {
                    out.push(head);
                }
                out.push(idx);
            }
            _ => out.push(p),
        }
    }
    out
}

/// Resolves every var and substitutes `$(NAME)` in the varReference fields.
pub fn resolve(resources: &mut ResMap, declared: &[Var], config: &TransformerConfig, warnings: &mut Vec<String>) -> Result<()> {
    if declared.is_empty() {
        return Ok(());
    }
    let mut values: BTreeMap<String, VarValue> = BTreeMap::new();
    let mut vars = declared.to_vec();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    for v in &vars {
        let Some(r) = resources.iter().find(|r| r.ref_vars.contains(&v.name)) else {
            return Err(Error::at(&v.span, format!("var '{}' cannot be mapped to a field in the set of known resources", v)));
        };
        values.insert(v.name.clone(), field_value(r, v)?);
    }
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for r in resources.iter_mut() {
        for spec in &config[SpecList::VarReference] {
            let mut set = |field: &mut Node| substitute_field(field, &values, &mut used);
            fieldspec::apply(&mut r.node, spec, Create::No, &mut set)?;
        }
    }
    let unused: Vec<&str> = values.keys().filter(|k| !used.contains_key(*k)).map(|k| k.as_str()).collect();
    if !unused.is_empty() {
        warnings.push(format!("well-defined vars that were never replaced: {}", unused.join(",")));
    }
    Ok(())
}

/// A field named by a varReference spec: a string, or the string values of
/// a mapping, or the items of a list (which must all be strings).
fn substitute_field(field: &mut Node, values: &BTreeMap<String, VarValue>, used: &mut BTreeMap<String, usize>) -> Result<()> {
    let span = field.span.clone();
    if field.as_string().is_some() {
        return substitute_scalar(field, values, used);
    }
    match &mut field.value {
        Value::Scalar(_) => Ok(()),
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                if k.as_string().is_none() {
                    return Err(Error::at(&k.span, format!("invalid map key: value='{}'", k.as_str().unwrap_or(""))));
                }
                if v.as_string().is_some() {
                    substitute_scalar(v, values, used)?;
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                if item.as_string().is_none() {
                    return Err(Error::at(&span, "invalid value type expect a string"));
                }
                substitute_scalar(item, values, used)?;
            }
            Ok(())
        }
    }
}

fn substitute_scalar(node: &mut Node, values: &BTreeMap<String, VarValue>, used: &mut BTreeMap<String, usize>) -> Result<()> {
    let text = node.as_str().unwrap_or("").to_string();
    let span = node.span.clone();
    *node = match expand(&text, values, used) {
        VarValue::Int(i) => Node::scalar(i.to_string(), Kind::Int, span),
        VarValue::Bool(b) => Node::scalar(b.to_string(), Kind::Bool, span),
        // kyaml formats a whole-field float without an exponent.
        VarValue::Float(f) => Node::scalar(format!("{}", f), Kind::Float, span),
        VarValue::Str(s) => Node::string(s, span),
        VarValue::Other => Node::string(text, span),
    };
    Ok(())
}

/// Replaces `$(NAME)` references; `$$` is a literal `$`. A field that is
/// exactly one reference takes the var's own type.
fn expand(input: &str, values: &BTreeMap<String, VarValue>, used: &mut BTreeMap<String, usize>) -> VarValue {
    let mut lookup = |name: &str| -> Option<&VarValue> {
        let v = values.get(name).filter(|v| **v != VarValue::Other)?;
        *used.entry(name.to_string()).or_default() += 1;
        Some(v)
    };
    let bytes = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() {
            out.push_str(&input[checkpoint..i]);
            let rest = &input[i + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        match lookup(name) {
                            Some(v) if input.len() == name.len() + 3 => return v.clone(),
                            Some(v) => out.push_str(&v.to_text()),
                            None => out.push_str(&format!("$({})", name)),
                        }
                        close + 1
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    // `$x`: kept as written.
                    let c = rest.chars().next().unwrap_or(' ');
                    out.push('$');
                    out.push(c);
                    c.len_utf8()
                }
            };
            i += advance;
            checkpoint = i + 1;
        }
        i += 1;
    }
    out.push_str(&input[checkpoint.min(input.len())..]);
    VarValue::Str(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str) -> VarValue {
        let mut values = BTreeMap::new();
        values.insert("A".to_string(), VarValue::Str("x".into()));
        values.insert("N".to_string(), VarValue::Int(8080));
        values.insert("M".to_string(), VarValue::Other);
        expand(input, &values, &mut BTreeMap::new())
    }

    #[test]
    fn expands_references() {
        assert_eq!(run("$(A)"), VarValue::Str("x".into()));
        assert_eq!(run("$(N)"), VarValue::Int(8080));
        assert_eq!(run("port $(N)/$(A)"), VarValue::Str("port 8080/x".into()));
        assert_eq!(run("$$(A) $(B) $x $("), VarValue::Str("$(A) $(B) $x $(".into()));
        assert_eq!(run("$(M)"), VarValue::Str("$(M)".into()));
        assert_eq!(run("é$(A)é$"), VarValue::Str("éxé$".into()));
    }

    #[test]
    fn slice_indexes() {
        assert_eq!(convert_slice_index(vec!["spec".into(), "ports[0]".into(), "port".into()]), vec!["spec", "ports", "0", "port"]);
    }

    #[test]
    fn go_float_format() {
        assert_eq!(go_float_v(1.5), "1.5");
        assert_eq!(go_float_v(1e21), "1e+21");
        assert_eq!(go_float_v(1e6), "1e+06");
        assert_eq!(go_float_v(123456.0), "123456");
        assert_eq!(go_float_v(1234567.0), "1.234567e+06");
        assert_eq!(go_float_v(0.00001), "1e-05");
    }
}
