//! `images:` (and the deprecated `imageTags:`) — kustomize's
//! ImageTagTransformer (api/filters/imagetag, api/internal/image).
//!
//! Each entry runs twice over every resource, as in kustomize: first the
//! "legacy" pass, which rewrites the `image` of every element of any field
//! called `containers` or `initContainers` at any depth, then the pass over
//! the `images` field specs. CustomResourceDefinitions are left alone.

use crate::error::{Error, Result};
use crate::kustomize::accumulator::Accumulator;
use crate::kustomize::fieldspec::{self, Create, FieldSpec, SpecList};
use crate::kustomize::kustomization::Kustomization;
use crate::yaml::{Node, Span, Value};

/// One `images:` entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageRule {
    pub name: String,
    pub new_name: String,
    pub new_tag: String,
    pub digest: String,
    pub tag_suffix: String,
    pub span: Span,
}

impl ImageRule {
    pub(crate) fn from_node(n: &Node) -> ImageRule {
        let s = |k: &str| n.get(k).filter(|v| !v.is_null()).and_then(|v| v.as_str()).unwrap_or("").to_string();
        ImageRule {
            name: s("name"),
            new_name: s("newName"),
            new_tag: s("newTag"),
            digest: s("digest"),
            tag_suffix: s("tagSuffix"),
            span: n.span.clone(),
        }
    }

    /// The new reference for `image`, or `None` when the rule does not
    /// apply to it.
    pub fn rewrite(&self, image: &str) -> Option<String> {
        if !image_matches(image, &self.name) {
            return None;
        }
        let (name, tag, digest) = split(image);
        let name = if self.new_name.is_empty() { name.to_string() } else { self.new_name.clone() };
        let (tag, digest) = if !self.new_tag.is_empty() && !self.digest.is_empty() {
            (self.new_tag.clone(), self.digest.clone())
        } else if !self.new_tag.is_empty() {
            (self.new_tag.clone(), String::new())
        } else if !self.digest.is_empty() {
            (String::new(), self.digest.clone())
        } else if !self.tag_suffix.is_empty() {
            (format!("{}{}", tag, self.tag_suffix), String::new())
        } else {
            (tag.to_string(), digest.to_string())
        };
        let mut out = name;
        if !tag.is_empty() {
            out = format!("{}:{}", out, tag);
        }
        if !digest.is_empty() {
            out = format!("{}@{}", out, digest);
        }
        Some(out)
    }

    fn set(&self, field: &mut Node) -> Result<()> {
        let text = match &field.value {
            Value::Scalar(s) => s.text.clone(),
            _ => return Err(Error::at(&field.span, format!("wrong node kind: an image must be a string, found {}", field.shape()))),
        };
        if let Some(new) = self.rewrite(&text) {
            *field = Node::string(new, field.span.clone());
        }
        Ok(())
    }
}

pub fn run(k: &Kustomization, acc: &mut Accumulator) -> Result<()> {
    let mut rules = Vec::new();
    for field in ["images", "imageTags"] {
        for n in k.field(field).and_then(|n| n.as_seq()).map(|s| s.as_slice()).unwrap_or(&[]) {
            rules.push(ImageRule::from_node(n));
        }
    }
    for rule in &rules {
        for r in acc.resources.iter_mut() {
            apply(&mut r.node, rule, &acc.config[SpecList::Images])?;
        }
    }
    Ok(())
}

/// Both passes of one rule over one resource.
pub fn apply(node: &mut Node, rule: &ImageRule, specs: &[FieldSpec]) -> Result<()> {
    if node.get_str("kind") == Some("CustomResourceDefinition") {
        return Ok(());
    }
    legacy_walk(node, rule)?;
    for spec in specs {
        let mut setter = |field: &mut Node| rule.set(field);
        fieldspec::apply(node, spec, Create::No, &mut setter)?;
    }
    Ok(())
}

/// Every `containers`/`initContainers` list anywhere in the object: set the
/// `image` of each element. Inner fields are visited before the list itself.
fn legacy_walk(node: &mut Node, rule: &ImageRule) -> Result<()> {
    match &mut node.value {
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                legacy_walk(v, rule)?;
                if matches!(k.as_str(), Some("containers" | "initContainers")) {
                    if let Some(items) = v.as_seq_mut() {
                        for item in items {
                            if let Some(image) = item.get_mut("image") {
                                rule.set(image)?;
                            }
                        }
                    }
                }
            }
            Ok(())
        }
        Value::Seq(items) => items.iter_mut().try_for_each(|i| legacy_walk(i, rule)),
        Value::Scalar(_) => Ok(()),
    }
}

/// kustomize's IsImageMatched: the regular expression
/// `^NAME(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`. NAME is used as
/// a pattern there; in image names the only character that means something
/// in a pattern is `.`, which matches any one character.
pub fn image_matches(image: &str, name: &str) -> bool {
    let img: Vec<char> = image.chars().collect();
    let pat: Vec<char> = name.chars().collect();
    if img.len() < pat.len() {
        return false;
    }
    let literal = pat.iter().any(|c| "*+?()[]{}|^$\\".contains(*c));
    let head_ok = img.iter().zip(&pat).all(|(c, p)| c == p || (*p == '.' && !literal && *c != '\n'));
    if !head_ok {
        return false;
    }
    let rest: String = img[pat.len()..].iter().collect();
    tag_and_digest_suffix(&rest)
}

/// `(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?` over the whole text.
fn tag_and_digest_suffix(rest: &str) -> bool {
    let word = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "_.{}-".contains(c));
    let (tag, digest) = match rest.find('@') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let tag_ok = tag.is_empty() || (tag.starts_with(':') && word(&tag[1..]));
    let digest_ok = match digest {
        None => true,
        Some(d) => d.strip_prefix("@sha256:").is_some_and(word),
    };
    tag_ok && digest_ok
}

/// kustomize's image.Split: name, tag and digest of an image reference. A
/// `:` before the first `/` is a registry port, not a tag.
pub fn split(image: &str) -> (&str, &str, &str) {
    let offset = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[offset..];
    let at = search.find('@').map(|i| i + offset);
    let colon = search.find(':').map(|i| i + offset);
    match (colon, at) {
        (None, None) => (image, "", ""),
        (c, Some(d)) if c.is_none_or(|c| d < c) => (&image[..d], "", &image[d + 1..]),
        (Some(c), Some(d)) => (&image[..c], &image[c + 1..d], &image[d + 1..]),
        (Some(c), None) => (&image[..c], &image[c + 1..], ""),
        (None, Some(_)) => unreachable!(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kustomize::fieldspec::TransformerConfig;
    use crate::yaml::parse_single;

    fn rule(name: &str, new_name: &str, new_tag: &str, digest: &str) -> ImageRule {
        ImageRule { name: name.into(), new_name: new_name.into(), new_tag: new_tag.into(), digest: digest.into(), ..ImageRule::default() }
    }

    #[test]
    fn splits_registry_ports_tags_and_digests() {
        assert_eq!(split("nginx"), ("nginx", "", ""));
        assert_eq!(split("nginx:1.7"), ("nginx", "1.7", ""));
        assert_eq!(split("localhost:5000/nginx"), ("localhost:5000/nginx", "", ""));
        assert_eq!(split("localhost:5000/nginx:1.7"), ("localhost:5000/nginx", "1.7", ""));
        assert_eq!(split("nginx@sha256:abc"), ("nginx", "", "sha256:abc"));
        assert_eq!(split("nginx:1.7@sha256:abc"), ("nginx", "1.7", "sha256:abc"));
    }

    #[test]
    fn matching_follows_the_pattern() {
        assert!(image_matches("nginx", "nginx"));
        assert!(image_matches("nginx:1.7", "nginx"));
        assert!(image_matches("nginx@sha256:abc", "nginx"));
        assert!(image_matches("nginx:1@sha256:abc", "nginx"));
        assert!(!image_matches("nginx-x", "nginx"));
        assert!(!image_matches("my/nginx", "nginx"));
        assert!(image_matches("gcr.io/x:1", "gcr.io/x"));
        assert!(image_matches("gcrXio/x", "gcr.io/x"));
        assert!(!image_matches("nginx@md5:abc", "nginx"));
    }

    #[test]
    fn rewrites() {
        assert_eq!(rule("nginx", "", "1.8", "").rewrite("nginx:1.7").as_deref(), Some("nginx:1.8"));
        assert_eq!(rule("nginx", "my/nginx", "", "").rewrite("nginx:1.7").as_deref(), Some("my/nginx:1.7"));
        assert_eq!(rule("nginx", "", "", "sha256:x").rewrite("nginx:1.7").as_deref(), Some("nginx@sha256:x"));
        assert_eq!(rule("nginx", "", "t", "sha256:x").rewrite("nginx").as_deref(), Some("nginx:t@sha256:x"));
        assert_eq!(rule("nginx", "", "", "").rewrite("other"), None);
    }

    #[test]
    fn both_passes_reach_nested_containers() {
        let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: a\n            image: nginx\n";
        let mut n = parse_single("r.yaml", text).unwrap().unwrap();
        apply(&mut n, &rule("nginx", "", "2", ""), &TransformerConfig::builtin()[SpecList::Images]).unwrap();
        let c = n.path(&["spec", "jobTemplate", "spec", "template", "spec", "containers"]).unwrap();
        assert_eq!(c.as_seq().unwrap()[0].get_str("image"), Some("nginx:2"));
    }
}
