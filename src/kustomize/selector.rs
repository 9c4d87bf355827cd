//! Choosing resources by a `target:` (kustomize's types.Selector): group,
//! version, kind, name and namespace as anchored regular expressions, plus
//! Kubernetes label and annotation selectors.

use super::kustomization::field_str;
use super::resmap::{Gvk, ResId, ResMap, Resource};
use crate::error::{Error, Result};
use crate::yaml::{Node, Span};
use regex_lite::Regex;

#[derive(Clone, Debug, Default)]
pub struct Selector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
    pub span: Span,
}

impl Selector {
    /// Read as Go's decoder reads it: field names match case-insensitively.
    pub fn from_node(node: &Node) -> Selector {
        let s = |k: &str| field_str(node, k).unwrap_or("").to_string();
        Selector {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            name: s("name"),
            namespace: s("namespace"),
            label_selector: s("labelSelector"),
            annotation_selector: s("annotationSelector"),
            span: node.span.clone(),
        }
    }

    /// kustomize's `Selector.String()`-like description for messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("group", &self.group),
            ("version", &self.version),
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
            ("labelSelector", &self.label_selector),
            ("annotationSelector", &self.annotation_selector),
        ] {
            if !v.is_empty() {
                parts.push(format!("{}={}", k, v));
            }
        }
        parts.join(", ")
    }

    /// Whether any of group, version, kind, name or namespace is set.
    pub fn has_id(&self) -> bool {
        [&self.group, &self.version, &self.kind, &self.name, &self.namespace].iter().any(|s| !s.is_empty())
    }

    /// kustomize's ResId.IsSelectedBy, as replacements select: exact parts,
    /// empty parts match anything.
    pub fn selects_id(&self, id: &ResId) -> bool {
        let ns_ok = self.namespace.is_empty() || {
            let sel = ResId {
                gvk: Gvk { group: self.group.clone(), version: self.version.clone(), kind: self.kind.clone() },
                name: String::new(),
                namespace: self.namespace.clone(),
            };
            sel.effective_namespace() == id.effective_namespace()
        };
        let part = |want: &str, have: &str| want.is_empty() || want == have;
        part(&self.name, &id.name)
            && ns_ok
            && part(&self.group, &id.gvk.group)
            && part(&self.version, &id.gvk.version)
            && part(&self.kind, &id.gvk.kind)
    }

    /// Selected by its current id or any id it had before.
    pub fn selects_resource(&self, r: &Resource) -> bool {
        std::iter::once(r.id()).chain(r.previous.iter().cloned()).any(|id| self.selects_id(&id))
    }

    /// The label and annotation selectors, matched against `r`.
    pub fn matches_metadata(&self, r: &Resource, span: &Span) -> Result<bool> {
        let check = |selector: &str, field: &str| metadata_matches(selector, r, field).map_err(|m| Error::at(span, m));
        Ok(check(&self.annotation_selector, "annotations")? && check(&self.label_selector, "labels")?)
    }

    /// Indexes of the resources the selector picks, in map order.
    pub fn select(&self, resources: &ResMap) -> Result<Vec<usize>> {
        let m = Matcher::new(self)?;
        let mut out = Vec::new();
        for (i, r) in resources.iter().enumerate() {
            if m.matches(r) {
                out.push(i);
            }
        }
        Ok(out)
    }
}

impl std::fmt::Display for Selector {
    /// kustomize's ResId.String() of the selector's id parts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or = |s: &str, d: &'static str| if s.is_empty() { d.to_string() } else { s.to_string() };
        write!(
            f,
            "{}.{}.{}/{}.{}",
            or(&self.kind, "[noKind]"),
            or(&self.version, "[noVer]"),
            or(&self.group, "[noGrp]"),
            or(&self.name, "[noName]"),
            or(&self.namespace, "[noNs]")
        )
    }
}

struct Matcher<'a> {
    s: &'a Selector,
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

fn anchored(pattern: &str, span: &Span) -> Result<Option<Regex>> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{})$", pattern))
        .map(Some)
        .map_err(|e| Error::at(span, format!("invalid regular expression '{}' in target: {}", pattern, e)))
}

impl<'a> Matcher<'a> {
    fn new(s: &'a Selector) -> Result<Matcher<'a>> {
        Ok(Matcher {
            s,
            group: anchored(&s.group, &s.span)?,
            version: anchored(&s.version, &s.span)?,
            kind: anchored(&s.kind, &s.span)?,
            name: anchored(&s.name, &s.span)?,
            namespace: anchored(&s.namespace, &s.span)?,
            labels: parse_label_selector(&s.label_selector).map_err(|e| Error::at(&s.span, e))?,
            annotations: parse_label_selector(&s.annotation_selector).map_err(|e| Error::at(&s.span, e))?,
        })
    }

    fn matches(&self, r: &Resource) -> bool {
        let cur = r.id();
        let org = r.original_id();
        let is = |re: &Option<Regex>, v: &str| re.as_ref().is_none_or(|re| re.is_match(v));
        if !is(&self.namespace, org.effective_namespace()) && !is(&self.namespace, cur.effective_namespace()) {
            return false;
        }
        if !is(&self.name, &org.name) && !is(&self.name, &cur.name) {
            return false;
        }
        if !is(&self.group, &cur.gvk.group) || !is(&self.version, &cur.gvk.version) || !is(&self.kind, &cur.gvk.kind) {
            return false;
        }
        let _ = self.s;
        let map_of = |key: &str| -> Vec<(String, String)> {
            r.node
                .path(&["metadata", key])
                .and_then(|m| m.as_map())
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str().unwrap_or("").to_string()))).collect())
                .unwrap_or_default()
        };
        (self.labels.is_empty() || requirements_match(&self.labels, &map_of("labels")))
            && (self.annotations.is_empty() || requirements_match(&self.annotations, &map_of("annotations")))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Op {
    Exists,
    NotExists,
    Equals,
    NotEquals,
    In,
    NotIn,
    Gt,
    Lt,
}

#[derive(Clone, Debug, PartialEq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// Whether a resource's labels or annotations (`field`) satisfy a
/// Kubernetes label selector (empty selects all). `replacements:` selects
/// targets this way.
pub(crate) fn metadata_matches(selector: &str, r: &Resource, field: &str) -> std::result::Result<bool, String> {
    let reqs = parse_label_selector(selector)?;
    if reqs.is_empty() {
        return Ok(true);
    }
    let set: Vec<(String, String)> = r
        .node
        .path(&["metadata", field])
        .and_then(|m| m.as_map())
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str().unwrap_or("").to_string()))).collect())
        .unwrap_or_default();
    Ok(requirements_match(&reqs, &set))
}

fn requirements_match(reqs: &[Requirement], set: &[(String, String)]) -> bool {
    reqs.iter().all(|r| {
        let value = set.iter().find(|(k, _)| *k == r.key).map(|(_, v)| v.as_str());
        match r.op {
            Op::Exists => value.is_some(),
            Op::NotExists => value.is_none(),
            Op::Equals | Op::In => value.is_some_and(|v| r.values.iter().any(|x| x == v)),
            Op::NotEquals | Op::NotIn => value.is_none_or(|v| !r.values.iter().any(|x| x == v)),
            Op::Gt | Op::Lt => {
                let (Some(v), Some(bound)) =
                    (value.and_then(|v| v.parse::<i64>().ok()), r.values.first().and_then(|b| b.parse::<i64>().ok()))
                else {
                    return false;
                };
                if r.op == Op::Gt {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    })
}

/// Parses a Kubernetes label selector (`app=web,tier!=db,env in (a,b),!legacy`).
fn parse_label_selector(text: &str) -> std::result::Result<Vec<Requirement>, String> {
    let mut reqs = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    let is_key_char = |c: char| c.is_alphanumeric() || "-_./".contains(c);
    loop {
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        let negated = chars[i] == '!';
        if negated {
            i += 1;
            skip_ws(&mut i);
        }
        let start = i;
        while i < chars.len() && is_key_char(chars[i]) {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        if key.is_empty() {
            return Err(format!("invalid label selector '{}': expected a label key at position {}", text, i + 1));
        }
        skip_ws(&mut i);
        if negated {
            reqs.push(Requirement { key, op: Op::NotExists, values: vec![] });
        } else if i >= chars.len() || chars[i] == ',' {
            reqs.push(Requirement { key, op: Op::Exists, values: vec![] });
        } else {
            let rest: String = chars[i..].iter().collect();
            let (op, len) = if rest.starts_with("==") {
                (Op::Equals, 2)
            } else if rest.starts_with("!=") {
                (Op::NotEquals, 2)
            } else if rest.starts_with('=') {
                (Op::Equals, 1)
            } else if rest.starts_with('>') {
                (Op::Gt, 1)
            } else if rest.starts_with('<') {
                (Op::Lt, 1)
            } else if rest.starts_with("notin") {
                (Op::NotIn, 5)
            } else if rest.starts_with("in") {
                (Op::In, 2)
            } else {
                return Err(format!("invalid label selector '{}': unexpected '{}'", text, chars[i]));
            };
            i += len;
            skip_ws(&mut i);
            let values = if matches!(op, Op::In | Op::NotIn) {
                if i >= chars.len() || chars[i] != '(' {
                    return Err(format!("invalid label selector '{}': expected '(' after in/notin", text));
                }
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != ')' {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(format!("invalid label selector '{}': missing ')'", text));
                }
                let inner: String = chars[start..i].iter().collect();
                i += 1;
                inner.split(',').map(|v| v.trim().to_string()).collect()
            } else {
                let start = i;
                while i < chars.len() && chars[i] != ',' && !chars[i].is_whitespace() {
                    i += 1;
                }
                vec![chars[start..i].iter().collect()]
            };
            reqs.push(Requirement { key, op, values });
        }
        skip_ws(&mut i);
        if i < chars.len() {
            if chars[i] != ',' {
                return Err(format!("invalid label selector '{}': expected ',' at position {}", text, i + 1));
            }
            i += 1;
        }
    }
    Ok(reqs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selectors() {
        let r = parse_label_selector("app=web, tier != db,env in (a, b),!legacy").unwrap();
        assert_eq!(r.len(), 4);
        assert!(requirements_match(&r, &set(&[("app", "web"), ("env", "a")])));
        assert!(!requirements_match(&r, &set(&[("app", "web"), ("env", "c")])));
        assert!(!requirements_match(&r, &set(&[("app", "web"), ("env", "a"), ("legacy", "")])));
        assert!(parse_label_selector("a in b").is_err());
    }

    #[test]
    fn names_are_anchored_regexes() {
        let re = anchored("web.*", &Span::default()).unwrap().unwrap();
        assert!(re.is_match("web-1"));
        assert!(!re.is_match("my-web"));
    }
}
