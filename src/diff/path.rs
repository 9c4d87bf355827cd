//! Where a change is inside a resource, and the ignore rules that name such
//! places.
//!
//! A path prints dotted for people (`spec.template.spec.containers[name=app].image`)
//! and as a JSON pointer for tools (`/spec/template/spec/containers/0/image`).
//! Ignore rules are written either way; `*` matches any one step.

use std::fmt;

/// One step into a YAML value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A list item that has no identity but its position.
    Index(usize),
    /// A list item found by its merge key (`containers[name=app]`); `index`
    /// is where it stands in the newer list (the older one when removed), so
    /// that a JSON pointer can still be written.
    Item { key: String, value: String, index: usize },
}

/// A path from the top of a resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Segment>);

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }
    pub fn child(&self, segment: Segment) -> Path {
        let mut v = self.0.clone();
        v.push(segment);
        Path(v)
    }
    pub fn key(&self, key: &str) -> Path {
        self.child(Segment::Key(key.to_string()))
    }
    /// RFC 6901: `~` and `/` escaped, list items by position.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            out.push('/');
            match seg {
                Segment::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Segment::Index(i) | Segment::Item { index: i, .. } => out.push_str(&i.to_string()),
            }
        }
        out
    }
    /// The mapping keys only, for quick tests such as "is this under `data`".
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            _ => None,
        })
    }
}

/// Keys made of these characters print bare; others (`app.kubernetes.io/name`)
/// are bracketed so the dots inside them are not read as steps.
fn is_bare_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return write!(f, "(whole resource)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if is_bare_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{}]", quote(k))?,
                Segment::Index(n) => write!(f, "[{}]", n)?,
                Segment::Item { key, value, .. } => write!(f, "[{}={}]", key, value)?,
            }
        }
        Ok(())
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One step of an ignore rule.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Pattern {
    Key(String),
    /// A number: a list position, or a mapping key spelled with digits.
    Number(usize),
    Item {
        key: String,
        value: String,
    },
    Any,
}

/// A field that is meant to differ between environments. Everything at or
/// below the path is ignored. Written as a JSON pointer
/// (`/spec/replicas`, `/metadata/labels/app.kubernetes.io~1version`) or
/// dotted (`spec.replicas`, `spec.template.spec.containers[name=app].image`,
/// `metadata.annotations["example.com/build"]`, `spec.*.replicas`).
/// A `Kind:` prefix limits it to one kind (`Deployment:spec.replicas`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    pub text: String,
    kind: Option<String>,
    steps: Vec<Pattern>,
}

impl IgnoreRule {
    pub fn parse(text: &str) -> Result<IgnoreRule, String> {
        let trimmed = text.trim();
        let (kind, rest) = match trimmed.split_once(':') {
            Some((k, r))
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()) && k.starts_with(|c: char| c.is_ascii_uppercase()) =>
            {
                (Some(k.to_string()), r)
            }
            _ => (None, trimmed),
        };
        let steps = if let Some(pointer) = rest.strip_prefix('/') {
            pointer.split('/').map(|s| pointer_step(&s.replace("~1", "/").replace("~0", "~"))).collect()
        } else {
            dotted_steps(rest)?
        };
        if steps.is_empty() {
            return Err(format!("ignore rule '{}' names no field", text));
        }
        Ok(IgnoreRule { text: text.to_string(), kind, steps })
    }

    /// Whether `path` of a resource of `kind` lies at or under this rule.
    pub fn matches(&self, kind: &str, path: &Path) -> bool {
        if self.kind.as_deref().is_some_and(|k| k != kind) {
            return false;
        }
        if path.0.len() < self.steps.len() {
            return false;
        }
        self.steps.iter().zip(&path.0).all(|(p, s)| step_matches(p, s))
    }
}

/// The field `text` names in `node`, written as ignore rules are (dotted or
/// as a JSON pointer, without a `Kind:` prefix or `*`): `Ok(None)` when the
/// resource has no such field, `Err` when the path cannot be read.
pub fn lookup<'a>(node: &'a crate::yaml::Node, text: &str) -> Result<Option<&'a crate::yaml::Node>, String> {
    let rule = IgnoreRule::parse(text).map_err(|e| e.replacen("ignore rule", "path", 1))?;
    let mut at = node;
    for step in &rule.steps {
        let next = match step {
            Pattern::Any => return Err(format!("path '{}': '*' names no one field", text)),
            Pattern::Key(k) => at.get(k),
            Pattern::Number(n) => match at.as_seq() {
                Some(items) => items.get(*n),
                None => at.get(&n.to_string()),
            },
            Pattern::Item { key, value } => {
                at.as_seq().and_then(|items| items.iter().find(|i| i.get(key).and_then(|v| v.as_str()) == Some(value.as_str())))
            }
        };
        match next {
            Some(n) => at = n,
            None => return Ok(None),
        }
    }
    Ok(Some(at))
}

fn step_matches(p: &Pattern, s: &Segment) -> bool {
    match (p, s) {
        (Pattern::Any, _) => true,
        (Pattern::Key(a), Segment::Key(b)) => a == b,
        (Pattern::Number(n), Segment::Key(b)) => n.to_string() == *b,
        (Pattern::Number(n), Segment::Index(i)) | (Pattern::Number(n), Segment::Item { index: i, .. }) => n == i,
        (Pattern::Item { key, value }, Segment::Item { key: k, value: v, .. }) => key == k && value == v,
        // `containers[name=app]` also finds the item when the list had no
        // merge key known to us and was compared by position.
        _ => false,
    }
}

fn pointer_step(s: &str) -> Pattern {
    if s == "*" {
        Pattern::Any
    } else if let Ok(n) = s.parse::<usize>() {
        Pattern::Number(n)
    } else {
        Pattern::Key(s.to_string())
    }
}

/// Reads `a.b[name=x]["c.d"][0].*`.
fn dotted_steps(text: &str) -> Result<Vec<Pattern>, String> {
    let bad = |why: &str| format!("ignore rule '{}': {}", text, why);
    let mut steps = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut word = String::new();
    let flush = |word: &mut String, steps: &mut Vec<Pattern>| {
        let w = std::mem::take(word);
        if !w.is_empty() {
            steps.push(if w == "*" { Pattern::Any } else { Pattern::Key(w) });
        }
    };
    while i < chars.len() {
        match chars[i] {
            '.' => flush(&mut word, &mut steps),
            '[' => {
                flush(&mut word, &mut steps);
                let close = chars[i..].iter().position(|&c| c == ']').ok_or_else(|| bad("unclosed '['"))? + i;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                steps.push(if let Some(q) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    Pattern::Key(q.replace("\\\"", "\"").replace("\\\\", "\\"))
                } else if inner == "*" {
                    Pattern::Any
                } else if let Ok(n) = inner.parse::<usize>() {
                    Pattern::Number(n)
                } else if let Some((k, v)) = inner.split_once('=') {
                    Pattern::Item { key: k.trim().to_string(), value: v.trim().trim_matches('"').to_string() }
                } else {
                    return Err(bad("expected [N], [key=value], [\"key\"] or [*]"));
                });
                i = close;
            }
            c => word.push(c),
        }
        i += 1;
    }
    flush(&mut word, &mut steps);
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn containers_image() -> Path {
        Path::root()
            .key("spec")
            .key("template")
            .key("spec")
            .key("containers")
            .child(Segment::Item { key: "name".into(), value: "app".into(), index: 0 })
            .key("image")
    }

    #[test]
    fn prints_dotted_and_as_pointer() {
        let p = containers_image();
        assert_eq!(p.to_string(), "spec.template.spec.containers[name=app].image");
        assert_eq!(p.pointer(), "/spec/template/spec/containers/0/image");
        let l = Path::root().key("metadata").key("labels").key("app.kubernetes.io/name");
        assert_eq!(l.to_string(), "metadata.labels[\"app.kubernetes.io/name\"]");
        assert_eq!(l.pointer(), "/metadata/labels/app.kubernetes.io~1name");
    }

    #[test]
    fn rules_match_at_and_below() {
        let p = containers_image();
        for rule in [
            "spec.template",
            "/spec/template/spec/containers/0",
            "spec.template.spec.containers[name=app].image",
            "spec.*.spec.containers[*]",
            "Deployment:spec",
        ] {
            assert!(IgnoreRule::parse(rule).unwrap().matches("Deployment", &p), "{}", rule);
        }
        for rule in ["spec.replicas", "spec.template.spec.containers[name=web]", "/spec/template/spec/containers/1", "Service:spec"] {
            assert!(!IgnoreRule::parse(rule).unwrap().matches("Deployment", &p), "{}", rule);
        }
        let l = Path::root().key("metadata").key("labels").key("app.kubernetes.io/name");
        assert!(IgnoreRule::parse("/metadata/labels/app.kubernetes.io~1name").unwrap().matches("X", &l));
        assert!(IgnoreRule::parse("metadata.labels[\"app.kubernetes.io/name\"]").unwrap().matches("X", &l));
        assert!(IgnoreRule::parse("").is_err());
        assert!(IgnoreRule::parse("a[b").is_err());
    }
}
