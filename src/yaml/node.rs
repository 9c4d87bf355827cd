//! The YAML value every layer works on: an ordered tree whose nodes remember
//! where in which file they were written.

pub use crate::span::Span;

/// What a scalar means once resolved. Resources are read with YAML 1.2 core
/// rules (as kyaml/go-yaml v3 does); the emitter later renders each kind the
/// way kustomize's JSON round trip does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// A plain scalar that reads as a YAML timestamp (`2024-01-01`):
    /// kustomize turns it into an RFC 3339 string on output.
    Timestamp,
}

/// How a scalar was written in its source. Output does not depend on it
/// (kustomize re-quotes everything), but editing source files does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Style {
    #[default]
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
pub struct Scalar {
    pub text: String,
    pub kind: Kind,
    pub style: Style,
}

#[derive(Clone, Debug)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    /// Entries in source order; keys are nodes so that errors can point at them.
    Map(Vec<(Node, Node)>),
}

/// A YAML node. Equality ignores spans and styles: two nodes are equal when
/// they mean the same thing.
#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Scalar) -> bool {
        self.kind == other.kind && self.text == other.text
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Scalar(a), Value::Scalar(b)) => a == b,
            (Value::Seq(a), Value::Seq(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        self.value == other.value
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }
    /// A string scalar, always a string whatever it looks like.
    pub fn string(text: impl Into<String>, span: Span) -> Node {
        Node::new(Value::Scalar(Scalar { text: text.into(), kind: Kind::Str, style: Style::Plain }), span)
    }
    pub fn scalar(text: impl Into<String>, kind: Kind, span: Span) -> Node {
        Node::new(Value::Scalar(Scalar { text: text.into(), kind, style: Style::Plain }), span)
    }
    pub fn int(n: i64, span: Span) -> Node {
        Node::scalar(n.to_string(), Kind::Int, span)
    }
    pub fn null(span: Span) -> Node {
        Node::scalar("null", Kind::Null, span)
    }
    pub fn map(span: Span) -> Node {
        Node::new(Value::Map(Vec::new()), span)
    }
    pub fn seq(items: Vec<Node>, span: Span) -> Node {
        Node::new(Value::Seq(items), span)
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.kind == Kind::Null)
    }
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }
    /// The text of a scalar of any kind (`5`, `true`, `abc`).
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }
    /// The text of a scalar that is a string, and only then.
    pub fn as_string(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if s.kind == Kind::Str => Some(&s.text),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&Vec<(Node, Node)>> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_map_mut(&mut self) -> Option<&mut Vec<(Node, Node)>> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?.iter_mut().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }
    /// The string under `key`, when there is one.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|n| n.as_str())
    }
    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }
    pub fn path_mut(&mut self, keys: &[&str]) -> Option<&mut Node> {
        keys.iter().try_fold(self, |n, k| n.get_mut(k))
    }

    /// Sets `key` to `value`, replacing an existing entry in place or
    /// appending a new one. Does nothing on a non-mapping.
    pub fn set(&mut self, key: &str, value: Node) {
        let span = value.span.clone();
        if let Some(m) = self.as_map_mut() {
            if let Some(slot) = m.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
                slot.1 = value;
            } else {
                m.push((Node::string(key, span), value));
            }
        }
    }
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let m = self.as_map_mut()?;
        let i = m.iter().position(|(k, _)| k.as_str() == Some(key))?;
        Some(m.remove(i).1)
    }
    /// The mapping under `key`, created (or replacing a null) when missing.
    pub fn entry_map(&mut self, key: &str) -> Option<&mut Node> {
        let span = self.span.clone();
        let missing = match self.get(key) {
            None => true,
            Some(n) => n.is_null(),
        };
        if missing {
            self.set(key, Node::map(span));
        }
        self.get_mut(key)
    }

    /// The JSON type kustomize's Go decoders name in their errors
    /// ("cannot unmarshal bool into …").
    pub fn json_type(&self) -> &'static str {
        match &self.value {
            Value::Map(_) => "object",
            Value::Seq(_) => "array",
            Value::Scalar(s) => match s.kind {
                Kind::Str | Kind::Timestamp => "string",
                Kind::Int | Kind::Float => "number",
                Kind::Bool => "bool",
                Kind::Null => "null",
            },
        }
    }

    /// A short word for the node's shape, for error messages.
    pub fn shape(&self) -> &'static str {
        match &self.value {
            Value::Map(_) => "a mapping",
            Value::Seq(_) => "a list",
            Value::Scalar(s) => match s.kind {
                Kind::Str | Kind::Timestamp => "a string",
                Kind::Int | Kind::Float => "a number",
                Kind::Bool => "a boolean",
                Kind::Null => "null",
            },
        }
    }
}
